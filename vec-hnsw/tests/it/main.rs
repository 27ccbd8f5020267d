//! Integration tests of `vec-hnsw`: recall against exact search for every metric (modelled
//! on pgvector's TAP tests), duplicates, iterative scans, vacuum, builds and snapshots, and
//! the index behind `vec-index`'s `VectorIndex` interface.

mod build;
mod common;
mod duplicates;
mod dynamic;
mod dynamic_snapshot;
mod errors;
mod metrics;
mod quantized;
mod recall;
mod scan;
mod snapshot;
mod vacuum;
