//! pgvector's bit distances, `hamming_distance` (`<~>`) and `jaccard_distance` (`<%>`),
//! computed by `vec-simd` over the packed bytes.

use super::BitVector;
use crate::TypeError;

impl BitVector {
    /// Number of differing bits, as `double precision` like pgvector's `hamming_distance`.
    /// Errors with `different bit lengths 3 and 2` when the lengths differ.
    pub fn hamming_distance(&self, other: &BitVector) -> Result<f64, TypeError> {
        self.check_same_len(other)?;
        Ok(vec_simd::bits::hamming(&self.bytes, &other.bytes) as f64)
    }

    /// Jaccard distance `1 - |a ∧ b| / |a ∨ b|` (1 when both have no bits set), as
    /// pgvector's `jaccard_distance`. Errors when the lengths differ.
    pub fn jaccard_distance(&self, other: &BitVector) -> Result<f64, TypeError> {
        self.check_same_len(other)?;
        Ok(vec_simd::bits::jaccard(&self.bytes, &other.bytes))
    }

    fn check_same_len(&self, other: &BitVector) -> Result<(), TypeError> {
        if self.len != other.len {
            return Err(TypeError::DifferentBitLengths {
                left: self.len,
                right: other.len,
            });
        }
        Ok(())
    }
}
