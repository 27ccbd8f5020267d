//! 8-bit scalar quantization: each dimension `i` is mapped linearly from `[min_i, max_i]`
//! (the smallest and largest value of that dimension among the training vectors) onto the
//! codes 0..=255, so a code decodes to `min_i + step_i · code_i` with
//! `step_i = (max_i - min_i) / 255`. Values outside the trained range are clamped.
//!
//! Distances are estimated from the full-precision query and the codes (asymmetrically):
//! an inner product is `Σ q_i · min_i + Σ (q_i · step_i) · code_i`, so the query is scaled
//! once, rounded to 16-bit integers `w_i ≈ q_i · step_i / s`, and each code costs one
//! `u8 × i16` dot product summed exactly in integers, times `s`; a squared L2 distance is
//! `Σ ((q_i - min_i) - step_i · code_i)²` in `f32`.
//!
//! Both estimates are exact distances to the decoded vector `x̂`, so by Cauchy–Schwarz an
//! inner product's estimate is off by at most `‖q‖ · ‖x - x̂‖`, and the square root of an
//! L2 estimate by at most `‖x - x̂‖`. Each code's [`Sq8::radius`] is that residual norm,
//! widened by the most that rounding in `f32` can add, so [`Sq8::lower_bound`] is a bound
//! the exact distance never falls below: re-ranking reads a full vector only while its
//! bound can still beat an exact distance already known.

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
    /// `‖q‖`, rounded up.
    pub(crate) norm: f32,
    /// [`Sq8::rounding`].
    pub(crate) rounding: f32,
    /// Inner products: `values` rounded to 16-bit integers, `values_i ≈ words_i · scale`.
    pub(crate) words: Vec<i16>,
    /// Inner products: what one unit of `words` stands for.
    pub(crate) scale: f32,
    /// Inner products: the most by which rounding the query to `words` can move an
    /// estimate (`Σ |words_i · scale - values_i| · 255`, and the final product's rounding).
    pub(crate) word_error: f32,
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

/// Rounds `values` to 16-bit integers in `words`, `values_i ≈ words_i · scale`, with the
/// largest magnitude as large as the sum of 255 times every word can be and still fit in
/// an `i32`, so that a dot product with codes is exact in integers. Returns the most by
/// which such a dot product times `scale` can differ from `Σ values_i · code_i`.
fn round_to_words(values: &[f32], words: &mut Vec<i16>, scale: &mut f32) -> f32 {
    let largest = values.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    let limit = (i32::MAX as f64 / (255.0 * values.len().max(1) as f64))
        .floor()
        .min(f64::from(i16::MAX));
    if !(largest > 0.0 && largest.is_finite()) || limit < 1.0 {
        words.extend(values.iter().map(|_| 0));
        *scale = 0.0;
        return 255.0 * values.iter().map(|v| v.abs()).sum::<f32>().next_up();
    }
    *scale = (f64::from(largest) / limit) as f32;
    let (mut error, mut magnitude) = (0.0f64, 0.0f64);
    for value in values {
        let word = (value / *scale).round().clamp(-limit as f32, limit as f32) as i16;
        words.push(word);
        let rounded = f64::from(word) * f64::from(*scale);
        error += (rounded - f64::from(*value)).abs();
        magnitude += rounded.abs();
    }
    // The sum is exact; converting it to `f32` and scaling round twice.
    let bound = 255.0 * (error + magnitude * 2f64.powi(-22));
    (bound as f32).next_up()
}

