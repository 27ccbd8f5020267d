//! Distance kernels over plain slices: `f32`, `half::f16`, packed bits and sparse
//! (index, value) pairs.
//!
//! Every public function is safe and checks its lengths. Each kernel family has a plain
//! scalar reference; SIMD paths are chosen once at run time.
//!
//! Invariant: this crate is a leaf. It depends on no other `vec-*` crate, never prints,
//! and holds all of the project's `unsafe` arithmetic.
//!
//! ```
//! let a = [1.0_f32, 2.0, 3.0];
//! let b = [4.0_f32, 5.0, 6.0];
//! assert_eq!(vec_simd::f32::l2_squared(&a, &b), 27.0);
//! assert_eq!(vec_simd::f32::dot(&a, &b), 32.0);
//! ```

pub mod bits;
pub mod f16;
pub mod f32;
pub mod sparse;
