//! The last step of every cosine distance, shared by all element types and implementations.

/// The three sums a cosine distance needs, each accumulated in `f32` as pgvector does.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct CosineSums {
    /// `Σ a_i * b_i`.
    pub(crate) dot: f32,
    /// `Σ a_i²`.
    pub(crate) norm_a: f32,
    /// `Σ b_i²`.
    pub(crate) norm_b: f32,
}

impl CosineSums {
    /// Cosine distance as pgvector computes it: `similarity = dot / sqrt(norm_a * norm_b)` in
    /// `f64` (one square root of the product, not a product of two roots), clamped to
    /// `[-1, 1]`, and `1 - similarity`. A zero vector gives `0 / 0`, and NaN stays NaN because
    /// `f64::clamp` passes NaN through.
    pub(crate) fn distance(self) -> f32 {
        let similarity =
            f64::from(self.dot) / (f64::from(self.norm_a) * f64::from(self.norm_b)).sqrt();
        (1.0 - similarity.clamp(-1.0, 1.0)) as f32
    }
}

#[cfg(test)]
mod tests {
    use super::CosineSums;

    #[test]
    fn zero_norm_is_nan() {
        let sums = CosineSums {
            dot: 0.0,
            norm_a: 0.0,
            norm_b: 4.0,
        };
        assert!(sums.distance().is_nan());
    }

    #[test]
    fn rounding_past_one_is_clamped() {
        // A dot product that rounding pushed slightly above the product of the norms.
        let sums = CosineSums {
            dot: 1.000_001,
            norm_a: 1.0,
            norm_b: 1.0,
        };
        assert_eq!(sums.distance(), 0.0);
        let opposite = CosineSums {
            dot: -1.000_001,
            norm_a: 1.0,
            norm_b: 1.0,
        };
        assert_eq!(opposite.distance(), 2.0);
    }
}
