//! Metrics: zero-sized types that tie a vector storage kind to a distance function, so the
//! graph code is monomorphized per metric with no dynamic dispatch in its inner loop.
//!
//! Distances are what the index orders by, smallest first: squared L2 (reported as L2),
//! negative inner product (pgvector's `<#>`), cosine distance (vectors are normalized when
//! they enter the index, as pgvector's HNSW opclasses do, so the distance is one minus a dot
//! product), L1, Hamming and Jaccard. Under cosine, zero vectors are not indexed.

use crate::quant::CodeDistance;
use crate::store::SparseBuf;
use crate::store::{DenseStore, SparseStore, VectorStore};
use std::marker::PhantomData;
use vec_types::f16;
use vec_types::simd;
use vec_types::simd::sparse::SparseSlice;

/// A borrowed vector of the kind metric `M` indexes.
pub type VectorRef<'a, M> = <<M as Metric>::Store as VectorStore>::Ref<'a>;
/// An owned vector of the kind metric `M` indexes.
pub type VectorBuf<M> = <<M as Metric>::Store as VectorStore>::Buf;

/// A distance over one kind of vector.
pub trait Metric: Copy + Default + Send + Sync + 'static {
    /// Where vectors of this kind are stored.
    type Store: VectorStore;
    /// The metric's number in the snapshot header.
    const ID: u8;
    /// How the distance follows from quantized codes' estimates; `None` when the metric
    /// cannot be estimated from codes (L1, bits, sparse vectors).
    const CODE_DISTANCE: Option<CodeDistance> = None;
    /// The distance the index orders by; smaller is closer.
    fn distance(a: VectorRef<'_, Self>, b: VectorRef<'_, Self>) -> f32;
    /// Copies `input` into `out` in the form the index stores (normalized under cosine).
    /// Returns false when the vector is not indexed (a zero vector under cosine).
    fn prepare(input: VectorRef<'_, Self>, out: &mut VectorBuf<Self>) -> bool;
    /// Turns an internal distance into the distance the SQL operator returns.
    fn report(distance: f32) -> f32 {
        distance
    }
}

/// Marker for sparse vectors (`sparsevec`) in a metric's type parameter.
#[derive(Clone, Copy, Debug, Default)]
pub struct Sparse;

macro_rules! marker_metric {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        pub struct $name<E = f32>(PhantomData<fn() -> E>);
        impl<E> Clone for $name<E> {
            fn clone(&self) -> Self {
                *self
            }
        }
        impl<E> Copy for $name<E> {}
        impl<E> Default for $name<E> {
            fn default() -> Self {
                $name(PhantomData)
            }
        }
        impl<E> std::fmt::Debug for $name<E> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(stringify!($name))
            }
        }
    };
}

marker_metric!(
    /// Euclidean distance (`<->`); `E` is `f32`, `f16` or [`Sparse`].
    L2
);
marker_metric!(
    /// Negative inner product (`<#>`); `E` is `f32`, `f16` or [`Sparse`].
    InnerProduct
);
marker_metric!(
    /// Cosine distance (`<=>`); `E` is `f32`, `f16` or [`Sparse`].
    Cosine
);
marker_metric!(
    /// Manhattan distance (`<+>`); `E` is `f32`, `f16` or [`Sparse`].
    L1
);

/// Hamming distance between bit vectors (`<~>`).
#[derive(Clone, Copy, Debug, Default)]
pub struct Hamming;

/// Jaccard distance between bit vectors (`<%>`).
#[derive(Clone, Copy, Debug, Default)]
pub struct Jaccard;

fn copy_dense<E: Copy>(input: &[E], out: &mut Vec<E>) {
    out.clear();
    out.extend_from_slice(input);
}

macro_rules! dense_metrics {
    ($elem:ty, $kernels:path, $to:expr, $from:expr) => {
        impl Metric for L2<$elem> {
            type Store = DenseStore<$elem>;
            const ID: u8 = 0;
            const CODE_DISTANCE: Option<CodeDistance> = Some(CodeDistance::L2Squared);
            #[inline]
            fn distance(a: &[$elem], b: &[$elem]) -> f32 {
                use $kernels as k;
                k::l2_squared(a, b)
            }
            fn prepare(input: &[$elem], out: &mut Vec<$elem>) -> bool {
                copy_dense(input, out);
                true
            }
            fn report(distance: f32) -> f32 {
                distance.sqrt()
            }
        }
        impl Metric for InnerProduct<$elem> {
            type Store = DenseStore<$elem>;
            const ID: u8 = 1;
            const CODE_DISTANCE: Option<CodeDistance> = Some(CodeDistance::NegativeDot);
            #[inline]
            fn distance(a: &[$elem], b: &[$elem]) -> f32 {
                use $kernels as k;
                -k::dot(a, b)
            }
            fn prepare(input: &[$elem], out: &mut Vec<$elem>) -> bool {
                copy_dense(input, out);
                true
            }
        }
        impl Metric for Cosine<$elem> {
            type Store = DenseStore<$elem>;
            const ID: u8 = 2;
            const CODE_DISTANCE: Option<CodeDistance> = Some(CodeDistance::CosineDot);
            #[inline]
            fn distance(a: &[$elem], b: &[$elem]) -> f32 {
                use $kernels as k;
                1.0 - k::dot(a, b)
            }
            fn prepare(input: &[$elem], out: &mut Vec<$elem>) -> bool {
                let to_f32 = $to;
                let from_f32 = $from;
                let norm = input
                    .iter()
                    .map(|&x| to_f32(x) as f64 * to_f32(x) as f64)
                    .sum::<f64>()
                    .sqrt();
                if !(norm > 0.0 && norm.is_finite()) {
                    return false;
                }
                out.clear();
                out.extend(
                    input
                        .iter()
                        .map(|&x| from_f32((to_f32(x) as f64 / norm) as f32)),
                );
                true
            }
        }
        impl Metric for L1<$elem> {
            type Store = DenseStore<$elem>;
            const ID: u8 = 3;
            #[inline]
            fn distance(a: &[$elem], b: &[$elem]) -> f32 {
                use $kernels as k;
                k::l1(a, b)
            }
            fn prepare(input: &[$elem], out: &mut Vec<$elem>) -> bool {
                copy_dense(input, out);
                true
            }
        }
    };
}

