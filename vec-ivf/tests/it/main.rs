//! The crate's one integration-test binary: recall against exact search with fixed seeds
//! (modelled on pgvector's TAP recall tests), builds and options, writes, iterative scans,
//! snapshots and quantized indexes.

mod build;
mod common;
mod iterative;
mod quantized;
mod recall;
mod snapshot;
