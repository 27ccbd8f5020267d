//! Shared fixtures: a seeded generator, data sets shaped like pgvector's TAP tests, exact
//! search and recall.

use vec_hnsw::store::VectorStore;
use vec_hnsw::{Hnsw, Metric, SearchOptions, VectorBuf};

/// Rows with their ids, and queries.
pub type DataSet<T> = (Vec<(u64, Vec<T>)>, Vec<Vec<T>>);

/// A small seeded generator (SplitMix64), so tests need no extra crates.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32
    }
}

/// pgvector's TAP data: each coordinate is `random() * random()`.
pub fn tap_vectors(rng: &mut Rng, n: usize, dims: usize) -> Vec<Vec<f32>> {
    (0..n)
        .map(|_| (0..dims).map(|_| rng.unit() * rng.unit()).collect())
        .collect()
}

/// pgvector's TAP queries: each coordinate is `rand()`.
pub fn tap_queries(rng: &mut Rng, n: usize, dims: usize) -> Vec<Vec<f32>> {
    (0..n)
        .map(|_| (0..dims).map(|_| rng.unit()).collect())
        .collect()
}

/// Exact top-`k` row ids by brute force over prepared vectors.
pub fn exact<M: Metric>(rows: &[(u64, VectorBuf<M>)], query: &VectorBuf<M>, k: usize) -> Vec<u64> {
    let mut prepared_query = VectorBuf::<M>::default();
    if !M::prepare(M::Store::view(query), &mut prepared_query) {
        return Vec::new();
    }
    let mut scored: Vec<(f32, u64)> = rows
        .iter()
        .filter_map(|(row, v)| {
            let mut prepared = VectorBuf::<M>::default();
            M::prepare(M::Store::view(v), &mut prepared).then(|| {
                (
                    M::distance(M::Store::view(&prepared_query), M::Store::view(&prepared)),
                    *row,
                )
            })
        })
        .collect();
    scored.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    scored.into_iter().take(k).map(|(_, row)| row).collect()
}

/// Mean top-`k` recall of `index` over `queries`, against exact search over `rows`.
pub fn recall<M: Metric>(
    index: &Hnsw<M>,
    rows: &[(u64, VectorBuf<M>)],
    queries: &[VectorBuf<M>],
    k: usize,
) -> f64 {
    let options = SearchOptions::default();
    let (mut correct, mut total) = (0usize, 0usize);
    for query in queries {
        let expected = exact::<M>(rows, query, k);
        let found: std::collections::HashSet<u64> = index
            .search(M::Store::view(query), k, &options)
            .expect("search")
            .into_iter()
            .map(|hit| hit.row_id)
            .collect();
        correct += expected.iter().filter(|row| found.contains(row)).count();
        total += expected.len();
    }
    correct as f64 / total.max(1) as f64
}
