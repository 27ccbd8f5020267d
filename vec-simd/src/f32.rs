//! Distances between `f32` slices.
//!
//! The free functions use the table [`selected`] returns: the fastest implementation this CPU
//! can run, chosen on the first call. [`kernels`] returns any one implementation's table, for
//! tests and benches.

use std::sync::OnceLock;

use crate::dense::{DenseKernelFns, DenseKernels};
use crate::{implementation, scalar, Implementation};

/// The `f32` kernels of one implementation.
pub type F32Kernels = DenseKernels<f32>;

/// The `f32` kernels of `implementation`, or `None` when this CPU or this build's target
/// architecture cannot run it.
pub fn kernels(implementation: Implementation) -> Option<F32Kernels> {
    if !implementation.is_available() {
        return None;
    }
    let fns = match implementation {
        Implementation::Scalar => DenseKernelFns {
            l2_squared: scalar::f32::l2_squared_f32_scalar,
            dot: scalar::f32::dot_f32_scalar,
            cosine_sums: scalar::f32::cosine_f32_scalar,
            l1: scalar::f32::l1_f32_scalar,
            dot_many: scalar::f32::dot_many_f32_scalar,
            l2_squared_many: scalar::f32::l2_squared_many_f32_scalar,
        },
        #[cfg(target_arch = "x86_64")]
        Implementation::Avx2 => {
            use crate::arch::x86_64::avx2::f32 as avx2;
            use crate::arch::x86_64::avx2::many as avx2_many;
            DenseKernelFns {
                l2_squared: avx2::l2_squared_f32_avx2,
                dot: avx2::dot_f32_avx2,
                cosine_sums: avx2::cosine_f32_avx2,
                l1: avx2::l1_f32_avx2,
                dot_many: avx2_many::dot_many_f32_avx2,
                l2_squared_many: avx2_many::l2_squared_many_f32_avx2,
            }
        }
        #[cfg(target_arch = "x86_64")]
        Implementation::Avx512 => {
            use crate::arch::x86_64::avx512::f32 as avx512;
            use crate::arch::x86_64::avx512::many as avx512_many;
            DenseKernelFns {
                l2_squared: avx512::l2_squared_f32_avx512,
                dot: avx512::dot_f32_avx512,
                cosine_sums: avx512::cosine_f32_avx512,
                l1: avx512::l1_f32_avx512,
                dot_many: avx512_many::dot_many_f32_avx512,
                l2_squared_many: avx512_many::l2_squared_many_f32_avx512,
            }
        }
        #[cfg(target_arch = "aarch64")]
        Implementation::Neon => {
            use crate::arch::aarch64::neon::f32 as neon;
            use crate::arch::aarch64::neon::many as neon_many;
            DenseKernelFns {
                l2_squared: neon::l2_squared_f32_neon,
                dot: neon::dot_f32_neon,
                cosine_sums: neon::cosine_f32_neon,
                l1: neon::l1_f32_neon,
                dot_many: neon_many::dot_many_f32_neon,
                l2_squared_many: neon_many::l2_squared_many_f32_neon,
            }
        }
        _ => return None,
    };
    // SAFETY: `is_available` checked above that this CPU has every feature the chosen
    // implementation's kernels are compiled for, and each kernel is sound for any two slices
    // of equal length.
    Some(unsafe { F32Kernels::new(implementation, fns) })
}

/// The kernels the free functions of this module use: the fastest implementation this CPU
/// can run, detected on the first call and cached.
#[inline]
pub fn selected() -> &'static F32Kernels {
    static SELECTED: OnceLock<F32Kernels> = OnceLock::new();
    SELECTED.get_or_init(|| implementation::fastest(kernels))
}

/// Squared Euclidean distance `Σ (a_i - b_i)²`.
///
/// # Panics
///
/// When `a` and `b` differ in length.
#[inline]
pub fn l2_squared(a: &[f32], b: &[f32]) -> f32 {
    selected().l2_squared(a, b)
}

/// Inner product `Σ a_i * b_i`.
///
/// # Panics
///
/// When `a` and `b` differ in length.
#[inline]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    selected().dot(a, b)
}

/// Cosine distance `1 - cos(a, b)`, computed as pgvector does; NaN when either vector is zero.
///
/// # Panics
///
/// When `a` and `b` differ in length.
#[inline]
pub fn cosine_distance(a: &[f32], b: &[f32]) -> f32 {
    selected().cosine_distance(a, b)
}

/// Manhattan (taxicab) distance `Σ |a_i - b_i|`.
///
/// # Panics
///
/// When `a` and `b` differ in length.
#[inline]
pub fn l1(a: &[f32], b: &[f32]) -> f32 {
    selected().l1(a, b)
}

/// Inner products of `query` with each of the `out.len()` rows stored back to back in `rows`
/// (row `i` is `rows[i * query.len()..(i + 1) * query.len()]`): one call for a whole run
/// of rows, such as an index list. Each value may differ from [`dot`]'s by rounding.
///
/// # Panics
///
/// When `rows.len()` is not `out.len() * query.len()`.
#[inline]
pub fn dot_many(query: &[f32], rows: &[f32], out: &mut [f32]) {
    selected().dot_many(query, rows, out)
}

/// Squared Euclidean distances of `query` to each of the `out.len()` rows stored back to
/// back in `rows`, laid out as for [`dot_many`]. Each value may differ from
/// [`l2_squared`]'s by rounding.
///
/// # Panics
///
/// When `rows.len()` is not `out.len() * query.len()`.
#[inline]
pub fn l2_squared_many(query: &[f32], rows: &[f32], out: &mut [f32]) {
    selected().l2_squared_many(query, rows, out)
}
