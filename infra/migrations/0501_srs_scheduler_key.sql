-- The scheduler parameters a card's state was computed with; a card whose key differs from the
-- current one is rescheduled by replaying its review log (the srs_reschedule job).
ALTER TABLE srs_cards ADD COLUMN scheduler_key text;
CREATE INDEX srs_cards_reviewed_key_idx ON srs_cards (scheduler_key) WHERE last_review_at IS NOT NULL;
