-- CREATE TABLE AS (with names, WITH NO DATA, IF NOT EXISTS), TABLE name and
-- COPY (query) TO STDOUT.
CREATE TABLE ca_src (id int, name text, v vector(3), h halfvec(2));
INSERT INTO ca_src VALUES (1, 'a', '[1,2,3]', '[1,2]'), (2, 'b', '[4,5,6]', '[3,4]'), (3, NULL, NULL, NULL);
CREATE TABLE ca_copy AS SELECT * FROM ca_src WHERE id < 3;
SELECT * FROM ca_copy ORDER BY id;
CREATE TABLE ca_named (ident, label) AS SELECT id, name, v <-> '[0,0,0]' AS dist FROM ca_src;
SELECT * FROM ca_named ORDER BY ident;
CREATE TABLE ca_empty AS SELECT id, v FROM ca_src WITH NO DATA;
SELECT count(*) FROM ca_empty;
INSERT INTO ca_empty VALUES (9, '[1,1,1]');
INSERT INTO ca_empty VALUES (9, '[1,1]');
CREATE TABLE ca_copy AS SELECT 1;
CREATE TABLE IF NOT EXISTS ca_copy AS SELECT 1;
CREATE TABLE ca_many (a, b, c) AS SELECT 1, 2;
CREATE TABLE ca_set AS SELECT id FROM ca_src UNION SELECT 10 ORDER BY 1;
TABLE ca_set;
CREATE TABLE ca_lit AS SELECT 'x' AS t, NULL AS n, 1.5 AS f, 2::bigint AS b;
TABLE ca_lit;
COPY (SELECT id, name FROM ca_src ORDER BY id) TO STDOUT;
COPY (SELECT id, v FROM ca_src WHERE id < 3 ORDER BY id) TO STDOUT WITH (FORMAT csv, HEADER);
COPY (SELECT 1 UNION SELECT 2 ORDER BY 1) TO STDOUT;
COPY (SELECT 1, 2) TO STDOUT WITH (FORMAT csv, HEADER);
DROP TABLE ca_src, ca_copy, ca_named, ca_empty, ca_set, ca_lit;
