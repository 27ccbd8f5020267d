//! WAL-backed paged storage with crash recovery: pages, buffer pool, heap, WAL,
//! checkpoints, manifest and the directory lock.
//!
//! Invariant: a leaf crate. It knows bytes, never vectors: it depends on no other `vec-*`
//! crate and never prints.
