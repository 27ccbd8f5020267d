//! The crate's one integration-test binary: recall against exact search with fixed seeds
//! (modelled on pgvector's TAP recall tests), builds and options, writes, iterative scans,
//! snapshots and quantized indexes (SQ8 and product quantization).

mod build;
mod common;
mod iterative;
mod product;
mod quantized;
mod quantized_snapshot;
mod recall;
mod snapshot;
