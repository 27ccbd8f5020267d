-- The semantic-search golden path: a table with a binary-quantized generated column,
-- vector and btree indexes, filtered and joined nearest-neighbour queries, a re-rank by
-- the full vectors, and transaction blocks.
CREATE EXTENSION IF NOT EXISTS vector;
CREATE TABLE categories (id int PRIMARY KEY, name text NOT NULL);
INSERT INTO categories VALUES (1, 'tools'), (2, 'toys');
CREATE TABLE items (
    id bigserial PRIMARY KEY,
    category_id int NOT NULL,
    name text,
    embedding vector(3),
    bq bit(3) GENERATED ALWAYS AS (binary_quantize(embedding)::bit(3)) STORED
);
BEGIN;
INSERT INTO items (category_id, name, embedding) VALUES
    (1, 'hammer', '[1,-2,3]'), (1, 'saw', '[1,2,3]'), (2, 'ball', '[-1,2,-3]'),
    (2, 'kite', '[-1,-2,-3]'), (1, 'drill', '[2,-1,3]');
COMMIT;
SELECT id, name, bq FROM items ORDER BY id;
INSERT INTO items (category_id, name, embedding, bq) VALUES (1, 'level', '[1,1,1]', '111');
CREATE INDEX ON items USING hnsw (embedding vector_cosine_ops);
CREATE INDEX ON items USING hnsw (bq bit_hamming_ops);
CREATE INDEX ON items (category_id);
SET hnsw.iterative_scan = strict_order;
SELECT name, embedding <=> '[1,-2,3]' AS distance FROM items
    WHERE category_id = 1 ORDER BY embedding <=> '[1,-2,3]' LIMIT 2;
SELECT i.name, c.name AS category FROM items i JOIN categories c ON c.id = i.category_id
    WHERE c.name LIKE 'to%' ORDER BY i.embedding <-> '[1,1,2]' LIMIT 3;
SELECT name FROM (
    SELECT * FROM items ORDER BY bq <~> binary_quantize('[1,-2,3]'::vector) LIMIT 4
) AS candidates ORDER BY embedding <=> '[1,-2,3]' LIMIT 2;
SELECT c.name, count(i.id) FROM categories c LEFT JOIN items i ON i.category_id = c.id
    GROUP BY c.name ORDER BY c.name;
BEGIN;
DELETE FROM items WHERE category_id = 2;
SELECT count(*) FROM items;
ROLLBACK;
SELECT count(*) FROM items;
SELECT name FROM items ORDER BY embedding <=> '[-1,2,-3]' LIMIT 1;
BEGIN;
UPDATE items SET embedding = '[3,2,1]' WHERE name = 'saw';
SELECT 1/0;
SELECT name FROM items;
COMMIT;
COMMIT;
SELECT name, bq FROM items WHERE name = 'saw';
\d items
