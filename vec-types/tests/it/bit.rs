//! pgvector regression cases for `bit`.
