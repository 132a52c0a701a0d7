-- Payments, subscriptions, email lists, and the machinery: outbox, task log, job runs, Stripe events.
CREATE TABLE payments (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id            bigint REFERENCES users (id) ON DELETE SET NULL,
    stripe_session_id  text NOT NULL UNIQUE,
    status             text NOT NULL,
    plan               text,
    amount_cents       integer,
    currency           text,
    created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payments_user_idx ON payments (user_id, created_at DESC);

CREATE TABLE subscriptions (
    id                      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id                 bigint NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    stripe_subscription_id  text UNIQUE,
    stripe_customer_id      text,
    status                  text NOT NULL,
    plan                    text,
    current_period_end      timestamptz,
    cancel_at_period_end    boolean NOT NULL DEFAULT false,
    -- ``created`` of the newest Stripe event applied: an older event never overwrites newer state.
    state_as_of             timestamptz NOT NULL,
    updated_at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX subscriptions_active_idx ON subscriptions (status, current_period_end);

CREATE TABLE stripe_events (
    id            text PRIMARY KEY,
    type          text NOT NULL,
    created       timestamptz NOT NULL,
    processed_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE newsletter_subscriptions (
    id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email                 text NOT NULL UNIQUE CHECK (email = lower(email)),
    status                text NOT NULL DEFAULT 'pending'
                          CHECK (status IN ('pending', 'confirmed', 'unsubscribed')),
    confirm_token_hash    bytea UNIQUE,
    unsubscribe_token     text NOT NULL UNIQUE,
    confirmation_sent_at  timestamptz,
    confirmed_at          timestamptz,
    unsubscribed_at       timestamptz,
    created_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX newsletter_confirmed_idx ON newsletter_subscriptions (status);

CREATE TABLE digest_subscriptions (
    user_id            bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    unsubscribe_token  text NOT NULL UNIQUE,
    subscribed_at      timestamptz NOT NULL DEFAULT now()
);

-- One row per subscriber per digest day: the key that makes a re-run send nothing twice.
CREATE TABLE digest_deliveries (
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    digest_date  date NOT NULL,
    sent_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, digest_date)
);

-- Transactional outbox: written in the same transaction as the data that needs the work.
CREATE TABLE task_outbox (
    id            uuid PRIMARY KEY,
    task_type     text NOT NULL,
    payload       jsonb NOT NULL,
    status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent')),
    attempts      integer NOT NULL DEFAULT 0,
    available_at  timestamptz NOT NULL DEFAULT now(),
    created_at    timestamptz NOT NULL DEFAULT now(),
    sent_at       timestamptz,
    last_error    text
);
CREATE INDEX task_outbox_pending_idx ON task_outbox (available_at) WHERE status = 'pending';

-- Tasks whose effect has happened: a redelivered task id does nothing the second time.
CREATE TABLE processed_tasks (
    task_id       uuid PRIMARY KEY,
    task_type     text NOT NULL,
    processed_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE job_runs (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job          text NOT NULL,
    trigger      text NOT NULL DEFAULT 'schedule' CHECK (trigger IN ('schedule', 'manual')),
    started_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz,
    outcome      text NOT NULL DEFAULT 'running' CHECK (outcome IN ('running', 'succeeded', 'failed')),
    counts       jsonb NOT NULL DEFAULT '{}',
    error        text
);
CREATE INDEX job_runs_job_idx ON job_runs (job, started_at DESC);
