-- Partial indexes: a vector or btree index over the rows its predicate holds for,
-- used when the query's conditions include the predicate (expected output recorded
-- from PostgreSQL 15 with pgvector).
CREATE EXTENSION IF NOT EXISTS vector;
CREATE TABLE pi (id int PRIMARY KEY, cat int, embedding vector(2));
INSERT INTO pi VALUES (1, 1, '[1,1]'), (2, 2, '[2,2]'), (3, 1, '[3,3]'), (4, 2, '[4,4]');
CREATE INDEX pi_cat1 ON pi USING hnsw (embedding vector_l2_ops) WHERE (cat = 1);
CREATE INDEX ON pi USING hnsw (embedding vector_l2_ops) WHERE cat = 2;
CREATE INDEX ON pi USING hnsw (embedding vector_l2_ops) WHERE random() > 0.5;
CREATE INDEX ON pi USING hnsw (embedding vector_l2_ops) WHERE cat;
CREATE INDEX ON pi USING hnsw (embedding vector_l2_ops) WHERE cat IN (SELECT 1);
CREATE INDEX ON pi USING hnsw (embedding vector_l2_ops) WHERE count(*) > 1;
CREATE INDEX ON pi USING hnsw (embedding vector_l2_ops) WHERE nope = 1;
\d pi
SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'pi' ORDER BY indexname;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM pi WHERE cat = 1 ORDER BY embedding <-> '[0,0]' LIMIT 2;
SELECT id FROM pi WHERE cat = 1 ORDER BY embedding <-> '[0,0]' LIMIT 2;
EXPLAIN (COSTS OFF) SELECT id FROM pi WHERE cat = 2 ORDER BY embedding <-> '[0,0]' LIMIT 2;
SELECT id FROM pi WHERE cat = 2 ORDER BY embedding <-> '[0,0]' LIMIT 2;
EXPLAIN (COSTS OFF) SELECT id FROM pi WHERE cat = 3 ORDER BY embedding <-> '[0,0]' LIMIT 2;
INSERT INTO pi VALUES (5, 1, '[0.5,0.5]');
SELECT id FROM pi WHERE cat = 1 ORDER BY embedding <-> '[0,0]' LIMIT 2;
UPDATE pi SET cat = 2 WHERE id = 5;
SELECT id FROM pi WHERE cat = 1 ORDER BY embedding <-> '[0,0]' LIMIT 2;
SELECT id FROM pi WHERE cat = 2 ORDER BY embedding <-> '[0,0]' LIMIT 2;
RESET enable_seqscan;
DROP TABLE pi;
CREATE TABLE pb (id int PRIMARY KEY, cat int, note text);
INSERT INTO pb SELECT i, i % 10, 'n' || i::text FROM generate_series(1, 2000) i;
CREATE INDEX pb_cat_b ON pb (cat) WHERE cat > 1 AND id < 10;
CREATE INDEX pb_note ON pb (note) WHERE cat = 3;
\d pb
SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'pb' ORDER BY indexname;
SET enable_seqscan = off;
SELECT id FROM pb WHERE cat > 1 AND id < 10 AND cat = 5;
EXPLAIN (COSTS OFF) SELECT id FROM pb WHERE note = 'n13' AND cat = 3;
SELECT id FROM pb WHERE note = 'n13' AND cat = 3;
EXPLAIN (COSTS OFF) SELECT id FROM pb WHERE note = 'n13';
SELECT id FROM pb WHERE note = 'n13';
UPDATE pb SET cat = 4 WHERE id = 13;
SELECT id FROM pb WHERE note = 'n13' AND cat = 3;
UPDATE pb SET cat = 3 WHERE id = 14;
SELECT id FROM pb WHERE note = 'n14' AND cat = 3;
DROP TABLE pb;
