//! Recall against exact search, as pgvector's `0xx_hnsw_*_build_recall` and
//! `0xx_hnsw_*_insert_recall` TAP tests measure it: 10,000 vectors, 20 queries, top 20,
//! at least 0.99 (0.97 for inner product).

use crate::common::{exact, recall, tap_queries, tap_vectors, Rng};
use vec_hnsw::store::VectorStore;
use vec_hnsw::{Cosine, InnerProduct, L1, L2};
use vec_hnsw::{Hnsw, HnswOptions, Metric, VectorBuf};

const N: usize = 10_000;
const QUERIES: usize = 20;
const K: usize = 20;

fn min_recall<M: Metric>() -> f64 {
    if M::ID == 1 {
        0.97
    } else {
        0.99
    }
}

/// Builds from half the rows and inserts the other half, then checks recall; for L2 also
/// builds from all rows at once.
fn check_build_and_insert<M: Metric>(
    rows: Vec<(u64, VectorBuf<M>)>,
    queries: Vec<VectorBuf<M>>,
    dims: usize,
) {
    let options = HnswOptions::default();
    if M::ID == 0 {
        let index = Hnsw::<M>::build(
            dims,
            options.clone(),
            rows.iter().map(|(row, v)| (*row, M::Store::view(v))),
        )
        .expect("build");
        let built = recall(&index, &rows, &queries, K);
        assert!(built >= min_recall::<M>(), "build recall {built}");
    }
    let half = rows.len() / 2;
    let mut index = Hnsw::<M>::build(
        dims,
        options,
        rows[..half]
            .iter()
            .map(|(row, v)| (*row, M::Store::view(v))),
    )
    .expect("build");
    for (row, v) in &rows[half..] {
        index.insert(*row, M::Store::view(v)).expect("insert");
    }
    let inserted = recall(&index, &rows, &queries, K);
    assert!(inserted >= min_recall::<M>(), "insert recall {inserted}");
    let _ = exact::<M>;
}

fn f32_data(seed: u64) -> crate::common::DataSet<f32> {
    let mut rng = Rng::new(seed);
    let rows = tap_vectors(&mut rng, N, 3)
        .into_iter()
        .enumerate()
        .map(|(i, v)| (i as u64 + 1, v))
        .collect();
    (rows, tap_queries(&mut rng, QUERIES, 3))
}

#[test]
fn vector_l2() {
    let (rows, queries) = f32_data(1);
    check_build_and_insert::<L2<f32>>(rows, queries, 3);
}

#[test]
fn vector_inner_product() {
    let (rows, queries) = f32_data(2);
    check_build_and_insert::<InnerProduct<f32>>(rows, queries, 3);
}

#[test]
fn vector_cosine() {
    let (rows, queries) = f32_data(3);
    check_build_and_insert::<Cosine<f32>>(rows, queries, 3);
}

#[test]
fn vector_l1() {
    let (rows, queries) = f32_data(4);
    check_build_and_insert::<L1<f32>>(rows, queries, 3);
}
