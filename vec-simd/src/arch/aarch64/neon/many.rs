//! NEON batched kernels: one query against rows stored back to back, one row at a time
//! through the one-pair kernels (inlined, with no indirect call per row).

use half::f16;

use super::f16::{dot_f16_neon, l2_squared_f16_neon};
use super::f32::{dot_f32_neon, l2_squared_f32_neon};

/// Inner products of `query` with each row of `rows`.
///
/// # Safety
///
/// The CPU must support NEON, `query` must not be empty, and `rows.len()` must be
/// `query.len() * out.len()`.
#[target_feature(enable = "neon")]
pub(crate) unsafe fn dot_many_f32_neon(query: &[f32], rows: &[f32], out: &mut [f32]) {
    for (row, sum) in rows.chunks_exact(query.len()).zip(out) {
        // SAFETY: the caller guarantees NEON; `row` is as long as `query`.
        *sum = unsafe { dot_f32_neon(query, row) };
    }
}

/// Squared Euclidean distances of `query` to each row of `rows`.
///
/// # Safety
///
/// The CPU must support NEON, `query` must not be empty, and `rows.len()` must be
/// `query.len() * out.len()`.
#[target_feature(enable = "neon")]
pub(crate) unsafe fn l2_squared_many_f32_neon(query: &[f32], rows: &[f32], out: &mut [f32]) {
    for (row, sum) in rows.chunks_exact(query.len()).zip(out) {
        // SAFETY: the caller guarantees NEON; `row` is as long as `query`.
        *sum = unsafe { l2_squared_f32_neon(query, row) };
    }
}

/// Inner products of `query` with each row of `rows`.
///
/// # Safety
///
/// The CPU must support NEON, `query` must not be empty, and `rows.len()` must be
/// `query.len() * out.len()`.
#[target_feature(enable = "neon")]
pub(crate) unsafe fn dot_many_f16_neon(query: &[f16], rows: &[f16], out: &mut [f32]) {
    for (row, sum) in rows.chunks_exact(query.len()).zip(out) {
        // SAFETY: the caller guarantees NEON; `row` is as long as `query`.
        *sum = unsafe { dot_f16_neon(query, row) };
    }
}

/// Squared Euclidean distances of `query` to each row of `rows`.
///
/// # Safety
///
/// The CPU must support NEON, `query` must not be empty, and `rows.len()` must be
/// `query.len() * out.len()`.
#[target_feature(enable = "neon")]
pub(crate) unsafe fn l2_squared_many_f16_neon(query: &[f16], rows: &[f16], out: &mut [f32]) {
    for (row, sum) in rows.chunks_exact(query.len()).zip(out) {
        // SAFETY: the caller guarantees NEON; `row` is as long as `query`.
        *sum = unsafe { l2_squared_f16_neon(query, row) };
    }
}
