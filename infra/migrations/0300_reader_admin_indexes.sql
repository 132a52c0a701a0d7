-- Indexes for the admin analytics date ranges, admin search boxes and the notes list.
-- Range counts (new users, comments, reactions in a period) walk these by time.
CREATE INDEX users_created_idx ON users (created_at);
CREATE INDEX comments_created_idx ON comments (created_at, post_id);
CREATE INDEX post_reactions_created_idx ON post_reactions (created_at, post_id);
-- Admin post search is a substring match on title or slug (ILIKE '%term%').
CREATE INDEX posts_title_trgm_idx ON posts USING gin (title gin_trgm_ops);
CREATE INDEX posts_slug_trgm_idx ON posts USING gin (slug gin_trgm_ops);
-- A reader's notes, most recently edited first, without a post filter.
CREATE INDEX study_notes_user_recent_idx ON study_notes (user_id, updated_at DESC, id DESC);
