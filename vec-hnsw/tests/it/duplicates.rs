//! Identical vectors, as pgvector's `0xx_hnsw_*_duplicates` TAP tests: identical vectors
//! share an element (up to ten rows each), and thousands of them do not cut the rest of the
//! graph off.

use crate::common::{recall, tap_queries, tap_vectors, Rng};
use vec_hnsw::{Hnsw, HnswOptions, Inserted, SearchOptions, L2};

#[test]
fn twenty_copies_give_ten_rows_at_ef_search_1() {
    let options = SearchOptions {
        ef_search: 1,
        ..SearchOptions::default()
    };
    let copies: Vec<(u64, [f32; 3])> = (0..20).map(|i| (i, [1.0, 1.0, 1.0])).collect();
    // Built in one go …
    let built = Hnsw::<L2<f32>>::build(
        3,
        HnswOptions::default(),
        copies.iter().map(|(i, v)| (*i, &v[..])),
    )
    .unwrap();
    let rows: Vec<_> = built.scan(&[1.0, 1.0, 1.0], &options).unwrap().collect();
    assert_eq!(rows.len(), 10);
    // … and inserted one by one.
    let mut inserted = Hnsw::<L2<f32>>::new(3, HnswOptions::default()).unwrap();
    let mut merged = 0;
    for (row, v) in &copies {
        if inserted.insert(*row, v).unwrap() == Inserted::Merged {
            merged += 1;
        }
    }
    assert_eq!(merged, 18);
    assert_eq!(inserted.len(), 20);
    let rows: Vec<_> = inserted.scan(&[1.0, 1.0, 1.0], &options).unwrap().collect();
    assert_eq!(rows.len(), 10);
}

#[test]
fn ten_thousand_duplicates_keep_recall() {
    let mut rng = Rng::new(41);
    let mut rows: Vec<(u64, Vec<f32>)> = tap_vectors(&mut rng, 10_000, 3)
        .into_iter()
        .enumerate()
        .map(|(i, v)| (i as u64, v))
        .collect();
    // 10,000 copies of one vector, interleaved with the distinct ones.
    let copy = vec![0.25, 0.25, 0.25];
    let mut all = Vec::new();
    for (i, row) in rows.drain(..).enumerate() {
        all.push(row);
        all.push((100_000 + i as u64, copy.clone()));
    }
    let index = Hnsw::<L2<f32>>::build(
        3,
        HnswOptions::default(),
        all.iter().map(|(r, v)| (*r, v.as_slice())),
    )
    .unwrap();
    assert_eq!(index.len(), 20_000);
    let distinct: Vec<(u64, Vec<f32>)> =
        all.iter().filter(|(r, _)| *r < 100_000).cloned().collect();
    let queries = tap_queries(&mut rng, 20, 3);
    // Recall over the distinct rows: the copies sit at one point and must not trap searches.
    let found = recall_excluding_copies(&index, &distinct, &queries);
    assert!(found >= 0.99, "recall {found}");
    let _ = recall::<L2<f32>>;
}

fn recall_excluding_copies(
    index: &Hnsw<L2<f32>>,
    rows: &[(u64, Vec<f32>)],
    queries: &[Vec<f32>],
) -> f64 {
    let options = SearchOptions {
        ef_search: 100,
        ..SearchOptions::default()
    };
    let (mut correct, mut total) = (0, 0);
    for query in queries {
        let expected = crate::common::exact::<L2<f32>>(rows, query, 20);
        // Far queries never reach the copies; near ones may list them first, so ask for
        // enough rows to step past them.
        let hits = index
            .search_filtered(
                query,
                20,
                &SearchOptions {
                    iterative_scan: vec_hnsw::IterativeScan::RelaxedOrder,
                    ..options.clone()
                },
                |row| row < 100_000,
            )
            .unwrap();
        let found: std::collections::HashSet<u64> = hits.iter().map(|h| h.row_id).collect();
        correct += expected.iter().filter(|r| found.contains(r)).count();
        total += expected.len();
    }
    correct as f64 / total as f64
}
