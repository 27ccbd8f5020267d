-- pgvector's hybrid-search query (Reciprocal Rank Fusion of two rankings) with ILIKE
-- standing in for full-text search: RANK() OVER, FULL OUTER JOIN, COALESCE, numeric scores.
CREATE TABLE documents (id bigserial PRIMARY KEY, content text, embedding vector(3));
INSERT INTO documents (content, embedding) VALUES ('The dog is barking', '[1,1,1]'), ('The cat is purring', '[1,1,2]'), ('The bear is growling', '[1,2,1]'), ('A dog and a cat', '[2,1,1]'), ('Birds sing', '[3,3,3]');
CREATE INDEX ON documents USING hnsw (embedding vector_l2_ops);
WITH semantic_search AS (
    SELECT id, RANK () OVER (ORDER BY embedding <=> '[1,1,1]') AS rank
    FROM documents
    ORDER BY embedding <=> '[1,1,1]'
    LIMIT 20
),
keyword_search AS (
    SELECT id, RANK () OVER (ORDER BY length(content) DESC) AS rank
    FROM documents
    WHERE content ILIKE '%dog%' OR content ILIKE '%cat%'
    ORDER BY length(content) DESC
    LIMIT 20
)
SELECT
    COALESCE(semantic_search.id, keyword_search.id) AS id,
    COALESCE(1.0 / (60 + semantic_search.rank), 0.0) +
    COALESCE(1.0 / (60 + keyword_search.rank), 0.0) AS score
FROM semantic_search
FULL OUTER JOIN keyword_search ON semantic_search.id = keyword_search.id
ORDER BY score DESC, id
LIMIT 5;
