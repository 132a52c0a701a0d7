-- A comment its author deletes while others have replied to it becomes a tombstone, so the
-- replies (other people's words) are not deleted with it.
ALTER TABLE comments ADD COLUMN deleted_at timestamptz;
