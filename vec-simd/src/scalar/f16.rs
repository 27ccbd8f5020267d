//! Scalar `f16` kernels: each element is widened to `f32` (exactly) and summed in `f32`.

use half::f16;

use crate::cosine::CosineSums;

/// Squared Euclidean distance, summed in order.
pub(crate) fn l2_squared_f16_scalar(a: &[f16], b: &[f16]) -> f32 {
    debug_assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| {
            let diff = x.to_f32() - y.to_f32();
            diff * diff
        })
        .sum()
}

/// Inner product, summed in order.
pub(crate) fn dot_f16_scalar(a: &[f16], b: &[f16]) -> f32 {
    debug_assert_eq!(a.len(), b.len());
    a.iter().zip(b).map(|(x, y)| x.to_f32() * y.to_f32()).sum()
}

/// The three sums of a cosine distance, each in order.
pub(crate) fn cosine_f16_scalar(a: &[f16], b: &[f16]) -> CosineSums {
    debug_assert_eq!(a.len(), b.len());
    let mut sums = CosineSums::default();
    for (x, y) in a.iter().zip(b) {
        let (x, y) = (x.to_f32(), y.to_f32());
        sums.dot += x * y;
        sums.norm_a += x * x;
        sums.norm_b += y * y;
    }
    sums
}

/// Manhattan distance, summed in order.
pub(crate) fn l1_f16_scalar(a: &[f16], b: &[f16]) -> f32 {
    debug_assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x.to_f32() - y.to_f32()).abs())
        .sum()
}

/// Inner products of `query` with each row of `rows`, one row at a time.
pub(crate) fn dot_many_f16_scalar(query: &[f16], rows: &[f16], out: &mut [f32]) {
    super::each_row(query, rows, out, dot_f16_scalar);
}

/// Squared Euclidean distances of `query` to each row of `rows`, one row at a time.
pub(crate) fn l2_squared_many_f16_scalar(query: &[f16], rows: &[f16], out: &mut [f32]) {
    super::each_row(query, rows, out, l2_squared_f16_scalar);
}
