-- Full-text search: tsvector and tsquery, the english and simple configurations,
-- @@, ranking, stop words and stemming, and PostgreSQL's errors.
SHOW default_text_search_config;
SELECT 'a fat cat sat on a mat and ate a fat rat'::tsvector;
SELECT $$the lexeme '    ' contains spaces$$::tsvector;
SELECT 'a:1 fat:2 cat:3A,5B rat:4C fat:7'::tsvector;
SELECT $$'it''s' 'back\\slash' x$$::tsvector;
SELECT ''::tsvector, pg_typeof('a'::tsvector), pg_typeof('a'::tsquery);
SELECT 'fat & rat'::tsquery, 'fat & (rat | cat)'::tsquery, 'fat & rat & ! cat'::tsquery;
SELECT 'super:*'::tsquery, 'fat:ab & cat'::tsquery, 'a <-> b <2> c'::tsquery, '!(a & b) | !c'::tsquery;
SELECT 'a <-> (b <-> c)'::tsquery, '(a | b) <-> c'::tsquery, 'a & b | c & d'::tsquery;
SELECT 'fat rat'::tsquery;
SELECT 'fat & '::tsquery;
SELECT '(fat & rat'::tsquery;
SELECT 'a <100000> b'::tsquery;
SELECT 'a:1 b:'::tsvector;
SELECT to_tsvector('english', 'The Fat Rats ate the cheese, and the cat jumped over them quickly.');
SELECT to_tsvector('simple', 'The Fat Rats ate the cheese');
SELECT to_tsvector('The quick brown foxes jumped over the lazy dogs');
SELECT to_tsvector('english', 'state-of-the-art self-driving cars, e-mail foo@example.com, see https://www.postgresql.org/docs/15/textsearch.html or /usr/local/share');
SELECT to_tsvector('english', 'Version 1.2.3 costs 42 or -7 or 3.14 or 1e10 for python3 and x86-64 in 2024-01-15');
SELECT to_tsvector('english', 'running runs ran runner generously generation generously sky skies dying lying news universal university organization organizing');
SELECT to_tsvector('english', 'caresses ponies ties caress cats feed agreed plastered motoring sing conflated troubled sized hopping tanned falling hissing fizzed failing filing');
SELECT to_tsvector('english', 'relational conditional rational valenci hesitanci digitizer conformabli radicalli differentli vileli analogousli vietnamization predication operator feudalism decisiveness hopefulness callousness formaliti sensitiviti sensibiliti');
SELECT to_tsvector('english', 'Café naïve über façade Лёгкая wisdom™ aren’t');
SELECT to_tsvector('english', 'the and of to a in is it');
SELECT to_tsvector('english', '');
SELECT to_tsquery('english', 'The & Fat & Rats'), to_tsquery('english', 'supernovae:*'), to_tsquery('english', 'fat:AB & !rats');
SELECT to_tsquery('english', 'the & cat'), to_tsquery('english', 'cat <-> the <-> rat'), to_tsquery('english', 'foo-bar');
SELECT to_tsquery('english', 'fat rat');
SELECT plainto_tsquery('english', 'The Fat Rats'), plainto_tsquery('english', 'The Fat & Rats:C'), plainto_tsquery('english', 'state-of-the-art');
SELECT phraseto_tsquery('english', 'The Fat Rats'), phraseto_tsquery('english', 'The Cat and the Rat'), phraseto_tsquery('english', 'fat & rat');
SELECT websearch_to_tsquery('english', 'The fat rats'), websearch_to_tsquery('english', '"supernovae stars" -crab'), websearch_to_tsquery('english', '"sad cat" or "fat rat"');
SELECT websearch_to_tsquery('english', 'signal -"segmentation fault"'), websearch_to_tsquery('english', '""" )( dummy \\ query <->');
SELECT websearch_to_tsquery('simple', 'The fat rats'), plainto_tsquery('simple', 'The fat rats');
SELECT to_tsvector('english', 'a fat cat sat on a mat') @@ to_tsquery('english', 'cat & mat') AS both,
       to_tsvector('english', 'a fat cat sat on a mat') @@ to_tsquery('english', 'cat & !mat') AS not_mat,
       to_tsvector('english', 'a fat cat sat on a mat') @@ to_tsquery('english', 'fat <-> cat') AS phrase,
       to_tsvector('english', 'a fat cat sat on a mat') @@ to_tsquery('english', 'cat <-> fat') AS reversed,
       to_tsvector('english', 'a fat cat sat on a mat') @@ to_tsquery('english', 'fat <3> mat') AS distance3,
       to_tsvector('english', 'a fat cat sat on a mat') @@ to_tsquery('english', 'ma:*') AS prefix;
