-- ORDER BY and DISTINCT ON a bare name: an output column's name first (PostgreSQL's
-- SQL-92 rule); two output columns of that name are ambiguous unless they compute the
-- same expression.
CREATE TABLE oa (id int, v vector(2), k int);
CREATE TABLE ob (id int, w text);
INSERT INTO oa VALUES (1, '[1,0]', 20), (2, '[0,1]', 10), (3, '[1,1]', 10);
INSERT INTO ob VALUES (1, 'one'), (2, 'two'), (3, 'three');
SELECT oa.id, ob.id FROM oa JOIN ob ON oa.id = ob.id ORDER BY id;
SELECT oa.id, ob.id FROM oa JOIN ob ON oa.id = ob.id ORDER BY 2 DESC;
SELECT oa.*, ob.* FROM oa JOIN ob USING (id) ORDER BY id;
SELECT id, id FROM oa ORDER BY id DESC;
SELECT id AS k, k FROM oa ORDER BY k;
SELECT k AS id, id FROM oa ORDER BY id;
SELECT id, k AS id FROM oa ORDER BY id;
SELECT id, v <-> '[0,0]' AS d, k AS d FROM oa ORDER BY d;
SELECT id, v <-> '[0,0]' AS d FROM oa ORDER BY d, id;
SELECT DISTINCT ON (k) k, id FROM oa ORDER BY k, id;
SELECT DISTINCT ON (id) id, k AS id FROM oa;
SELECT id FROM oa UNION SELECT id FROM ob ORDER BY id;
SELECT id, k AS id FROM oa UNION SELECT id, id FROM ob ORDER BY id;
SELECT oa.id, ob.id FROM oa JOIN ob ON oa.id = ob.id ORDER BY oa.id DESC;
DROP TABLE oa, ob;
