//! Scalar quantization (SQ8), as pgvecto.rs's `quantization.scalar`: each dimension is mapped
//! linearly from the sample's `[min, max]` to one byte, so a row takes one byte per dimension.
//!
//! Distances are taken between an `f32` query and a code without decoding the row first: the
//! query is shifted by the minimums once (L2) or scaled by the step sizes once (inner
//! product), and the loops keep eight independent sums so that the compiler vectorizes them.

/// Per-dimension minimum and step of an 8-bit scalar quantizer.
#[derive(Debug, Clone, PartialEq)]
pub struct ScalarQuantizer {
    min: Vec<f32>,
    step: Vec<f32>,
}

/// A query prepared for one quantizer and metric family.
#[derive(Debug, Clone)]
pub(crate) enum PreparedQuery {
    /// `query - min` per dimension, and the steps, for squared L2.
    L2 { shifted: Vec<f32>, step: Vec<f32> },
    /// `query * step` per dimension, plus `query · min`, for inner products.
    Dot { weights: Vec<f32>, offset: f32 },
}

impl ScalarQuantizer {
    /// Learns the range of each dimension from `samples` (rows of `dimensions` values).
    pub fn train(samples: &[f32], dimensions: usize) -> Self {
        let mut min = vec![f32::INFINITY; dimensions];
        let mut max = vec![f32::NEG_INFINITY; dimensions];
        for row in samples.chunks_exact(dimensions) {
            for dim in 0..dimensions {
                min[dim] = min[dim].min(row[dim]);
                max[dim] = max[dim].max(row[dim]);
            }
        }
        let (min, step) = min
            .iter()
            .zip(&max)
            .map(|(&low, &high)| {
                if low.is_finite() && high > low {
                    (low, (high - low) / 255.0)
                } else if low.is_finite() {
                    (low, 0.0)
                } else {
                    (0.0, 0.0)
                }
            })
            .unzip();
        ScalarQuantizer { min, step }
    }

    /// Bytes per code.
    pub fn code_len(&self) -> usize {
        self.min.len()
    }

    /// Encodes `row` (values outside the trained range are clamped).
    pub fn encode(&self, row: &[f32], code: &mut [u8]) {
        for dim in 0..self.min.len() {
            let level = if self.step[dim] > 0.0 {
                (row[dim] - self.min[dim]) / self.step[dim]
            } else {
                0.0
            };
            code[dim] = level.round().clamp(0.0, 255.0) as u8;
        }
    }

    /// The raw parts, for snapshots: per-dimension minimums and steps.
    pub(crate) fn parts(&self) -> (&[f32], &[f32]) {
        (&self.min, &self.step)
    }

    /// Rebuilds a quantizer from [`ScalarQuantizer::parts`].
    pub(crate) fn from_parts(min: Vec<f32>, step: Vec<f32>) -> Self {
        ScalarQuantizer { min, step }
    }

    pub(crate) fn prepare(&self, query: &[f32], inner_product: bool) -> PreparedQuery {
        if inner_product {
            let weights = query.iter().zip(&self.step).map(|(q, s)| q * s).collect();
            let offset = query.iter().zip(&self.min).map(|(q, m)| q * m).sum();
            PreparedQuery::Dot { weights, offset }
        } else {
            let shifted = query.iter().zip(&self.min).map(|(q, m)| q - m).collect();
            PreparedQuery::L2 {
                shifted,
                step: self.step.clone(),
            }
        }
    }
}

impl PreparedQuery {
    /// Squared L2 distance, or the inner product, between the query and `code`.
    #[inline]
    pub(crate) fn evaluate(&self, code: &[u8]) -> f32 {
        match self {
            PreparedQuery::L2 { shifted, step } => l2_code(shifted, step, code),
            PreparedQuery::Dot { weights, offset } => offset + dot_code(weights, code),
        }
    }
}

#[inline]
fn l2_code(shifted: &[f32], step: &[f32], code: &[u8]) -> f32 {
    let mut sums = [0.0f32; 8];
    let blocks = code.len() / 8 * 8;
    for ((c, q), s) in code[..blocks]
        .chunks_exact(8)
        .zip(shifted.chunks_exact(8))
        .zip(step.chunks_exact(8))
    {
        for lane in 0..8 {
            let difference = q[lane] - s[lane] * c[lane] as f32;
            sums[lane] += difference * difference;
        }
    }
    let mut total: f32 = sums.iter().sum();
    for dim in blocks..code.len() {
        let difference = shifted[dim] - step[dim] * code[dim] as f32;
        total += difference * difference;
    }
    total
}

#[inline]
fn dot_code(weights: &[f32], code: &[u8]) -> f32 {
    let mut sums = [0.0f32; 8];
    let blocks = code.len() / 8 * 8;
    for (c, w) in code[..blocks].chunks_exact(8).zip(weights.chunks_exact(8)) {
        for lane in 0..8 {
            sums[lane] += w[lane] * c[lane] as f32;
        }
    }
    let mut total: f32 = sums.iter().sum();
    for dim in blocks..code.len() {
        total += weights[dim] * code[dim] as f32;
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_approximate_distances() {
        let samples: Vec<f32> = (0..900)
            .map(|i| ((i * 37) % 101) as f32 / 101.0 - 0.5)
            .collect();
        let quantizer = ScalarQuantizer::train(&samples, 9);
        let row = &samples[9..18];
        let query = &samples[90..99];
        let mut code = vec![0u8; 9];
        quantizer.encode(row, &mut code);
        let exact_l2: f32 = row.iter().zip(query).map(|(a, b)| (a - b) * (a - b)).sum();
        let exact_dot: f32 = row.iter().zip(query).map(|(a, b)| a * b).sum();
        assert!((quantizer.prepare(query, false).evaluate(&code) - exact_l2).abs() < 0.01);
        assert!((quantizer.prepare(query, true).evaluate(&code) - exact_dot).abs() < 0.01);
    }
}
