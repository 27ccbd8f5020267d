//! NEON `f32` kernels: 4 accumulators × 4 lanes, scalar tail.

use core::arch::aarch64::*;

use super::{load_f32x4, reduce_add_f32x4};
use crate::cosine::CosineSums;

/// Squared Euclidean distance.
///
/// # Safety
///
/// The CPU must support NEON, and `a` and `b` must have the same length.
#[target_feature(enable = "neon")]
pub(crate) unsafe fn l2_squared_f32_neon(a: &[f32], b: &[f32]) -> f32 {
    debug_assert_eq!(a.len(), b.len());
    let (a_blocks, a_tail) = a.as_chunks::<4>();
    let (b_blocks, b_tail) = b.as_chunks::<4>();
    let mut acc = [vdupq_n_f32(0.0); 4];
    let mut a_groups = a_blocks.chunks_exact(4);
    let mut b_groups = b_blocks.chunks_exact(4);
    for (xs, ys) in (&mut a_groups).zip(&mut b_groups) {
        for slot in 0..4 {
            let diff = vsubq_f32(load_f32x4(&xs[slot]), load_f32x4(&ys[slot]));
            acc[slot] = vfmaq_f32(acc[slot], diff, diff);
        }
    }
    for (slot, (x, y)) in a_groups
        .remainder()
        .iter()
        .zip(b_groups.remainder())
        .enumerate()
    {
        let diff = vsubq_f32(load_f32x4(x), load_f32x4(y));
        acc[slot] = vfmaq_f32(acc[slot], diff, diff);
    }
    let mut sum = reduce_add_f32x4(acc);
    for (x, y) in a_tail.iter().zip(b_tail) {
        sum += (x - y) * (x - y);
    }
    sum
}

/// Inner product.
///
/// # Safety
///
/// The CPU must support NEON, and `a` and `b` must have the same length.
#[target_feature(enable = "neon")]
pub(crate) unsafe fn dot_f32_neon(a: &[f32], b: &[f32]) -> f32 {
    debug_assert_eq!(a.len(), b.len());
    let (a_blocks, a_tail) = a.as_chunks::<4>();
    let (b_blocks, b_tail) = b.as_chunks::<4>();
    let mut acc = [vdupq_n_f32(0.0); 4];
    let mut a_groups = a_blocks.chunks_exact(4);
    let mut b_groups = b_blocks.chunks_exact(4);
    for (xs, ys) in (&mut a_groups).zip(&mut b_groups) {
        for slot in 0..4 {
            acc[slot] = vfmaq_f32(acc[slot], load_f32x4(&xs[slot]), load_f32x4(&ys[slot]));
        }
    }
    for (slot, (x, y)) in a_groups
        .remainder()
        .iter()
        .zip(b_groups.remainder())
        .enumerate()
    {
        acc[slot] = vfmaq_f32(acc[slot], load_f32x4(x), load_f32x4(y));
    }
    let mut sum = reduce_add_f32x4(acc);
    for (x, y) in a_tail.iter().zip(b_tail) {
        sum += x * y;
    }
    sum
}

/// The three sums of a cosine distance, two blocks per step (six accumulators).
///
/// # Safety
///
/// The CPU must support NEON, and `a` and `b` must have the same length.
#[target_feature(enable = "neon")]
pub(crate) unsafe fn cosine_f32_neon(a: &[f32], b: &[f32]) -> CosineSums {
    debug_assert_eq!(a.len(), b.len());
    let (a_blocks, a_tail) = a.as_chunks::<4>();
    let (b_blocks, b_tail) = b.as_chunks::<4>();
    let zero = vdupq_n_f32(0.0);
    let (mut dot, mut norm_a, mut norm_b) = ([zero; 2], [zero; 2], [zero; 2]);
    let mut a_groups = a_blocks.chunks_exact(2);
    let mut b_groups = b_blocks.chunks_exact(2);
    for (xs, ys) in (&mut a_groups).zip(&mut b_groups) {
        for slot in 0..2 {
            let (x, y) = (load_f32x4(&xs[slot]), load_f32x4(&ys[slot]));
            dot[slot] = vfmaq_f32(dot[slot], x, y);
            norm_a[slot] = vfmaq_f32(norm_a[slot], x, x);
            norm_b[slot] = vfmaq_f32(norm_b[slot], y, y);
        }
    }
    for (x, y) in a_groups.remainder().iter().zip(b_groups.remainder()) {
        let (x, y) = (load_f32x4(x), load_f32x4(y));
        dot[0] = vfmaq_f32(dot[0], x, y);
        norm_a[0] = vfmaq_f32(norm_a[0], x, x);
        norm_b[0] = vfmaq_f32(norm_b[0], y, y);
    }
    let mut sums = CosineSums {
        dot: reduce_add_f32x4(dot),
        norm_a: reduce_add_f32x4(norm_a),
        norm_b: reduce_add_f32x4(norm_b),
    };
    for (x, y) in a_tail.iter().zip(b_tail) {
        sums.dot += x * y;
        sums.norm_a += x * x;
        sums.norm_b += y * y;
    }
    sums
}

/// Manhattan distance, with the absolute-difference instruction `fabd`.
///
/// # Safety
///
/// The CPU must support NEON, and `a` and `b` must have the same length.
#[target_feature(enable = "neon")]
pub(crate) unsafe fn l1_f32_neon(a: &[f32], b: &[f32]) -> f32 {
    debug_assert_eq!(a.len(), b.len());
    let (a_blocks, a_tail) = a.as_chunks::<4>();
    let (b_blocks, b_tail) = b.as_chunks::<4>();
    let mut acc = [vdupq_n_f32(0.0); 4];
    let mut a_groups = a_blocks.chunks_exact(4);
    let mut b_groups = b_blocks.chunks_exact(4);
    for (xs, ys) in (&mut a_groups).zip(&mut b_groups) {
        for slot in 0..4 {
            let distance = vabdq_f32(load_f32x4(&xs[slot]), load_f32x4(&ys[slot]));
            acc[slot] = vaddq_f32(acc[slot], distance);
        }
    }
    for (slot, (x, y)) in a_groups
        .remainder()
        .iter()
        .zip(b_groups.remainder())
        .enumerate()
    {
        acc[slot] = vaddq_f32(acc[slot], vabdq_f32(load_f32x4(x), load_f32x4(y)));
    }
    let mut sum = reduce_add_f32x4(acc);
    for (x, y) in a_tail.iter().zip(b_tail) {
        sum += (x - y).abs();
    }
    sum
}
