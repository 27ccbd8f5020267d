//! `halfvec`'s SQL functions: `vector_dims`, `l2_norm`, `l2_normalize`, `subvector`,
//! `binary_quantize`, and the distances behind `<->`, `<#>`, `<=>` and `<+>`, accumulated
//! in `f32` by the `vec-simd` `f16` kernels and returned as `f64` like pgvector's.

use half::f16;

use super::{HalfVector, TYPE_NAME};
use crate::bit::BitVector;
use crate::dense::slicing::subvector_range;
use crate::vector::cosine_from_parts;
use crate::TypeError;

impl HalfVector {
    /// `l2_norm(halfvec)`: the Euclidean norm, summed in `f64`.
    pub fn l2_norm(&self) -> f64 {
        self.as_slice()
            .iter()
            .map(|value| {
                let wide = f64::from(value.to_f32());
                wide * wide
            })
            .sum::<f64>()
            .sqrt()
    }

    /// `l2_normalize(halfvec)`: each element divided by the norm in `f64`, rounded to
    /// `f32` then `f16`; a zero vector gives positive zeros.
    pub fn l2_normalize(&self) -> Result<HalfVector, TypeError> {
        let norm = self.l2_norm();
        if norm <= 0.0 {
            return Ok(HalfVector::from_checked(vec![f16::ZERO; self.dims()]));
        }
        let elements: Vec<f16> = self
            .as_slice()
            .iter()
            .map(|value| f16::from_f32((f64::from(value.to_f32()) / norm) as f32))
            .collect();
        if elements.iter().any(|value| value.is_infinite()) {
            return Err(TypeError::Overflow);
        }
        Ok(HalfVector::from_checked(elements))
    }

    /// `subvector(halfvec, start, count)`, with pgvector's 1-based clamping rules.
    pub fn subvector(&self, start: i32, count: i32) -> Result<HalfVector, TypeError> {
        let range = subvector_range(TYPE_NAME, self.dims(), start, count)?;
        Ok(HalfVector::from_checked(self.as_slice()[range].to_vec()))
    }

    /// `binary_quantize(halfvec)`: one bit per element, set when the element is positive.
    pub fn binary_quantize(&self) -> BitVector {
        BitVector::binary_quantize_f16(self.as_slice())
    }

    /// `l2_distance` (`<->`): Euclidean distance.
    pub fn l2_distance(&self, other: &HalfVector) -> Result<f64, TypeError> {
        Ok(self.l2_squared_distance(other)?.sqrt())
    }

    /// `halfvec_l2_squared_distance`: squared Euclidean distance, summed in `f32`.
    pub fn l2_squared_distance(&self, other: &HalfVector) -> Result<f64, TypeError> {
        self.same_dims(other)?;
        Ok(f64::from(vec_simd::f16::l2_squared(
            self.as_slice(),
            other.as_slice(),
        )))
    }

    /// `inner_product`: the dot product, summed in `f32`.
    pub fn inner_product(&self, other: &HalfVector) -> Result<f64, TypeError> {
        self.same_dims(other)?;
        Ok(f64::from(vec_simd::f16::dot(
            self.as_slice(),
            other.as_slice(),
        )))
    }

    /// `halfvec_negative_inner_product` (`<#>`): the negated dot product.
    pub fn negative_inner_product(&self, other: &HalfVector) -> Result<f64, TypeError> {
        Ok(-self.inner_product(other)?)
    }

    /// `cosine_distance` (`<=>`): `1 - cos(a, b)` in `f64` with the similarity clamped to
    /// `[-1, 1]`; NaN when either vector is zero.
    pub fn cosine_distance(&self, other: &HalfVector) -> Result<f64, TypeError> {
        self.same_dims(other)?;
        let (a, b) = (self.as_slice(), other.as_slice());
        let similarity = f64::from(vec_simd::f16::dot(a, b));
        let norm_a = f64::from(vec_simd::f16::dot(a, a));
        let norm_b = f64::from(vec_simd::f16::dot(b, b));
        Ok(cosine_from_parts(similarity, norm_a, norm_b))
    }

    /// [`HalfVector::cosine_distance`] when `other`'s squared norm
    /// (`other.inner_product(other)`) is already known, as in a scan that compares every
    /// row with one query: the same value, bit for bit, with one pass over `other` fewer.
    pub fn cosine_distance_with_norm(
        &self,
        other: &HalfVector,
        other_norm: f64,
    ) -> Result<f64, TypeError> {
        self.same_dims(other)?;
        let (a, b) = (self.as_slice(), other.as_slice());
        let similarity = f64::from(vec_simd::f16::dot(a, b));
        let norm_a = f64::from(vec_simd::f16::dot(a, a));
        Ok(cosine_from_parts(similarity, norm_a, other_norm))
    }

    /// `l1_distance` (`<+>`): the taxicab distance, summed in `f32`.
    pub fn l1_distance(&self, other: &HalfVector) -> Result<f64, TypeError> {
        self.same_dims(other)?;
        Ok(f64::from(vec_simd::f16::l1(
            self.as_slice(),
            other.as_slice(),
        )))
    }
}
