//! The crate's one integration-test binary: recall against exact search with fixed seeds
//! (modelled on pgvector's TAP recall tests), builds and options, writes, iterative scans,
//! snapshots and quantized indexes (SQ8 and product quantization), and the indexes behind
//! `vec-index`'s `VectorIndex` interface (IVFFlat and pgvecto.rs's deferred IVF/flat).

mod build;
mod common;
mod deferred;
mod deferred_snapshot;
mod dynamic;
mod iterative;
mod product;
mod quantized;
mod quantized_snapshot;
mod recall;
mod snapshot;
