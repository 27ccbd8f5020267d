//! pgvector regression cases for `sparsevec`.
