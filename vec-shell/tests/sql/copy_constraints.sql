-- COPY rows that break a constraint: the error's CONTEXT line names the line (with its
-- text for NOT NULL and CHECK, without it for a key) in text and CSV data.
CREATE EXTENSION IF NOT EXISTS vector;
CREATE TABLE copy_c (id int PRIMARY KEY, v vector(2) NOT NULL, n int CHECK (n > 0), note text);
COPY copy_c FROM STDIN WITH (FORMAT csv);
1,"[1,2]",1,a
2,"[2,3]",5,b
1,"[3,4]",2,c
\.
COPY copy_c FROM STDIN WITH (FORMAT csv, HEADER);
id,v,n,note
1,"[1,2]",1,a
2,,5,b
\.
COPY copy_c FROM STDIN WITH (FORMAT csv);
1,"[1,2]",1,"two
lines"
2,"[2,3]",-5,b
\.
COPY copy_c FROM STDIN WITH (FORMAT csv);
1,"[1,2]",1,a
2,"[2,3]",-5,xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
\.
COPY copy_c FROM STDIN;
1	[1,2]	1	\N
2	[2,3]	-5	\N
\.
COPY copy_c (id, n) FROM STDIN;
7	3
\.
INSERT INTO copy_c VALUES (1, '[1,1]', 1, 'kept');
COPY copy_c FROM STDIN;
2	[2,2]	2	\N
1	[2,3]	5	\N
\.
-- A CSV record with a line break in quotes counts as one line, as in PostgreSQL.
COPY copy_c FROM STDIN WITH (FORMAT csv);
5,"[1,2]",1,"two
lines"
6,"[x,3]",1,b
\.
COPY copy_c FROM STDIN WITH (FORMAT csv);
5,"[1,2]",1,"two
lines"
6,"[1,3]",1,b,extra
\.
SELECT * FROM copy_c ORDER BY id;
DROP TABLE copy_c;
