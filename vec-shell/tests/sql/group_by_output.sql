-- GROUP BY keys that name the select list: positions and output names.
CREATE TABLE g (id int, k int, name text);
INSERT INTO g SELECT i, i % 4, 'n' || (i % 3) FROM generate_series(1, 20) i;
SELECT k, count(*) FROM g GROUP BY 1 ORDER BY 1;
SELECT name, k % 2 AS parity, sum(id) FROM g GROUP BY 1, 2 ORDER BY 1, 2;
SELECT id % 5 AS bucket, count(*) FROM g GROUP BY bucket ORDER BY bucket;
SELECT upper(name) AS up, max(id) FROM g GROUP BY up HAVING max(id) > 18 ORDER BY 1;
-- An input column wins over an output name.
SELECT k * 10 AS id, count(*) FROM g GROUP BY id ORDER BY 1 LIMIT 3;
SELECT k AS name, count(*) FROM g GROUP BY name ORDER BY 2;
-- Positions in and after a star.
SELECT * FROM (SELECT k, name FROM g) s GROUP BY 1, 2 ORDER BY 1, 2 LIMIT 4;
SELECT count(*) FROM (SELECT k, count(*) FROM g GROUP BY 1) s;
-- A star under GROUP BY: every column must be a key.
SELECT * FROM g GROUP BY id, k, name ORDER BY id LIMIT 2;
SELECT * FROM g GROUP BY id, k;
-- Errors.
SELECT k, count(*) FROM g GROUP BY 3;
SELECT k, count(*) FROM g GROUP BY 0;
SELECT k FROM g GROUP BY 1.5;
SELECT count(*) FROM g GROUP BY 1;
SELECT k AS a, name AS a FROM g GROUP BY a;
-- The same expression under one name twice is no ambiguity.
SELECT k + 1 AS a, k + 1 AS a, count(*) FROM g GROUP BY a ORDER BY 1;
DROP TABLE g;
