//! HNSW approximate nearest-neighbour index (Malkov & Yashunin), generic over the element
//! type and the metric.
//!
//! Invariant: depends only on `vec-types` (and through it `vec-simd`); never on
//! `vec-storage` or `vec-shell`; never prints.
//!
//! The index itself arrives with its own issue; this crate is the place it will live.
