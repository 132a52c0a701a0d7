-- Extensions the schema relies on: pgvector for embeddings, pg_trgm for fuzzy admin search.
CREATE EXTENSION IF NOT EXISTS vector;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
