-- Posts, series, tags, comments, redirects and reader interactions with posts.
CREATE TABLE series (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug         text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    title        text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description  text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE tags (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    name        text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 60),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE posts (
    id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug                  text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    title                 text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    excerpt               text NOT NULL DEFAULT '' CHECK (length(excerpt) <= 1000),
    content               text NOT NULL DEFAULT '',
    status                text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
    difficulty            text NOT NULL DEFAULT 'beginner'
                          CHECK (difficulty IN ('beginner', 'intermediate', 'advanced')),
    is_premium            boolean NOT NULL DEFAULT false,
    series_id             bigint REFERENCES series (id) ON DELETE SET NULL,
    series_position       integer CHECK (series_position >= 1),
    author_id             bigint REFERENCES users (id) ON DELETE SET NULL,
    reading_time_minutes  integer NOT NULL DEFAULT 1 CHECK (reading_time_minutes >= 1),
    view_count            bigint NOT NULL DEFAULT 0,
    published_at          timestamptz,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    -- Title outranks excerpt outranks body in full-text search.
    search_vector         tsvector GENERATED ALWAYS AS (
                              setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
                              setweight(to_tsvector('english', coalesce(excerpt, '')), 'B') ||
                              setweight(to_tsvector('english', coalesce(content, '')), 'C')
                          ) STORED,
    CONSTRAINT posts_series_position_key UNIQUE (series_id, series_position)
        DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT posts_published_has_date CHECK (status = 'draft' OR published_at IS NOT NULL)
);
-- The list endpoints filter published posts and sort by date or popularity.
CREATE INDEX posts_published_idx ON posts (published_at DESC, id DESC) WHERE status = 'published';
CREATE INDEX posts_popular_idx ON posts (view_count DESC, id DESC) WHERE status = 'published';
CREATE INDEX posts_difficulty_idx ON posts (difficulty, published_at DESC) WHERE status = 'published';
CREATE INDEX posts_series_idx ON posts (series_id, series_position);
CREATE INDEX posts_status_idx ON posts (status, updated_at DESC);
CREATE INDEX posts_search_idx ON posts USING gin (search_vector);

CREATE TABLE post_tags (
    post_id  bigint NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    tag_id   bigint NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (post_id, tag_id)
);
CREATE INDEX post_tags_tag_idx ON post_tags (tag_id, post_id);

CREATE TABLE redirects (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    old_slug    text NOT NULL UNIQUE,
    new_slug    text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (old_slug <> new_slug)
);
CREATE INDEX redirects_new_slug_idx ON redirects (new_slug);

CREATE TABLE comments (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    post_id      bigint NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    parent_id    bigint REFERENCES comments (id) ON DELETE CASCADE,
    content      text NOT NULL CHECK (length(content) BETWEEN 1 AND 5000),
    is_approved  boolean NOT NULL DEFAULT false,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX comments_post_idx ON comments (post_id, created_at);
CREATE INDEX comments_parent_idx ON comments (parent_id);
CREATE INDEX comments_moderation_idx ON comments (is_approved, created_at DESC);
CREATE INDEX comments_user_idx ON comments (user_id);

-- One row per client per post per hour: the unique key is the deduplication.
CREATE TABLE post_views (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    post_id      bigint NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    user_id      bigint REFERENCES users (id) ON DELETE SET NULL,
    client_hash  text NOT NULL,
    hour_bucket  timestamptz NOT NULL,
    viewed_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT post_views_dedup_key UNIQUE (post_id, client_hash, hour_bucket)
);
CREATE INDEX post_views_time_idx ON post_views (viewed_at, post_id);

CREATE TABLE post_reactions (
    user_id        bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    post_id        bigint NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    reaction_type  text NOT NULL CHECK (reaction_type IN ('like', 'love', 'insightful', 'celebrate', 'confused')),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, post_id)
);
CREATE INDEX post_reactions_post_idx ON post_reactions (post_id, created_at);
