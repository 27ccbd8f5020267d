//! Distances between sparse vectors given as sorted (index, value) pairs.
//!
//! These are scalar merge loops: they walk both index lists once, in order, as pgvector's
//! `sparsevec` functions do. A SIMD path would gain little, because the work is dominated
//! by the data-dependent branches of the merge, not by arithmetic. Indices missing from one
//! side count as zeros there, so each kernel equals its dense counterpart on the scattered
//! vectors. The dimensions of the two vectors are the caller's to check.

use crate::cosine::CosineSums;

/// A borrowed sparse vector: strictly increasing `indices` and their `values`.
#[derive(Clone, Copy, Debug)]
pub struct SparseSlice<'a> {
    indices: &'a [u32],
    values: &'a [f32],
}

impl<'a> SparseSlice<'a> {
    /// Pairs `indices` with `values`. The indices must be strictly increasing (checked in
    /// debug builds only; the kernels' results are unspecified otherwise, but never unsafe).
    ///
    /// # Panics
    ///
    /// When `indices` and `values` differ in length.
    pub fn new(indices: &'a [u32], values: &'a [f32]) -> Self {
        assert_eq!(
            indices.len(),
            values.len(),
            "vec_simd::sparse: indices and values differ in length"
        );
        debug_assert!(
            indices.windows(2).all(|w| w[0] < w[1]),
            "sparse indices must be strictly increasing"
        );
        SparseSlice { indices, values }
    }

    /// The sorted indices of the non-zero elements.
    pub fn indices(&self) -> &'a [u32] {
        self.indices
    }

    /// The values at those indices.
    pub fn values(&self) -> &'a [f32] {
        self.values
    }
}

/// Squared Euclidean distance `Σ (a_i - b_i)²`.
pub fn l2_squared(a: SparseSlice<'_>, b: SparseSlice<'_>) -> f32 {
    let (mut i, mut j, mut sum) = (0, 0, 0.0f32);
    while i < a.indices.len() && j < b.indices.len() {
        let (ai, bj) = (a.indices[i], b.indices[j]);
        if ai == bj {
            let d = a.values[i] - b.values[j];
            sum += d * d;
            i += 1;
            j += 1;
        } else if ai < bj {
            sum += a.values[i] * a.values[i];
            i += 1;
        } else {
            sum += b.values[j] * b.values[j];
            j += 1;
        }
    }
    sum += a.values[i..].iter().map(|v| v * v).sum::<f32>();
    sum += b.values[j..].iter().map(|v| v * v).sum::<f32>();
    sum
}

/// Inner product `Σ a_i * b_i`.
pub fn dot(a: SparseSlice<'_>, b: SparseSlice<'_>) -> f32 {
    let (mut i, mut j, mut sum) = (0, 0, 0.0f32);
    while i < a.indices.len() && j < b.indices.len() {
        let (ai, bj) = (a.indices[i], b.indices[j]);
        if ai == bj {
            sum += a.values[i] * b.values[j];
            i += 1;
            j += 1;
        } else if ai < bj {
            i += 1;
        } else {
            j += 1;
        }
    }
    sum
}

/// Cosine distance `1 - cos(a, b)`, computed as pgvector does; NaN when either vector is zero.
pub fn cosine_distance(a: SparseSlice<'_>, b: SparseSlice<'_>) -> f32 {
    CosineSums {
        dot: dot(a, b),
        norm_a: a.values.iter().map(|v| v * v).sum(),
        norm_b: b.values.iter().map(|v| v * v).sum(),
    }
    .distance()
}

/// Manhattan (taxicab) distance `Σ |a_i - b_i|`.
pub fn l1(a: SparseSlice<'_>, b: SparseSlice<'_>) -> f32 {
    let (mut i, mut j, mut sum) = (0, 0, 0.0f32);
    while i < a.indices.len() && j < b.indices.len() {
        let (ai, bj) = (a.indices[i], b.indices[j]);
        if ai == bj {
            sum += (a.values[i] - b.values[j]).abs();
            i += 1;
            j += 1;
        } else if ai < bj {
            sum += a.values[i].abs();
            i += 1;
        } else {
            sum += b.values[j].abs();
            j += 1;
        }
    }
    sum += a.values[i..].iter().map(|v| v.abs()).sum::<f32>();
    sum += b.values[j..].iter().map(|v| v.abs()).sum::<f32>();
    sum
}
