-- Who may read a chunk is decided by its post at query time (published, premium), never by a copy
-- on the chunk: a copy served a post's body to free readers between the post becoming premium and
-- the re-embedding task rebuilding its chunks, and forever when that task dead-lettered.
-- On a live stage, deploy the code that no longer reads the column before applying this file.
ALTER TABLE rag_chunks DROP COLUMN is_premium;
