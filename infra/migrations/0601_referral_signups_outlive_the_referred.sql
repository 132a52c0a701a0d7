-- A referrer's sign-up count is the referrer's: deleting the referred account keeps the event
-- (anonymised), so the referrer's count, milestones and badges do not shrink.
ALTER TABLE referral_events DROP CONSTRAINT referral_events_referred_user_id_fkey;
ALTER TABLE referral_events ADD CONSTRAINT referral_events_referred_user_id_fkey
    FOREIGN KEY (referred_user_id) REFERENCES users (id) ON DELETE SET NULL;
