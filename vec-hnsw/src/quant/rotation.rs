//! The random rotation RaBitQ applies before it keeps one sign bit per dimension: a
//! structured stand-in for a random orthogonal matrix that costs `O(D log D)` per vector
//! and stores only sign flips, so that it also serves 16,000-dimension vectors (a dense
//! `D × D` matrix would take a gigabyte there).
//!
//! A vector of `D` dimensions is padded with zeros to `P` = `D` rounded up to a multiple of
//! 64. Each of [`ROUNDS`] rounds flips the signs of the coordinates with its own random ±1
//! pattern and then applies a normalized fast Walsh–Hadamard transform to a block of `H`
//! coordinates, `H` being the largest power of two not above `P`: the first `H` coordinates
//! in even rounds and the last `H` in odd ones (the same block when `P` is a power of two).
//! Every step is orthogonal, so the whole is: norms and inner products are kept exactly
//! (up to rounding), and after three rounds every output depends on every input.

use crate::level::mix64;

/// Rounds of sign flip and transform.
pub(crate) const ROUNDS: usize = 4;

/// A fixed rotation of `P`-dimensional space (see the module's documentation).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Rotation {
    dimensions: usize,
    padded: usize,
    block: usize,
    /// `ROUNDS × padded` signs, +1 or -1.
    signs: Vec<f32>,
}

impl Rotation {
    /// The rotation for `dimensions`-dimensional vectors drawn from `seed`.
    pub(crate) fn new(dimensions: usize, seed: u64) -> Rotation {
        let padded = padded_dimensions(dimensions);
        let block = 1usize << (usize::BITS - 1 - padded.leading_zeros());
        let signs = (0..ROUNDS * padded)
            .map(|position| {
                let bit = mix64(seed ^ mix64(0x005e_ed0f_d1ce ^ position as u64)) & 1;
                if bit == 1 {
                    -1.0
                } else {
                    1.0
                }
            })
            .collect();
        Rotation {
            dimensions,
            padded,
            block,
            signs,
        }
    }

    /// Dimensions after padding (a multiple of 64).
    pub(crate) fn padded(&self) -> usize {
        self.padded
    }

    /// Rotates `input` (of the rotation's dimensions) into `out` (padded).
    pub(crate) fn apply(&self, input: &[f32], out: &mut Vec<f32>) {
        out.clear();
        out.extend_from_slice(&input[..self.dimensions.min(input.len())]);
        out.resize(self.padded, 0.0);
        let scale = 1.0 / (self.block as f32).sqrt();
        for round in 0..ROUNDS {
            let signs = &self.signs[round * self.padded..(round + 1) * self.padded];
            for (value, sign) in out.iter_mut().zip(signs) {
                *value *= sign;
            }
            let start = if round % 2 == 0 {
                0
            } else {
                self.padded - self.block
            };
            let block = &mut out[start..start + self.block];
            walsh_hadamard(block);
            for value in block.iter_mut() {
                *value *= scale;
            }
        }
    }
}

/// `dimensions` rounded up to a multiple of 64 (at least 64).
pub(crate) fn padded_dimensions(dimensions: usize) -> usize {
    dimensions.max(1).div_ceil(64) * 64
}

/// The unnormalized fast Walsh–Hadamard transform, in place; `values.len()` is a power of
/// two.
fn walsh_hadamard(values: &mut [f32]) {
    let mut half = 1;
    while half < values.len() {
        for pair in values.chunks_exact_mut(2 * half) {
            let (low, high) = pair.split_at_mut(half);
            for (a, b) in low.iter_mut().zip(high.iter_mut()) {
                let (x, y) = (*a, *b);
                *a = x + y;
                *b = x - y;
            }
        }
        half *= 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dot(a: &[f32], b: &[f32]) -> f32 {
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }

    #[test]
    fn keeps_norms_and_inner_products() {
        for dimensions in [1, 3, 64, 100, 384, 1000, 3072] {
            let rotation = Rotation::new(dimensions, 7);
            assert_eq!(rotation.padded() % 64, 0);
            let a: Vec<f32> = (0..dimensions)
                .map(|i| ((i * 7 + 3) % 11) as f32 - 5.0)
                .collect();
            let b: Vec<f32> = (0..dimensions)
                .map(|i| ((i * 5 + 1) % 13) as f32 - 6.0)
                .collect();
            let (mut ra, mut rb) = (Vec::new(), Vec::new());
            rotation.apply(&a, &mut ra);
            rotation.apply(&b, &mut rb);
            let scale = dot(&a, &a).max(1.0);
            assert!(
                (dot(&ra, &ra) - dot(&a, &a)).abs() <= 1e-4 * scale,
                "{dimensions}"
            );
            assert!(
                (dot(&ra, &rb) - dot(&a, &b)).abs() <= 1e-4 * scale,
                "{dimensions}"
            );
        }
    }

    #[test]
    fn spreads_a_single_coordinate() {
        let rotation = Rotation::new(384, 1);
        let mut unit = vec![0.0; 384];
        unit[383] = 1.0;
        let mut out = Vec::new();
        rotation.apply(&unit, &mut out);
        let largest = out.iter().fold(0.0f32, |m, v| m.max(v.abs()));
        assert!(largest < 0.2, "{largest}");
    }
}
