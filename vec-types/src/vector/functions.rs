//! `vector`'s SQL functions: `vector_dims`, `vector_norm`, `l2_normalize`, `subvector`,
//! `binary_quantize`, and the distance functions behind `<->`, `<#>`, `<=>` and `<+>`.
//!
//! Distances are computed as pgvector computes them: sums accumulated in `f32` (by the
//! `vec-simd` kernels), then widened to `f64` for the square root or the cosine's
//! division, and returned as `double precision`.

use super::{Vector, TYPE_NAME};
use crate::bit::BitVector;
use crate::dense::slicing::subvector_range;
use crate::TypeError;

impl Vector {
    /// `vector_norm`: the Euclidean norm, summed in `f64`.
    pub fn norm(&self) -> f64 {
        squared_norm_f64(self.as_slice()).sqrt()
    }

    /// `l2_normalize`: the vector divided by its norm; a zero vector gives positive
    /// zeros (`[-0,0]` becomes `[0,0]`).
    pub fn l2_normalize(&self) -> Result<Vector, TypeError> {
        let norm = self.norm();
        if norm <= 0.0 {
            return Ok(Vector::from_checked(vec![0.0; self.dims()]));
        }
        let elements: Vec<f32> = self
            .as_slice()
            .iter()
            .map(|value| (f64::from(*value) / norm) as f32)
            .collect();
        if elements.iter().any(|value| value.is_infinite()) {
            return Err(TypeError::Overflow);
        }
        Ok(Vector::from_checked(elements))
    }

    /// `subvector(v, start, count)`: `count` elements from the 1-based `start`, with
    /// pgvector's clamping rules and `vector must have at least 1 dimension` when nothing
    /// is left.
    pub fn subvector(&self, start: i32, count: i32) -> Result<Vector, TypeError> {
        let range = subvector_range(TYPE_NAME, self.dims(), start, count)?;
        Ok(Vector::from_checked(self.as_slice()[range].to_vec()))
    }

    /// `binary_quantize`: one bit per element, set when the element is positive.
    pub fn binary_quantize(&self) -> BitVector {
        BitVector::binary_quantize(self.as_slice())
    }

    /// `l2_distance` (`<->`): Euclidean distance.
    pub fn l2_distance(&self, other: &Vector) -> Result<f64, TypeError> {
        Ok(self.l2_squared_distance(other)?.sqrt())
    }

    /// `vector_l2_squared_distance`: squared Euclidean distance, summed in `f32`.
    pub fn l2_squared_distance(&self, other: &Vector) -> Result<f64, TypeError> {
        self.same_dims(other)?;
        Ok(f64::from(vec_simd::f32::l2_squared(
            self.as_slice(),
            other.as_slice(),
        )))
    }

    /// `inner_product`: the dot product, summed in `f32`.
    pub fn inner_product(&self, other: &Vector) -> Result<f64, TypeError> {
        self.same_dims(other)?;
        Ok(f64::from(vec_simd::f32::dot(
            self.as_slice(),
            other.as_slice(),
        )))
    }

    /// `vector_negative_inner_product` (`<#>`): the negated dot product.
    pub fn negative_inner_product(&self, other: &Vector) -> Result<f64, TypeError> {
        Ok(-self.inner_product(other)?)
    }

    /// `cosine_distance` (`<=>`): `1 - cos(a, b)` in `f64`, with the similarity clamped to
    /// `[-1, 1]`; NaN when either vector is zero.
    pub fn cosine_distance(&self, other: &Vector) -> Result<f64, TypeError> {
        self.same_dims(other)?;
        let (a, b) = (self.as_slice(), other.as_slice());
        let similarity = f64::from(vec_simd::f32::dot(a, b));
        let norm_a = f64::from(vec_simd::f32::dot(a, a));
        let norm_b = f64::from(vec_simd::f32::dot(b, b));
        Ok(cosine_from_parts(similarity, norm_a, norm_b))
    }

    /// [`Vector::cosine_distance`] when `other`'s squared norm (`other.inner_product(other)`)
    /// is already known, as in a scan that compares every row with one query: the same
    /// value, bit for bit, with one pass over `other` fewer.
    pub fn cosine_distance_with_norm(
        &self,
        other: &Vector,
        other_norm: f64,
    ) -> Result<f64, TypeError> {
        self.same_dims(other)?;
        let (a, b) = (self.as_slice(), other.as_slice());
        let similarity = f64::from(vec_simd::f32::dot(a, b));
        let norm_a = f64::from(vec_simd::f32::dot(a, a));
        Ok(cosine_from_parts(similarity, norm_a, other_norm))
    }

    /// `l1_distance` (`<+>`): the taxicab distance, summed in `f32`.
    pub fn l1_distance(&self, other: &Vector) -> Result<f64, TypeError> {
        self.same_dims(other)?;
        Ok(f64::from(vec_simd::f32::l1(
            self.as_slice(),
            other.as_slice(),
        )))
    }
}

