-- Published posts per tag, kept in the row: every post embeds its tags with this count, and
-- counting a popular tag's posts on each request would grow with the table. The content
-- services recount the tags a write touched (layers/services/tags.py, refresh_counts).
ALTER TABLE tags ADD COLUMN post_count integer NOT NULL DEFAULT 0 CHECK (post_count >= 0);

UPDATE tags t SET post_count = c.n
FROM (SELECT pt.tag_id, count(*) AS n
      FROM post_tags pt JOIN posts p ON p.id = pt.post_id AND p.status = 'published'
      GROUP BY pt.tag_id) c
WHERE t.id = c.tag_id;
