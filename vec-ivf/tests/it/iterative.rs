//! Iterative scans: pgvector's small `max_probes` case, and a filter that passes 1% of rows.

use vec_ivf::{BuildOptions, IterativeScan, IvfIndex, Rows, SearchOptions, L2};

use crate::common::{ids, uniform_rows};

#[test]
fn max_probes_limits_the_scan() {
    let ids = [1, 2, 3];
    let data = [0.0f32, 0.0, 0.0, 1.0, 2.0, 3.0, 1.0, 1.0, 1.0];
    let options = BuildOptions {
        lists: 3,
        ..Default::default()
    };
    let index = IvfIndex::<f32, L2>::build(Rows::new(3, &ids, &data).unwrap(), &options)
        .unwrap()
        .index;
    let query = [3.0f32, 3.0, 3.0];
    let relaxed = SearchOptions {
        iterative_scan: IterativeScan::RelaxedOrder,
        ..Default::default()
    };
    let all: Vec<u64> = index
        .scan(&query, &relaxed)
        .unwrap()
        .map(|n| n.id)
        .collect();
    assert_eq!(all, vec![2, 3, 1]);
    for (max_probes, expected) in [(1, vec![2]), (2, vec![2, 3])] {
        let options = SearchOptions {
            max_probes,
            ..relaxed
        };
        let found: Vec<u64> = index
            .scan(&query, &options)
            .unwrap()
            .map(|n| n.id)
            .collect();
        assert_eq!(found, expected);
    }
}

#[test]
fn filtered_scan_returns_enough_rows() {
    let data = uniform_rows(5, 20_000, 8);
    let ids = ids(20_000);
    let options = BuildOptions {
        lists: 50,
        ..Default::default()
    };
    let index = IvfIndex::<f32, L2>::build(Rows::new(8, &ids, &data).unwrap(), &options)
        .unwrap()
        .index;
    let query = &data[8 * 123..8 * 124];
    let passes = |id: u64| id % 100 == 7;

    let off = SearchOptions {
        probes: 1,
        ..Default::default()
    };
    let without = index.search_filtered(query, 10, &off, passes).unwrap();
    assert!(
        without.len() < 10,
        "one list holds about 4 passing rows, got {}",
        without.len()
    );

    let relaxed = SearchOptions {
        iterative_scan: IterativeScan::RelaxedOrder,
        ..off
    };
    let found = index.search_filtered(query, 10, &relaxed, passes).unwrap();
    assert_eq!(found.len(), 10);
    assert!(found.iter().all(|n| passes(n.id)));

    let mut cursor = index.scan(query, &relaxed).unwrap();
    let taken: Vec<_> = cursor.by_ref().filter(|n| passes(n.id)).take(10).collect();
    assert_eq!(taken.len(), 10);
    assert!(
        cursor.lists_probed() < 50,
        "the cursor stops early: {}",
        cursor.lists_probed()
    );
}
