-- psql's \echo and \qecho: quoting, variables and -n
\set name 'vec sh'
\echo hello 'big world' :name
\echo :'name' is quoted
\echo -n no newline
\echo
\qecho query output
\echo 'it''s' 'two  spaces'
SELECT 1 AS one;
\set copy :name
\echo :copy and :missing
