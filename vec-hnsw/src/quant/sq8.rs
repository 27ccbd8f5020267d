//! 8-bit scalar quantization: each dimension `i` is mapped linearly from `[min_i, max_i]`
//! (the smallest and largest value of that dimension among the training vectors) onto the
//! codes 0..=255, so a code decodes to `min_i + step_i · code_i` with
//! `step_i = (max_i - min_i) / 255`. Values outside the trained range are clamped.
//!
//! Distances are estimated from the full-precision query and the codes (asymmetrically):
//! an inner product is `Σ q_i · min_i + Σ (q_i · step_i) · code_i`, so the query is scaled
//! once and each code costs one `u8 × f32` dot product; a squared L2 distance is
//! `Σ ((q_i - min_i) - step_i · code_i)²`.

use super::CodeDistance;

/// The trained ranges.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Sq8 {
    /// `min_i` per dimension.
    pub(crate) min: Vec<f32>,
    /// `step_i` per dimension.
    pub(crate) step: Vec<f32>,
}

/// A query prepared for estimates against SQ8 codes.
#[derive(Clone, Debug, Default)]
pub(crate) struct Sq8Query {
    /// Inner products: `q_i · step_i`; L2: `q_i - min_i`.
    pub(crate) values: Vec<f32>,
    /// Inner products: `Σ q_i · min_i`; unused for L2.
    pub(crate) constant: f32,
}

/// Training: the running minimum and maximum of each dimension.
pub(crate) struct Sq8Trainer {
    min: Vec<f32>,
    max: Vec<f32>,
}

impl Sq8Trainer {
    /// A trainer that has seen nothing.
    pub(crate) fn new(dimensions: usize) -> Sq8Trainer {
        Sq8Trainer {
            min: vec![f32::INFINITY; dimensions],
            max: vec![f32::NEG_INFINITY; dimensions],
        }
    }

    /// Takes one training vector into account.
    pub(crate) fn add(&mut self, vector: &[f32]) {
        for ((value, low), high) in vector.iter().zip(&mut self.min).zip(&mut self.max) {
            *low = low.min(*value);
            *high = high.max(*value);
        }
    }

    /// The quantizer: every range divided into 255 steps (step 0 for a dimension that never
    /// varied or was never seen).
    pub(crate) fn finish(self) -> Sq8 {
        let step = self
            .min
            .iter()
            .zip(&self.max)
            .map(|(low, high)| {
                let range = high - low;
                if range.is_finite() && range > 0.0 {
                    range / 255.0
                } else {
                    0.0
                }
            })
            .collect();
        let min = self
            .min
            .into_iter()
            .map(|low| if low.is_finite() { low } else { 0.0 })
            .collect();
        Sq8 { min, step }
    }
}

