-- Relation size functions: facts that hold whatever the byte counts (the counts themselves
-- depend on storage layout), their errors, and data_directory / config_file refusing SET.
CREATE EXTENSION vector;
CREATE TABLE t (id int PRIMARY KEY, v vector(3));
SELECT pg_relation_size('t') AS empty_heap;
INSERT INTO t SELECT i, ARRAY[i, i + 1, i + 2]::vector FROM generate_series(1, 2000) i;
CREATE INDEX t_hnsw ON t USING hnsw (v vector_l2_ops);
SELECT pg_relation_size('t') > 0 AS heap, pg_relation_size('t') % 8192 AS whole_pages,
    pg_table_size('t') >= pg_relation_size('t') AS table_size, pg_relation_size('t_hnsw') > 0 AS hnsw,
    pg_indexes_size('t') >= pg_relation_size('t_hnsw') AS indexes,
    pg_total_relation_size('t') = pg_table_size('t') + pg_indexes_size('t') AS total;
SELECT relname, pg_relation_size(oid) = pg_relation_size(relname::text) AS by_oid FROM pg_class WHERE relname = 't';
SELECT pg_relation_size('t'::regclass) = pg_relation_size('t') AS same, pg_relation_size(NULL) IS NULL AS null_in;
SELECT pg_size_pretty(pg_total_relation_size('t')) LIKE '% kB' AS pretty;
SELECT pg_relation_size('nope');
SELECT pg_total_relation_size('nope'::text);
SELECT pg_indexes_size(1.5::float8);
SET data_directory = '/tmp';
RESET config_file;
