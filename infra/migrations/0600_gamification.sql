-- Gamification and referrals on top of the learning tables (badges, xp_events, referrals).

-- Streak days are the user's local days: an IANA zone name, checked by the application with
-- zoneinfo (PostgreSQL cannot validate it without a lookup it does not have).
ALTER TABLE user_settings ADD COLUMN timezone text NOT NULL DEFAULT 'UTC'
    CHECK (length(timezone) BETWEEN 1 AND 64);

-- The last missed local day a streak freeze bridged; one freeze per ISO week of the missed day.
ALTER TABLE users ADD COLUMN streak_frozen_on date;

-- A referral visit is counted once per client per code per hour: the unique index is the
-- deduplication (the same scheme as post views: a keyed hash of the client, never the address).
ALTER TABLE referral_events ADD COLUMN client_hash text, ADD COLUMN hour_bucket timestamptz;
CREATE UNIQUE INDEX referral_events_visit_dedup_key
    ON referral_events (referral_id, client_hash, hour_bucket) WHERE kind = 'visit';

-- The weekly board and its PostgreSQL fallback sum one week of events per user.
CREATE INDEX xp_events_user_time_idx ON xp_events (user_id, created_at);
