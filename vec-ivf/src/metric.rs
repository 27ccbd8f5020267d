//! Metrics as zero-sized types that the index is monomorphized over: [`L2`], [`InnerProduct`]
//! and [`Cosine`] for `f32` and `f16`, [`Hamming`] for bits.
//!
//! Each metric gives two distances, as pgvector's opclasses do (support functions 1 and 3):
//! the *order distance* that scans sort by and lists are chosen by (squared L2, negative inner
//! product, `1 - dot` of unit vectors, Hamming), and the *k-means distance*, a true metric
//! for Elkan's triangle-inequality bounds (L2, the angle between unit vectors, Hamming).
//! Cosine stores unit rows; inner product and cosine run spherical k-means. The kernels are
//! `vec_types::simd`'s.

use std::fmt;

use vec_types::f16;
use vec_types::simd;

use crate::element::Element;

/// Which metric an index uses; stored in snapshot headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MetricKind {
    /// Euclidean distance (`<->`, `vector_l2_ops`).
    L2,
    /// Negative inner product (`<#>`, `vector_ip_ops`).
    InnerProduct,
    /// Cosine distance (`<=>`, `vector_cosine_ops`).
    Cosine,
    /// Hamming distance (`<~>`, `bit_hamming_ops`).
    Hamming,
}

impl MetricKind {
    /// The code written into snapshot headers.
    pub fn code(self) -> u8 {
        match self {
            MetricKind::L2 => 1,
            MetricKind::InnerProduct => 2,
            MetricKind::Cosine => 3,
            MetricKind::Hamming => 4,
        }
    }
}

/// A metric over rows of element type `E`.
pub trait Metric<E: Element>: Copy + Default + Send + Sync + fmt::Debug + 'static {
    /// The kind, for snapshot headers.
    const KIND: MetricKind;
    /// Rows and queries are stored and compared as unit vectors; zero rows are not indexed.
    const NORMALIZES_ROWS: bool;
    /// k-means runs on unit vectors and keeps unit centers (spherical k-means).
    const SPHERICAL: bool;
    /// The order distance: smaller is nearer.
    fn distance(a: &[E], b: &[E]) -> f32;
    /// A true metric consistent with the order distance, for k-means bounds.
    fn kmeans_distance(a: &[E], b: &[E]) -> f32;

    /// Turns an order distance into the distance the SQL operator returns (the square root
    /// for [`L2`], whose scans order by the square; the others are the same).
    #[inline]
    fn report(distance: f32) -> f32 {
        distance
    }

    /// The order distances of `query` to each of the `out.len()` rows stored back to back in
    /// `rows` (each `query.len()` elements), as a list holds them. The dense metrics use the
    /// batched kernels of `vec_types::simd` (one call per run of rows, not one per row), whose
    /// results may differ from [`Metric::distance`]'s by rounding; the default calls
    /// [`Metric::distance`] row by row.
    ///
    /// # Panics
    ///
    /// When `rows.len()` is not `out.len() * query.len()`.
    #[inline]
    fn distances(query: &[E], rows: &[E], out: &mut [f32]) {
        assert_eq!(
            rows.len(),
            query.len() * out.len(),
            "rows do not fill `out`"
        );
        if query.is_empty() {
            out.fill(Self::distance(query, query));
            return;
        }
        for (row, slot) in rows.chunks_exact(query.len()).zip(out) {
            *slot = Self::distance(query, row);
        }
    }
}

/// Euclidean distance; scans order by its square.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct L2;

/// Negative inner product, as pgvector's `<#>`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InnerProduct;

/// Cosine distance `1 - cos(a, b)`; rows are stored normalized.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cosine;

/// Hamming distance between bit strings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Hamming;

fn angle(dot: f32) -> f32 {
    dot.clamp(-1.0, 1.0).acos()
}