SELECT 'a:1A fat:2B cat:3C'::tsvector @@ 'fat:B'::tsquery, 'a:1A fat:2B cat:3C'::tsvector @@ 'fat:A'::tsquery, strip('fat:1 cat:2'::tsvector) @@ 'fat <-> cat';
SELECT 'fat cats ate fat rats' @@ to_tsquery('rat'), 'fat cats ate fat rats' @@ 'cat & rat', 'cat'::tsquery @@ 'cat:1'::tsvector;
SELECT ts_rank(to_tsvector('english', 'a fat cat sat on a mat and ate a fat rat'), to_tsquery('english', 'fat & rat'));
SELECT ts_rank(to_tsvector('english', 'a fat cat sat on a mat and ate a fat rat'), to_tsquery('english', 'fat | rat | dog'));
SELECT ts_rank_cd(to_tsvector('english', 'a fat cat sat on a mat and ate a fat rat'), to_tsquery('english', 'fat & rat'));
SELECT ts_rank_cd(to_tsvector('english', 'a fat cat sat on a mat and ate a fat rat'), to_tsquery('english', 'fat <-> rat'));
SELECT n, ts_rank(to_tsvector('english', 'a fat cat sat on a mat and ate a fat rat'), to_tsquery('english', 'fat & cat'), n) AS rank,
       ts_rank_cd(to_tsvector('english', 'a fat cat sat on a mat and ate a fat rat'), to_tsquery('english', 'fat & cat'), n) AS rank_cd
  FROM (VALUES (0), (1), (2), (4), (8), (16), (32), (33)) AS t(n);
SELECT ts_rank('{0.1, 0.2, 0.4, 1.0}', setweight(to_tsvector('english', 'fat cat'), 'A') || to_tsvector('english', 'a fat rat'), to_tsquery('english', 'fat & rat')),
       ts_rank_cd('{0.1, 0.2, 0.4, 1.0}', setweight(to_tsvector('english', 'fat cat'), 'A') || to_tsvector('english', 'a fat rat'), to_tsquery('english', 'fat & rat'), 32);
SELECT ts_rank('{0.1, 0.2}', 'a:1'::tsvector, 'a'::tsquery);
SELECT ts_rank('{0.1, 0.2, 0.4, 1.5}', 'a:1'::tsvector, 'a'::tsquery);
SELECT setweight('fat:2,4 cat:3 rat:5B'::tsvector, 'A'), setweight('fat:2,4 cat:3 rat:5B'::tsvector, 'c', '{cat,rat}');
SELECT 'a:1 b:2'::tsvector || 'c:1 a:2'::tsvector, 'fat'::tsquery || 'cat'::tsquery, 'fat'::tsquery && 'cat | rat'::tsquery;
SELECT length('fat:2,4 cat:3 rat:5A'::tsvector), numnode('(fat & rat) | cat'::tsquery), strip('fat:2,4 cat:3 rat:5A'::tsvector);
SELECT to_tsvector('english', 'x')::text, 'fat & rat'::text::tsquery, 'simple'::regconfig, pg_typeof('simple'::regconfig);
SELECT to_tsvector('klingon', 'qapla');
SELECT 'english'::regconfig::text;
-- A table of documents with a tsvector column, stored and compared.
CREATE TABLE docs (id int PRIMARY KEY, title text, body text);
INSERT INTO docs VALUES
  (1, 'Fat cats', 'A fat cat sat on a mat and ate a fat rat.'),
  (2, 'Dogs', 'The quick brown fox jumped over the lazy dog.'),
  (3, 'Rats', 'Rats are rodents; the fat ones are slow.'),
  (4, 'Search', 'PostgreSQL full-text search ranks documents by lexemes.');
ALTER TABLE docs ADD COLUMN tsv tsvector;
UPDATE docs SET tsv = setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', body), 'D');
SELECT id, tsv FROM docs ORDER BY id;
SELECT id, ts_rank(tsv, q) AS rank, ts_rank_cd(tsv, q) AS rank_cd
  FROM docs, (SELECT to_tsquery('english', 'fat | rat') AS q) AS query
  WHERE tsv @@ q ORDER BY rank DESC, id;
SELECT id FROM docs WHERE to_tsvector('english', body) @@ websearch_to_tsquery('english', 'fat -cat') ORDER BY id;
SELECT id, title FROM docs WHERE body @@ 'document' ORDER BY id;
