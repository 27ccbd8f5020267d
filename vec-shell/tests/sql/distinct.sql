-- SELECT DISTINCT and DISTINCT ON: NULLs equal each other, vectors compare by value,
-- and ORDER BY must agree with the DISTINCT clause.
CREATE TABLE so_a (id int, cat text, v vector(2));
INSERT INTO so_a VALUES (1, 'x', '[1,2]'), (2, 'x', '[1,2]'), (3, 'y', '[3,4]'), (4, NULL, NULL), (5, NULL, NULL), (6, 'y', '[0,0]');
SELECT DISTINCT cat FROM so_a ORDER BY cat;
SELECT DISTINCT cat, v FROM so_a ORDER BY cat, v;
SELECT DISTINCT v FROM so_a ORDER BY 1;
SELECT DISTINCT ON (cat) cat, id FROM so_a ORDER BY cat, id DESC;
SELECT DISTINCT ON (cat) id, cat FROM so_a ORDER BY cat;
SELECT DISTINCT ON (v) v, id FROM so_a ORDER BY v, id;
SELECT DISTINCT ON (1) cat, id FROM so_a ORDER BY 1, 2 LIMIT 2;
SELECT DISTINCT ON (cat) cat, id FROM so_a ORDER BY id;
SELECT DISTINCT cat FROM so_a ORDER BY id;
SELECT DISTINCT ON (3) cat FROM so_a;
SELECT DISTINCT cat || 'z' AS c FROM so_a ORDER BY cat || 'z';
SELECT DISTINCT count(*) FROM so_a GROUP BY cat ORDER BY 1;
SELECT DISTINCT ON (cat) cat, id FROM so_a ORDER BY cat, v <-> '[0,0]', id;
WITH w AS (SELECT DISTINCT cat FROM so_a) SELECT * FROM w ORDER BY 1;
SELECT ALL cat FROM so_a WHERE id < 3 ORDER BY id;
DROP TABLE so_a;
