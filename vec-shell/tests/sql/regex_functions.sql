-- regexp_replace, regexp_match, regexp_split_to_array, string_to_array
SELECT regexp_replace('Thomas', '.[mN]a.', 'M') AS first, regexp_replace('foobarbaz', 'b..', 'X', 'g') AS every;
SELECT regexp_replace('foobarbaz', 'b(..)', 'X\1Y', 'g') AS groups, regexp_replace('abc', 'B', '[\&]', 'i') AS whole;
SELECT regexp_replace('a\b', '\\', '\\\\') AS backslash, regexp_replace('none', 'x', 'y') AS unchanged;
SELECT regexp_match('foobarbequebaz', 'bar.*que') AS whole, regexp_match('foobarbequebaz', '(bar)(beque)') AS parts;
SELECT regexp_match('abc', 'x') IS NULL AS no_match, regexp_match('ABC', 'b', 'i') AS ignore_case;
SELECT regexp_split_to_array('hello world', '\s+') AS words, regexp_split_to_array('hello', '') AS letters;
SELECT regexp_split_to_array('a1b22c', '[0-9]*') AS star, regexp_split_to_array('', ',') AS empty;
SELECT string_to_array('xx~^~yy~^~zz', '~^~') AS fields, string_to_array('a,b,,c', ',', '') AS nulls, string_to_array('', ',') AS empty;
SELECT string_to_array('abc', '') AS whole, array_length(string_to_array('1,2,3', ','), 1) AS three;
SELECT regexp_replace('abc', 'b', 'x', 'z');
SELECT regexp_match('abc', 'b', 'g');
SELECT regexp_replace('abc', '(', 'x');
SELECT 'line1
line2' ~ 'line1.line2' AS dot_matches_newline;
SELECT name FROM (VALUES ('pgvector'), ('pg_stat'), ('vecsh')) v(name) WHERE name ~ '^pg' ORDER BY regexp_replace(name, '^pg_?', '');
