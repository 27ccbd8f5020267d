-- What the seeds' monitoring and upgrade steps run: ALTER EXTENSION and pg_size_pretty.
CREATE EXTENSION vector;
CREATE EXTENSION IF NOT EXISTS vector;
ALTER EXTENSION vector UPDATE;
ALTER EXTENSION vector UPDATE TO '0.8.6';
ALTER EXTENSION vector UPDATE TO '0.7.0';
ALTER EXTENSION postgis UPDATE;
SELECT pg_size_pretty(0::bigint) AS a, pg_size_pretty(10239::bigint) AS b, pg_size_pretty(10240::bigint) AS c,
    pg_size_pretty(20971519::bigint) AS d, pg_size_pretty(20971520::bigint) AS e, pg_size_pretty(-123456789::bigint) AS f;
SELECT pg_size_pretty(1536::bigint) AS g, pg_size_pretty(10752::bigint) AS h, pg_size_pretty(1099511627776::bigint) AS i,
    pg_size_pretty(9223372036854775807::bigint) AS j, pg_size_pretty(-9223372036854775807::bigint) AS k;
SELECT n, pg_size_pretty(n) FROM unnest(ARRAY[21473, 21504, 22015, 22016, 21474836480, -10240, -10239]::bigint[]) n;
SELECT pg_size_pretty(NULL::bigint) IS NULL AS null_in_null_out;
