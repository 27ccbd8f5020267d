//! pgvector regression cases for `halfvec`.
