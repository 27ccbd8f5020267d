//! Iterative scans, as pgvector's `043_hnsw_iterative_scan` and `017_hnsw_filtering` TAP
//! tests: with a filter that passes 1% of the rows, an iterative scan still finds the rows
//! a query asks for, in order when strict.

use crate::common::{tap_queries, tap_vectors, Rng};
use vec_hnsw::{Hnsw, HnswOptions, IterativeScan, SearchOptions, L2};

/// The index, its rows and five queries.
type Fixture = (Hnsw<L2<f32>>, Vec<Vec<f32>>, Vec<Vec<f32>>);

fn index_and_rows(n: usize) -> Fixture {
    let mut rng = Rng::new(51);
    let rows = tap_vectors(&mut rng, n, 3);
    let index = Hnsw::<L2<f32>>::build(
        3,
        HnswOptions::default(),
        rows.iter()
            .enumerate()
            .map(|(i, v)| (i as u64, v.as_slice())),
    )
    .unwrap();
    let queries = tap_queries(&mut rng, 5, 3);
    (index, rows, queries)
}

fn index(n: usize) -> (Hnsw<L2<f32>>, Vec<Vec<f32>>) {
    let (index, _, queries) = index_and_rows(n);
    (index, queries)
}

#[test]
fn filter_passing_one_percent_finds_enough_rows() {
    let (index, rows, queries) = index_and_rows(10_000);
    let one_percent = |row: u64| row / 100 * 100 == row;
    for query in &queries {
        let off = index
            .search_filtered(query, 10, &SearchOptions::default(), one_percent)
            .unwrap();
        assert!(
            off.len() < 10,
            "without iterative scan ef_search 40 cannot find 10 rows"
        );
        for mode in [IterativeScan::StrictOrder, IterativeScan::RelaxedOrder] {
            let options = SearchOptions {
                iterative_scan: mode,
                ..SearchOptions::default()
            };
            let hits = index
                .search_filtered(query, 10, &options, one_percent)
                .unwrap();
            assert_eq!(hits.len(), 10, "{mode:?}");
            // They are the true 10 nearest passing rows.
            let mut exact: Vec<(f32, u64)> = (0..10_000u64)
                .filter(|&r| one_percent(r))
                .map(|r| (distance(query, &rows[r as usize]), r))
                .collect();
            exact.sort_by(|a, b| a.0.total_cmp(&b.0));
            let expected: Vec<u64> = exact.iter().take(10).map(|e| e.1).collect();
            let found: Vec<u64> = hits.iter().map(|h| h.row_id).collect();
            let overlap = expected.iter().filter(|r| found.contains(r)).count();
            assert!(overlap >= 9, "{mode:?}: {overlap}");
            if mode == IterativeScan::StrictOrder {
                assert!(hits.windows(2).all(|w| w[0].distance <= w[1].distance));
            }
        }
    }
}

fn distance(query: &[f32], row: &[f32]) -> f32 {
    query.iter().zip(row).map(|(a, b)| (a - b) * (a - b)).sum()
}

#[test]
fn max_scan_tuples_bounds_the_work() {
    let (index, queries) = index(10_000);
    let options = SearchOptions {
        iterative_scan: IterativeScan::RelaxedOrder,
        max_scan_tuples: 500,
        ..SearchOptions::default()
    };
    let mut scan = index.scan(&queries[0], &options).unwrap();
    let rows = scan.by_ref().count();
    // Past the limit the scan only drains what it has already evaluated.
    assert!(scan.tuples() < 2_000, "{}", scan.tuples());
    assert!(rows as u64 <= scan.tuples() && rows >= 40);
}

#[test]
fn scan_without_iteration_stops_at_ef_search() {
    let (index, queries) = index(2_000);
    let options = SearchOptions {
        ef_search: 25,
        ..SearchOptions::default()
    };
    assert_eq!(index.scan(&queries[0], &options).unwrap().count(), 25);
    let everything = SearchOptions {
        iterative_scan: IterativeScan::StrictOrder,
        ..options
    };
    let all: Vec<_> = index.scan(&queries[0], &everything).unwrap().collect();
    assert!(all.len() > 1_000, "{}", all.len());
    assert!(all.windows(2).all(|w| w[0].distance <= w[1].distance));
}
