-- Learning: FSRS card state and review log, quiz snapshots, challenge bank and days, the interview
-- question bank.

-- FSRS state lives in columns (fsrs.State: 1 learning, 2 review, 3 relearning); next_review_at is
-- the card's due time. The SM-2 columns of 0005 are left unused.
ALTER TABLE srs_cards
    ADD COLUMN state           smallint NOT NULL DEFAULT 1 CHECK (state BETWEEN 1 AND 3),
    ADD COLUMN step            smallint CHECK (step >= 0),
    ADD COLUMN stability       double precision CHECK (stability > 0),
    ADD COLUMN difficulty      double precision CHECK (difficulty BETWEEN 1 AND 10),
    ADD COLUMN lapses          integer NOT NULL DEFAULT 0 CHECK (lapses >= 0),
    ADD COLUMN last_review_at  timestamptz;
-- One card per user, post and front; md5 keeps the key small for long fronts.
CREATE UNIQUE INDEX srs_cards_user_post_front_key ON srs_cards (user_id, post_id, md5(front));

-- Every review with the FSRS rating and the resulting state, so history can be replayed under new
-- scheduler parameters and retention measured (a review of a card in review state that was not
-- "Again" is a successful recall).
ALTER TABLE srs_reviews
    ALTER COLUMN ease_factor DROP NOT NULL,
    ADD COLUMN rating        smallint CHECK (rating BETWEEN 1 AND 4),
    ADD COLUMN prior_state   smallint CHECK (prior_state BETWEEN 1 AND 3),
    ADD COLUMN state         smallint CHECK (state BETWEEN 1 AND 3),
    ADD COLUMN stability     double precision,
    ADD COLUMN difficulty    double precision,
    ADD COLUMN due_at        timestamptz;
CREATE INDEX srs_reviews_card_idx ON srs_reviews (card_id, reviewed_at, id);

-- The questions exactly as served (options in their shuffled order) and the pass mark outcome.
ALTER TABLE quiz_attempts
    ADD COLUMN served  jsonb,
    ADD COLUMN passed  boolean;
CREATE INDEX quiz_attempts_post_score_idx ON quiz_attempts (post_id, score DESC) WHERE submitted_at IS NOT NULL;

-- Challenges: optional choices, accepted alternative answers and points; submissions remember the
-- day they answered, so the bank can repeat a challenge on a later day and streaks are by day.
ALTER TABLE challenges
    ADD COLUMN options   jsonb CHECK (options IS NULL OR jsonb_typeof(options) = 'array'),
    ADD COLUMN accepted  jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(accepted) = 'array');
ALTER TABLE challenge_submissions
    ADD COLUMN day     date,
    ADD COLUMN points  integer NOT NULL DEFAULT 0 CHECK (points >= 0);
UPDATE challenge_submissions s SET day = c.day FROM challenges c WHERE c.id = s.challenge_id;
ALTER TABLE challenge_submissions ALTER COLUMN day SET NOT NULL;
DROP INDEX challenge_submissions_correct_key;
-- At most one scored (correct) submission per user per day.
CREATE UNIQUE INDEX challenge_submissions_user_day_key ON challenge_submissions (user_id, day) WHERE is_correct;
CREATE INDEX challenge_submissions_points_idx ON challenge_submissions (user_id) WHERE is_correct;

-- Mock interview bank: each question with a reference answer and the key points a good answer covers.
CREATE TABLE interview_questions (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    topic             text NOT NULL CHECK (length(topic) BETWEEN 1 AND 100),
    difficulty        text NOT NULL DEFAULT 'intermediate'
                      CHECK (difficulty IN ('beginner', 'intermediate', 'advanced')),
    question          text NOT NULL,
    reference_answer  text NOT NULL,
    key_points        jsonb NOT NULL CHECK (jsonb_typeof(key_points) = 'array' AND jsonb_array_length(key_points) > 0),
    UNIQUE (topic, question)
);
CREATE INDEX interview_questions_topic_idx ON interview_questions (topic, difficulty);

ALTER TABLE interview_sessions
    ADD COLUMN difficulty  text NOT NULL DEFAULT 'intermediate'
                           CHECK (difficulty IN ('beginner', 'intermediate', 'advanced')),
    ADD COLUMN feedback    jsonb;
