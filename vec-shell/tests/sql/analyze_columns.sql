-- ANALYZE of some columns: the others keep their statistics; PostgreSQL's errors
CREATE TABLE t (a int, b text, c int);
INSERT INTO t SELECT g % 5, 'x' || (g % 3), g FROM generate_series(1, 100) g;
ANALYZE t (a);
SELECT attname, null_frac, n_distinct, most_common_vals FROM pg_stats WHERE tablename = 't' ORDER BY attname;
UPDATE t SET a = 1;
ANALYZE t (b, c);
SELECT attname, n_distinct, most_common_vals FROM pg_stats WHERE tablename = 't' ORDER BY attname;
ANALYZE t (nope);
ANALYZE t (a, A);
VACUUM t (a);
VACUUM ANALYZE t (a);
SELECT attname, n_distinct, most_common_vals FROM pg_stats WHERE tablename = 't' AND attname = 'a';
VACUUM (ANALYZE) t (c), t;
ANALYZE t ();
DROP TABLE t;
