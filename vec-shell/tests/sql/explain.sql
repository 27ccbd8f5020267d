-- EXPLAIN (COSTS OFF): expressions as PostgreSQL deparses them, constants with their types.
CREATE TABLE items (id int PRIMARY KEY, category_id int, name text, price real, embedding vector(3));
INSERT INTO items VALUES
    (1, 1, 'apple', 1.5, '[1,1,1]'),
    (2, 1, 'banana', 2.5, '[1,2,3]'),
    (3, 2, 'cherry', 3.5, '[3,2,1]');
CREATE INDEX items_embedding_idx ON items USING hnsw (embedding vector_cosine_ops);
-- As in pgvector's own tests, a table this small needs enable_seqscan off for its index.
SET enable_seqscan = off;
-- vecsh adds its Filter Strategy line (a filter-aware walk; PostgreSQL prints none).
EXPLAIN (COSTS OFF) SELECT id FROM items WHERE category_id = 1 ORDER BY embedding <=> '[1,1,1]' LIMIT 5;
RESET enable_seqscan;
EXPLAIN (COSTS OFF) SELECT id FROM items WHERE name LIKE 'a%' AND price > '2';
EXPLAIN (COSTS OFF) SELECT id FROM items WHERE name IS NOT NULL OR category_id = 2;
EXPLAIN (COSTS OFF) SELECT id FROM items ORDER BY embedding <-> '[1,2,3]';
EXPLAIN (COSTS OFF) SELECT id FROM items WHERE vector_dims(embedding) = 3 ORDER BY category_id DESC;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT name FROM items WHERE id = 2;
RESET enable_seqscan;
CREATE TABLE owners (id int, item_id int);
CREATE TABLE notes (item_id int, body text, tags text, extra text);
EXPLAIN (COSTS OFF) SELECT * FROM owners o JOIN notes n ON o.item_id = n.item_id AND o.id < n.item_id;
