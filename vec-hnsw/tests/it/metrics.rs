//! Recall for the other element types: `halfvec`, `bit` (Hamming, Jaccard) and
//! `sparsevec`, as pgvector's `02x_hnsw_*_recall` TAP tests. Each index is built from half
//! the rows and the other half inserted, so both paths are measured.

use crate::common::{recall, tap_queries, tap_vectors, Rng};
use vec_hnsw::store::{SparseBuf, VectorStore};
use vec_hnsw::{
    Cosine, Hamming, Hnsw, HnswOptions, InnerProduct, Jaccard, Metric, Sparse, VectorBuf, L1, L2,
};
use vec_types::f16;

const N: usize = 10_000;

fn build_half_insert_half<M: Metric>(rows: &[(u64, VectorBuf<M>)], dims: usize) -> Hnsw<M> {
    let half = rows.len() / 2;
    let mut index = Hnsw::<M>::build(
        dims,
        HnswOptions::default(),
        rows[..half]
            .iter()
            .map(|(row, v)| (*row, M::Store::view(v))),
    )
    .expect("build");
    for (row, v) in &rows[half..] {
        index.insert(*row, M::Store::view(v)).expect("insert");
    }
    index
}

fn check<M: Metric>(
    rows: Vec<(u64, VectorBuf<M>)>,
    queries: Vec<VectorBuf<M>>,
    dims: usize,
    min: f64,
) {
    let index = build_half_insert_half::<M>(&rows, dims);
    let found = recall(&index, &rows, &queries, 20);
    assert!(
        found >= min,
        "{} recall {found}",
        std::any::type_name::<M>()
    );
}

fn halves(seed: u64) -> crate::common::DataSet<f16> {
    let mut rng = Rng::new(seed);
    let to_half = |v: Vec<f32>| v.into_iter().map(f16::from_f32).collect::<Vec<_>>();
    let rows = tap_vectors(&mut rng, N, 3)
        .into_iter()
        .enumerate()
        .map(|(i, v)| (i as u64, to_half(v)))
        .collect();
    let queries = tap_queries(&mut rng, 20, 3)
        .into_iter()
        .map(to_half)
        .collect();
    (rows, queries)
}

#[test]
fn halfvec_all_metrics() {
    let (rows, queries) = halves(11);
    check::<L2<f16>>(rows.clone(), queries.clone(), 3, 0.99);
    check::<InnerProduct<f16>>(rows.clone(), queries.clone(), 3, 0.97);
    check::<Cosine<f16>>(rows.clone(), queries.clone(), 3, 0.99);
    check::<L1<f16>>(rows, queries, 3, 0.99);
}

fn bits(seed: u64, n: usize) -> Vec<Vec<u8>> {
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|_| rng.next_u64().to_be_bytes().to_vec())
        .collect()
}

#[test]
fn bit_hamming_and_jaccard() {
    // 64-bit vectors. Hamming distances tie often, so
    // recall is measured against the exact distance of the k-th row rather than row ids.
    let rows: Vec<(u64, Vec<u8>)> = bits(21, N)
        .into_iter()
        .enumerate()
        .map(|(i, v)| (i as u64, v))
        .collect();
    let queries = bits(22, 20);
    for_bits::<Hamming>(&rows, &queries);
    for_bits::<Jaccard>(&rows, &queries);
}

fn for_bits<M: Metric<Store = vec_hnsw::store::DenseStore<u8>>>(
    rows: &[(u64, Vec<u8>)],
    queries: &[Vec<u8>],
) {
    let index = build_half_insert_half::<M>(rows, 64);
    // As pgvector's bit recall tests: ef_search 100, at least 0.98 (Hamming) or 0.95
    // (Jaccard).
    let options = vec_hnsw::SearchOptions {
        ef_search: 100,
        ..vec_hnsw::SearchOptions::default()
    };
    let min = if M::ID == 4 { 0.98 } else { 0.95 };
    let (mut correct, mut total) = (0, 0);
    for query in queries {
        let mut exact: Vec<f32> = rows.iter().map(|(_, v)| M::distance(query, v)).collect();
        exact.sort_by(f32::total_cmp);
        let kth = exact[19];
        let hits = index.search(query, 20, &options).expect("search");
        correct += hits
            .iter()
            .filter(|h| M::distance(query, &rows[h.row_id as usize].1) <= kth)
            .count();
        total += 20;
    }
    let found = correct as f64 / total as f64;
    assert!(
        found >= min,
        "{} recall {found}",
        std::any::type_name::<M>()
    );
}

fn sparse(seed: u64, n: usize, unit: bool) -> Vec<SparseBuf> {
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|_| {
            let mut buf = SparseBuf::default();
            for index in 0..3u32 {
                let value = if unit {
                    rng.unit()
                } else {
                    rng.unit() * rng.unit()
                };
                if value != 0.0 {
                    buf.indices.push(index);
                    buf.values.push(value);
                }
            }
            buf
        })
        .collect()
}

#[test]
fn sparsevec_all_metrics() {
    let rows: Vec<(u64, SparseBuf)> = sparse(31, N, false)
        .into_iter()
        .enumerate()
        .map(|(i, v)| (i as u64, v))
        .collect();
    let queries = sparse(32, 20, true);
    check::<L2<Sparse>>(rows.clone(), queries.clone(), 3, 0.99);
    check::<InnerProduct<Sparse>>(rows.clone(), queries.clone(), 3, 0.97);
    check::<Cosine<Sparse>>(rows.clone(), queries.clone(), 3, 0.99);
    check::<L1<Sparse>>(rows, queries, 3, 0.99);
}
