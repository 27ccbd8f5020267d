-- Activity counters of pg_stat_user_tables. Statistics reach the view when a
-- transaction ends; pg_stat_force_next_flush() makes PostgreSQL send them at once.
CREATE TABLE items (id integer, note text);
SELECT relname, schemaname, seq_scan, seq_tup_read, idx_scan, idx_tup_fetch, n_tup_ins, n_tup_upd, n_tup_del, n_tup_hot_upd, n_live_tup, n_dead_tup FROM pg_stat_user_tables WHERE relname = 'items';
INSERT INTO items SELECT i, 'note ' || i FROM generate_series(1, 10) i;
SELECT pg_stat_force_next_flush();
SELECT seq_scan, seq_tup_read, n_tup_ins, n_live_tup, n_dead_tup, n_mod_since_analyze, n_ins_since_vacuum FROM pg_stat_user_tables WHERE relname = 'items';
SELECT count(*) FROM items;
SELECT id FROM items WHERE id > 8 ORDER BY id;
UPDATE items SET note = 'changed' WHERE id <= 3;
DELETE FROM items WHERE id > 8;
SELECT pg_stat_force_next_flush();
SELECT seq_scan, seq_tup_read, n_tup_ins, n_tup_upd, n_tup_del, n_tup_hot_upd, n_live_tup, n_dead_tup, n_mod_since_analyze, n_ins_since_vacuum FROM pg_stat_user_tables WHERE relname = 'items';
SELECT last_vacuum IS NULL AS never_vacuumed, last_analyze IS NULL AS never_analyzed, vacuum_count, analyze_count, autovacuum_count, autoanalyze_count FROM pg_stat_user_tables WHERE relname = 'items';
VACUUM items;
SELECT pg_stat_force_next_flush();
SELECT n_live_tup, n_dead_tup, n_ins_since_vacuum, n_mod_since_analyze, last_vacuum IS NOT NULL AS vacuumed, vacuum_count FROM pg_stat_user_tables WHERE relname = 'items';
ANALYZE items;
SELECT pg_stat_force_next_flush();
SELECT n_live_tup, n_mod_since_analyze, last_analyze IS NOT NULL AS analyzed, analyze_count, last_autovacuum, last_autoanalyze FROM pg_stat_user_tables WHERE relname = 'items';
-- Index scans count on the table, with the rows they fetch; building an index
-- scans the table.
CREATE TABLE keyed (id integer PRIMARY KEY, embedding vector(2));
INSERT INTO keyed SELECT i, ARRAY[i, i]::vector FROM generate_series(1, 100) i;
SELECT embedding FROM keyed WHERE id = 2;
UPDATE keyed SET embedding = '[0,0]' WHERE embedding = '[1,1]';
UPDATE keyed SET id = 1000 WHERE embedding = '[3,3]';
CREATE INDEX ON keyed USING hnsw (embedding vector_l2_ops);
SELECT pg_stat_force_next_flush();
SELECT relname, seq_scan, seq_tup_read, idx_scan, idx_tup_fetch, n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE relname = 'keyed';
SELECT relname, indexrelname, schemaname, idx_scan, idx_tup_read, idx_tup_fetch FROM pg_stat_user_indexes WHERE relname = 'keyed' ORDER BY indexrelname;
SELECT indexrelid = 'keyed_pkey'::regclass AS pkey_oid FROM pg_stat_all_indexes WHERE indexrelname = 'keyed_pkey';
TRUNCATE keyed;
SELECT pg_stat_force_next_flush();
SELECT n_tup_ins, n_live_tup, n_dead_tup FROM pg_stat_user_tables WHERE relname = 'keyed';
SELECT relname FROM pg_stat_all_tables WHERE schemaname = 'public' ORDER BY relname;
SELECT pg_stat_clear_snapshot();
DROP TABLE keyed;
SELECT count(*) FROM pg_stat_user_tables WHERE relname = 'keyed';
