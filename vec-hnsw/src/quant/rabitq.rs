//! RaBitQ-style 1-bit codes (Gao & Long, "RaBitQ: Quantizing High-Dimensional Vectors with a
//! Theoretical Error Bound for Approximate Nearest Neighbor Search", SIGMOD 2024).
//!
//! Each vector `o` is taken relative to the centroid `c` of the training vectors:
//! `r = o - c`, `A = ‖r‖`. The residual is rotated (`rotation`, a fixed random orthogonal
//! map) and only the sign of each rotated coordinate is kept: the code is the vector
//! `x̄ = sign(R r) / √P`, one bit per (padded) dimension. RaBitQ's estimator of an inner
//! product between the unit residual `r / A` and a unit vector `u` is
//! `⟨x̄, R u⟩ / ⟨x̄, R r / A⟩`; its denominator depends on the vector alone and is stored
//! with the code. Folding the constants together, the estimate of `⟨r, v⟩` for any query
//! vector `v` is
//!
//! ```text
//! ⟨r, v⟩ ≈ f · Σ_i sign_i · (R v)_i,    f = A² / Σ_i |(R r)_i|
//! ```
//!
//! and `Σ_i sign_i · w_i = 2 · Σ_{bit i set} w_i - Σ_i w_i`, one masked sum per code. Then
//! `‖o - q‖² = A² + ‖q - c‖² - 2 ⟨r, q - c⟩` for L2, and `⟨o, q⟩ = ⟨r, q⟩ + ⟨c, q⟩` for inner
//! products and cosine (whose vectors are normalized when they enter the index). The
//! estimate is unbiased and its error shrinks as `1/√P`; the index re-ranks its candidates
//! with the full vectors, so the codes only have to find them.
//!
//! A code is `P / 8` bytes of signs (bit `i % 8` of byte `i / 8` for rotated coordinate
//! `i`, set when it is positive) followed by two little-endian `f32`s, `A²` and `f`.

use super::rotation::Rotation;
use super::CodeDistance;

/// Bytes of the two factors after the sign bits.
const FACTOR_BYTES: usize = 8;

/// The trained centroid and the rotation.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct RaBitQ {
    /// `c`, the mean of the training vectors.
    pub(crate) centroid: Vec<f32>,
    /// The random rotation, drawn from the index's seed.
    pub(crate) rotation: Rotation,
    /// The seed the rotation was drawn from.
    pub(crate) seed: u64,
}

/// A query prepared for estimates against RaBitQ codes.
#[derive(Clone, Debug, Default)]
pub(crate) struct RaBitQQuery {
    /// `R (q - c)` for L2, `R q` for inner products.
    pub(crate) rotated: Vec<f32>,
    /// `Σ_i rotated_i`.
    pub(crate) sum: f32,
    /// `‖q - c‖²` for L2, `⟨c, q⟩` for inner products.
    pub(crate) constant: f32,
}

/// Training: the running sum of the vectors, for their centroid.
pub(crate) struct RaBitQTrainer {
    sum: Vec<f64>,
    count: usize,
}

impl RaBitQTrainer {
    /// A trainer that has seen nothing.
    pub(crate) fn new(dimensions: usize) -> RaBitQTrainer {
        RaBitQTrainer {
            sum: vec![0.0; dimensions],
            count: 0,
        }
    }

    /// Takes one training vector into account.
    pub(crate) fn add(&mut self, vector: &[f32]) {
        for (total, value) in self.sum.iter_mut().zip(vector) {
            *total += f64::from(*value);
        }
        self.count += 1;
    }

    /// The quantizer: the centroid (zero when nothing was seen) and the rotation of `seed`.
    pub(crate) fn finish(self, seed: u64) -> RaBitQ {
        let count = self.count;
        let centroid: Vec<f32> = self
            .sum
            .iter()
            .map(|total| {
                if count == 0 {
                    0.0
                } else {
                    (total / count as f64) as f32
                }
            })
            .collect();
        RaBitQ {
            rotation: Rotation::new(centroid.len(), seed),
            centroid,
            seed,
        }
    }
}

