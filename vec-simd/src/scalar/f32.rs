//! Scalar `f32` kernels.

use crate::cosine::CosineSums;

/// Squared Euclidean distance, summed in order.
pub(crate) fn l2_squared_f32_scalar(a: &[f32], b: &[f32]) -> f32 {
    debug_assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| {
            let diff = x - y;
            diff * diff
        })
        .sum()
}

/// Inner product, summed in order.
pub(crate) fn dot_f32_scalar(a: &[f32], b: &[f32]) -> f32 {
    debug_assert_eq!(a.len(), b.len());
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// The three sums of a cosine distance, each in order.
pub(crate) fn cosine_f32_scalar(a: &[f32], b: &[f32]) -> CosineSums {
    debug_assert_eq!(a.len(), b.len());
    let mut sums = CosineSums::default();
    for (x, y) in a.iter().zip(b) {
        sums.dot += x * y;
        sums.norm_a += x * x;
        sums.norm_b += y * y;
    }
    sums
}

/// Manhattan distance, summed in order.
pub(crate) fn l1_f32_scalar(a: &[f32], b: &[f32]) -> f32 {
    debug_assert_eq!(a.len(), b.len());
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum()
}

/// Inner products of `query` with each row of `rows`, one row at a time.
pub(crate) fn dot_many_f32_scalar(query: &[f32], rows: &[f32], out: &mut [f32]) {
    super::each_row(query, rows, out, dot_f32_scalar);
}

/// Squared Euclidean distances of `query` to each row of `rows`, one row at a time.
pub(crate) fn l2_squared_many_f32_scalar(query: &[f32], rows: &[f32], out: &mut [f32]) {
    super::each_row(query, rows, out, l2_squared_f32_scalar);
}
