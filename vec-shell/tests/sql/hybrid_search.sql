-- pgvector's hybrid search: full-text search ranked with ts_rank_cd, and Reciprocal Rank
-- Fusion of a vector ranking with a full-text ranking (websearch_to_tsquery).
CREATE TABLE documents (id bigserial PRIMARY KEY, content text, embedding vector(3));
INSERT INTO documents (content, embedding) VALUES
  ('The dog is barking loudly at the mailman', '[1,1,1]'),
  ('The cat is purring on the sofa', '[1,1,2]'),
  ('The bear is growling in the forest', '[1,2,1]'),
  ('A dog and a cat sleep together', '[2,1,1]'),
  ('Birds sing in the morning', '[3,3,3]'),
  ('Dogs bark, cats meow, and birds sing', '[1,2,2]'),
  ('Barking dogs seldom bite', '[2,2,1]');
CREATE INDEX ON documents USING hnsw (embedding vector_l2_ops);
CREATE INDEX ON documents USING gin (to_tsvector('english', content));
ALTER TABLE documents ADD COLUMN textsearch tsvector
  GENERATED ALWAYS AS (to_tsvector('english', content)) STORED;
CREATE INDEX documents_textsearch_idx ON documents USING gin (textsearch);
\d documents
SELECT id, textsearch FROM documents ORDER BY id;
-- The README's keyword search.
SELECT id, content FROM documents, plainto_tsquery('english', 'barking dog') query
  WHERE textsearch @@ query ORDER BY ts_rank_cd(textsearch, query) DESC, id LIMIT 5;
SELECT id, ts_rank_cd(textsearch, query) AS rank FROM documents, websearch_to_tsquery('english', 'dog or cat -sofa') query
  WHERE textsearch @@ query ORDER BY rank DESC, id;
-- Reciprocal Rank Fusion (k = 60).
WITH semantic_search AS (
    SELECT id, RANK () OVER (ORDER BY embedding <=> '[1,1,1]') AS rank
    FROM documents
    ORDER BY embedding <=> '[1,1,1]'
    LIMIT 20
),
keyword_search AS (
    SELECT id, RANK () OVER (ORDER BY ts_rank_cd(to_tsvector('english', content), query) DESC) AS rank
    FROM documents, websearch_to_tsquery('english', 'barking dogs') query
    WHERE to_tsvector('english', content) @@ query
    ORDER BY ts_rank_cd(to_tsvector('english', content), query) DESC
    LIMIT 20
)
SELECT
    COALESCE(semantic_search.id, keyword_search.id) AS id,
    COALESCE(1.0 / (60 + semantic_search.rank), 0.0) +
    COALESCE(1.0 / (60 + keyword_search.rank), 0.0) AS score
FROM semantic_search
FULL OUTER JOIN keyword_search ON semantic_search.id = keyword_search.id
ORDER BY score DESC, id
LIMIT 5;
-- Rows written after the query was first run are found too.
INSERT INTO documents (content, embedding) VALUES ('A dog barked all night', '[1,1,1]');
UPDATE documents SET content = 'The cat is barking, oddly' WHERE id = 2;
DELETE FROM documents WHERE id = 7;
SELECT id, content, ts_rank_cd(textsearch, query) AS rank
  FROM documents, websearch_to_tsquery('english', 'barking') query
  WHERE textsearch @@ query ORDER BY rank DESC, id;
-- The gin indexes serve @@ with a constant query (a bitmap scan, rows rechecked).
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM documents WHERE to_tsvector('english', content) @@ websearch_to_tsquery('english', 'barking dogs');
EXPLAIN (COSTS OFF) SELECT id FROM documents WHERE textsearch @@ to_tsquery('english', 'bark & !cat') AND id > 1;
SELECT id FROM documents WHERE to_tsvector('english', content) @@ websearch_to_tsquery('english', 'barking dogs') ORDER BY id;
SELECT id FROM documents WHERE textsearch @@ to_tsquery('english', 'bark & !cat') AND id > 1 ORDER BY id;
SELECT id FROM documents WHERE textsearch @@ to_tsquery('english', '!cat') ORDER BY id;
RESET enable_seqscan;
