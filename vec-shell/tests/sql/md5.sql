-- md5(text): RFC 1321 digests as PostgreSQL prints them.
SELECT md5(''), md5('abc'), md5('message digest');
SELECT md5(repeat('x', 55)) AS m55, md5(repeat('x', 56)) AS m56, md5(repeat('x', 64)) AS m64;
SELECT md5('héllo wörld ✓'), md5(NULL) IS NULL AS null_in_null_out;
SELECT length(md5(random()::text)), md5('[1,2,3]'::vector::text);
CREATE TABLE docs (id int, body text);
INSERT INTO docs VALUES (1, 'alpha'), (2, 'beta'), (3, NULL);
SELECT id, md5(body), left(md5(body), 8) AS short FROM docs ORDER BY md5(body), id;
SELECT md5(123);
SELECT md5('a', 'b');
