-- OPERATOR(schema.op), COLLATE, subscripts and array concatenation, as psql's catalog
-- queries write them
SELECT 'a' OPERATOR(pg_catalog.||) 'b' AS cat, 1 OPERATOR(+) 2 AS sum, 3 OPERATOR(pg_catalog.*) 2 + 1 AS other;
SELECT 'items' OPERATOR(pg_catalog.~) '^(items)$' COLLATE pg_catalog.default AS matches;
SELECT 'a' < 'b' COLLATE "C" AS c, 'a' COLLATE "POSIX" AS posix, 'b' COLLATE "default" AS dflt;
SELECT 'a' COLLATE "x";
SELECT 'a' COLLATE pg_catalog."x";
SELECT 'a' COLLATE nope."C";
SELECT 1 COLLATE "C";
SELECT (ARRAY[10, 20, 30])[2] AS second, (ARRAY[10, 20, 30])[4] AS missing, (ARRAY['a', 'b'])[0] AS zero;
SELECT 1[1];
SELECT ARRAY[1, 2] || ARRAY[3] AS cat, ARRAY[1] || 2 AS app, 0 || ARRAY[1] AS pre, ARRAY['a'] || '{b,c}' AS lit;
SELECT NULL::text[] || ARRAY['x'] AS left_null, array_to_string(NULL::text[] || ARRAY(SELECT 'toast.' || x FROM unnest(NULL::text[]) x), ', ') AS empty;
SELECT array_upper(ARRAY[4, 5, 6], 1) AS upper, array_lower(ARRAY[4, 5, 6], 1) AS lower, array_upper(ARRAY[4], 2) AS none;
SELECT array_to_string(ARRAY[1, NULL, 3], ',') AS skipped, array_to_string(ARRAY[1, NULL, 3], ',', '*') AS starred;
SELECT ARRAY[1, 2]::int2[] AS small, 7::smallint AS seven;
SELECT 40000::smallint;
CREATE TABLE things (id integer PRIMARY KEY, tags text[]);
INSERT INTO things VALUES (1, ARRAY['red', 'blue']), (2, NULL);
SELECT id, tags[1] AS first, tags || 'green'::text AS more FROM things ORDER BY id;
SELECT relname, relname::regclass = c.oid AS found FROM pg_class c WHERE relname LIKE 'things%' ORDER BY 1;
SELECT ('nope' || relname)::regclass FROM pg_class WHERE relname = 'things';
DROP TABLE things;
