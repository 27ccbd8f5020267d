-- Array operators and functions, as PostgreSQL runs them.
SELECT ARRAY[1, 2] || ARRAY[3, 4] AS both, ARRAY[1, 2] || 3 AS appended, 0 || ARRAY[1, 2] AS prepended;
SELECT ARRAY['a', 'b'] || 'c'::text AS t, ARRAY[1.5, 2] || 3 AS n;
SELECT ARRAY[1, 2] || NULL::int[] AS a, NULL::int[] || ARRAY[1] AS b, ARRAY[1] || NULL::int AS c;
SELECT array_append(ARRAY[1, 2], 3), array_prepend(0, ARRAY[1, 2]), array_cat(ARRAY[1], ARRAY[2, 3]);
SELECT array_append(NULL::int[], 1), array_cat(NULL::int[], ARRAY[1]), array_cat(ARRAY[1], NULL);
SELECT array_append(ARRAY['x'], 'y'), pg_typeof(array_append(ARRAY['x'], 'y'));
SELECT array_length(ARRAY[1, 2, 3], 1), array_length(ARRAY[]::int[], 1), cardinality(ARRAY[1, 2, 3]), cardinality(ARRAY[]::int[]), cardinality(NULL::int[]);
SELECT array_position(ARRAY['a', 'b', 'c', 'b'], 'b'), array_position(ARRAY[1, 2], 5), array_position(ARRAY[1, NULL, 3], NULL);
SELECT array_position(ARRAY[1, 2, 1], 1, 2), array_position(ARRAY[1, 2, 1], 1, 4);
SELECT array_remove(ARRAY[1, 2, 3, 2], 2), array_remove(ARRAY[1, NULL, 2], NULL), array_remove(NULL::int[], 1);
SELECT (ARRAY[10, 20, 30])[2] AS second, (ARRAY[10, 20, 30])[5] AS missing, (ARRAY[10, 20, 30])[0] AS zero;
SELECT (ARRAY[10, 20, 30, 40])[2:3] AS slice, (ARRAY[10, 20, 30, 40])[3:] AS tail, (ARRAY[10, 20, 30, 40])[:2] AS head;
SELECT (ARRAY[10, 20, 30])[3:1] AS empty, (ARRAY[10, 20, 30])[NULL] AS null_index;
CREATE TABLE docs (id int, tags text[]);
INSERT INTO docs VALUES (1, ARRAY['red', 'blue']), (2, ARRAY['green']), (3, NULL);
SELECT id, tags[1] AS first, tags || 'new'::text AS more, cardinality(tags) FROM docs ORDER BY id;
SELECT id, unnest(tags) FROM docs ORDER BY id;
SELECT tags[1], tags[1:1], tags[2]::text || '!', ARRAY[1, 2] || '{3}' FROM docs WHERE id = 1;
UPDATE docs SET tags = array_append(tags, 'x') WHERE id = 2;
SELECT * FROM docs ORDER BY id;
-- Building arrays in a recursive query.
WITH RECURSIVE t(n, path) AS (SELECT 1, ARRAY[1] UNION ALL SELECT n + 1, path || (n + 1) FROM t WHERE n < 4) SELECT * FROM t;
-- Errors.
SELECT ARRAY['a'] || 'c';
SELECT array_position(ARRAY[1], 1, NULL);
SELECT ARRAY[1, 2] || ARRAY['a'];
SELECT array_append(ARRAY[1, 2], 'x');
SELECT cardinality(1);
SELECT (1)[1];
