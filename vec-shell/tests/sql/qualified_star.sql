-- table.* in select lists: one table's columns, aliases, joins (USING keeps each
-- table's own column), GROUP BY, set operations, RETURNING, and the errors.
CREATE TABLE qa (id int PRIMARY KEY, v vector(2), tag text);
CREATE TABLE qb (id int, note text);
INSERT INTO qa VALUES (1, '[1,0]', 'x'), (2, '[0,1]', 'y'), (3, '[1,1]', 'x');
INSERT INTO qb VALUES (1, 'one'), (3, 'three');
SELECT qa.* FROM qa ORDER BY id;
SELECT a.*, a.v <-> '[1,1]' AS d FROM qa a ORDER BY d, id LIMIT 2;
SELECT qb.*, qa.tag FROM qa JOIN qb ON qa.id = qb.id ORDER BY qa.id;
SELECT qa.*, qb.* FROM qa JOIN qb USING (id) ORDER BY 1;
SELECT qb.* FROM qa JOIN qb USING (id) ORDER BY 1;
SELECT * FROM qa JOIN qb USING (id) ORDER BY id;
SELECT "qa".* FROM qa WHERE tag = 'y';
SELECT qb.* FROM qb GROUP BY id, note ORDER BY id;
SELECT qb.* FROM qb UNION ALL SELECT id, tag FROM qa ORDER BY 1, 2;
SELECT x.* FROM (SELECT id, tag FROM qa WHERE id > 1) x ORDER BY id;
WITH w AS (SELECT id, v FROM qa) SELECT w.* FROM w ORDER BY id DESC;
UPDATE qb SET note = upper(note) WHERE id = 1 RETURNING qb.*;
DELETE FROM qb WHERE id = 3 RETURNING qb.*, 'gone' AS what;
SELECT nope.* FROM qa;
SELECT qb.* FROM qb GROUP BY id;
DROP TABLE qa, qb;