impl Sq8 {
    /// Ranges over `vectors` (each of `dimensions` values); all zero when there are none.
    #[cfg(test)]
    pub(crate) fn train<'a>(dimensions: usize, vectors: impl Iterator<Item = &'a [f32]>) -> Sq8 {
        let mut trainer = Sq8Trainer::new(dimensions);
        vectors.for_each(|vector| trainer.add(vector));
        trainer.finish()
    }

    /// Relative slack for rounding: an `f32` sum of `n` products can be off by
    /// `n · 2⁻²⁴` of the sum of their magnitudes, and the estimate and the exact distance
    /// each round; this allows four times that.
    fn rounding(&self) -> f64 {
        self.min.len() as f64 * 2f64.powi(-22)
    }

    /// Bytes a code takes.
    pub(crate) fn code_bytes(&self) -> usize {
        self.min.len()
    }

    /// Writes the code of `vector` into `out` (of [`Sq8::code_bytes`] bytes) and returns
    /// its [`Sq8::radius`].
    pub(crate) fn encode(&self, vector: &[f32], out: &mut [u8]) -> f32 {
        for (((code, value), low), step) in
            out.iter_mut().zip(vector).zip(&self.min).zip(&self.step)
        {
            *code = if *step > 0.0 {
                ((value - low) / step).round().clamp(0.0, 255.0) as u8
            } else {
                0
            };
        }
        self.radius(vector, out)
    }

    /// How far `code` may put an estimate from the exact distance to `vector`:
    /// `‖x - x̂‖` (computed in `f64` and rounded up), plus the rounding slack of the two
    /// `f32` sums, which grows with `‖min‖ + ‖x̂‖`. Infinite for a non-finite vector.
    pub(crate) fn radius(&self, vector: &[f32], code: &[u8]) -> f32 {
        let (mut residual, mut decoded, mut min) = (0.0f64, 0.0f64, 0.0f64);
        for (((value, code), low), step) in vector.iter().zip(code).zip(&self.min).zip(&self.step) {
            let x_hat = f64::from(*low) + f64::from(*step) * f64::from(*code);
            residual += (f64::from(*value) - x_hat).powi(2);
            decoded += x_hat * x_hat;
            min += f64::from(*low).powi(2);
        }
        let rounding = self.rounding();
        let radius = residual.sqrt() * (1.0 + rounding) + rounding * (min.sqrt() + decoded.sqrt());
        if radius.is_finite() {
            (radius as f32).next_up()
        } else {
            f32::INFINITY
        }
    }

    /// A distance the exact one never falls below, for an estimate of a code with
    /// `radius` against `query`.
    #[inline]
    pub(crate) fn lower_bound(
        query: &Sq8Query,
        distance: CodeDistance,
        estimate: f32,
        radius: f32,
    ) -> f32 {
        match distance {
            CodeDistance::L2Squared => {
                let root = estimate.max(0.0).sqrt();
                let slack = query.rounding * (query.norm + root);
                let low = root - radius - slack;
                if low > 0.0 {
                    low * low
                } else {
                    0.0
                }
            }
            _ => estimate - query.norm * radius - query.word_error,
        }
    }

    /// Prepares `query` for estimates of `distance`.
    pub(crate) fn prepare(&self, query: &[f32], distance: CodeDistance, out: &mut Sq8Query) {
        out.values.clear();
        out.norm = query
            .iter()
            .map(|q| f64::from(*q) * f64::from(*q))
            .sum::<f64>()
            .sqrt() as f32;
        out.norm = out.norm.next_up();
        out.rounding = self.rounding() as f32;
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
        out.words.clear();
        (out.scale, out.word_error) = (0.0, 0.0);
        if distance != CodeDistance::L2Squared {
            out.word_error = round_to_words(&out.values, &mut out.words, &mut out.scale);
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
            _ => distance.of_dot(
                query.constant + query.scale * kernels.dot_u8_i16(&query.words, code) as f32,
            ),
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

    /// Exact distances as the metrics compute them, summed in order in `f32`.
    fn exact(distance: CodeDistance, query: &[f32], vector: &[f32]) -> f32 {
        match distance {
            CodeDistance::L2Squared => query
                .iter()
                .zip(vector)
                .map(|(a, b)| (a - b) * (a - b))
                .sum(),
            _ => distance.of_dot(query.iter().zip(vector).map(|(a, b)| a * b).sum()),
        }
    }

    proptest::proptest! {
        /// The exact distance never falls below the bound, also for values outside the
        /// trained ranges (clamped codes) and for dimensions that never varied.
        #[test]
        fn exact_distance_is_never_below_the_bound(
            training in proptest::collection::vec(
                proptest::collection::vec(-1.0f32..1.0, 24), 1..12),
            vector in proptest::collection::vec(-1.5f32..1.5, 24),
            query in proptest::collection::vec(-3.0f32..3.0, 24),
        ) {
            let sq8 = Sq8::train(24, training.iter().map(Vec::as_slice));
            let kernels = vec_types::simd::codes::selected();
            let mut code = [0u8; 24];
            let radius = sq8.encode(&vector, &mut code);
            let mut prepared = Sq8Query::default();
            for distance in
                [CodeDistance::L2Squared, CodeDistance::NegativeDot, CodeDistance::CosineDot]
            {
                sq8.prepare(&query, distance, &mut prepared);
                let estimate = sq8.estimate(kernels, &prepared, distance, &code);
                let bound = Sq8::lower_bound(&prepared, distance, estimate, radius);
                let exact = exact(distance, &query, &vector);
                proptest::prop_assert!(exact >= bound, "{distance:?}: {exact} < {bound}");
                // And the bound is not vacuous: within twice the radius's reach.
                let reach = match distance {
                    CodeDistance::L2Squared => {
                        (exact.sqrt() + 2.0 * radius).powi(2) - exact + 1e-3
                    }
                    _ => 2.0 * prepared.norm * radius + 1e-3,
                };
                proptest::prop_assert!(exact - bound <= reach, "{distance:?}");
            }
        }
    }
}
