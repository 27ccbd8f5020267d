//! pgvector's `sparsevec` distance functions and norms. The merge loops over the two
//! index lists run in `vec-simd` (single-precision sums, as pgvector); the results are
//! widened to `double precision` as pgvector returns them.

use vec_simd::sparse;

use super::{SparseVector, TYPE_NAME};
use crate::TypeError;

impl SparseVector {
    fn check_same_dim(&self, other: &SparseVector) -> Result<(), TypeError> {
        if self.dim != other.dim {
            return Err(TypeError::DifferentDimensions {
                type_name: TYPE_NAME,
                left: self.dims(),
                right: other.dims(),
            });
        }
        Ok(())
    }

    /// `l2_distance` (`<->`): Euclidean distance. Errors with `different sparsevec
    /// dimensions 3 and 2` when the dimensions differ, as do all distances here.
    pub fn l2_distance(&self, other: &SparseVector) -> Result<f64, TypeError> {
        Ok(self.l2_squared_distance(other)?.sqrt())
    }

    /// `l2_squared_distance`: squared Euclidean distance (no square root).
    pub fn l2_squared_distance(&self, other: &SparseVector) -> Result<f64, TypeError> {
        self.check_same_dim(other)?;
        Ok(f64::from(sparse::l2_squared(
            self.as_sparse_slice(),
            other.as_sparse_slice(),
        )))
    }

    /// `inner_product`: the dot product.
    pub fn inner_product(&self, other: &SparseVector) -> Result<f64, TypeError> {
        self.check_same_dim(other)?;
        Ok(f64::from(self.dot(other)))
    }

    /// `<#>`: the negated dot product, so that smaller is closer.
    pub fn negative_inner_product(&self, other: &SparseVector) -> Result<f64, TypeError> {
        self.check_same_dim(other)?;
        Ok(f64::from(-self.dot(other)))
    }

    /// `cosine_distance` (`<=>`): `1 - cos(a, b)`, clamped to `[0, 2]`; NaN when either
    /// vector is zero (or the norms overflow), as pgvector.
    pub fn cosine_distance(&self, other: &SparseVector) -> Result<f64, TypeError> {
        self.check_same_dim(other)?;
        let dot = f64::from(self.dot(other));
        let self_norm_squared = f64::from(self.dot(self));
        let other_norm_squared = f64::from(other.dot(other));
        // pgvector divides by sqrt(a * b) rather than sqrt(a) * sqrt(b).
        let similarity = dot / (self_norm_squared * other_norm_squared).sqrt();
        // `clamp` keeps NaN, as pgvector's comparisons do.
        Ok(1.0 - similarity.clamp(-1.0, 1.0))
    }

    /// `l1_distance` (`<+>`): taxicab distance.
    pub fn l1_distance(&self, other: &SparseVector) -> Result<f64, TypeError> {
        self.check_same_dim(other)?;
        Ok(f64::from(sparse::l1(
            self.as_sparse_slice(),
            other.as_sparse_slice(),
        )))
    }

    /// `l2_norm`: Euclidean norm, summed in double precision.
    pub fn l2_norm(&self) -> f64 {
        self.sum_of_squares().sqrt()
    }

    /// `l2_normalize`: the vector scaled to unit length (the zero vector stays zero).
    /// Elements that round to zero are dropped; an element that overflows `real` is
    /// `value out of range: overflow`.
    pub fn l2_normalize(&self) -> Result<SparseVector, TypeError> {
        let norm = self.sum_of_squares().sqrt();
        if norm == 0.0 {
            return Ok(self.clone());
        }
        let mut indices = Vec::with_capacity(self.nnz());
        let mut values = Vec::with_capacity(self.nnz());
        for (index, value) in self.indices.iter().zip(&self.values) {
            let scaled = (f64::from(*value) / norm) as f32;
            if scaled.is_infinite() {
                return Err(TypeError::Overflow);
            }
            if scaled != 0.0 {
                indices.push(*index);
                values.push(scaled);
            }
        }
        Ok(SparseVector {
            dim: self.dim,
            indices,
            values,
        })
    }

    fn dot(&self, other: &SparseVector) -> f32 {
        sparse::dot(self.as_sparse_slice(), other.as_sparse_slice())
    }

    fn sum_of_squares(&self) -> f64 {
        // A fold from +0: `Iterator::sum` of no floats is -0, which would print as `-0`.
        self.values.iter().fold(0.0, |sum, value| {
            sum + f64::from(*value) * f64::from(*value)
        })
    }
}
