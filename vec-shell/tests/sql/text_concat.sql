-- || between a string and a value of another type (PostgreSQL's textanycat/anytextcat),
-- beside the vector, halfvec and bit concatenations; bool spells its word as text.
CREATE TABLE c (id int, name text, e vector(2), h halfvec(2), n numeric, f float8, b bool);
INSERT INTO c VALUES (1, 'x', '[1,2]', '[3,4]', 1.50, 0.1, true), (2, NULL, NULL, NULL, NULL, NULL, NULL);
SELECT 'a' || 1 AS a, 1 || 'a' AS b, 'x' || 2.5 AS c, 'y' || true AS d, 'z' || NULL::int AS e;
SELECT id, name || id, name || e, e || name, 'id=' || id || ', n=' || n || ', f=' || f || ', b=' || b FROM c ORDER BY id;
SELECT 'v' || e, e || '[9]', '[0]' || e, h || '[5]', 'h: ' || h FROM c ORDER BY id;
SELECT 'a' || 'b', 'a'::text || 'b'::varchar(3), B'10' || B'01';
SELECT 1 || 2;
SELECT 'a' || 1 || 2 || 3 || 4 || 5 || 6 || 7 || 8 || 9 || 10 || 11 || 12 || 13 || 14 || 15 || 16 || 17 || 18 || 19 || 20 || 21 || 22 || 23 || 24 || 25 || 26 || 27 || 28 || 29 || 30 || 31 || 32 || 33 AS long_chain;
SELECT true::text, false::varchar, true::varchar(2), 'true'::bool::text;
