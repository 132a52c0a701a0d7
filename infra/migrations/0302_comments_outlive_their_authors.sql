-- Deleting an account must not delete what other people wrote. A deleted user's comments that
-- have replies stay as tombstones with no author (the service blanks their text first), so the
-- replies beneath them survive; the database keeps that true even for a bare DELETE FROM users.
ALTER TABLE comments ALTER COLUMN user_id DROP NOT NULL;
ALTER TABLE comments DROP CONSTRAINT comments_user_id_fkey;
ALTER TABLE comments ADD CONSTRAINT comments_user_id_fkey
    FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE SET NULL;
