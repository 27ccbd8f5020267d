-- String functions: left, right, lpad, rpad, split_part, translate, chr, ascii, to_hex,
-- position(a IN b), concat and concat_ws (any types, NULLs skipped), in CHECK and DEFAULT too.
SELECT left('hello', 2), left('hello', -2), left('hello', 0), left('hé', 10), right('hello', 2), right('hello', -2), right('', 3);
SELECT lpad('7', 3, '0'), lpad('hello', 3), lpad('x', 5), rpad('a', 3, '*'), rpad('abc', 6, 'xy'), lpad('a', 4, ''), lpad('a', -1);
SELECT split_part('a,b,c', ',', 2), split_part('a,b,c', ',', 5), split_part('a,b,c', ',', -1), split_part('abc', '', 1), split_part('a--b', '--', 2);
SELECT split_part('a,b', ',', 0);
SELECT translate('12345', '143', 'ax'), chr(65), chr(233), ascii('A'), ascii(''), ascii('é'), to_hex(255), to_hex(-1), to_hex(9223372036854775807);
SELECT chr(0);
SELECT position('b' in 'abc'), position('z' in 'abc'), position('' in 'abc');
SELECT concat('a', true, 1.50, NULL, '[1,2]'::vector), concat_ws('-', 'a', NULL, 2), concat_ws(NULL, 'a') IS NULL, concat(NULL), concat_ws(',', NULL), concat_ws('', 'a', 'b');
SELECT concat();
SELECT concat_ws('-');
CREATE TABLE tf (id int, name text, e vector(2));
INSERT INTO tf VALUES (1, 'alpha', '[1,2]'), (2, NULL, NULL);
SELECT id, concat(name, ':', e), concat_ws(' | ', id, name, e), left(name, 3), lpad(id::text, 4, '0') FROM tf ORDER BY id;
SELECT left(name, 1) AS l, right(name, 1) r FROM tf WHERE id = 1;
CREATE TABLE ck (name text CHECK (position('a' in name) > 0), l text DEFAULT left('hello', 2));
INSERT INTO ck (name) VALUES ('abc');
INSERT INTO ck (name) VALUES ('xyz');
SELECT * FROM ck;
