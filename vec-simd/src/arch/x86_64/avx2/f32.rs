//! AVX2 + FMA `f32` kernels: 4 accumulators × 8 lanes, scalar tail.

use core::arch::x86_64::*;

use super::{abs_f32x8, load_f32x8, reduce_add_f32x8};
use crate::cosine::CosineSums;

/// Squared Euclidean distance.
///
/// # Safety
///
/// The CPU must support AVX2 and FMA, and `a` and `b` must have the same length.
#[target_feature(enable = "avx2,fma")]
pub(crate) unsafe fn l2_squared_f32_avx2(a: &[f32], b: &[f32]) -> f32 {
    debug_assert_eq!(a.len(), b.len());
    let (a_blocks, a_tail) = a.as_chunks::<8>();
    let (b_blocks, b_tail) = b.as_chunks::<8>();
    let mut acc = [_mm256_setzero_ps(); 4];
    let mut a_groups = a_blocks.chunks_exact(4);
    let mut b_groups = b_blocks.chunks_exact(4);
    for (xs, ys) in (&mut a_groups).zip(&mut b_groups) {
        for slot in 0..4 {
            let diff = _mm256_sub_ps(load_f32x8(&xs[slot]), load_f32x8(&ys[slot]));
            acc[slot] = _mm256_fmadd_ps(diff, diff, acc[slot]);
        }
    }
    for (slot, (x, y)) in a_groups
        .remainder()
        .iter()
        .zip(b_groups.remainder())
        .enumerate()
    {
        let diff = _mm256_sub_ps(load_f32x8(x), load_f32x8(y));
        acc[slot] = _mm256_fmadd_ps(diff, diff, acc[slot]);
    }
    let mut sum = reduce_add_f32x8(acc);
    for (x, y) in a_tail.iter().zip(b_tail) {
        sum += (x - y) * (x - y);
    }
    sum
}

/// Inner product.
///
/// # Safety
///
/// The CPU must support AVX2 and FMA, and `a` and `b` must have the same length.
#[target_feature(enable = "avx2,fma")]
pub(crate) unsafe fn dot_f32_avx2(a: &[f32], b: &[f32]) -> f32 {
    debug_assert_eq!(a.len(), b.len());
    let (a_blocks, a_tail) = a.as_chunks::<8>();
    let (b_blocks, b_tail) = b.as_chunks::<8>();
    let mut acc = [_mm256_setzero_ps(); 4];
    let mut a_groups = a_blocks.chunks_exact(4);
    let mut b_groups = b_blocks.chunks_exact(4);
    for (xs, ys) in (&mut a_groups).zip(&mut b_groups) {
        for slot in 0..4 {
            acc[slot] = _mm256_fmadd_ps(load_f32x8(&xs[slot]), load_f32x8(&ys[slot]), acc[slot]);
        }
    }
    for (slot, (x, y)) in a_groups
        .remainder()
        .iter()
        .zip(b_groups.remainder())
        .enumerate()
    {
        acc[slot] = _mm256_fmadd_ps(load_f32x8(x), load_f32x8(y), acc[slot]);
    }
    let mut sum = reduce_add_f32x8(acc);
    for (x, y) in a_tail.iter().zip(b_tail) {
        sum += x * y;
    }
    sum
}

/// The three sums of a cosine distance. Two steps of 8 slots per iteration give six
/// independent accumulators, which keep both FMA units busy.
///
/// # Safety
///
/// The CPU must support AVX2 and FMA, and `a` and `b` must have the same length.
#[target_feature(enable = "avx2,fma")]
pub(crate) unsafe fn cosine_f32_avx2(a: &[f32], b: &[f32]) -> CosineSums {
    debug_assert_eq!(a.len(), b.len());
    let (a_blocks, a_tail) = a.as_chunks::<8>();
    let (b_blocks, b_tail) = b.as_chunks::<8>();
    let zero = _mm256_setzero_ps();
    let (mut dot, mut norm_a, mut norm_b) = ([zero; 2], [zero; 2], [zero; 2]);
    let mut a_groups = a_blocks.chunks_exact(2);
    let mut b_groups = b_blocks.chunks_exact(2);
    for (xs, ys) in (&mut a_groups).zip(&mut b_groups) {
        for slot in 0..2 {
            let (x, y) = (load_f32x8(&xs[slot]), load_f32x8(&ys[slot]));
            dot[slot] = _mm256_fmadd_ps(x, y, dot[slot]);
            norm_a[slot] = _mm256_fmadd_ps(x, x, norm_a[slot]);
            norm_b[slot] = _mm256_fmadd_ps(y, y, norm_b[slot]);
        }
    }
    for (x, y) in a_groups.remainder().iter().zip(b_groups.remainder()) {
        let (x, y) = (load_f32x8(x), load_f32x8(y));
        dot[0] = _mm256_fmadd_ps(x, y, dot[0]);
        norm_a[0] = _mm256_fmadd_ps(x, x, norm_a[0]);
        norm_b[0] = _mm256_fmadd_ps(y, y, norm_b[0]);
    }
    let mut sums = CosineSums {
        dot: reduce_add_f32x8(dot),
        norm_a: reduce_add_f32x8(norm_a),
        norm_b: reduce_add_f32x8(norm_b),
    };
    for (x, y) in a_tail.iter().zip(b_tail) {
        sums.dot += x * y;
        sums.norm_a += x * x;
        sums.norm_b += y * y;
    }
    sums
}

/// Manhattan distance.
///
/// # Safety
///
/// The CPU must support AVX2, and `a` and `b` must have the same length.
#[target_feature(enable = "avx2")]
pub(crate) unsafe fn l1_f32_avx2(a: &[f32], b: &[f32]) -> f32 {
    debug_assert_eq!(a.len(), b.len());
    let (a_blocks, a_tail) = a.as_chunks::<8>();
    let (b_blocks, b_tail) = b.as_chunks::<8>();
    let mut acc = [_mm256_setzero_ps(); 4];
    let mut a_groups = a_blocks.chunks_exact(4);
    let mut b_groups = b_blocks.chunks_exact(4);
    for (xs, ys) in (&mut a_groups).zip(&mut b_groups) {
        for slot in 0..4 {
            let diff = _mm256_sub_ps(load_f32x8(&xs[slot]), load_f32x8(&ys[slot]));
            acc[slot] = _mm256_add_ps(acc[slot], abs_f32x8(diff));
        }
    }
    for (slot, (x, y)) in a_groups
        .remainder()
        .iter()
        .zip(b_groups.remainder())
        .enumerate()
    {
        let diff = _mm256_sub_ps(load_f32x8(x), load_f32x8(y));
        acc[slot] = _mm256_add_ps(acc[slot], abs_f32x8(diff));
    }
    let mut sum = reduce_add_f32x8(acc);
    for (x, y) in a_tail.iter().zip(b_tail) {
        sum += (x - y).abs();
    }
    sum
}