impl Sq8 {
    /// Ranges over `vectors` (each of `dimensions` values); all zero when there are none.
    #[cfg(test)]
    pub(crate) fn train<'a>(dimensions: usize, vectors: impl Iterator<Item = &'a [f32]>) -> Sq8 {
        let mut trainer = Sq8Trainer::new(dimensions);
        vectors.for_each(|vector| trainer.add(vector));
        trainer.finish()
    }

    /// Bytes a code takes.
    pub(crate) fn code_bytes(&self) -> usize {
        self.min.len()
    }

    /// Writes the code of `vector` into `out` (of [`Sq8::code_bytes`] bytes).
    pub(crate) fn encode(&self, vector: &[f32], out: &mut [u8]) {
        for (((code, value), low), step) in
            out.iter_mut().zip(vector).zip(&self.min).zip(&self.step)
        {
            *code = if *step > 0.0 {
                ((value - low) / step).round().clamp(0.0, 255.0) as u8
            } else {
                0
            };
        }
    }

    /// Prepares `query` for estimates of `distance`.
    pub(crate) fn prepare(&self, query: &[f32], distance: CodeDistance, out: &mut Sq8Query) {
        out.values.clear();
        match distance {
            CodeDistance::L2Squared => {
                out.values
                    .extend(query.iter().zip(&self.min).map(|(q, low)| q - low));
                out.constant = 0.0;
            }
            CodeDistance::NegativeDot | CodeDistance::CosineDot => {
                out.values
                    .extend(query.iter().zip(&self.step).map(|(q, step)| q * step));
                out.constant = query.iter().zip(&self.min).map(|(q, low)| q * low).sum();
            }
        }
    }

    /// The estimated distance from a prepared query to `code`.
    #[inline]
    pub(crate) fn estimate(
        &self,
        kernels: &vec_types::simd::codes::CodeKernels,
        query: &Sq8Query,
        distance: CodeDistance,
        code: &[u8],
    ) -> f32 {
        match distance {
            CodeDistance::L2Squared => kernels.l2_squared_u8(&query.values, &self.step, code),
            _ => distance.of_dot(query.constant + kernels.dot_u8(&query.values, code)),
        }
    }

    /// The parameters as bytes, for a snapshot: `min` then `step`, little-endian `f32`s.
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        self.min
            .iter()
            .chain(&self.step)
            .flat_map(|v| v.to_le_bytes())
            .collect()
    }

    /// Reads the parameters written by [`Sq8::to_bytes`].
    pub(crate) fn from_bytes(dimensions: usize, bytes: &[u8]) -> Result<Sq8, String> {
        if bytes.len() != dimensions * 8 {
            return Err("quantizer section has the wrong length".into());
        }
        let floats: Vec<f32> = bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        if floats.iter().any(|v| !v.is_finite()) {
            return Err("quantizer holds a non-finite value".into());
        }
        let (min, step) = floats.split_at(dimensions);
        Ok(Sq8 {
            min: min.to_vec(),
            step: step.to_vec(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_error_is_half_a_step() {
        let vectors: Vec<Vec<f32>> = (0..50)
            .map(|i| vec![i as f32 / 7.0, -(i as f32), 3.0])
            .collect();
        let sq8 = Sq8::train(3, vectors.iter().map(Vec::as_slice));
        assert_eq!(sq8.step[2], 0.0);
        let mut code = [0u8; 3];
        for vector in &vectors {
            sq8.encode(vector, &mut code);
            for i in 0..3 {
                let decoded = sq8.min[i] + sq8.step[i] * f32::from(code[i]);
                assert!((decoded - vector[i]).abs() <= sq8.step[i] / 2.0 + 1e-5);
            }
        }
        let kernels = vec_types::simd::codes::selected();
        let query = [1.0, 2.0, 3.0];
        let mut prepared = Sq8Query::default();
        for distance in [CodeDistance::L2Squared, CodeDistance::NegativeDot] {
            sq8.prepare(&query, distance, &mut prepared);
            sq8.encode(&vectors[10], &mut code);
            let estimate = sq8.estimate(kernels, &prepared, distance, &code);
            let vector = &vectors[10];
            // Each decoded value is within half a step of the true one.
            let (exact, bound) = match distance {
                CodeDistance::L2Squared => (
                    vector
                        .iter()
                        .zip(&query)
                        .map(|(a, b)| (a - b) * (a - b))
                        .sum::<f32>(),
                    (0..3)
                        .map(|i| (vector[i] - query[i]).abs() * sq8.step[i] + sq8.step[i].powi(2))
                        .sum::<f32>(),
                ),
                _ => (
                    -vector.iter().zip(&query).map(|(a, b)| a * b).sum::<f32>(),
                    (0..3).map(|i| query[i].abs() * sq8.step[i]).sum::<f32>(),
                ),
            };
            assert!(
                (estimate - exact).abs() <= bound,
                "{estimate} {exact} {bound}"
            );
        }
        let restored = Sq8::from_bytes(3, &sq8.to_bytes()).unwrap();
        assert_eq!(restored, sq8);
        assert!(Sq8::from_bytes(3, &[0; 5]).is_err());
    }
}
