-- EXPLAIN EXECUTE: the plan of a prepared query with its arguments; a custom plan shows
-- the values in place of the parameters, a generic plan shows $n (vecsh keeps a KNN
-- query's generic plan under plan_cache_mode = auto, where PostgreSQL makes custom
-- plans for the first five executions).
CREATE TABLE ee (id int PRIMARY KEY, tag int, v vector(3));
INSERT INTO ee SELECT i, i % 10, ARRAY[i, i % 7, i % 5]::vector FROM generate_series(1, 3000) i;
CREATE INDEX ee_v_idx ON ee USING hnsw (v vector_l2_ops);
CREATE INDEX ee_tag_idx ON ee (tag);
ANALYZE ee;
PREPARE by_id(int) AS SELECT tag FROM ee WHERE id = $1;
PREPARE near(vector) AS SELECT id FROM ee ORDER BY v <-> $1 LIMIT 3;
PREPARE total AS SELECT count(*) FROM ee;
EXPLAIN (COSTS OFF) EXECUTE by_id(5);
EXPLAIN (COSTS OFF) EXECUTE total;
EXPLAIN (COSTS OFF, FORMAT JSON) EXECUTE by_id(5);
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE by_id(5);
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE near('[3,3,3.1]');
SET plan_cache_mode = force_generic_plan;
EXPLAIN (COSTS OFF) EXECUTE near('[3,3,3.1]');
RESET plan_cache_mode;
EXECUTE near('[3,3,3.1]');
-- errors
EXPLAIN (COSTS OFF) EXECUTE total();
EXPLAIN (COSTS OFF) EXECUTE nosuch;
EXPLAIN (COSTS OFF) EXECUTE near;
EXPLAIN (COSTS OFF) EXECUTE near('[1,2,3]', 2);
EXPLAIN (COSTS OFF) EXECUTE by_id('x');
DEALLOCATE ALL;
DROP TABLE ee;
