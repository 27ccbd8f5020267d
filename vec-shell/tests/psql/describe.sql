CREATE EXTENSION IF NOT EXISTS vector;
CREATE TABLE items (id bigint PRIMARY KEY, embedding vector(3), label text);
CREATE TABLE docs (id integer PRIMARY KEY, body text, embedding halfvec(4));
CREATE INDEX items_embedding_idx ON items USING hnsw (embedding vector_l2_ops);
CREATE INDEX items_label ON items (label);
CREATE INDEX ON docs USING hnsw (embedding halfvec_cosine_ops) WITH (m = 8);
\dt
\di
\dx
\d
