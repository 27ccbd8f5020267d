-- ALTER TABLE … SET STATISTICS: the most common values and histogram buckets ANALYZE keeps
-- per column (0: not analyzed; -1: the default), and the sample it reads (300 × the
-- largest target).
CREATE TABLE s (a int, b text);
ALTER TABLE s ALTER COLUMN a SET STATISTICS -2;
ALTER TABLE s ALTER COLUMN a SET STATISTICS 20000;
ALTER TABLE s ALTER a SET STATISTICS 0;
ALTER TABLE s ALTER COLUMN zz SET STATISTICS 10;
ALTER TABLE nope ALTER COLUMN a SET STATISTICS 10;
ALTER TABLE s ALTER COLUMN b SET STATISTICS 2;
SELECT attname, attstattarget FROM pg_attribute WHERE attrelid = 's'::regclass AND attnum > 0 ORDER BY attnum;
INSERT INTO s SELECT g % 7, 'v' || (g % 5) FROM generate_series(1, 500) g;
ANALYZE s;
SELECT attname, most_common_vals, histogram_bounds FROM pg_stats WHERE tablename = 's' ORDER BY attname;
ALTER TABLE s ALTER COLUMN a SET STATISTICS -1;
ALTER TABLE s ALTER COLUMN b SET STATISTICS 1;
ANALYZE s;
SELECT attname, most_common_vals, most_common_freqs, histogram_bounds FROM pg_stats WHERE tablename = 's' ORDER BY attname;
SELECT attname, attstattarget FROM pg_attribute WHERE attrelid = 's'::regclass AND attnum > 0 ORDER BY attnum;
ALTER TABLE s ALTER COLUMN a SET STATISTICS x;
