//! Sparse kernels against dense references built by scattering the pairs: the scalar dense
//! `f32` kernels, and sums in `f64`.

use proptest::collection::vec;
use proptest::option::weighted;
use proptest::prelude::*;
use vec_simd::sparse::{self, SparseSlice};
use vec_simd::Implementation;

use crate::common::{close, proptest_config};

/// A sparse vector as (indices, values), from a dense list of optional values.
fn split(dense: &[Option<f32>]) -> (Vec<u32>, Vec<f32>) {
    dense
        .iter()
        .enumerate()
        .filter_map(|(index, value)| value.map(|value| (index as u32, value)))
        .unzip()
}

/// The dense vector with the pairs scattered into zeros.
fn scatter(dense: &[Option<f32>]) -> Vec<f32> {
    dense.iter().map(|value| value.unwrap_or(0.0)).collect()
}

/// Two optional-value lists of one random dimension in `1..=300`; about 30% of the values are
/// present, so the vectors share some indices and not others.
fn sparse_pair() -> impl Strategy<Value = (Vec<Option<f32>>, Vec<Option<f32>>)> {
    (1usize..=300).prop_flat_map(|dim| {
        let element = || weighted(0.3, -10.0f32..10.0);
        (vec(element(), dim), vec(element(), dim))
    })
}

proptest! {
    #![proptest_config(proptest_config())]

    #[test]
    fn sparse_matches_dense((a, b) in sparse_pair()) {
        let ((a_indices, a_values), (b_indices, b_values)) = (split(&a), split(&b));
        let sparse_a = SparseSlice::new(&a_indices, &a_values);
        let sparse_b = SparseSlice::new(&b_indices, &b_values);
        let (dense_a, dense_b) = (scatter(&a), scatter(&b));
        let dense = vec_simd::f32::kernels(Implementation::Scalar).unwrap();

        let pairs = || dense_a.iter().zip(&dense_b).map(|(x, y)| (f64::from(*x), f64::from(*y)));
        let dot_magnitude: f64 = pairs().map(|(x, y)| (x * y).abs()).sum();
        let l2: f64 = pairs().map(|(x, y)| (x - y) * (x - y)).sum();
        let l1: f64 = pairs().map(|(x, y)| (x - y).abs()).sum();

        let got = sparse::dot(sparse_a, sparse_b);
        prop_assert!(close(got, dense.dot(&dense_a, &dense_b), dot_magnitude), "dot {}", got);
        let got = sparse::l2_squared(sparse_a, sparse_b);
        prop_assert!(close(got, dense.l2_squared(&dense_a, &dense_b), l2), "l2 {}", got);
        prop_assert!(close(got, l2 as f32, l2), "l2 {} vs f64 {}", got, l2);
        let got = sparse::l1(sparse_a, sparse_b);
        prop_assert!(close(got, dense.l1(&dense_a, &dense_b), l1), "l1 {}", got);
        let got = sparse::cosine_distance(sparse_a, sparse_b);
        let expected = dense.cosine_distance(&dense_a, &dense_b);
        prop_assert!(close(got, expected, 0.0), "cosine {} vs dense {}", got, expected);
    }
}

#[test]
fn empty_and_disjoint_vectors() {
    let empty = SparseSlice::new(&[], &[]);
    let a = SparseSlice::new(&[0, 5], &[3.0, 4.0]);
    let b = SparseSlice::new(&[1, 7], &[1.0, -2.0]);
    assert_eq!(sparse::dot(empty, empty), 0.0);
    assert_eq!(sparse::l2_squared(empty, a), 25.0);
    assert_eq!(sparse::l1(a, empty), 7.0);
    assert!(sparse::cosine_distance(empty, empty).is_nan());
    assert!(sparse::cosine_distance(a, empty).is_nan());
    assert_eq!(sparse::dot(a, b), 0.0);
    assert_eq!(sparse::l2_squared(a, b), 30.0);
    assert_eq!(sparse::l1(a, b), 10.0);
    assert_eq!(sparse::cosine_distance(a, b), 1.0);
    assert_eq!(sparse::cosine_distance(a, a), 0.0);
}

#[test]
fn accessors_return_the_pairs() {
    let sparse = SparseSlice::new(&[2, 9], &[0.5, -1.5]);
    assert_eq!(sparse.indices(), &[2, 9]);
    assert_eq!(sparse.values(), &[0.5, -1.5]);
}

#[test]
fn mismatched_pairs_panic_with_a_message() {
    let result = std::panic::catch_unwind(|| SparseSlice::new(&[1, 2], &[1.0]));
    let message = crate::dispatch::panic_message(result.unwrap_err());
    assert!(
        message.contains("indices and values differ in length"),
        "{message}"
    );
}
