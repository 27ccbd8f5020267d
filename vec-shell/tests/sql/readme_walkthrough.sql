-- The statements of pgvector's README, in order, on small tables (with ORDER BY id
-- where the README leaves the order of rows to the heap).
CREATE EXTENSION IF NOT EXISTS vector;
CREATE TABLE items (id bigserial PRIMARY KEY, embedding vector(3));
INSERT INTO items (embedding) VALUES ('[1,2,3]'), ('[4,5,6]');
SELECT * FROM items ORDER BY embedding <-> '[3,1,2]' LIMIT 5;
INSERT INTO items (id, embedding) VALUES (1, '[1,2,3]'), (2, '[4,5,6]')
    ON CONFLICT (id) DO UPDATE SET embedding = EXCLUDED.embedding;
UPDATE items SET embedding = '[1,2,3]' WHERE id = 1;
INSERT INTO items (embedding) VALUES ('[1,1,1]'), ('[7,8,9]');
DELETE FROM items WHERE id = 4;
SELECT * FROM items WHERE id != 1 ORDER BY embedding <-> (SELECT embedding FROM items WHERE id = 1) LIMIT 5;
SELECT * FROM items WHERE embedding <-> '[3,1,2]' < 5 ORDER BY id;
SELECT id, embedding <-> '[3,1,2]' AS distance FROM items ORDER BY id;
SELECT id, (embedding <#> '[3,1,2]') * -1 AS inner_product FROM items ORDER BY id;
SELECT id, 1 - (embedding <=> '[3,1,2]') AS cosine_similarity FROM items ORDER BY id;
SELECT AVG(embedding) FROM items;
ALTER TABLE items ADD COLUMN category_id int;
UPDATE items SET category_id = id % 2;
SELECT category_id, AVG(embedding) FROM items GROUP BY category_id ORDER BY category_id;
CREATE INDEX ON items USING hnsw (embedding vector_l2_ops) WITH (m = 16, ef_construction = 64);
SET hnsw.ef_search = 100;
SHOW hnsw.ef_search;
SET hnsw.ef_search = 0;
SET hnsw.iterative_scan = strict_order;
SELECT id FROM items WHERE category_id = 1 ORDER BY embedding <-> '[3,1,2]' LIMIT 5;
WITH relaxed_results AS MATERIALIZED (
    SELECT id, embedding <-> '[1,2,3]' AS distance FROM items WHERE category_id = 1 ORDER BY distance LIMIT 5
) SELECT * FROM relaxed_results ORDER BY distance + 0;
CREATE INDEX ON items USING ivfflat (embedding vector_cosine_ops) WITH (lists = 1);
SET ivfflat.probes = 10;
SELECT id FROM items ORDER BY embedding <=> '[3,1,2]' LIMIT 5;
DROP TABLE items;
-- Half precision, binary and sparse vectors.
CREATE TABLE items (id bigserial PRIMARY KEY, embedding vector(3));
INSERT INTO items (embedding) VALUES ('[1,-2,3]'), ('[-1,2,-3]'), ('[1,2,3]');
CREATE INDEX ON items USING hnsw ((embedding::halfvec(3)) halfvec_l2_ops);
SELECT * FROM items ORDER BY embedding::halfvec(3) <-> '[1,2,3]' LIMIT 5;
CREATE INDEX ON items USING hnsw ((binary_quantize(embedding)::bit(3)) bit_hamming_ops);
SELECT * FROM items ORDER BY binary_quantize(embedding)::bit(3) <~> binary_quantize('[1,-2,3]'::vector) LIMIT 5;
SELECT * FROM (
    SELECT * FROM items ORDER BY binary_quantize(embedding)::bit(3) <~> binary_quantize('[1,-2,3]'::vector) LIMIT 20
) ORDER BY embedding <=> '[1,-2,3]' LIMIT 5;
DROP TABLE items;
CREATE TABLE items (id bigserial PRIMARY KEY, embedding bit(3));
INSERT INTO items (embedding) VALUES ('000'), ('111');
SELECT * FROM items ORDER BY embedding <~> '101' LIMIT 5;
DROP TABLE items;
CREATE TABLE items (id bigserial PRIMARY KEY, embedding sparsevec(5));
INSERT INTO items (embedding) VALUES ('{1:1,3:2,5:3}/5'), ('{1:4,3:5,5:6}/5');
SELECT * FROM items ORDER BY embedding <-> '{1:3,3:1,5:2}/5' LIMIT 5;
CREATE TABLE docs (id bigserial PRIMARY KEY, embedding vector(5));
INSERT INTO docs (embedding) VALUES ('[1,2,3,4,5]'), ('[5,4,3,2,1]'), ('[1,1,1,1,1]');
CREATE INDEX ON docs USING hnsw ((subvector(embedding, 1, 3)::vector(3)) vector_cosine_ops);
SELECT * FROM (
    SELECT * FROM docs ORDER BY subvector(embedding, 1, 3)::vector(3) <=> subvector('[1,2,3,4,5]'::vector, 1, 3) LIMIT 20
) ORDER BY embedding <=> '[1,2,3,4,5]' LIMIT 5;
