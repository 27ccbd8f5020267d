-- current_setting of a literal, of a column, with missing_ok, and its errors
SELECT current_setting('work_mem') AS work_mem, current_setting('Work_Mem') AS mixed_case;
SELECT name, current_setting(name) AS value FROM (VALUES ('work_mem'), ('enable_seqscan'), ('DateStyle'), (NULL)) v(name);
SET work_mem = '64MB';
SELECT current_setting(lower('WORK_MEM')) AS runtime;
SELECT current_setting('nope', true) IS NULL AS missing_literal, current_setting(n, true) IS NULL AS missing_runtime FROM (VALUES ('nope')) v(n);
SELECT current_setting('nope');
SELECT current_setting(n) FROM (VALUES ('enable_seqscan'), ('nope')) v(n);
SELECT current_setting('work_mem', NULL) AS null_flag;
RESET work_mem;
