//! The reference index through `dyn VectorIndex`: the contract checker, scans in distance
//! order against a model under random inserts and deletes (property test), and snapshots
//! that round-trip or fail cleanly when damaged.

use proptest::prelude::*;
use vec_index::testing::{as_refs, check_l2_contract, random_rows, ExactIndex};
use vec_index::{BuildHooks, Hit, IterativeScan, ScanOptions, VectorIndex, VectorRef};

fn options() -> ScanOptions {
    ScanOptions {
        ef_search: 40,
        probes: 1,
        iterative_scan: IterativeScan::Off,
        max_scan_tuples: 20_000,
        scan_memory: 4 << 20,
        max_probes: 32_768,
    }
}

fn build(rows: &[(u64, Vec<f32>)]) -> Box<dyn VectorIndex> {
    let dimensions = rows[0].1.len();
    ExactIndex::build(dimensions, &as_refs(rows), &BuildHooks::none())
        .expect("build")
        .index
}

fn scan_all(index: &dyn VectorIndex, query: &[f32]) -> Vec<Hit> {
    index
        .scan(VectorRef::F32(query), &options(), None)
        .expect("scan")
        .collect()
}

#[test]
fn exact_index_keeps_the_contract() {
    let rows = random_rows(1, 300, 8);
    let mut index = build(&rows);
    check_l2_contract(index.as_mut(), &rows, &options()).unwrap();
}

#[test]
fn zero_dimensions_and_cancel() {
    let error = ExactIndex::build(0, &[], &BuildHooks::none())
        .err()
        .unwrap();
    assert_eq!(error.sqlstate, "22023");
    let rows = random_rows(2, 10, 2);
    let hooks = BuildHooks {
        progress: &|_| {},
        should_stop: &|| true,
    };
    let error = ExactIndex::build(2, &as_refs(&rows), &hooks).err().unwrap();
    assert_eq!(error.sqlstate, "57014");
}

#[test]
fn snapshot_round_trip_and_damage() {
    let rows = random_rows(3, 50, 5);
    let mut index = build(&rows);
    index.delete(7);
    let mut bytes = Vec::new();
    index.write_snapshot(&mut bytes).unwrap();
    let opened = ExactIndex::read_snapshot(&mut bytes.as_slice()).unwrap();
    let query = [0.3f32; 5];
    assert_eq!(scan_all(&opened, &query), scan_all(index.as_ref(), &query));
    assert_eq!(opened.len(), 49);
    for len in 0..bytes.len() {
        let error = ExactIndex::read_snapshot(&mut &bytes[..len]).unwrap_err();
        assert_eq!(error.sqlstate, "XX001", "truncated to {len}");
    }
    for at in (0..bytes.len()).step_by(13) {
        let mut damaged = bytes.clone();
        damaged[at] ^= 0x10;
        assert!(ExactIndex::read_snapshot(&mut damaged.as_slice()).is_err());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Scans come nearest first, hold every live row once and no deleted row, whatever the
    /// inserts and deletes before them.
    #[test]
    fn scans_follow_the_model(
        values in prop::collection::vec(prop::collection::vec(-10.0f32..10.0, 3), 1..40),
        deletes in prop::collection::vec(0u64..40, 0..20),
        query in prop::collection::vec(-10.0f32..10.0, 3),
        vacuum in any::<bool>(),
    ) {
        let mut index = ExactIndex::new(3).unwrap();
        for (row_id, row) in values.iter().enumerate() {
            index.insert(row_id as u64, VectorRef::F32(row)).unwrap();
        }
        let mut live: Vec<u64> = (0..values.len() as u64).collect();
        for row_id in &deletes {
            index.delete(*row_id);
            live.retain(|id| id != row_id);
        }
        if vacuum {
            index.vacuum();
        }
        prop_assert_eq!(index.len(), live.len());
        let hits = scan_all(&index, &query);
        prop_assert!(hits.windows(2).all(|pair| pair[0].distance <= pair[1].distance));
        let mut found: Vec<u64> = hits.iter().map(|hit| hit.row_id).collect();
        found.sort_unstable();
        prop_assert_eq!(found, live);
    }
}
