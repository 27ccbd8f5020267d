//! Recall against exact search, as pgvector's TAP tests: 100,000 random 3-d rows (seeded),
//! lists = 100, 20 queries, top-10 recall at probes 1, 10 and 100; then the same after half of
//! the rows were inserted into an existing index; then bit vectors with Hamming distance.

use vec_ivf::{
    BuildOptions, Cosine, Element, Hamming, InnerProduct, IvfIndex, Metric, Rows, SearchOptions, L2,
};

use crate::common::{ids, normalized, recall, uniform_rows, TestRng};

const N_ROWS: usize = 100_000;
const DIMS: usize = 3;
const K: usize = 10;
const CASES: [(u32, f64); 3] = [(1, 0.71), (10, 0.95), (100, 0.99)];

fn queries(seed: u64) -> Vec<Vec<f32>> {
    uniform_rows(seed, 20, DIMS)
        .chunks(DIMS)
        .map(|q| q.to_vec())
        .collect()
}

fn check_recall<M: Metric<f32>>(
    index: &IvfIndex<f32, M>,
    data: &[f32],
    compare_normalized: bool,
    cases: &[(u32, f64)],
) {
    let queries = queries(77);
    // Cosine compares unit vectors; ground truth is computed the same way.
    let (truth_data, truth_queries): (Vec<f32>, Vec<Vec<f32>>) = if compare_normalized {
        (
            data.chunks(DIMS).flat_map(normalized).collect(),
            queries.iter().map(|q| normalized(q)).collect(),
        )
    } else {
        (data.to_vec(), queries.clone())
    };
    for &(probes, minimum) in cases {
        let options = SearchOptions {
            probes,
            ..SearchOptions::default()
        };
        let found: Vec<_> = queries
            .iter()
            .map(|q| index.search(q, K, &options).unwrap())
            .collect();
        let measured = recall::<f32, M>(&truth_data, DIMS, &truth_queries, &found, K);
        assert!(
            measured >= minimum,
            "{:?} probes={probes}: recall {measured} < {minimum}",
            M::KIND
        );
    }
}

