-- plan_cache_mode: PostgreSQL's values and errors; prepared statements and repeated
-- statements (whose shapes vecsh plans once) give the same rows under every mode.
SHOW plan_cache_mode;
CREATE TABLE pc (id int PRIMARY KEY, v vector(3), tag text);
INSERT INTO pc VALUES (1, '[1,0,0]', 'a'), (2, '[0,1,0]', 'b'), (3, '[0,0,1]', 'a'), (4, '[1,1,0]', 'b');
PREPARE near (vector) AS SELECT id FROM pc ORDER BY v <-> $1, id LIMIT 2;
PREPARE tagged (text, vector) AS SELECT id FROM pc WHERE tag = $1 ORDER BY v <=> $2, id LIMIT 2;
EXECUTE near ('[1,0.1,0]');
EXECUTE tagged ('a', '[0,0,2]');
SELECT id FROM pc ORDER BY v <-> '[0,1,0.2]', id LIMIT 2;
SELECT id FROM pc ORDER BY v <-> '[0.9,0.8,0]', id LIMIT 2;
SELECT id FROM pc ORDER BY v <-> '[0,0,3]', id LIMIT 2;
SET plan_cache_mode = force_generic_plan;
SHOW plan_cache_mode;
EXECUTE near ('[0,0,1]');
EXECUTE tagged ('b', '[1,0.1,0]');
SELECT id FROM pc ORDER BY v <-> '[0,1,0.2]', id LIMIT 2;
SELECT id FROM pc ORDER BY v <-> '[1,2]', id LIMIT 2;
SET plan_cache_mode = force_custom_plan;
EXECUTE near ('[0,1,0]');
EXECUTE tagged ('a', '[1,0,0]');
SELECT id FROM pc ORDER BY v <-> '[0,0,3]', id LIMIT 2;
SET plan_cache_mode = bogus;
SET plan_cache_mode = 'force_custom_plan ';
RESET plan_cache_mode;
SHOW plan_cache_mode;
SELECT id FROM pc ORDER BY v <-> '[1,2', id LIMIT 2;
DEALLOCATE ALL;
DROP TABLE pc;
