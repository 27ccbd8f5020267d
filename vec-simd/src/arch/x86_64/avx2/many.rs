//! AVX2 batched kernels: one query against rows stored back to back.
//!
//! Each row goes through the one-pair kernel, inlined into the loop (no indirect call per
//! row), rows in memory order. A kernel that takes four rows per step and loads each block of
//! the query once for all four was measured slower here: 1.1x slower on 1,000 rows in cache,
//! and 1.5x slower over 100,000 rows streamed from memory, where four interleaved streams
//! defeat the hardware prefetcher (a software prefetch of the next four rows did not recover
//! it). Streaming one row after another is what the memory system rewards.

use half::f16;

use super::f16::{dot_f16_avx2, l2_squared_f16_avx2};
use super::f32::{dot_f32_avx2, l2_squared_f32_avx2};

/// Inner products of `query` with each row of `rows`.
///
/// # Safety
///
/// The CPU must support AVX2 and FMA, `query` must not be empty, and `rows.len()` must be
/// `query.len() * out.len()`.
#[target_feature(enable = "avx2,fma")]
pub(crate) unsafe fn dot_many_f32_avx2(query: &[f32], rows: &[f32], out: &mut [f32]) {
    for (row, sum) in rows.chunks_exact(query.len()).zip(out) {
        // SAFETY: the caller guarantees the CPU features; `row` is as long as `query`.
        *sum = unsafe { dot_f32_avx2(query, row) };
    }
}

/// Squared Euclidean distances of `query` to each row of `rows`.
///
/// # Safety
///
/// The CPU must support AVX2 and FMA, `query` must not be empty, and `rows.len()` must be
/// `query.len() * out.len()`.
#[target_feature(enable = "avx2,fma")]
pub(crate) unsafe fn l2_squared_many_f32_avx2(query: &[f32], rows: &[f32], out: &mut [f32]) {
    for (row, sum) in rows.chunks_exact(query.len()).zip(out) {
        // SAFETY: the caller guarantees the CPU features; `row` is as long as `query`.
        *sum = unsafe { l2_squared_f32_avx2(query, row) };
    }
}

/// Inner products of `query` with each row of `rows`, one row at a time.
///
/// # Safety
///
/// The CPU must support AVX2, FMA and F16C, `query` must not be empty, and `rows.len()` must
/// be `query.len() * out.len()`.
#[target_feature(enable = "avx2,fma,f16c")]
pub(crate) unsafe fn dot_many_f16_avx2(query: &[f16], rows: &[f16], out: &mut [f32]) {
    for (row, sum) in rows.chunks_exact(query.len()).zip(out) {
        // SAFETY: the caller guarantees the CPU features; `row` is as long as `query`.
        *sum = unsafe { dot_f16_avx2(query, row) };
    }
}

/// Squared Euclidean distances of `query` to each row of `rows`, one row at a time.
///
/// # Safety
///
/// The CPU must support AVX2, FMA and F16C, `query` must not be empty, and `rows.len()` must
/// be `query.len() * out.len()`.
#[target_feature(enable = "avx2,fma,f16c")]
pub(crate) unsafe fn l2_squared_many_f16_avx2(query: &[f16], rows: &[f16], out: &mut [f32]) {
    for (row, sum) in rows.chunks_exact(query.len()).zip(out) {
        // SAFETY: the caller guarantees the CPU features; `row` is as long as `query`.
        *sum = unsafe { l2_squared_f16_avx2(query, row) };
    }
}
