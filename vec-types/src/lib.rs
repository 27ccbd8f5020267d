//! pgvector's four types — `vector`, `halfvec`, `bit` and `sparsevec` — with byte-identical
//! text I/O, pgvector's binary send/recv format, type modifiers, casts, operators,
//! functions and aggregate accumulators. Distances call `vec-simd`.
//!
//! Invariant: depends only on `vec-simd` (and `half`); never prints.

pub mod error;
pub mod float_text;

pub use error::TypeError;
