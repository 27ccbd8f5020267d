-- pg_typeof, and operators between different vector types resolved as PostgreSQL does
-- with pgvector's casts (vector → halfvec and → sparsevec, halfvec → sparsevec are
-- implicit; the other directions are assignment casts).
SELECT pg_typeof(1), pg_typeof(1::bigint), pg_typeof(1.5), pg_typeof(1.5::real), pg_typeof(1e300), pg_typeof('a'), pg_typeof('a'::text), pg_typeof(NULL), pg_typeof(true);
SELECT pg_typeof('[1,2,3]'::vector(3)), pg_typeof('[1,2]'::halfvec), pg_typeof('{1:1}/2'::sparsevec), pg_typeof(B'101'), pg_typeof(ARRAY[1]), pg_typeof(ARRAY['[1]'::vector]);
SELECT pg_typeof('[1,2]'::vector <-> '[1,1]'::halfvec), pg_typeof('[1,2]'::vector + '[1,1]'::halfvec), pg_typeof('[1,2]'::halfvec || '[3]'::vector);
SELECT pg_typeof(pg_typeof(1)), pg_typeof(1)::text || '!';
SELECT '[1,2,3]'::halfvec <-> '[1,1,1]'::vector, '[1,1,1]'::vector <-> '[1,2,3]'::halfvec;
SELECT '[1,2,3]'::halfvec <#> '[1,1,1]'::vector, '[1,2,3]'::vector <=> '[1,1,1]'::halfvec, '[1,2,3]'::halfvec <+> '[1,1,1]'::vector;
SELECT '[1,2,3]'::vector <-> '{1:1,2:1,3:1}/3'::sparsevec, '{1:1,2:1,3:1}/3'::sparsevec <=> '[1,2,3]'::vector;
SELECT '[1,2,3]'::halfvec <-> '{1:1,2:1,3:1}/3'::sparsevec, '{1:1,2:1,3:1}/3'::sparsevec <#> '[1,2,3]'::halfvec;
SELECT '[1,2,3]'::vector + '[1,1,1]'::halfvec, '[1,2,3]'::halfvec - '[1,1,1]'::vector, '[1,2,3]'::vector * '[2,2,2]'::halfvec;
SELECT '[1,2]'::vector || '[3]'::halfvec, '[1,2]'::halfvec = '[1,2]'::vector, '[1,2]'::vector < '[1,3]'::halfvec;
SELECT l2_distance('[1,2,3]'::halfvec, '[1,1,1]'::vector), inner_product('[1,2,3]'::vector, '[1,1,1]'::halfvec), cosine_distance('[1,2,3]'::vector, '{1:1}/3'::sparsevec);
SELECT '[1,2,3]'::halfvec <-> '[1,1]'::vector;
SELECT '{1:1}/3'::sparsevec + '[1,1,1]'::vector;
CREATE TABLE mixt (id int, h halfvec(3), v vector(3));
INSERT INTO mixt VALUES (1, '[1,2,3]', '[3,2,1]'), (2, '[0,0,1]', '[1,1,1]');
SELECT id, h <-> v AS d, pg_typeof(h), pg_typeof(v) FROM mixt ORDER BY h <-> '[1,1,1]'::vector;
SELECT id FROM mixt ORDER BY v <=> '[1,2,3]'::halfvec LIMIT 1;
DROP TABLE mixt;
