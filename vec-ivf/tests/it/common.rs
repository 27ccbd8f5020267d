//! Seeded data and exact ground truth shared by the tests.

use vec_ivf::{Element, Metric, Neighbor};

/// SplitMix64, so that test data is the same on every machine.
pub struct TestRng(u64);

impl TestRng {
    pub fn new(seed: u64) -> Self {
        TestRng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`, like PostgreSQL's `random()`.
    pub fn next_f32(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32
    }
}

/// `n` rows of `dims` uniform values in `[0, 1)`.
pub fn uniform_rows(seed: u64, n: usize, dims: usize) -> Vec<f32> {
    let mut rng = TestRng::new(seed);
    (0..n * dims).map(|_| rng.next_f32()).collect()
}

/// Ids `0..n`.
pub fn ids(n: usize) -> Vec<u64> {
    (0..n as u64).collect()
}

/// The `k`-th smallest order distance from `query` to any row (ties make "the" top k
/// ambiguous, so recall counts any result at or below it).
pub fn kth_distance<E: Element, M: Metric<E>>(
    data: &[E],
    stride: usize,
    query: &[E],
    k: usize,
) -> f32 {
    let mut distances: Vec<f32> = data
        .chunks_exact(stride)
        .map(|row| M::distance(query, row))
        .collect();
    distances.sort_by(|a, b| a.total_cmp(b));
    distances[k - 1]
}

/// Recall of `found` against exact search, with ties counted as hits. `prepare` turns raw
/// rows and queries into what the index compares (normalized for cosine).
pub fn recall<E: Element, M: Metric<E>>(
    data: &[E],
    stride: usize,
    queries: &[Vec<E>],
    found: &[Vec<Neighbor>],
    k: usize,
) -> f64 {
    let mut hits = 0usize;
    for (query, neighbors) in queries.iter().zip(found) {
        let kth = kth_distance::<E, M>(data, stride, query, k);
        hits += neighbors
            .iter()
            .take(k)
            .filter(|n| n.distance <= kth + 1e-5 * kth.abs().max(1.0))
            .count();
    }
    hits as f64 / (queries.len() * k) as f64
}

/// `v / |v|`.
pub fn normalized(row: &[f32]) -> Vec<f32> {
    let norm = row.iter().map(|x| x * x).sum::<f32>().sqrt();
    row.iter().map(|x| x / norm).collect()
}