dense_metrics!(f32, simd::f32, |x: f32| x, |x: f32| x);
dense_metrics!(f16, simd::f16, |x: f16| x.to_f32(), f16::from_f32);

impl Metric for Hamming {
    type Store = DenseStore<u8>;
    const ID: u8 = 4;
    #[inline]
    fn distance(a: &[u8], b: &[u8]) -> f32 {
        simd::bits::hamming(a, b) as f32
    }
    fn prepare(input: &[u8], out: &mut Vec<u8>) -> bool {
        copy_dense(input, out);
        true
    }
}

impl Metric for Jaccard {
    type Store = DenseStore<u8>;
    const ID: u8 = 5;
    #[inline]
    fn distance(a: &[u8], b: &[u8]) -> f32 {
        simd::bits::jaccard(a, b) as f32
    }
    fn prepare(input: &[u8], out: &mut Vec<u8>) -> bool {
        copy_dense(input, out);
        true
    }
}

fn copy_sparse(input: SparseSlice<'_>, out: &mut SparseBuf) {
    out.indices.clear();
    out.indices.extend_from_slice(input.indices());
    out.values.clear();
    out.values.extend_from_slice(input.values());
}

impl Metric for L2<Sparse> {
    type Store = SparseStore;
    const ID: u8 = 0;
    fn distance(a: SparseSlice<'_>, b: SparseSlice<'_>) -> f32 {
        simd::sparse::l2_squared(a, b)
    }
    fn prepare(input: SparseSlice<'_>, out: &mut SparseBuf) -> bool {
        copy_sparse(input, out);
        true
    }
    fn report(distance: f32) -> f32 {
        distance.sqrt()
    }
}

impl Metric for InnerProduct<Sparse> {
    type Store = SparseStore;
    const ID: u8 = 1;
    fn distance(a: SparseSlice<'_>, b: SparseSlice<'_>) -> f32 {
        -simd::sparse::dot(a, b)
    }
    fn prepare(input: SparseSlice<'_>, out: &mut SparseBuf) -> bool {
        copy_sparse(input, out);
        true
    }
}

impl Metric for Cosine<Sparse> {
    type Store = SparseStore;
    const ID: u8 = 2;
    fn distance(a: SparseSlice<'_>, b: SparseSlice<'_>) -> f32 {
        1.0 - simd::sparse::dot(a, b)
    }
    fn prepare(input: SparseSlice<'_>, out: &mut SparseBuf) -> bool {
        let norm = input
            .values()
            .iter()
            .map(|&x| x as f64 * x as f64)
            .sum::<f64>()
            .sqrt();
        if !(norm > 0.0 && norm.is_finite()) {
            return false;
        }
        copy_sparse(input, out);
        for value in &mut out.values {
            *value = (*value as f64 / norm) as f32;
        }
        true
    }
}

impl Metric for L1<Sparse> {
    type Store = SparseStore;
    const ID: u8 = 3;
    fn distance(a: SparseSlice<'_>, b: SparseSlice<'_>) -> f32 {
        simd::sparse::l1(a, b)
    }
    fn prepare(input: SparseSlice<'_>, out: &mut SparseBuf) -> bool {
        copy_sparse(input, out);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cosine_normalizes_and_skips_zero() {
        let mut out = Vec::new();
        assert!(!<Cosine<f32>>::prepare(&[0.0, 0.0], &mut out));
        assert!(<Cosine<f32>>::prepare(&[3.0, 4.0], &mut out));
        assert_eq!(out, vec![0.6, 0.8]);
        let d = <Cosine<f32>>::distance(&out, &out);
        assert!(d.abs() < 1e-6);
        assert_eq!(
            <L2<f32>>::report(<L2<f32>>::distance(&[0.0, 0.0], &[3.0, 4.0])),
            5.0
        );
        assert_eq!(
            <InnerProduct<f32>>::distance(&[1.0, 2.0], &[3.0, 4.0]),
            -11.0
        );
        assert_eq!(Hamming::distance(&[0b1010_0000], &[0b0110_0000]), 2.0);
    }
}
