//! `DeferredIndex` snapshots in every state (growing, plain, scalar and product quantized,
//! flat plain and quantized): `write_snapshot` then `open_deferred` gives the same scans and
//! takes inserts (a growing index still builds itself), and truncated, damaged or
//! other-kind files are `XX001` errors (property test over the damage).

use proptest::prelude::*;
use vec_index::testing::random_rows;
use vec_index::{Hit, IterativeScan, VectorIndex, VectorRef};
use vec_ivf::{open_deferred, open_ivfflat, Cosine, DeferredSpec, Quantization, L2};

use crate::deferred::{build, exact, spec, PRODUCT};
use crate::dynamic::options;

fn specs() -> Vec<DeferredSpec> {
    vec![
        spec(1000, None, false),
        spec(1000, Some(Quantization::Scalar), false),
        spec(6, None, false),
        spec(6, Some(Quantization::Scalar), false),
        spec(6, Some(PRODUCT), false),
        spec(6, None, true),
        spec(6, Some(PRODUCT), true),
    ]
}

fn snapshot(index: &dyn VectorIndex) -> Vec<u8> {
    let mut bytes = Vec::new();
    index.write_snapshot(&mut bytes).unwrap();
    bytes
}

fn scans(index: &dyn VectorIndex, rows: &[(u64, Vec<f32>)]) -> Vec<Vec<Hit>> {
    let options = options(2, IterativeScan::RelaxedOrder);
    [3usize, 77, 150]
        .iter()
        .map(|&row| {
            let query = &rows[row].1;
            let cursor = index.scan(VectorRef::F32(query), &options, Some(exact(rows, query)));
            cursor.unwrap().take(50).collect()
        })
        .collect()
}

#[test]
fn every_state_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let rows = random_rows(61, 400, 6);
    for (spec_idx, spec) in specs().iter().enumerate() {
        let mut index = build(&rows[..300], spec);
        index.delete(11);
        let path = dir.path().join(format!("deferred-{spec_idx}"));
        index.save(&path).unwrap();
        let mut opened = open_deferred::<f32, L2>(&path).unwrap();
        assert_eq!(opened.len(), VectorIndex::len(&index), "{spec:?}");
        assert_eq!(
            scans(opened.as_ref(), &rows),
            scans(&index, &rows),
            "{spec:?}"
        );
        // Both take the same inserts (a growing quantized index is built by them).
        for (row_id, values) in &rows[300..] {
            opened.insert(*row_id, VectorRef::F32(values)).unwrap();
            VectorIndex::insert(&mut index, *row_id, VectorRef::F32(values)).unwrap();
        }
        assert_eq!(opened.len(), 399);
        assert_eq!(
            scans(opened.as_ref(), &rows),
            scans(&index, &rows),
            "{spec:?}"
        );
        assert_eq!(snapshot(opened.as_ref()), snapshot(&index));
        let corrupt = |result: Result<Box<dyn VectorIndex>, vec_index::IndexError>| {
            assert_eq!(result.err().expect("an error").sqlstate, "XX001");
        };
        corrupt(open_deferred::<f32, Cosine>(&path));
        corrupt(open_ivfflat::<f32, L2>(&path));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Any truncation or flipped byte of any state's snapshot is an error, never a panic.
    #[test]
    fn damaged_snapshots_are_errors(
        spec_idx in 0usize..7,
        rows in 20usize..300,
        cut in any::<prop::sample::Index>(),
        flip in any::<prop::sample::Index>(),
        bit in 0u8..8,
    ) {
        let spec = &specs()[spec_idx];
        let data = random_rows(62 + rows as u64, rows, 5);
        let index = build(&data, spec);
        let bytes = snapshot(&index);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("damaged");
        std::fs::write(&path, &bytes[..cut.index(bytes.len())]).unwrap();
        let truncated = open_deferred::<f32, L2>(&path);
        prop_assert_eq!(truncated.err().map(|e| e.sqlstate), Some("XX001"));
        let mut flipped = bytes.clone();
        flipped[flip.index(bytes.len())] ^= 1 << bit;
        std::fs::write(&path, &flipped).unwrap();
        let damaged = open_deferred::<f32, L2>(&path);
        prop_assert_eq!(damaged.err().map(|e| e.sqlstate), Some("XX001"));
    }
}
