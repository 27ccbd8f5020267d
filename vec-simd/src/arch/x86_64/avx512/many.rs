//! AVX-512F batched kernels: one query against rows stored back to back.
//!
//! Each row goes through the one-pair kernel, inlined into the loop (no indirect call per
//! row), rows in memory order, as the AVX2 batched kernels do: there a four-rows-per-step
//! kernel was measured slower than streaming one row after another (see `../avx2/many.rs`).
//! This path was not run: the test machine has no AVX-512.

use half::f16;

use super::f16::{dot_f16_avx512, l2_squared_f16_avx512};
use super::f32::{dot_f32_avx512, l2_squared_f32_avx512};

/// Inner products of `query` with each row of `rows`.
///
/// # Safety
///
/// The CPU must support AVX-512F, `query` must not be empty, and `rows.len()` must be
/// `query.len() * out.len()`.
#[target_feature(enable = "avx512f")]
pub(crate) unsafe fn dot_many_f32_avx512(query: &[f32], rows: &[f32], out: &mut [f32]) {
    for (row, sum) in rows.chunks_exact(query.len()).zip(out) {
        // SAFETY: the caller guarantees the CPU features; `row` is as long as `query`.
        *sum = unsafe { dot_f32_avx512(query, row) };
    }
}

/// Squared Euclidean distances of `query` to each row of `rows`.
///
/// # Safety
///
/// The CPU must support AVX-512F, `query` must not be empty, and `rows.len()` must be
/// `query.len() * out.len()`.
#[target_feature(enable = "avx512f")]
pub(crate) unsafe fn l2_squared_many_f32_avx512(query: &[f32], rows: &[f32], out: &mut [f32]) {
    for (row, sum) in rows.chunks_exact(query.len()).zip(out) {
        // SAFETY: the caller guarantees the CPU features; `row` is as long as `query`.
        *sum = unsafe { l2_squared_f32_avx512(query, row) };
    }
}

/// Inner products of `query` with each row of `rows`, one row at a time.
///
/// # Safety
///
/// The CPU must support AVX-512F, `query` must not be empty, and `rows.len()` must be
/// `query.len() * out.len()`.
#[target_feature(enable = "avx512f")]
pub(crate) unsafe fn dot_many_f16_avx512(query: &[f16], rows: &[f16], out: &mut [f32]) {
    for (row, sum) in rows.chunks_exact(query.len()).zip(out) {
        // SAFETY: the caller guarantees AVX-512F; `row` is as long as `query`.
        *sum = unsafe { dot_f16_avx512(query, row) };
    }
}

/// Squared Euclidean distances of `query` to each row of `rows`, one row at a time.
///
/// # Safety
///
/// The CPU must support AVX-512F, `query` must not be empty, and `rows.len()` must be
/// `query.len() * out.len()`.
#[target_feature(enable = "avx512f")]
pub(crate) unsafe fn l2_squared_many_f16_avx512(query: &[f16], rows: &[f16], out: &mut [f32]) {
    for (row, sum) in rows.chunks_exact(query.len()).zip(out) {
        // SAFETY: the caller guarantees AVX-512F; `row` is as long as `query`.
        *sum = unsafe { l2_squared_f16_avx512(query, row) };
    }
}