impl RaBitQ {
    /// The centroid of `vectors` (zero when there are none) and the rotation of `seed`.
    #[cfg(test)]
    pub(crate) fn train<'a>(
        dimensions: usize,
        seed: u64,
        vectors: impl Iterator<Item = &'a [f32]>,
    ) -> RaBitQ {
        let mut trainer = RaBitQTrainer::new(dimensions);
        vectors.for_each(|vector| trainer.add(vector));
        trainer.finish(seed)
    }

    /// Bytes of the sign bits.
    fn sign_bytes(&self) -> usize {
        self.rotation.padded() / 8
    }

    /// Bytes a code takes.
    pub(crate) fn code_bytes(&self) -> usize {
        self.sign_bytes() + FACTOR_BYTES
    }

    /// Writes the code of `vector` into `out` (of [`RaBitQ::code_bytes`] bytes);
    /// `scratch` holds the rotated residual.
    pub(crate) fn encode(&self, vector: &[f32], out: &mut [u8], scratch: &mut Vec<f32>) {
        let residual: Vec<f32> = vector
            .iter()
            .zip(&self.centroid)
            .map(|(v, c)| v - c)
            .collect();
        let norm_squared: f32 = residual.iter().map(|v| v * v).sum();
        self.rotation.apply(&residual, scratch);
        let (signs, factors) = out.split_at_mut(self.sign_bytes());
        signs.fill(0);
        let mut absolute_sum = 0.0f32;
        for (position, value) in scratch.iter().enumerate() {
            if *value > 0.0 {
                signs[position / 8] |= 1 << (position % 8);
            }
            absolute_sum += value.abs();
        }
        let factor = if absolute_sum > 0.0 {
            norm_squared / absolute_sum
        } else {
            0.0
        };
        factors[..4].copy_from_slice(&norm_squared.to_le_bytes());
        factors[4..8].copy_from_slice(&factor.to_le_bytes());
    }

    /// Prepares `query` for estimates of `distance`.
    pub(crate) fn prepare(&self, query: &[f32], distance: CodeDistance, out: &mut RaBitQQuery) {
        match distance {
            CodeDistance::L2Squared => {
                let shifted: Vec<f32> = query
                    .iter()
                    .zip(&self.centroid)
                    .map(|(q, c)| q - c)
                    .collect();
                out.constant = shifted.iter().map(|v| v * v).sum();
                self.rotation.apply(&shifted, &mut out.rotated);
            }
            CodeDistance::NegativeDot | CodeDistance::CosineDot => {
                out.constant = query.iter().zip(&self.centroid).map(|(q, c)| q * c).sum();
                self.rotation.apply(query, &mut out.rotated);
            }
        }
        out.sum = out.rotated.iter().sum();
    }

    /// The estimated distance from a prepared query to `code`.
    #[inline]
    pub(crate) fn estimate(
        &self,
        kernels: &vec_types::simd::codes::CodeKernels,
        query: &RaBitQQuery,
        distance: CodeDistance,
        code: &[u8],
    ) -> f32 {
        let (signs, factors) = code.split_at(self.sign_bytes());
        let norm_squared = f32::from_le_bytes([factors[0], factors[1], factors[2], factors[3]]);
        let factor = f32::from_le_bytes([factors[4], factors[5], factors[6], factors[7]]);
        let masked = kernels.masked_sum(&query.rotated, signs);
        let inner = factor * (2.0 * masked - query.sum);
        match distance {
            CodeDistance::L2Squared => norm_squared + query.constant - 2.0 * inner,
            _ => distance.of_dot(inner + query.constant),
        }
    }

    /// The parameters as bytes, for a snapshot: the seed (u64) then the centroid
    /// (little-endian `f32`s); the rotation is drawn again from the seed.
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = self.seed.to_le_bytes().to_vec();
        bytes.extend(self.centroid.iter().flat_map(|v| v.to_le_bytes()));
        bytes
    }

    /// Reads the parameters written by [`RaBitQ::to_bytes`].
    pub(crate) fn from_bytes(dimensions: usize, bytes: &[u8]) -> Result<RaBitQ, String> {
        if bytes.len() != 8 + dimensions * 4 {
            return Err("quantizer section has the wrong length".into());
        }
        let (seed, floats) = bytes.split_at(8);
        let seed = u64::from_le_bytes(seed.try_into().map_err(|_| "bad seed")?);
        let centroid: Vec<f32> = floats
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        if centroid.iter().any(|v| !v.is_finite()) {
            return Err("quantizer holds a non-finite value".into());
        }
        Ok(RaBitQ {
            centroid,
            rotation: Rotation::new(dimensions, seed),
            seed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::level::mix64;

    fn random_unit(dimensions: usize, seed: u64) -> Vec<f32> {
        let v: Vec<f32> = (0..dimensions)
            .map(|i| (mix64(seed * 1000 + i as u64) >> 40) as f32 / (1u64 << 24) as f32 - 0.3)
            .collect();
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.into_iter().map(|x| x / norm).collect()
    }

    /// The estimates are close to the exact values: the mean absolute error of the inner
    /// product of unit vectors is well under the `1/√D` scale of RaBitQ's bound.
    #[test]
    fn estimates_are_close() {
        let dimensions = 384;
        let vectors: Vec<Vec<f32>> = (0..200).map(|i| random_unit(dimensions, i)).collect();
        let quantizer = RaBitQ::train(dimensions, 3, vectors.iter().map(Vec::as_slice));
        let kernels = vec_types::simd::codes::selected();
        let mut code = vec![0u8; quantizer.code_bytes()];
        let mut scratch = Vec::new();
        let query = random_unit(dimensions, 999);
        for distance in [CodeDistance::L2Squared, CodeDistance::CosineDot] {
            let mut prepared = RaBitQQuery::default();
            quantizer.prepare(&query, distance, &mut prepared);
            let mut total_error = 0.0;
            for vector in &vectors {
                quantizer.encode(vector, &mut code, &mut scratch);
                let estimate = quantizer.estimate(kernels, &prepared, distance, &code);
                let dot: f32 = vector.iter().zip(&query).map(|(a, b)| a * b).sum();
                let exact = match distance {
                    CodeDistance::L2Squared => 2.0 - 2.0 * dot,
                    _ => 1.0 - dot,
                };
                total_error += (estimate - exact).abs();
            }
            let mean = total_error / vectors.len() as f32;
            assert!(mean < 0.05, "{distance:?}: mean error {mean}");
        }
        let restored = RaBitQ::from_bytes(dimensions, &quantizer.to_bytes()).unwrap();
        assert_eq!(restored, quantizer);
    }

    /// A vector equal to the centroid has a zero residual and an exact estimate.
    #[test]
    fn centroid_vector_is_exact() {
        let vectors = [vec![1.0f32, 2.0, 3.0]];
        let quantizer = RaBitQ::train(3, 1, vectors.iter().map(Vec::as_slice));
        let mut code = vec![0u8; quantizer.code_bytes()];
        quantizer.encode(&vectors[0], &mut code, &mut Vec::new());
        let mut prepared = RaBitQQuery::default();
        quantizer.prepare(&[0.0, 0.0, 0.0], CodeDistance::L2Squared, &mut prepared);
        let estimate = quantizer.estimate(
            vec_types::simd::codes::selected(),
            &prepared,
            CodeDistance::L2Squared,
            &code,
        );
        assert!((estimate - 14.0).abs() < 1e-4, "{estimate}");
    }
}