fn built<M: Metric<f32>>(data: &[f32]) -> IvfIndex<f32, M> {
    let ids = ids(data.len() / DIMS);
    let rows = Rows::new(DIMS, &ids, data).unwrap();
    let outcome = IvfIndex::<f32, M>::build(
        rows,
        &BuildOptions {
            seed: 1,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(outcome.notices.is_empty());
    assert_eq!(outcome.index.len(), N_ROWS);
    outcome.index
}

fn built_then_inserted<M: Metric<f32>>(data: &[f32]) -> IvfIndex<f32, M> {
    let half = N_ROWS / 2;
    let ids = ids(N_ROWS);
    let rows = Rows::new(DIMS, &ids[..half], &data[..half * DIMS]).unwrap();
    let mut index = IvfIndex::<f32, M>::build(
        rows,
        &BuildOptions {
            seed: 2,
            ..Default::default()
        },
    )
    .unwrap()
    .index;
    for (row_idx, row) in data.chunks(DIMS).enumerate().skip(half) {
        assert!(index.insert(row_idx as u64, row).unwrap());
    }
    assert_eq!(index.len(), N_ROWS);
    index
}

#[test]
fn l2_recall() {
    let data = uniform_rows(42, N_ROWS, DIMS);
    check_recall(&built::<L2>(&data), &data, false, &CASES);
    check_recall(&built_then_inserted::<L2>(&data), &data, false, &CASES);
}

/// pgvector clusters inner-product rows by direction (spherical k-means) and picks lists by
/// the query's inner product with unit centers. On uniform data the largest inner products
/// sit in the corner of the cube whatever the query's direction, so few probes find few of
/// them (pgvector behaves the same); only the exact case is asserted, as pgvector's own test.
#[test]
fn inner_product_recall() {
    let data = uniform_rows(43, N_ROWS, DIMS);
    check_recall(&built::<InnerProduct>(&data), &data, false, &[(100, 0.99)]);
    check_recall(
        &built_then_inserted::<InnerProduct>(&data),
        &data,
        false,
        &[(100, 0.99)],
    );
}

#[test]
fn cosine_recall() {
    let data = uniform_rows(44, N_ROWS, DIMS);
    check_recall(&built::<Cosine>(&data), &data, true, &CASES);
    check_recall(&built_then_inserted::<Cosine>(&data), &data, true, &CASES);
}

#[test]
fn half_precision_cosine_recall() {
    use vec_types::f16;
    let data: Vec<f16> = uniform_rows(45, 20_000, 8)
        .into_iter()
        .map(f16::from_f32)
        .collect();
    let ids = ids(20_000);
    let rows = Rows::new(8, &ids, &data).unwrap();
    let options = BuildOptions {
        lists: 20,
        seed: 3,
        ..Default::default()
    };
    let index = IvfIndex::<f16, Cosine>::build(rows, &options)
        .unwrap()
        .index;
    let normalize_half = |row: &[f16]| -> Vec<f16> {
        let mut out = vec![f16::ZERO; row.len()];
        let norm = f16::squared_norm(row).sqrt();
        f16::scale(row, 1.0 / norm, &mut out);
        out
    };
    let truth: Vec<f16> = data.chunks(8).flat_map(normalize_half).collect();
    let queries: Vec<Vec<f16>> = data
        .chunks(8)
        .step_by(997)
        .take(20)
        .map(normalize_half)
        .collect();
    for (probes, minimum) in [(5, 0.9), (20, 0.999)] {
        let options = SearchOptions {
            probes,
            ..Default::default()
        };
        let found: Vec<_> = queries
            .iter()
            .map(|q| index.search(q, K, &options).unwrap())
            .collect();
        let measured = recall::<f16, Cosine>(&truth, 8, &queries, &found, K);
        assert!(
            measured >= minimum,
            "f16 probes={probes}: recall {measured}"
        );
    }
}

/// 20,000 rows of 64 bits around 40 random centers (about 6% of bits flipped per row).
fn clustered_bits(seed: u64, n: usize) -> Vec<u8> {
    let mut rng = TestRng::new(seed);
    let centers: Vec<u64> = (0..40).map(|_| rng.next_u64()).collect();
    let mut data = Vec::with_capacity(n * 8);
    for _ in 0..n {
        let mut row = centers[(rng.next_u64() % 40) as usize];
        for _ in 0..4 {
            row ^= 1 << (rng.next_u64() % 64);
        }
        data.extend_from_slice(&row.to_be_bytes());
    }
    data
}

#[test]
fn hamming_recall() {
    // One draw: 20,000 rows to build from, 5,000 to insert, 20 queries.
    let all = clustered_bits(46, 25_020);
    let (data, rest) = all.split_at(20_000 * 8);
    let (more, query_bytes) = rest.split_at(5_000 * 8);
    let ids = ids(20_000);
    let rows = Rows::new(64, &ids, data).unwrap();
    let options = BuildOptions {
        lists: 20,
        seed: 4,
        ..Default::default()
    };
    let mut index = IvfIndex::<u8, Hamming>::build(rows, &options)
        .unwrap()
        .index;
    let queries: Vec<Vec<u8>> = query_bytes.chunks(8).map(|q| q.to_vec()).collect();
    let check = |index: &IvfIndex<u8, Hamming>, truth: &[u8]| {
        for (probes, minimum) in [(1, 0.71), (4, 0.95), (20, 1.0)] {
            let options = SearchOptions {
                probes,
                ..Default::default()
            };
            let found: Vec<_> = queries
                .iter()
                .map(|q| index.search(q, K, &options).unwrap())
                .collect();
            let measured = recall::<u8, Hamming>(truth, 8, &queries, &found, K);
            assert!(
                measured >= minimum,
                "hamming probes={probes}: recall {measured}"
            );
        }
    };
    check(&index, data);
    for (offset, row) in more.chunks(8).enumerate() {
        index.insert(20_000 + offset as u64, row).unwrap();
    }
    check(&index, &all[..25_000 * 8]);
}