/// The sum of squares in `f64`, as `vector_norm` and `l2_normalize` compute it.
fn squared_norm_f64(values: &[f32]) -> f64 {
    values
        .iter()
        .map(|value| f64::from(*value) * f64::from(*value))
        .sum()
}

/// pgvector's cosine distance from `f32` sums widened to `f64`: `sqrt(a * b)` rather than
/// `sqrt(a) * sqrt(b)`, the similarity clamped to `[-1, 1]` (NaN passes through).
pub(crate) fn cosine_from_parts(similarity: f64, norm_a: f64, norm_b: f64) -> f64 {
    let similarity = similarity / (norm_a * norm_b).sqrt();
    1.0 - similarity.clamp(-1.0, 1.0)
}

/// Whether `cosine_from_parts(similarity, norm_a, norm_b)` is surely at least `bound`,
/// decided with a few multiplications instead of its square root and division: a scan
/// drops a row that cannot enter the nearest rows so far this way. `false` when unsure:
/// within a margin (10⁻⁹, the distance lying in `[0, 2]`) far wider than the rounding of
/// either computation, or when the parts are not finite with a positive norm product.
pub(crate) fn cosine_surely_at_least(
    similarity: f64,
    norm_a: f64,
    norm_b: f64,
    bound: f64,
) -> bool {
    const MARGIN: f64 = 1e-9;
    let product = norm_a * norm_b;
    if !(product > 0.0 && product.is_finite() && similarity.is_finite() && bound.is_finite()) {
        return false;
    }
    // The distance is 1 − clamp(s, −1, 1) with s = similarity / √product; it is at least
    // `bound` when s ≤ limit. Both sides squared, minding the signs. Past 2 no distance
    // reaches the bound, however far below −1 the similarity lies.
    let limit = 1.0 - bound - MARGIN;
    if limit < -1.0 {
        return false;
    }
    let (left, right) = (similarity * similarity, limit * limit * product);
    if limit >= 0.0 {
        similarity <= 0.0 || left <= right
    } else {
        similarity < 0.0 && left >= right
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reproducible stream of pseudo-random 64-bit words (a linear congruential
    /// generator) from `seed`.
    fn words(seed: u64) -> impl FnMut() -> u64 {
        let mut state = seed;
        move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            state
        }
    }

    /// "Surely at least" never holds for a distance below the bound, and holds for
    /// distances clearly above it.
    #[test]
    fn surely_at_least_agrees_with_the_distance() {
        let mut word = words(5);
        let mut next = || (word() >> 11) as f64 / (1u64 << 53) as f64;
        for _ in 0..200_000 {
            let (norm_a, norm_b) = (next() * 4.0 + 1e-6, next() * 4.0 + 1e-6);
            let similarity = (next() * 2.2 - 1.1) * (norm_a * norm_b).sqrt();
            let distance = cosine_from_parts(similarity, norm_a, norm_b);
            for bound in [
                distance,
                distance - 1e-12,
                distance + 1e-12,
                next() * 2.0,
                -0.5,
                2.5,
            ] {
                if cosine_surely_at_least(similarity, norm_a, norm_b, bound) {
                    assert!(distance >= bound, "{similarity} {norm_a} {norm_b} {bound}");
                }
            }
            if distance > 1e-6 {
                assert!(cosine_surely_at_least(
                    similarity,
                    norm_a,
                    norm_b,
                    distance - 1e-6
                ));
            }
        }
        for (similarity, a, b) in [
            (1.0, 0.0, 1.0),
            (f64::NAN, 1.0, 1.0),
            (1.0, f64::INFINITY, 1.0),
        ] {
            assert!(!cosine_surely_at_least(similarity, a, b, 0.5));
        }
        assert!(!cosine_surely_at_least(0.5, 1.0, 1.0, f64::INFINITY));
    }

    /// With the other vector's norm given, the cosine distance is the same, bit for bit.
    #[test]
    fn cosine_with_a_known_norm_is_the_same() {
        let mut word = words(11);
        let mut next = || (word() >> 40) as f32 / (1u64 << 23) as f32 - 1.0;
        for dims in [1, 3, 16, 17, 384, 1000] {
            let a = Vector::new((0..dims).map(|_| next()).collect()).unwrap();
            let b = Vector::new((0..dims).map(|_| next()).collect()).unwrap();
            let norm = b.inner_product(&b).unwrap();
            let known = a.cosine_distance_with_norm(&b, norm).unwrap();
            assert_eq!(known.to_bits(), a.cosine_distance(&b).unwrap().to_bits());
            let (ha, hb) = (
                crate::HalfVector::from_f32s(a.as_slice()).unwrap(),
                crate::HalfVector::from_f32s(b.as_slice()).unwrap(),
            );
            let norm = hb.inner_product(&hb).unwrap();
            let known = ha.cosine_distance_with_norm(&hb, norm).unwrap();
            assert_eq!(known.to_bits(), ha.cosine_distance(&hb).unwrap().to_bits());
        }
        let short = Vector::new(vec![1.0]).unwrap();
        let long = Vector::new(vec![1.0, 2.0]).unwrap();
        assert!(short.cosine_distance_with_norm(&long, 5.0).is_err());
    }
}
