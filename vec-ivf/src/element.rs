//! Element types an index can hold: `f32` (`vector`), `f16` (`halfvec`) and packed bits
//! (`bit`, eight per byte, most significant bit first).
//!
//! The trait carries what k-means needs from a type — add a row into `f32` sums, store a mean
//! back as a row (pgvector's `sumCenter` and `updateCenter` in `ivfutils.c`) — plus norms for
//! spherical k-means and a conversion to `f32` for the quantizers. Everything is over plain
//! slices, so callers pass `vector.as_slice()`.

use std::fmt;

use vec_types::f16;

/// Which element type an index holds; stored in snapshot headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ElementKind {
    /// `f32`, pgvector's `vector`.
    F32,
    /// `f16`, pgvector's `halfvec`.
    F16,
    /// Packed bits, pgvector's `bit`.
    Bit,
}

impl ElementKind {
    /// The code written into snapshot headers.
    pub fn code(self) -> u8 {
        match self {
            ElementKind::F32 => 1,
            ElementKind::F16 => 2,
            ElementKind::Bit => 3,
        }
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for super::f16 {}
    impl Sealed for u8 {}
}

/// An element type of indexed rows. Implemented for `f32`, [`f16`](vec_types::f16) and `u8` (bit bytes).
pub trait Element:
    bytemuck::Pod + Default + PartialEq + Send + Sync + fmt::Debug + sealed::Sealed + 'static
{
    /// The kind, for snapshot headers.
    const KIND: ElementKind;
    /// pgvector's dimension limit for this type in an ivfflat index.
    const MAX_DIMENSIONS: usize;
    /// Elements stored per row of `dimensions` dimensions.
    fn stride(dimensions: usize) -> usize;
    /// Adds `row` into `sums` (one `f32` per dimension).
    fn add_to(row: &[Self], sums: &mut [f32]);
    /// Writes `mean` (one `f32` per dimension) as a row.
    fn store_mean(mean: &[f32], out: &mut [Self]);
    /// The squared L2 norm of `row`, in `f64` as pgvector's `l2_normalize` computes it.
    fn squared_norm(row: &[Self]) -> f64;
    /// Writes `row * factor` into `out`.
    fn scale(row: &[Self], factor: f64, out: &mut [Self]);
    /// Converts `row` into `out` (one `f32` per dimension).
    fn to_f32(row: &[Self], out: &mut [f32]);
}

/// 16,000 dimensions, the most a `vector` or `halfvec` value has (pgvector's IVFFlat stops
/// at 2,000 and 4,000, what fits on its 8 KiB pages).
pub const MAX_VECTOR_DIMENSIONS: usize = 16_000;

impl Element for f32 {
    const KIND: ElementKind = ElementKind::F32;
    const MAX_DIMENSIONS: usize = MAX_VECTOR_DIMENSIONS;
    fn stride(dimensions: usize) -> usize {
        dimensions
    }
    fn add_to(row: &[f32], sums: &mut [f32]) {
        for (sum, value) in sums.iter_mut().zip(row) {
            *sum += value;
        }
    }
    fn store_mean(mean: &[f32], out: &mut [f32]) {
        out.copy_from_slice(mean);
    }
    fn squared_norm(row: &[f32]) -> f64 {
        row.iter().map(|&value| value as f64 * value as f64).sum()
    }
    fn scale(row: &[f32], factor: f64, out: &mut [f32]) {
        for (target, &value) in out.iter_mut().zip(row) {
            *target = (value as f64 * factor) as f32;
        }
    }
    fn to_f32(row: &[f32], out: &mut [f32]) {
        out.copy_from_slice(row);
    }
}

impl Element for f16 {
    const KIND: ElementKind = ElementKind::F16;
    const MAX_DIMENSIONS: usize = MAX_VECTOR_DIMENSIONS;
    fn stride(dimensions: usize) -> usize {
        dimensions
    }
    fn add_to(row: &[f16], sums: &mut [f32]) {
        for (sum, value) in sums.iter_mut().zip(row) {
            *sum += value.to_f32();
        }
    }
    fn store_mean(mean: &[f32], out: &mut [f16]) {
        for (target, &value) in out.iter_mut().zip(mean) {
            *target = f16::from_f32(value);
        }
    }
    fn squared_norm(row: &[f16]) -> f64 {
        row.iter()
            .map(|value| value.to_f64() * value.to_f64())
            .sum()
    }
    fn scale(row: &[f16], factor: f64, out: &mut [f16]) {
        for (target, value) in out.iter_mut().zip(row) {
            *target = f16::from_f64(value.to_f64() * factor);
        }
    }
    fn to_f32(row: &[f16], out: &mut [f32]) {
        for (target, value) in out.iter_mut().zip(row) {
            *target = value.to_f32();
        }
    }
}

impl Element for u8 {
    const KIND: ElementKind = ElementKind::Bit;
    const MAX_DIMENSIONS: usize = 64000;
    fn stride(dimensions: usize) -> usize {
        dimensions.div_ceil(8)
    }
    fn add_to(row: &[u8], sums: &mut [f32]) {
        for (bit_idx, sum) in sums.iter_mut().enumerate() {
            *sum += ((row[bit_idx / 8] >> (7 - bit_idx % 8)) & 1) as f32;
        }
    }
    fn store_mean(mean: &[f32], out: &mut [u8]) {
        out.fill(0);
        for (bit_idx, &value) in mean.iter().enumerate() {
            if value > 0.5 {
                out[bit_idx / 8] |= 1 << (7 - bit_idx % 8);
            }
        }
    }
    fn squared_norm(row: &[u8]) -> f64 {
        row.iter().map(|byte| byte.count_ones() as f64).sum()
    }
    fn scale(row: &[u8], _factor: f64, out: &mut [u8]) {
        out.copy_from_slice(row);
    }
    fn to_f32(row: &[u8], out: &mut [f32]) {
        for (bit_idx, target) in out.iter_mut().enumerate() {
            *target = ((row[bit_idx / 8] >> (7 - bit_idx % 8)) & 1) as f32;
        }
    }
}

/// Normalizes `row` to unit L2 norm into `out`; returns false (and leaves `out` alone) for a
/// zero row, which pgvector skips in cosine and spherical indexes.
pub(crate) fn normalize_into<E: Element>(row: &[E], out: &mut [E]) -> bool {
    let norm = E::squared_norm(row).sqrt();
    if norm == 0.0 || !norm.is_finite() {
        return false;
    }
    E::scale(row, 1.0 / norm, out);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_means_round_to_majority() {
        let rows: [&[u8]; 3] = [&[0b1010_0000], &[0b1000_0000], &[0b0010_0000]];
        let mut sums = vec![0.0f32; 3];
        for row in rows {
            u8::add_to(row, &mut sums);
        }
        let mean: Vec<f32> = sums.iter().map(|sum| sum / 3.0).collect();
        let mut out = [0u8];
        u8::store_mean(&mean, &mut out);
        assert_eq!(out, [0b1010_0000]);
    }

    #[test]
    fn normalize_skips_zero_rows() {
        let mut out = [0.0f32; 2];
        assert!(!normalize_into(&[0.0f32, 0.0], &mut out));
        assert!(normalize_into(&[3.0f32, 4.0], &mut out));
        assert_eq!(out, [0.6, 0.8]);
        let mut half_out = [f16::ZERO; 2];
        assert!(normalize_into(
            &[f16::from_f32(3.0), f16::from_f32(4.0)],
            &mut half_out
        ));
        assert!((half_out[1].to_f32() - 0.8).abs() < 1e-3);
    }
}
