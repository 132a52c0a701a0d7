-- Learning features: spaced repetition, quizzes, challenges, interviews, gamification, search.
CREATE TABLE srs_cards (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id         bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    post_id         bigint REFERENCES posts (id) ON DELETE SET NULL,
    front           text NOT NULL CHECK (length(front) BETWEEN 1 AND 2000),
    back            text NOT NULL CHECK (length(back) BETWEEN 1 AND 5000),
    ease_factor     numeric(4, 2) NOT NULL DEFAULT 2.50 CHECK (ease_factor >= 1.30),
    interval_days   integer NOT NULL DEFAULT 0 CHECK (interval_days >= 0),
    repetitions     integer NOT NULL DEFAULT 0,
    review_count    integer NOT NULL DEFAULT 0,
    next_review_at  timestamptz NOT NULL DEFAULT now(),
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX srs_cards_due_idx ON srs_cards (user_id, next_review_at);

CREATE TABLE srs_reviews (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    card_id        bigint NOT NULL REFERENCES srs_cards (id) ON DELETE CASCADE,
    user_id        bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    grade          smallint NOT NULL CHECK (grade BETWEEN 0 AND 5),
    interval_days  integer NOT NULL,
    ease_factor    numeric(4, 2) NOT NULL,
    reviewed_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX srs_reviews_user_idx ON srs_reviews (user_id, reviewed_at DESC);

CREATE TABLE quiz_questions (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    post_id       bigint NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    question      text NOT NULL,
    options       jsonb NOT NULL CHECK (jsonb_typeof(options) = 'array'),
    answer_index  smallint NOT NULL CHECK (answer_index >= 0),
    explanation   text NOT NULL DEFAULT ''
);
CREATE INDEX quiz_questions_post_idx ON quiz_questions (post_id);

CREATE TABLE quiz_attempts (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id          bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    post_id          bigint REFERENCES posts (id) ON DELETE SET NULL,
    question_ids     jsonb NOT NULL,
    answers          jsonb,
    score            integer CHECK (score >= 0),
    total_questions  integer NOT NULL CHECK (total_questions > 0),
    created_at       timestamptz NOT NULL DEFAULT now(),
    submitted_at     timestamptz
);
CREATE INDEX quiz_attempts_user_idx ON quiz_attempts (user_id, created_at DESC);
CREATE INDEX quiz_attempts_score_idx ON quiz_attempts (score DESC) WHERE submitted_at IS NOT NULL;

CREATE TABLE challenges (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    day          date NOT NULL UNIQUE,
    title        text NOT NULL,
    question     text NOT NULL,
    answer       text NOT NULL,
    difficulty   text NOT NULL DEFAULT 'beginner'
                 CHECK (difficulty IN ('beginner', 'intermediate', 'advanced')),
    explanation  text NOT NULL DEFAULT ''
);

CREATE TABLE challenge_submissions (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    challenge_id  bigint NOT NULL REFERENCES challenges (id) ON DELETE CASCADE,
    user_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    answer        text NOT NULL,
    is_correct    boolean NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX challenge_submissions_user_idx ON challenge_submissions (challenge_id, user_id);
-- At most one correct submission per user per challenge: XP is awarded once.
CREATE UNIQUE INDEX challenge_submissions_correct_key
    ON challenge_submissions (challenge_id, user_id) WHERE is_correct;

CREATE TABLE interview_sessions (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id        bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    topic          text NOT NULL,
    questions      jsonb NOT NULL,
    answers        jsonb NOT NULL DEFAULT '[]',
    scores         jsonb NOT NULL DEFAULT '[]',
    overall_score  numeric(5, 2),
    status         text NOT NULL DEFAULT 'in_progress' CHECK (status IN ('in_progress', 'completed')),
    created_at     timestamptz NOT NULL DEFAULT now(),
    completed_at   timestamptz
);
CREATE INDEX interview_sessions_user_idx ON interview_sessions (user_id, created_at DESC);

CREATE TABLE badges (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug         text NOT NULL UNIQUE,
    name         text NOT NULL,
    description  text NOT NULL DEFAULT '',
    icon         text NOT NULL DEFAULT '',
    criteria     jsonb NOT NULL DEFAULT '{}'
);

CREATE TABLE user_badges (
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    badge_id    bigint NOT NULL REFERENCES badges (id) ON DELETE CASCADE,
    awarded_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, badge_id)
);

-- Every XP award with its reason; the unique key makes an award idempotent.
CREATE TABLE xp_events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    amount      integer NOT NULL,
    reason      text NOT NULL,
    ref         text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, reason, ref)
);
CREATE INDEX xp_events_time_idx ON xp_events (created_at, user_id);

CREATE TABLE referrals (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code        text NOT NULL UNIQUE,
    user_id     bigint NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    reward_xp   integer NOT NULL DEFAULT 50,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE referral_events (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    referral_id       bigint NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    kind              text NOT NULL CHECK (kind IN ('visit', 'signup')),
    referred_user_id  bigint UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX referral_events_referral_idx ON referral_events (referral_id, kind);

-- Retrieval chunks for search and Ask AI. 384 dimensions: all-MiniLM-L6-v2, the offline default;
-- the model id is stored per row so a change of model can re-embed incrementally.
CREATE TABLE rag_chunks (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    post_id          bigint NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    chunk_index      integer NOT NULL,
    heading          text NOT NULL DEFAULT '',
    content          text NOT NULL,
    is_premium       boolean NOT NULL DEFAULT false,
    embedding        vector(384),
    embedding_model  text,
    search_vector    tsvector GENERATED ALWAYS AS (
                         setweight(to_tsvector('english', coalesce(heading, '')), 'A') ||
                         setweight(to_tsvector('english', coalesce(content, '')), 'C')
                     ) STORED,
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (post_id, chunk_index)
);
CREATE INDEX rag_chunks_embedding_idx ON rag_chunks USING hnsw (embedding vector_cosine_ops);
CREATE INDEX rag_chunks_search_idx ON rag_chunks USING gin (search_vector);
