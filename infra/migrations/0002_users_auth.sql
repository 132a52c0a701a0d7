-- Accounts, their settings and every kind of token issued to them.
CREATE TABLE users (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email           text NOT NULL CHECK (email = lower(email) AND length(email) <= 320),
    password_hash   text,                       -- NULL for accounts created through Google
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    role            text NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
    is_active       boolean NOT NULL DEFAULT true,
    email_verified  boolean NOT NULL DEFAULT false,
    google_sub      text UNIQUE,
    xp              integer NOT NULL DEFAULT 0 CHECK (xp >= 0),
    level           integer NOT NULL DEFAULT 1 CHECK (level >= 1),
    streak          integer NOT NULL DEFAULT 0 CHECK (streak >= 0),
    longest_streak  integer NOT NULL DEFAULT 0 CHECK (longest_streak >= 0),
    last_active_on  date,
    stripe_customer_id text UNIQUE,
    referred_by     bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE INDEX users_xp_idx ON users (xp DESC, id);
CREATE INDEX users_name_trgm_idx ON users USING gin (name gin_trgm_ops);
CREATE INDEX users_email_trgm_idx ON users USING gin (email gin_trgm_ops);

CREATE TABLE user_settings (
    user_id              bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    theme                text NOT NULL DEFAULT 'system' CHECK (theme IN ('light', 'dark', 'system')),
    email_notifications  boolean NOT NULL DEFAULT true,
    bio                  text NOT NULL DEFAULT '' CHECK (length(bio) <= 1000),
    updated_at           timestamptz NOT NULL DEFAULT now()
);

-- Refresh tokens are opaque; only their SHA-256 is stored. A family is one sign-in: every
-- rotation stays in it, and presenting a spent token revokes the whole family.
CREATE TABLE refresh_tokens (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash   bytea NOT NULL UNIQUE,
    family_id    uuid NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    used_at      timestamptz,
    revoked_at   timestamptz
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id);
CREATE INDEX refresh_tokens_expires_idx ON refresh_tokens (expires_at);

-- Single-use tokens sent by email (verification, password reset); hashed like refresh tokens.
CREATE TABLE email_tokens (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose     text NOT NULL CHECK (purpose IN ('verify_email', 'password_reset')),
    token_hash  bytea NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);
CREATE INDEX email_tokens_user_idx ON email_tokens (user_id, purpose);
CREATE INDEX email_tokens_expires_idx ON email_tokens (expires_at);
