//! AVX-512F `f16` kernels: 16 halves at a time, widened to `f32` in the register by
//! `vcvtph2ps` (never through a buffer); 4 accumulators × 16 lanes, scalar tail (a masked
//! load of 16-bit elements would need AVX-512BW).

use core::arch::x86_64::*;

use half::f16;

use super::{abs_f32x16, load_f16x16, reduce_add_f32x16};
use crate::cosine::CosineSums;

/// Squared Euclidean distance.
///
/// # Safety
///
/// The CPU must support AVX-512F, and `a` and `b` must have the same length.
#[target_feature(enable = "avx512f")]
pub(crate) unsafe fn l2_squared_f16_avx512(a: &[f16], b: &[f16]) -> f32 {
    debug_assert_eq!(a.len(), b.len());
    let (a_blocks, a_tail) = a.as_chunks::<16>();
    let (b_blocks, b_tail) = b.as_chunks::<16>();
    let mut acc = [_mm512_setzero_ps(); 4];
    let mut a_groups = a_blocks.chunks_exact(4);
    let mut b_groups = b_blocks.chunks_exact(4);
    for (xs, ys) in (&mut a_groups).zip(&mut b_groups) {
        for slot in 0..4 {
            let diff = _mm512_sub_ps(load_f16x16(&xs[slot]), load_f16x16(&ys[slot]));
            acc[slot] = _mm512_fmadd_ps(diff, diff, acc[slot]);
        }
    }
    for (slot, (x, y)) in a_groups
        .remainder()
        .iter()
        .zip(b_groups.remainder())
        .enumerate()
    {
        let diff = _mm512_sub_ps(load_f16x16(x), load_f16x16(y));
        acc[slot] = _mm512_fmadd_ps(diff, diff, acc[slot]);
    }
    let mut sum = reduce_add_f32x16(acc);
    for (x, y) in a_tail.iter().zip(b_tail) {
        let diff = x.to_f32() - y.to_f32();
        sum += diff * diff;
    }
    sum
}

/// Inner product.
///
/// # Safety
///
/// The CPU must support AVX-512F, and `a` and `b` must have the same length.
#[target_feature(enable = "avx512f")]
pub(crate) unsafe fn dot_f16_avx512(a: &[f16], b: &[f16]) -> f32 {
    debug_assert_eq!(a.len(), b.len());
    let (a_blocks, a_tail) = a.as_chunks::<16>();
    let (b_blocks, b_tail) = b.as_chunks::<16>();
    let mut acc = [_mm512_setzero_ps(); 4];
    let mut a_groups = a_blocks.chunks_exact(4);
    let mut b_groups = b_blocks.chunks_exact(4);
    for (xs, ys) in (&mut a_groups).zip(&mut b_groups) {
        for slot in 0..4 {
            acc[slot] = _mm512_fmadd_ps(load_f16x16(&xs[slot]), load_f16x16(&ys[slot]), acc[slot]);
        }
    }
    for (slot, (x, y)) in a_groups
        .remainder()
        .iter()
        .zip(b_groups.remainder())
        .enumerate()
    {
        acc[slot] = _mm512_fmadd_ps(load_f16x16(x), load_f16x16(y), acc[slot]);
    }
    let mut sum = reduce_add_f32x16(acc);
    for (x, y) in a_tail.iter().zip(b_tail) {
        sum += x.to_f32() * y.to_f32();
    }
    sum
}

/// The three sums of a cosine distance, two blocks per step (six accumulators).
///
/// # Safety
///
/// The CPU must support AVX-512F, and `a` and `b` must have the same length.
#[target_feature(enable = "avx512f")]
pub(crate) unsafe fn cosine_f16_avx512(a: &[f16], b: &[f16]) -> CosineSums {
    debug_assert_eq!(a.len(), b.len());
    let (a_blocks, a_tail) = a.as_chunks::<16>();
    let (b_blocks, b_tail) = b.as_chunks::<16>();
    let zero = _mm512_setzero_ps();
    let (mut dot, mut norm_a, mut norm_b) = ([zero; 2], [zero; 2], [zero; 2]);
    let mut a_groups = a_blocks.chunks_exact(2);
    let mut b_groups = b_blocks.chunks_exact(2);
    for (xs, ys) in (&mut a_groups).zip(&mut b_groups) {
        for slot in 0..2 {
            let (x, y) = (load_f16x16(&xs[slot]), load_f16x16(&ys[slot]));
            dot[slot] = _mm512_fmadd_ps(x, y, dot[slot]);
            norm_a[slot] = _mm512_fmadd_ps(x, x, norm_a[slot]);
            norm_b[slot] = _mm512_fmadd_ps(y, y, norm_b[slot]);
        }
    }
    for (x, y) in a_groups.remainder().iter().zip(b_groups.remainder()) {
        let (x, y) = (load_f16x16(x), load_f16x16(y));
        dot[0] = _mm512_fmadd_ps(x, y, dot[0]);
        norm_a[0] = _mm512_fmadd_ps(x, x, norm_a[0]);
        norm_b[0] = _mm512_fmadd_ps(y, y, norm_b[0]);
    }
    let mut sums = CosineSums {
        dot: reduce_add_f32x16(dot),
        norm_a: reduce_add_f32x16(norm_a),
        norm_b: reduce_add_f32x16(norm_b),
    };
    for (x, y) in a_tail.iter().zip(b_tail) {
        let (x, y) = (x.to_f32(), y.to_f32());
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
/// The CPU must support AVX-512F, and `a` and `b` must have the same length.
#[target_feature(enable = "avx512f")]
pub(crate) unsafe fn l1_f16_avx512(a: &[f16], b: &[f16]) -> f32 {
    debug_assert_eq!(a.len(), b.len());
    let (a_blocks, a_tail) = a.as_chunks::<16>();
    let (b_blocks, b_tail) = b.as_chunks::<16>();
    let mut acc = [_mm512_setzero_ps(); 4];
    let mut a_groups = a_blocks.chunks_exact(4);
    let mut b_groups = b_blocks.chunks_exact(4);
    for (xs, ys) in (&mut a_groups).zip(&mut b_groups) {
        for slot in 0..4 {
            let diff = _mm512_sub_ps(load_f16x16(&xs[slot]), load_f16x16(&ys[slot]));
            acc[slot] = _mm512_add_ps(acc[slot], abs_f32x16(diff));
        }
    }
    for (slot, (x, y)) in a_groups
        .remainder()
        .iter()
        .zip(b_groups.remainder())
        .enumerate()
    {
        let diff = _mm512_sub_ps(load_f16x16(x), load_f16x16(y));
        acc[slot] = _mm512_add_ps(acc[slot], abs_f32x16(diff));
    }
    let mut sum = reduce_add_f32x16(acc);
    for (x, y) in a_tail.iter().zip(b_tail) {
        sum += (x.to_f32() - y.to_f32()).abs();
    }
    sum
}
