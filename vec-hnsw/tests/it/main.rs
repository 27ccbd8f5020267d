//! Integration tests of `vec-hnsw`: recall against exact search for every metric (modelled
//! on pgvector's TAP tests), duplicates, iterative scans, vacuum, builds and snapshots.

mod build;
mod common;
mod duplicates;
mod errors;
mod metrics;
mod recall;
mod scan;
mod snapshot;
mod vacuum;
