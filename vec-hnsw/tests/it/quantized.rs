//! Quantized indexes (`quantization: Sq8` and `RaBitQ`): recall against exact search for
//! L2, inner product and cosine on `f32` and `f16`, built at once and grown by inserts
//! from empty (the quantizer retrains as the index grows); less memory than full
//! precision, the full vectors on disk; exact distances after re-ranking; iterative
//! scans; snapshots that reopen with their codes; and metrics codes cannot estimate.

use crate::common::{exact, Rng};
use vec_hnsw::store::VectorStore;
use vec_hnsw::{
    Cosine, Hamming, Hnsw, HnswError, HnswOptions, InnerProduct, IterativeScan, Metric,
    Quantization, SearchOptions, VectorBuf, L1, L2,
};
use vec_types::f16;

const N: usize = 3000;
const DIMS: usize = 64;
const QUERIES: usize = 30;
const K: usize = 10;

/// Rows on a random 8-dimensional subspace of the 64 dimensions, plus a little noise in
/// all of them: like embeddings, most of the variance lies in few directions, so nearest
/// neighbours are well separated from the rest.
fn clustered(seed: u64, n: usize) -> Vec<Vec<f32>> {
    let mut rng = Rng::new(seed);
    let basis: Vec<Vec<f32>> = (0..8)
        .map(|_| (0..DIMS).map(|_| rng.unit() * 2.0 - 1.0).collect())
        .collect();
    (0..n)
        .map(|_| {
            let weights: Vec<f32> = (0..8).map(|_| rng.unit() * 2.0 - 1.0).collect();
            (0..DIMS)
                .map(|d| {
                    let signal: f32 = weights.iter().zip(&basis).map(|(w, b)| w * b[d]).sum();
                    signal + (rng.unit() - 0.5) * 0.1
                })
                .collect()
        })
        .collect()
}

fn options(quantization: Quantization) -> HnswOptions {
    HnswOptions {
        quantization,
        threads: 2,
        ..HnswOptions::default()
    }
}

/// Mean recall@K at `ef_search` 80, and whether every reported distance is exact.
fn recall_and_exactness<M: Metric>(
    index: &Hnsw<M>,
    rows: &[(u64, VectorBuf<M>)],
    queries: &[VectorBuf<M>],
) -> (f64, bool) {
    let search = SearchOptions {
        ef_search: 80,
        ..SearchOptions::default()
    };
    let (mut found, mut total, mut exact_distances) = (0, 0, true);
    for query in queries {
        let expected = exact::<M>(rows, query, K);
        let hits = index.search(M::Store::view(query), K, &search).unwrap();
        found += hits.iter().filter(|h| expected.contains(&h.row_id)).count();
        total += expected.len();
        let mut prepared_query = VectorBuf::<M>::default();
        M::prepare(M::Store::view(query), &mut prepared_query);
        for hit in &hits {
            let (_, row) = &rows[hit.row_id as usize];
            let mut prepared = VectorBuf::<M>::default();
            M::prepare(M::Store::view(row), &mut prepared);
            let distance = M::report(M::distance(
                M::Store::view(&prepared_query),
                M::Store::view(&prepared),
            ));
            exact_distances &= (distance - hit.distance).abs() <= 1e-4 * (1.0 + distance.abs());
        }
    }
    (found as f64 / total as f64, exact_distances)
}

fn check_metric<M: Metric>(rows: Vec<(u64, VectorBuf<M>)>, queries: Vec<VectorBuf<M>>) {
    let plain = Hnsw::<M>::build(
        DIMS,
        options(Quantization::None),
        rows.iter().map(|(id, v)| (*id, M::Store::view(v))),
    )
    .unwrap();
    for quantization in [Quantization::Sq8, Quantization::RaBitQ] {
        let index = Hnsw::<M>::build(
            DIMS,
            options(quantization),
            rows.iter().map(|(id, v)| (*id, M::Store::view(v))),
        )
        .unwrap();
        assert_eq!(index.quantization(), quantization);
        let (recall, exact_distances) = recall_and_exactness(&index, &rows, &queries);
        assert!(
            recall >= 0.95,
            "{quantization:?} metric {}: {recall}",
            M::ID
        );
        assert!(
            exact_distances,
            "{quantization:?}: distances are re-ranked exactly"
        );
        assert!(
            index.memory_bytes() < plain.memory_bytes(),
            "{quantization:?}"
        );
        assert!(index.vector_file_bytes() >= N * DIMS * std::mem::size_of::<VectorBuf<M>>() / 24);

        // Grown from empty by inserts: the quantizer retrains as the index doubles.
        let mut grown = Hnsw::<M>::new(DIMS, options(quantization)).unwrap();
        for (id, v) in &rows {
            grown.insert(*id, M::Store::view(v)).unwrap();
        }
        let (recall, _) = recall_and_exactness(&grown, &rows, &queries);
        assert!(
            recall >= 0.95,
            "grown {quantization:?} metric {}: {recall}",
            M::ID
        );
    }
}

/// `N` rows and `QUERIES` queries from the same clusters.
fn f32_rows() -> crate::common::DataSet<f32> {
    let mut vectors = clustered(1, N + QUERIES);
    let queries = vectors.split_off(N);
    let rows = vectors
        .into_iter()
        .enumerate()
        .map(|(i, v)| (i as u64, v))
        .collect();
    (rows, queries)
}

#[test]
fn f32_metrics_reach_recall() {
    let (rows, queries) = f32_rows();
    check_metric::<L2<f32>>(rows.clone(), queries.clone());
    check_metric::<InnerProduct<f32>>(rows.clone(), queries.clone());
    check_metric::<Cosine<f32>>(rows, queries);
}

