-- Everyday SQL around vector queries: LIKE, IN, BETWEEN, CASE, COALESCE and text functions.
CREATE TABLE packages (id int PRIMARY KEY, name text, summary text, downloads bigint, embedding vector(2));
INSERT INTO packages VALUES
    (1, 'numpy', 'Fundamental package for array computing', 1000, '[1,0]'),
    (2, 'pandas', 'Powerful data structures for data analysis', 800, '[0.9,0.1]'),
    (3, 'pgvector', 'pgvector support for Python', NULL, '[0,1]'),
    (4, 'Vecs', 'Vector client for Postgres', 5, '[0.1,0.9]');
SELECT name FROM packages WHERE summary LIKE '%data%' ORDER BY id;
SELECT name FROM packages WHERE name ILIKE 'VEC%' OR name LIKE 'pg\_%' ORDER BY id;
SELECT name FROM packages WHERE name NOT LIKE '%a%' ORDER BY id;
SELECT name FROM packages WHERE id IN (1, 3) ORDER BY id;
SELECT name FROM packages WHERE id NOT IN (1, 3) ORDER BY id;
SELECT name FROM packages WHERE downloads BETWEEN 10 AND 900 ORDER BY id;
SELECT name, CASE WHEN downloads > 500 THEN 'popular' WHEN downloads IS NULL THEN 'unknown' ELSE 'niche' END AS reach FROM packages ORDER BY id;
SELECT name, coalesce(downloads, 0) AS downloads, nullif(name, 'numpy') AS not_numpy FROM packages ORDER BY id;
SELECT upper(name), length(summary), substr(summary, 1, 10) || '…' AS short FROM packages ORDER BY id;
SELECT greatest(1, 2.5, NULL) AS g, least(3, 2) AS l, floor(2.5) AS f, power(2, 10) AS p, mod(7, 3) AS m;
SELECT name, embedding <=> '[1,0]' AS distance FROM packages
    WHERE name NOT IN ('numpy') AND summary ILIKE '%for%'
    ORDER BY embedding <=> '[1,0]' LIMIT 2;
SELECT CASE WHEN true THEN 1 ELSE false END;
SELECT 'abc' LIKE 'ab\';
SELECT ln(0);
-- A scalar subquery runs once per statement (an InitPlan), random() once per row.
SELECT min(v) = max(v) AS once FROM (SELECT (SELECT random()) AS v FROM generate_series(1, 100)) s;
SELECT min(v) = max(v) AS per_row FROM (SELECT random() AS v FROM generate_series(1, 100)) s;
