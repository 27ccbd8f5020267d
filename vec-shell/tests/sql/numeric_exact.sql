-- numeric is exact: arbitrary precision, PostgreSQL's display scales and limits
SELECT 0.1::numeric * 3 = 0.3;
SELECT 0.1::numeric + 0.2 = 0.3, 0.1::numeric + 0.2;
SELECT 12345678901234567890.123456789::numeric * 10;
SELECT 12345678901234567890.123456789::numeric + 0.000000001;
SELECT 99999999999999999999999999999999::numeric + 1;
SELECT -0.00::numeric, 1.50::numeric, '  -3.250  '::numeric, '1.5e3'::numeric, '1e-3'::numeric;
SELECT 'NaN'::numeric, 'infinity'::numeric, '-inf'::numeric, '+Infinity'::numeric;
SELECT '1.2.3'::numeric;
SELECT 'abc'::numeric;
SELECT '1e'::numeric;
-- limits: 131072 digits before the point, 16383 after
SELECT length('1e100000'::numeric::text);
SELECT '0e100000'::numeric;
SELECT '1e131072'::numeric;
SELECT '1e-16384'::numeric;
SELECT '0e-100000'::numeric;
SELECT '1e9999999999'::numeric;
SELECT length((1e-10000 * 1e-10000)::text);
-- multiplication and division scales
SELECT 1.25 * 1.5, 0.1::numeric * 0.1, 2::numeric * 3;
SELECT 1::numeric / 3, 10::numeric / 3, 2::numeric / 3;
SELECT 1::numeric / 30000, 123456789::numeric / 7;
SELECT 1.0000000000000000001 / 3, 100000::numeric / 0.001;
SELECT 7.5 / 2.5, -7::numeric / 2, 1::numeric / 7000000;
SELECT 5::numeric / 0;
SELECT 5.5 % 2, -5.5 % 2, 10 % 3.3, 5.5::numeric % -2;
SELECT 5::numeric % 0;
SELECT mod(17.5, 5), mod(-17, 5::numeric);
-- special values
SELECT 'inf'::numeric + '-inf'::numeric, 'inf'::numeric * 0, 1 / 'inf'::numeric;
SELECT 'inf'::numeric + 1, -'inf'::numeric, 'nan'::numeric + 1, 'inf'::numeric * -2;
SELECT 'inf'::numeric / 0;
SELECT 'nan'::numeric = 'nan'::numeric, 'nan'::numeric > 'inf'::numeric, '-inf'::numeric < -1e100;
-- comparisons are exact
SELECT 1.0 = 1.00, 1.5 > 1, 1::bigint = 1.0, 0.30000000000000001 > 0.3;
SELECT 9007199254740993::bigint = 9007199254740992::bigint, 9007199254740993::numeric > 9007199254740992;
SELECT 123456789012345678901234567890 > 123456789012345678901234567889;
-- rounding functions
SELECT round(2.5), round(-2.5), round(1.5, 3), round(1234.5, -2), round(-0.5), round(0.05, 1);
SELECT trunc(-1.57, 1), trunc(1.99), trunc(12345.678, -2);
SELECT floor(-1.5), ceil(-0.5), ceiling(1.0001), floor(2.0), ceil(12345678901234567890.1);
SELECT abs(-0.00), abs(-12345678901234567890.5), abs(-5::bigint), sign(-2.5), sign(0.0), sign(3::numeric);
SELECT abs(-9223372036854775807::bigint);
SELECT round(12345678901234567890.123456789::numeric, 4);
-- casts
SELECT 2.5::numeric::int, (-2.5)::numeric::int, 2.4999::numeric::bigint, (-0.5)::numeric::int;
SELECT 2147483647.4::numeric::int, 9223372036854775807::numeric::bigint;
SELECT 2147483647.5::numeric::int;
SELECT 9223372036854775807.5::numeric::bigint;
SELECT 'NaN'::numeric::int;
SELECT 'inf'::numeric::bigint;
SELECT 2.5::float8::int, 3.5::float8::int;
SELECT 1.23::real::numeric, 0.1::real::numeric, 1e20::float8::numeric, 1e-20::float8::numeric;
SELECT 0.1::float8::numeric, (1.0/3)::float8::numeric, 'nan'::float8::numeric, '-inf'::float8::numeric;
SELECT 12345678901234567890.5::numeric::float8, 0.1::numeric::float8, 0.1::numeric::real;
SELECT 1e400::numeric::float8;
SELECT 9223372036854775807::bigint::numeric * 2;
-- numeric(p,s) type modifiers
SELECT 12.345::numeric(4,2), 12.345::numeric(5), 123.4::numeric(2,-1), 0.001::numeric(3,3);
SELECT 12.345::numeric(3,2);
SELECT 'inf'::numeric(3,2);
SELECT 'nan'::numeric(3,2);
SELECT 1::numeric(5,6);
SELECT 99.995::numeric(4,2);
SELECT 1::numeric(1001);
SELECT 1::numeric(5,1001);
CREATE TABLE prices (id int, price numeric(8,2), qty bigint);
INSERT INTO prices VALUES (1, 10.005, 9007199254740993), (2, 0.1, 1), (3, 1234.5, 2);
INSERT INTO prices VALUES (4, 1234567.891, 0);
SELECT * FROM prices ORDER BY id;
SELECT sum(price), avg(price), min(price), max(price), sum(qty), avg(qty) FROM prices;
SELECT sum(price * qty) FROM prices;
SELECT id, price * 3 AS triple FROM prices WHERE price * 3 = 0.3;
-- bigint arithmetic never passes through a double
SELECT 9007199254740993::bigint + 1, 9007199254740993::bigint * 1;
SELECT 9223372036854775807::bigint - 1, -9223372036854775807::bigint - 1;
SELECT 9223372036854775807::bigint + 1;
SELECT (-9223372036854775807::bigint - 1) / -1;
SELECT 4611686018427387904::bigint * 2;
SELECT 9223372036854775807::bigint / 2, 9223372036854775807::bigint % 10;
-- sum and avg are exact
CREATE TABLE b (x bigint);
INSERT INTO b VALUES (9007199254740993), (1);
SELECT sum(x) FROM b;
DELETE FROM b;
INSERT INTO b VALUES (9223372036854775807), (9223372036854775807);
SELECT sum(x), avg(x) FROM b;
CREATE TABLE i (x int);
INSERT INTO i VALUES (1), (2), (2), (NULL);
SELECT avg(x), sum(x), avg(x::numeric) FROM i;
CREATE TABLE n (g int, x numeric);
INSERT INTO n VALUES (1, 1), (1, 2), (2, 0.1), (2, 0.2), (2, 0.3);
INSERT INTO n VALUES (3, 1.25), (3, 2), (3, 'nan'), (4, 'inf'), (4, 2), (5, 'inf'), (5, '-inf');
INSERT INTO n VALUES (6, 1e-20), (6, 12345678901234567890), (7, NULL);
SELECT g, avg(x), sum(x), count(x) FROM n GROUP BY g ORDER BY g;
SELECT g, x, sum(x) OVER (ORDER BY g, x) FROM n WHERE g < 3 ORDER BY g, x;
SELECT max(x), min(x) FROM n WHERE g <> 3;
SELECT x FROM n WHERE g < 5 ORDER BY x DESC;
-- grouping and DISTINCT compare numerics by value, not by scale
CREATE TABLE s (x numeric);
INSERT INTO s VALUES (1.0), (1.00), (1), (2.50), (2.5), (-0.0), (0);
SELECT count(*), sum(x) FROM s GROUP BY x ORDER BY sum(x);
SELECT count(DISTINCT x) FROM s;
SELECT count(*) FROM (SELECT DISTINCT x FROM s) d;
SELECT count(*) FROM (SELECT x FROM s UNION SELECT 1.000) u;
SELECT x FROM s WHERE x = 2.5 ORDER BY x;
CREATE TABLE t (k int, label text);
INSERT INTO t VALUES (1, 'one'), (2, 'two');
SELECT s.x, t.label FROM s JOIN t ON s.x = t.k ORDER BY t.label, s.x::text;
