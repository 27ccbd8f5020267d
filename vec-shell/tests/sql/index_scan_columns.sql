-- An index scan decodes only the columns its query reads, and computes no sort key the
-- index already ordered by: every way a query can read a row's other columns still sees
-- them (expected output recorded from PostgreSQL 15 with pgvector).
CREATE EXTENSION IF NOT EXISTS vector;
CREATE TABLE isc (id int PRIMARY KEY, category text, note text, embedding vector(3));
INSERT INTO isc VALUES
  (1, 'a', 'one', '[1,0,0]'), (2, 'b', 'two', '[2,0,0]'), (3, 'a', 'three', '[4,0,0]'),
  (4, 'b', 'four', '[7,0,0]'), (5, 'c', 'five', '[11,0,0]'), (6, 'a', 'six', '[16,0,0]'),
  (7, 'c', NULL, '[22,0,0]'), (8, 'b', 'eight', '[29,0,0]');
CREATE INDEX ON isc USING hnsw (embedding vector_l2_ops);
CREATE TABLE counts (category text, n int);
INSERT INTO counts VALUES ('a', 10), ('b', 20), ('c', 30);
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM isc ORDER BY embedding <-> '[0,0,0]' LIMIT 3;
SELECT id FROM isc ORDER BY embedding <-> '[0,0,0]' LIMIT 3;
SELECT * FROM isc ORDER BY embedding <-> '[0,0,0]' LIMIT 3;
SELECT note, id FROM isc ORDER BY embedding <-> '[4.2,0,0]' LIMIT 4;
SELECT id, embedding <-> '[0,0,0]' AS distance FROM isc ORDER BY embedding <-> '[0,0,0]' LIMIT 3;
SELECT embedding, embedding <-> '[0,0,0]' FROM isc ORDER BY embedding <-> '[0,0,0]' LIMIT 2;
SELECT id, category || '!' AS marked, upper(note) FROM isc ORDER BY embedding <-> '[9.5,0,0]' LIMIT 3;
SELECT id FROM isc WHERE category = 'a' ORDER BY embedding <-> '[0,0,0]' LIMIT 2;
SELECT id, note FROM isc WHERE note IS NULL OR note LIKE 'f%' ORDER BY embedding <-> '[0,0,0]' LIMIT 3;
SELECT id, (SELECT n FROM counts c WHERE c.category = isc.category) AS n
  FROM isc ORDER BY embedding <-> '[0,0,0]' LIMIT 4;
SELECT id FROM isc WHERE EXISTS (SELECT 1 FROM counts c WHERE c.category = isc.category AND c.n > 15)
  ORDER BY embedding <-> '[0,0,0]' LIMIT 3;
SELECT id, row_number() OVER (PARTITION BY category ORDER BY id) AS r, category
  FROM isc ORDER BY embedding <-> '[0,0,0]' LIMIT 4;
SELECT id, rank() OVER (PARTITION BY category ORDER BY note) AS r
  FROM isc ORDER BY embedding <-> '[0,0,0]' LIMIT 4;
SELECT id, EXISTS (SELECT 1 FROM counts c WHERE c.category = isc.category AND c.n > 15) AS big
  FROM isc ORDER BY embedding <-> '[0,0,0]' LIMIT 3;
SELECT count(*), max(note), min(id) FROM (SELECT note, id FROM isc ORDER BY embedding <-> '[0,0,0]' LIMIT 4) s;
SELECT category, count(*) FROM (SELECT category FROM isc ORDER BY embedding <-> '[0,0,0]' LIMIT 5) s
  GROUP BY category ORDER BY category;
SELECT DISTINCT category FROM (SELECT category FROM isc ORDER BY embedding <-> '[0,0,0]' LIMIT 5) s ORDER BY 1;
SELECT a.id, b.id AS nearest, b.note
  FROM isc a, LATERAL (SELECT id, note FROM isc b WHERE b.id <> a.id ORDER BY b.embedding <-> a.embedding LIMIT 1) b
  WHERE a.id <= 3 ORDER BY a.id;
SELECT id FROM isc ORDER BY embedding <-> '[0,0,0]' LIMIT 2 OFFSET 2;
WITH near AS (SELECT * FROM isc ORDER BY embedding <-> '[0,0,0]' LIMIT 3) SELECT note FROM near ORDER BY id DESC;
UPDATE isc SET note = 'ONE' WHERE id = 1;
DELETE FROM isc WHERE id = 2;
SELECT id, note FROM isc ORDER BY embedding <-> '[0,0,0]' LIMIT 3;
BEGIN;
INSERT INTO isc VALUES (9, 'c', 'nine', '[0.5,0,0]');
UPDATE isc SET category = 'z' WHERE id = 3;
SELECT id, category, note FROM isc ORDER BY embedding <-> '[0,0,0]' LIMIT 3;
ROLLBACK;
SELECT id, category, note FROM isc ORDER BY embedding <-> '[0,0,0]' LIMIT 3;
PREPARE near(vector) AS SELECT note FROM isc ORDER BY embedding <-> $1 LIMIT 2;
EXECUTE near('[25,0,0]');
EXECUTE near('[1,0,0]');
DEALLOCATE near;
RESET enable_seqscan;
DROP TABLE isc;
DROP TABLE counts;
