-- INSERT … SELECT: bare string literals and NULLs in the select list take the target
-- columns' types, as PostgreSQL's unknown-type literals do; typed text does not.
CREATE TABLE target (n int, e vector(2), b boolean, t text);
INSERT INTO target SELECT '5', '[1,2]', 'yes', 'x';
INSERT INTO target SELECT NULL, NULL, NULL, NULL;
INSERT INTO target (n, e) SELECT '7', NULL FROM generate_series(1, 2);
INSERT INTO target (n) SELECT '5'::text;
INSERT INTO target (n) SELECT '5' UNION SELECT '6';
INSERT INTO target (n) SELECT DISTINCT '5';
SELECT * FROM target ORDER BY n, e;
