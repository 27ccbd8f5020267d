-- pgbench script of the README's measurement: a KNN query by a stored row's embedding
-- (pgbench -n -M prepared -c 4 -j 2 -T 15 -f knn.pgbench.sql), over the golden path's table.
\set id random(1, 19999)
SELECT id FROM golden ORDER BY embedding <=> (SELECT embedding FROM golden WHERE id = :id) LIMIT 10;
