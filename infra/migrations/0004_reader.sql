-- What a reader keeps: bookmarks, progress, notes, notifications, uploads, certificates.
CREATE TABLE bookmarks (
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    post_id     bigint NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, post_id)
);
CREATE INDEX bookmarks_user_idx ON bookmarks (user_id, created_at DESC);

CREATE TABLE user_progress (
    user_id          bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    post_id          bigint NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    completed_at     timestamptz NOT NULL DEFAULT now(),
    read_time_spent  integer NOT NULL DEFAULT 0 CHECK (read_time_spent >= 0),
    PRIMARY KEY (user_id, post_id)
);
CREATE INDEX user_progress_user_idx ON user_progress (user_id, completed_at DESC);
CREATE INDEX user_progress_time_idx ON user_progress (completed_at, post_id);

CREATE TABLE study_notes (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    post_id     bigint REFERENCES posts (id) ON DELETE SET NULL,
    title       text NOT NULL DEFAULT '' CHECK (length(title) <= 200),
    content     text NOT NULL CHECK (length(content) <= 20000),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX study_notes_user_idx ON study_notes (user_id, post_id, updated_at DESC);

CREATE TABLE notifications (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    type        text NOT NULL,
    title       text NOT NULL,
    message     text NOT NULL DEFAULT '',
    link        text,
    is_read     boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notifications_user_idx ON notifications (user_id, created_at DESC);
CREATE INDEX notifications_unread_idx ON notifications (user_id) WHERE NOT is_read;

CREATE TABLE uploads (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind          text NOT NULL CHECK (kind IN ('image', 'pdf', 'data')),
    object_key    text NOT NULL UNIQUE,
    filename      text NOT NULL,
    content_type  text NOT NULL,
    size_bytes    bigint NOT NULL CHECK (size_bytes > 0),
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX uploads_user_idx ON uploads (user_id, created_at DESC);

CREATE TABLE certificates (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code        text NOT NULL UNIQUE,
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    series_id   bigint NOT NULL REFERENCES series (id) ON DELETE CASCADE,
    issued_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, series_id)
);
