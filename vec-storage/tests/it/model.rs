//! Random operations checked against a `BTreeMap` model: inserts, updates (growing into and
//! shrinking out of overflow chains), deletes, rolled-back transactions, checkpoints and
//! reopens, with a pool small enough that pages are evicted and re-read all the time.

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::path::Path;

use proptest::prelude::*;
use vec_storage::{RowId, Store, StoreOptions};

use crate::common::{open_with_heap, small_options, Rng, HEAP};

fn check(store: &Store, model: &BTreeMap<RowId, Vec<u8>>) {
    let mut seen = BTreeMap::new();
    store
        .scan(HEAP, &store.snapshot(), |row, bytes| {
            seen.insert(row, bytes.to_vec());
            ControlFlow::Continue(())
        })
        .unwrap();
    assert_eq!(seen.len(), model.len());
    for (row, bytes) in model {
        assert_eq!(seen.get(row), Some(bytes), "row {row}");
        assert_eq!(
            store.fetch(HEAP, *row, &store.snapshot()).unwrap().as_ref(),
            Some(bytes)
        );
    }
}

#[derive(Debug, Clone)]
enum Op {
    Insert(usize),
    Update(usize, usize),
    Delete(usize),
    Commit,
    Rollback,
    Checkpoint,
    Reopen,
}

fn run(dir: &Path, ops: &[Op], options: StoreOptions) {
    let mut model: BTreeMap<RowId, Vec<u8>> = BTreeMap::new();
    let mut pending = model.clone();
    let mut store = Some(open_with_heap(dir, options.clone()));
    let mut version = 0u32;
    let mut ops = ops.iter().peekable();
    while ops.peek().is_some() {
        let current = store.as_ref().unwrap();
        let mut txn = current.begin();
        let mut end = Op::Commit;
        for op in ops.by_ref() {
            version += 1;
            match *op {
                Op::Insert(len) => {
                    let bytes = crate::common::row_bytes(version, version, len);
                    let row = txn.insert(HEAP, &bytes).unwrap();
                    assert!(
                        pending.insert(row, bytes).is_none(),
                        "row id {row} reused while live"
                    );
                }
                Op::Update(pick, len) if !pending.is_empty() => {
                    let row = *pending.keys().nth(pick % pending.len()).unwrap();
                    let bytes = crate::common::row_bytes(version, version, len);
                    txn.overwrite(HEAP, row, &bytes).unwrap();
                    pending.insert(row, bytes);
                }
                Op::Delete(pick) if !pending.is_empty() => {
                    let row = *pending.keys().nth(pick % pending.len()).unwrap();
                    txn.delete(HEAP, row).unwrap();
                    pending.remove(&row);
                }
                Op::Update(..) | Op::Delete(..) => {}
                ref other => {
                    end = other.clone();
                    break;
                }
            }
        }
        match end {
            Op::Rollback => {
                txn.rollback();
                pending = model.clone();
            }
            _ => {
                txn.commit().unwrap();
                model = pending.clone();
            }
        }
        match end {
            Op::Checkpoint => {
                current.checkpoint().unwrap();
            }
            Op::Reopen => {
                drop(store.take());
                store = Some(Store::open(dir, options.clone()).unwrap());
            }
            _ => {}
        }
        check(store.as_ref().unwrap(), &model);
    }
    drop(store.take());
    let store = Store::open(dir, options).unwrap();
    check(&store, &model);
    store.checkpoint().unwrap();
    store.verify_pages().unwrap();
}

fn random_ops(seed: u64, n: usize) -> Vec<Op> {
    let mut rng = Rng(seed);
    (0..n)
        .map(|_| match rng.below(100) {
            0..=39 => Op::Insert(rng.row_len()),
            40..=64 => Op::Update(rng.below(1000) as usize, rng.row_len()),
            65..=84 => Op::Delete(rng.below(1000) as usize),
            85..=92 => Op::Commit,
            93..=95 => Op::Rollback,
            96..=97 => Op::Checkpoint,
            _ => Op::Reopen,
        })
        .collect()
}

#[test]
fn random_operations_match_a_btreemap() {
    for seed in 1..=4 {
        let dir = tempfile::tempdir().unwrap();
        let options = StoreOptions {
            synchronous_commit: seed % 2 == 0,
            ..small_options()
        };
        run(dir.path(), &random_ops(seed, 600), options);
    }
}

fn op_strategy() -> impl Strategy<Value = Op> {
    let len = prop_oneof![0usize..200, 1000usize..2000, 8000usize..20_000];
    prop_oneof![
        4 => len.clone().prop_map(Op::Insert),
        3 => (0usize..100, len).prop_map(|(p, l)| Op::Update(p, l)),
        2 => (0usize..100).prop_map(Op::Delete),
        1 => Just(Op::Commit),
        1 => Just(Op::Rollback),
        1 => Just(Op::Reopen),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn proptest_operations_match_a_btreemap(ops in proptest::collection::vec(op_strategy(), 1..80)) {
        let dir = tempfile::tempdir().unwrap();
        let options = StoreOptions { synchronous_commit: false, ..small_options() };
        run(dir.path(), &ops, options);
    }
}
