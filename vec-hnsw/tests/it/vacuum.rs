//! Deletes and vacuum, as pgvector's `0xx_hnsw_*_vacuum_recall` and `047_hnsw_vacuum_insert`
//! TAP tests: deleted rows vanish at once, recall holds after deleting half and vacuuming,
//! and new inserts reuse the freed slots.

use crate::common::{recall, tap_queries, tap_vectors, Rng};
use vec_hnsw::{Hnsw, HnswOptions, SearchOptions, L2};

#[test]
fn delete_half_then_vacuum_keeps_recall_and_reuses_space() {
    let mut rng = Rng::new(61);
    let rows: Vec<(u64, Vec<f32>)> = tap_vectors(&mut rng, 10_000, 3)
        .into_iter()
        .enumerate()
        .map(|(i, v)| (i as u64, v))
        .collect();
    let queries = tap_queries(&mut rng, 20, 3);
    let mut index = Hnsw::<L2<f32>>::build(
        3,
        HnswOptions::default(),
        rows.iter().map(|(r, v)| (*r, v.as_slice())),
    )
    .unwrap();

    for (row, _) in rows.iter().filter(|(r, _)| r % 2 == 0) {
        index.delete(*row);
    }
    // Skipped at once, before any vacuum.
    let hits = index
        .search(&queries[0], 20, &SearchOptions::default())
        .unwrap();
    assert!(hits.iter().all(|h| h.row_id % 2 == 1));

    let stats = index.vacuum();
    assert_eq!(stats.rows_removed, 5_000);
    assert_eq!(stats.elements_freed, 5_000);
    assert!(stats.elements_repaired > 0);
    assert_eq!(index.len(), 5_000);
    let kept: Vec<(u64, Vec<f32>)> = rows.iter().filter(|(r, _)| r % 2 == 1).cloned().collect();
    let after_vacuum = recall(&index, &kept, &queries, 20);
    assert!(after_vacuum >= 0.99, "recall after vacuum {after_vacuum}");

    // New rows go into the freed slots.
    let slots = index.slots();
    let mut fresh = Vec::new();
    for (i, v) in tap_vectors(&mut rng, 5_000, 3).into_iter().enumerate() {
        let row = 20_000 + i as u64;
        index.insert(row, &v).unwrap();
        fresh.push((row, v));
    }
    assert_eq!(index.slots(), slots);
    let mut all = kept;
    all.extend(fresh);
    let after_insert = recall(&index, &all, &queries, 20);
    assert!(after_insert >= 0.99, "recall after reinsert {after_insert}");
}

#[test]
fn deleting_everything_empties_the_index() {
    let mut index = Hnsw::<L2<f32>>::new(2, HnswOptions::default()).unwrap();
    for row in 0..50u64 {
        index.insert(row, &[row as f32, 1.0]).unwrap();
    }
    for row in 0..50u64 {
        index.delete(row);
    }
    index.vacuum();
    assert!(index.is_empty());
    assert!(index
        .search(&[1.0, 1.0], 5, &SearchOptions::default())
        .unwrap()
        .is_empty());
    index.insert(99, &[3.0, 3.0]).unwrap();
    assert_eq!(
        index
            .search(&[1.0, 1.0], 5, &SearchOptions::default())
            .unwrap()[0]
            .row_id,
        99
    );
}