#[test]
fn f16_metrics_reach_recall() {
    let (rows, queries) = f32_rows();
    let half = |v: &Vec<f32>| v.iter().map(|x| f16::from_f32(*x)).collect::<Vec<f16>>();
    let rows: Vec<(u64, Vec<f16>)> = rows.iter().map(|(id, v)| (*id, half(v))).collect();
    let queries: Vec<Vec<f16>> = queries.iter().map(half).collect();
    check_metric::<L2<f16>>(rows.clone(), queries.clone());
    check_metric::<Cosine<f16>>(rows, queries);
}

#[test]
fn iterative_scans_filter_and_stay_ordered() {
    let (rows, queries) = f32_rows();
    for quantization in [Quantization::Sq8, Quantization::RaBitQ] {
        let index = Hnsw::<L2<f32>>::build(
            DIMS,
            options(quantization),
            rows.iter().map(|(id, v)| (*id, v.as_slice())),
        )
        .unwrap();
        for iterative_scan in [IterativeScan::StrictOrder, IterativeScan::RelaxedOrder] {
            let search = SearchOptions {
                iterative_scan,
                ..SearchOptions::default()
            };
            let hits = index
                .search_filtered(&queries[0], 20, &search, |row| row % 50 == 0)
                .unwrap();
            assert_eq!(hits.len(), 20, "{quantization:?} {iterative_scan:?}");
            assert!(hits.iter().all(|h| h.row_id % 50 == 0));
            if iterative_scan == IterativeScan::StrictOrder {
                assert!(hits.windows(2).all(|w| w[0].distance <= w[1].distance));
            }
        }
    }
}

#[test]
fn snapshots_reopen_with_their_codes() {
    let dir = tempfile::tempdir().unwrap();
    let (rows, queries) = f32_rows();
    for quantization in [Quantization::Sq8, Quantization::RaBitQ] {
        let mut index = Hnsw::<Cosine<f32>>::build(
            DIMS,
            options(quantization),
            rows.iter().map(|(id, v)| (*id, v.as_slice())),
        )
        .unwrap();
        index.calibrate(&|| false).unwrap();
        let path = dir.path().join(format!("{}.hnsw", quantization.name()));
        index.save(&path).unwrap();
        let mut reopened = Hnsw::<Cosine<f32>>::open(&path).unwrap();
        assert_eq!(reopened.quantization(), quantization);
        assert_eq!(reopened.calibration(), index.calibration());
        assert!(reopened.calibration().is_some());
        let search = SearchOptions::default();
        for query in &queries {
            assert_eq!(
                index.search(query, K, &search).unwrap(),
                reopened.search(query, K, &search).unwrap()
            );
        }
        // Inserts after reopening are encoded and found.
        let new_row = vec![9.0f32; DIMS];
        reopened.insert(1_000_000, &new_row).unwrap();
        let hits = reopened.search(&new_row, 1, &search).unwrap();
        assert_eq!(hits[0].row_id, 1_000_000);
        // A damaged quantizer section is refused, not trusted.
        let mut bytes = std::fs::read(&path).unwrap();
        let table = 128 + 16 * 10;
        let offset = u64::from_le_bytes(bytes[table..table + 8].try_into().unwrap()) as usize;
        bytes[offset] ^= 0xff;
        let damaged = dir.path().join("damaged.hnsw");
        std::fs::write(&damaged, &bytes).unwrap();
        assert!(matches!(
            Hnsw::<Cosine<f32>>::open(&damaged),
            Err(HnswError::Corrupt { .. })
        ));
    }
}

#[test]
fn metrics_without_codes_are_refused() {
    let error = Hnsw::<L1<f32>>::new(8, options(Quantization::Sq8))
        .err()
        .unwrap();
    assert_eq!(
        error.to_string(),
        "quantization \"sq8\" is only supported for vector and halfvec values under L2, inner product or cosine distance"
    );
    assert!(matches!(
        Hnsw::<Hamming>::new(64, options(Quantization::RaBitQ)),
        Err(HnswError::QuantizationUnsupported {
            quantization: "rabitq"
        })
    ));
    assert_eq!(Quantization::from_name("SQ8"), Some(Quantization::Sq8));
    assert_eq!(
        Quantization::from_name("rabitq"),
        Some(Quantization::RaBitQ)
    );
    assert_eq!(Quantization::from_name("pq"), None);
}

#[test]
fn calibration_recall_grows_with_ef_search() {
    let (rows, _) = f32_rows();
    let build = |quantization| {
        Hnsw::<L2<f32>>::build(
            DIMS,
            options(quantization),
            rows.iter().map(|(id, v)| (*id, v.as_slice())),
        )
        .unwrap()
    };
    let mut plain = build(Quantization::None);
    plain.calibrate(&|| false).unwrap();
    assert!(plain.calibration().unwrap().points[0].recall > 0.9);
    // One-bit codes need more candidates on these 64 dimensions: several points.
    let mut index = build(Quantization::RaBitQ);
    assert!(index.calibration().is_none());
    index.calibrate(&|| false).unwrap();
    let calibration = index.calibration().unwrap();
    assert_eq!((calibration.k, calibration.queries), (10, 100));
    assert!(calibration.points.len() >= 2);
    assert!(calibration.points.windows(2).all(|w| w[0].knob < w[1].knob));
    let last = calibration.points.last().unwrap();
    assert!(last.recall >= 0.99, "{calibration:?}");
    let chosen = calibration.choose(0.9).unwrap();
    assert!(chosen.recall >= 0.9);
    // A stop request keeps the old calibration and says so.
    let before = index.calibration().cloned();
    assert!(matches!(
        index.calibrate(&|| true),
        Err(HnswError::Cancelled)
    ));
    assert_eq!(index.calibration().cloned(), before);
}
