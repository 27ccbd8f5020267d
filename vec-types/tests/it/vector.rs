//! pgvector regression cases for `vector`.
