-- What a caller without full access may match a premium post on: its title and excerpt, never
-- its body (a hit on a body-only word would reveal what the paid text says).
ALTER TABLE posts ADD COLUMN public_search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
    setweight(to_tsvector('english', coalesce(excerpt, '')), 'B')
) STORED;
CREATE INDEX posts_public_search_idx ON posts USING gin (public_search_vector) WHERE is_premium;
