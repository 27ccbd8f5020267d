//! pgvector's four types — `vector`, `halfvec`, `bit` and `sparsevec` — with byte-identical
//! text I/O, pgvector's binary send/recv format, type modifiers, casts, operators,
//! functions and aggregate accumulators. Distances call `vec-simd`.
//!
//! Invariant: depends only on `vec-simd` (and `half`); never prints.
//!
//! ```
//! use vec_types::{SparseVector, TypeError, Vector};
//!
//! let a: Vector = "[1,2,3]".parse()?;
//! let b: Vector = " [4, 5, 6] ".parse()?;
//! assert_eq!(a.l2_distance(&b)?, 27f64.sqrt());
//! assert_eq!(a.try_add(&b)?.to_string(), "[5,7,9]");
//!
//! let error = "[1,2,3]9".parse::<Vector>().unwrap_err();
//! assert_eq!(error.to_string(), r#"invalid input syntax for type vector: "[1,2,3]9""#);
//! assert_eq!(error.detail().as_deref(), Some("Junk after closing right brace."));
//!
//! let sparse: SparseVector = "{1:1,3:2,5:3}/5".parse()?;
//! assert_eq!(sparse.to_string(), "{1:1,3:2,5:3}/5");
//! # Ok::<(), TypeError>(())
//! ```

pub mod array;
pub mod bit;
mod dense;
pub mod error;
pub mod float_text;
pub mod halfvec;
pub mod sparsevec;
pub mod typmod;
pub mod vector;

pub use array::{ArrayElements, ArrayInput};
pub use bit::{BitTypmod, BitVector};
pub use dense::avg::AvgState;
pub use error::TypeError;
pub use halfvec::{HalfVector, HalfVectorAccumulator};
pub use sparsevec::SparseVector;
pub use typmod::Typmod;
pub use vector::{Vector, VectorAccumulator};

/// The half-precision element type of `halfvec`.
pub use half::f16;
/// The distance kernels, re-exported so that index crates reach them through this crate
/// (they depend on `vec-types` only).
pub use vec_simd as simd;
