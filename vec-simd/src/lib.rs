//! Distance kernels over plain slices: `f32`, `half::f16`, packed bits and sparse
//! (index, value) pairs.
//!
//! Every public function is safe and checks that its two slices have the same length. Each
//! dense kernel family (`f32`, `f16`, `bits`) has a plain scalar reference and SIMD paths:
//! AVX-512F, AVX2 with FMA and F16C on x86-64, NEON on aarch64. The best path this CPU supports
//! is picked once, on the first call, and cached as a table of function pointers (see
//! [`Implementation`]); later calls cost one load and one indirect call. Sparse kernels are
//! scalar merge loops.
//!
//! The `f32` and `f16` families also have batched kernels, [`f32::dot_many`] and
//! [`f32::l2_squared_many`] (and the same in [`f16`]): the distances of one query to many
//! rows stored back to back, in one call. Index scans use them to stream a list without an
//! indirect call per row (each SIMD path runs its one-pair kernel inlined, row after row).
//!
//! Tests and benches force one implementation through a family's `kernels` function, for
//! example [`f32::kernels`], which returns `None` when this CPU (or this build's target
//! architecture) cannot run it.
//!
//! Cosine distances follow pgvector: the three sums are accumulated in `f32`, the similarity
//! `dot / sqrt(norm_a * norm_b)` is computed in `f64` and clamped to `[-1, 1]`, and the
//! distance is `1 - similarity`. A zero vector therefore gives NaN.
//!
//! [`codes`] holds the kernels of quantized indexes (an `f32` query against 8-bit or 1-bit
//! codes), and [`prefetch::prefetch_read`] a safe software-prefetch hint for scans whose
//! rows are scattered in memory. [`endian`] decodes pgvector's big-endian stored elements
//! with the widest byte shuffle this CPU has, and [`stored`] computes distances straight from
//! them, without decoding.
//!
//! Invariant: this crate is a leaf. It depends on no other `vec-*` crate (only on `half`),
//! never prints, and holds all of the project's `unsafe` arithmetic.
//!
//! ```
//! use vec_simd::Implementation;
//!
//! let a = [1.0_f32, 2.0, 3.0];
//! let b = [4.0_f32, 5.0, 6.0];
//! assert_eq!(vec_simd::f32::l2_squared(&a, &b), 27.0);
//! assert_eq!(vec_simd::f32::dot(&a, &b), 32.0);
//!
//! // Force the scalar reference, which every CPU has.
//! let scalar = vec_simd::f32::kernels(Implementation::Scalar).unwrap();
//! assert_eq!(scalar.dot(&a, &b), 32.0);
//! # assert!(Implementation::available().contains(&vec_simd::f32::selected().implementation()));
//! ```

mod arch;
pub mod bits;
pub mod codes;
mod cosine;
mod dense;
pub mod endian;
pub mod f16;
pub mod f32;
mod implementation;
pub mod prefetch;
mod scalar;
pub mod sparse;
pub mod stored;

pub use bits::BitKernels;
pub use codes::CodeKernels;
pub use dense::DenseKernels;
pub use implementation::Implementation;
pub use sparse::SparseSlice;
