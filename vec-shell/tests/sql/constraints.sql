-- UNIQUE and CHECK constraints: column and table level, named and unnamed, checked by
-- INSERT, UPDATE, COPY and ON CONFLICT; ALTER TABLE … ADD / DROP CONSTRAINT; \d.
CREATE TABLE cons_u (id int UNIQUE, v text);
INSERT INTO cons_u VALUES (1, 'a'), (2, 'b');
INSERT INTO cons_u VALUES (1, 'c');
INSERT INTO cons_u VALUES (3, 'c'), (3, 'd');
INSERT INTO cons_u VALUES (NULL, 'n'), (NULL, 'm');
UPDATE cons_u SET id = 2 WHERE id = 1;
SELECT * FROM cons_u ORDER BY id, v;
INSERT INTO cons_u VALUES (2, 'x') ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v;
INSERT INTO cons_u VALUES (3, 'y') ON CONFLICT ON CONSTRAINT cons_u_id_key DO NOTHING;
INSERT INTO cons_u VALUES (3, 'z') ON CONFLICT (v) DO NOTHING;
SELECT * FROM cons_u ORDER BY id, v;
\d cons_u
CREATE TABLE cons_m (a int, b text, c int, UNIQUE (a, b), CONSTRAINT cons_m_c_uq UNIQUE (c));
INSERT INTO cons_m VALUES (1, 'x', 1), (1, 'y', 2), (2, 'x', 3);
INSERT INTO cons_m VALUES (1, 'x', 4);
INSERT INTO cons_m VALUES (5, 'x', 1);
INSERT INTO cons_m VALUES (1, NULL, 5), (1, NULL, 6);
\d cons_m
CREATE TABLE cons_c (id int PRIMARY KEY, n int CHECK (n > 0), m int, CHECK (m < n), CONSTRAINT cons_c_pos CHECK (id >= 0));
INSERT INTO cons_c VALUES (1, 0, NULL);
INSERT INTO cons_c VALUES (1, 5, 7);
INSERT INTO cons_c VALUES (-1, 5, 1);
INSERT INTO cons_c VALUES (1, NULL, NULL), (2, 5, 1);
UPDATE cons_c SET n = -n WHERE id = 2;
UPDATE cons_c SET m = 10 WHERE id = 2;
\d cons_c
COPY cons_c FROM STDIN;
3	4	2
\.
COPY cons_c FROM STDIN WITH (FORMAT csv);
5,9,1
\.
SELECT * FROM cons_c ORDER BY id;
INSERT INTO cons_c VALUES (2, 1, 0) ON CONFLICT (id) DO UPDATE SET n = -1;
ALTER TABLE cons_c ADD CONSTRAINT cons_c_small CHECK (n < 9);
ALTER TABLE cons_c ADD CHECK (n < 100);
ALTER TABLE cons_c ADD CONSTRAINT cons_c_m_key UNIQUE (m);
ALTER TABLE cons_c ADD CONSTRAINT cons_c_n_key UNIQUE (n);
ALTER TABLE cons_c ADD CONSTRAINT cons_c_n_check CHECK (n > 1);
ALTER TABLE cons_c ADD CONSTRAINT cons_c_nope UNIQUE (nope);
\d cons_c
INSERT INTO cons_c VALUES (6, 5, 3);
INSERT INTO cons_c VALUES (6, 500, 3);
ALTER TABLE cons_c DROP CONSTRAINT cons_c_n_key;
ALTER TABLE cons_c DROP CONSTRAINT cons_c_check1;
ALTER TABLE cons_c DROP CONSTRAINT cons_c_check1;
ALTER TABLE cons_c DROP CONSTRAINT IF EXISTS cons_c_check1;
INSERT INTO cons_c VALUES (6, 5, 3);
\d cons_c
DROP INDEX cons_u_id_key;
BEGIN;
ALTER TABLE cons_u ADD CONSTRAINT cons_u_v_key UNIQUE (v);
ALTER TABLE cons_u DROP CONSTRAINT cons_u_id_key;
INSERT INTO cons_u VALUES (3, 'q');
ROLLBACK;
INSERT INTO cons_u VALUES (3, 'q');
\d cons_u
-- ON CONFLICT with a primary key and a unique constraint.
CREATE TABLE cons_oc (id int PRIMARY KEY, u int UNIQUE, v text CHECK (v <> ''));
INSERT INTO cons_oc VALUES (1, 10, 'a'), (2, 20, 'b');
INSERT INTO cons_oc VALUES (3, 10, 'c'), (1, 30, 'd'), (4, 40, 'e'), (5, 40, 'f') ON CONFLICT DO NOTHING RETURNING *;
INSERT INTO cons_oc VALUES (6, 20, 'x') ON CONFLICT (u) DO UPDATE SET v = excluded.v || '!' RETURNING *;
INSERT INTO cons_oc VALUES (7, 20, 'x') ON CONFLICT (u) DO UPDATE SET u = 10;
INSERT INTO cons_oc VALUES (7, 20, 'x') ON CONFLICT ON CONSTRAINT cons_oc_v_check DO NOTHING;
INSERT INTO cons_oc VALUES (7, 20, 'x'), (8, 20, 'y') ON CONFLICT (u) DO UPDATE SET v = 'z';
INSERT INTO cons_oc VALUES (7, NULL, 'n'), (8, NULL, 'm') ON CONFLICT (u) DO UPDATE SET v = 'z';
SELECT * FROM cons_oc ORDER BY id;
DROP TABLE cons_oc;
-- \d deparses check expressions as PostgreSQL's pretty printer does.
CREATE TABLE cons_d (a int, b int, c int, CHECK (a > 0 AND a < 10 OR a IS NULL), CHECK (a + b * c > 0), CHECK ((a - b) - c > 0), CHECK (a - (b - c) > 0), CHECK (NOT (a > 1)), CHECK (NOT (a > 1 AND b < 2)), CHECK (a > 0 OR (b > 0 AND c > 0)), CHECK ((a > 0 OR b > 0) AND c > 0), CHECK ((a * b) / c > 1), CHECK (a * (b / c) > 1), CHECK (-a < b), CHECK (-(a + b) < c), CHECK (a % 2 = 0), CHECK ((a + b) IS NOT NULL), CHECK (a IS NOT NULL AND NOT b IS NULL), CHECK (length(a::text) < 5));
\d cons_d
DROP TABLE cons_u, cons_m, cons_c, cons_d;