macro_rules! dense_metrics {
    ($element:ty, $kernels:path) => {
        impl Metric<$element> for L2 {
            const KIND: MetricKind = MetricKind::L2;
            const NORMALIZES_ROWS: bool = false;
            const SPHERICAL: bool = false;
            #[inline]
            fn distance(a: &[$element], b: &[$element]) -> f32 {
                use $kernels as kernels;
                kernels::l2_squared(a, b)
            }
            #[inline]
            fn kmeans_distance(a: &[$element], b: &[$element]) -> f32 {
                use $kernels as kernels;
                kernels::l2_squared(a, b).sqrt()
            }
            #[inline]
            fn report(distance: f32) -> f32 {
                // Quantized code distances can dip just below zero.
                distance.max(0.0).sqrt()
            }
            #[inline]
            fn distances(query: &[$element], rows: &[$element], out: &mut [f32]) {
                use $kernels as kernels;
                kernels::l2_squared_many(query, rows, out);
            }
        }

        impl Metric<$element> for InnerProduct {
            const KIND: MetricKind = MetricKind::InnerProduct;
            const NORMALIZES_ROWS: bool = false;
            const SPHERICAL: bool = true;
            #[inline]
            fn distance(a: &[$element], b: &[$element]) -> f32 {
                use $kernels as kernels;
                -kernels::dot(a, b)
            }
            #[inline]
            fn kmeans_distance(a: &[$element], b: &[$element]) -> f32 {
                use $kernels as kernels;
                angle(kernels::dot(a, b))
            }
            #[inline]
            fn distances(query: &[$element], rows: &[$element], out: &mut [f32]) {
                use $kernels as kernels;
                kernels::dot_many(query, rows, out);
                out.iter_mut().for_each(|distance| *distance = -*distance);
            }
        }

        impl Metric<$element> for Cosine {
            const KIND: MetricKind = MetricKind::Cosine;
            const NORMALIZES_ROWS: bool = true;
            const SPHERICAL: bool = true;
            #[inline]
            fn distance(a: &[$element], b: &[$element]) -> f32 {
                use $kernels as kernels;
                1.0 - kernels::dot(a, b)
            }
            #[inline]
            fn kmeans_distance(a: &[$element], b: &[$element]) -> f32 {
                use $kernels as kernels;
                angle(kernels::dot(a, b))
            }
            #[inline]
            fn distances(query: &[$element], rows: &[$element], out: &mut [f32]) {
                use $kernels as kernels;
                kernels::dot_many(query, rows, out);
                out.iter_mut()
                    .for_each(|distance| *distance = 1.0 - *distance);
            }
        }
    };
}

dense_metrics!(f32, simd::f32);
dense_metrics!(f16, simd::f16);

impl Metric<u8> for Hamming {
    const KIND: MetricKind = MetricKind::Hamming;
    const NORMALIZES_ROWS: bool = false;
    const SPHERICAL: bool = false;
    #[inline]
    fn distance(a: &[u8], b: &[u8]) -> f32 {
        simd::bits::hamming(a, b) as f32
    }
    #[inline]
    fn kmeans_distance(a: &[u8], b: &[u8]) -> f32 {
        simd::bits::hamming(a, b) as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_distances() {
        let a = [1.0f32, 0.0];
        let b = [0.0f32, 1.0];
        assert_eq!(<L2 as Metric<f32>>::distance(&a, &b), 2.0);
        assert_eq!(<InnerProduct as Metric<f32>>::distance(&a, &a), -1.0);
        assert_eq!(<Cosine as Metric<f32>>::distance(&a, &b), 1.0);
        let right_angle = <Cosine as Metric<f32>>::kmeans_distance(&a, &b);
        assert!((right_angle - std::f32::consts::FRAC_PI_2).abs() < 1e-6);
        assert_eq!(
            <Hamming as Metric<u8>>::distance(&[0b1010_0000], &[0b0110_0000]),
            2.0
        );
    }
}
