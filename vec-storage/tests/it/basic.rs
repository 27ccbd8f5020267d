//! The store's public API: heap operations, transactions, reopen, replay to a callback,
//! side files, checkpoints and the directory lock.

use std::collections::BTreeMap;
use std::ops::ControlFlow;

use vec_storage::{Change, Error, HeapId, RowId, RowPrefetch, Store, StoreOptions};

use crate::common::{open_with_heap, small_options, HEAP};

fn scan_all(store: &Store, heap: HeapId) -> BTreeMap<RowId, Vec<u8>> {
    let mut rows = BTreeMap::new();
    store
        .scan(heap, &store.snapshot(), |row, bytes| {
            rows.insert(row, bytes.to_vec());
            ControlFlow::Continue(())
        })
        .unwrap();
    rows
}

#[test]
fn insert_update_delete_fetch_scan_and_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let big: Vec<u8> = (0..64_000u32).map(|i| (i * 7 % 256) as u8).collect();
    let (a, b, c);
    {
        let store = open_with_heap(dir.path(), small_options());
        let mut txn = store.begin();
        a = txn.insert(HEAP, b"alpha").unwrap();
        b = txn.insert(HEAP, &big).unwrap();
        c = txn.insert(HEAP, b"gamma").unwrap();
        assert_eq!(
            txn.fetch(HEAP, b).unwrap().unwrap(),
            big,
            "reads its own writes"
        );
        assert_eq!(
            store.fetch(HEAP, a, &store.snapshot()).unwrap(),
            None,
            "invisible before commit"
        );
        txn.commit().unwrap();
        let mut txn = store.begin();
        txn.overwrite(HEAP, a, &[9u8; 5000]).unwrap();
        txn.delete(HEAP, c).unwrap();
        txn.commit().unwrap();
        assert_eq!(
            store.fetch(HEAP, a, &store.snapshot()).unwrap().unwrap(),
            vec![9u8; 5000]
        );
        assert_eq!(store.fetch(HEAP, c, &store.snapshot()).unwrap(), None);
        // Dropped without commit: rolled back.
        let mut txn = store.begin();
        txn.delete(HEAP, b).unwrap();
        drop(txn);
        assert_eq!(
            store.fetch(HEAP, b, &store.snapshot()).unwrap().unwrap(),
            big
        );
    }
    // Reopen without a checkpoint: everything comes back from the WAL.
    let store = Store::open(dir.path(), small_options()).unwrap();
    assert!(store.recovery_report().replayed_txns >= 3);
    let rows = scan_all(&store, HEAP);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[&a], vec![9u8; 5000]);
    assert_eq!(rows[&b], big);
    store.close().unwrap();
    let store = Store::open(dir.path(), small_options()).unwrap();
    assert_eq!(
        store.recovery_report().replayed_txns,
        0,
        "clean close checkpoints"
    );
    assert_eq!(scan_all(&store, HEAP).len(), 2);
    assert!(store.verify_pages().unwrap() > 0);
}

#[test]
fn missing_rows_and_heaps_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let store = open_with_heap(dir.path(), small_options());
    let mut txn = store.begin();
    let err = txn.overwrite(HEAP, RowId::new(5, 0), b"x").unwrap_err();
    assert!(matches!(err, Error::NoSuchRow { heap: 1, .. }), "{err}");
    let err = txn.insert(HeapId(9), b"x").unwrap_err();
    assert!(matches!(err, Error::NoSuchHeap { heap: 9 }), "{err}");
    let err = txn.create_heap(HEAP).unwrap_err();
    assert!(matches!(err, Error::HeapExists { heap: 1 }), "{err}");
    // The transaction is still usable after these.
    txn.insert(HEAP, b"ok").unwrap();
    txn.commit().unwrap();
    assert!(matches!(
        store.fetch(HeapId(9), RowId(0), &store.snapshot()),
        Err(Error::NoSuchHeap { .. })
    ));
}

#[test]
fn drop_heap_and_recreate_survive_reopen() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = open_with_heap(dir.path(), small_options());
        let mut txn = store.begin();
        for i in 0..200u32 {
            txn.insert(HEAP, &[i as u8; 700]).unwrap();
        }
        txn.commit().unwrap();
        store.checkpoint().unwrap();
        let mut txn = store.begin();
        txn.drop_heap(HEAP).unwrap();
        txn.create_heap(HEAP).unwrap();
        txn.insert(HEAP, b"fresh").unwrap();
        txn.commit().unwrap();
        assert_eq!(scan_all(&store, HEAP).len(), 1);
    }
    let store = Store::open(dir.path(), small_options()).unwrap();
    let rows = scan_all(&store, HEAP);
    assert_eq!(
        rows.into_values().collect::<Vec<_>>(),
        vec![b"fresh".to_vec()]
    );
}

#[test]
fn committed_changes_replay_to_the_caller() {
    let dir = tempfile::tempdir().unwrap();
    let store = open_with_heap(dir.path(), small_options());
    let start = store.checkpoint().unwrap();
    let mut txn = store.begin();
    txn.log(42, b"CREATE INDEX items_embedding_idx");
    let row = txn.insert(HEAP, b"row").unwrap();
    txn.commit().unwrap();
    let mut txn = store.begin();
    txn.insert(HEAP, b"rolled back").unwrap();
    txn.rollback();
    let mut txn = store.begin();
    txn.delete(HEAP, row).unwrap();
    txn.commit().unwrap();
    let txns: Vec<_> = store
        .committed_since(start)
        .unwrap()
        .map(|t| t.unwrap())
        .collect();
    assert_eq!(txns.len(), 2);
    let changes: Vec<Change> = txns
        .iter()
        .flat_map(|t| t.changes.iter().map(|c| c.change.clone()))
        .collect();
    assert_eq!(
        changes,
        vec![
            Change::User {
                tag: 42,
                payload: b"CREATE INDEX items_embedding_idx".to_vec()
            },
            Change::Insert {
                heap: HEAP,
                row,
                bytes: b"row".to_vec()
            },
            Change::Expire { heap: HEAP, row },
        ]
    );
    // Replay from the second transaction's start.
    let tail: Vec<_> = store
        .committed_since(txns[0].commit_lsn)
        .unwrap()
        .map(|t| t.unwrap())
        .collect();
    assert_eq!(tail.len(), 1);
}

#[test]
fn side_files_are_registered_mapped_and_replaced() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = open_with_heap(dir.path(), small_options());
        store
            .checkpoint_with(|cp| {
                cp.write_side_file("hnsw_1", &[1u8; 100_000])?;
                let mut writer = cp.create_side_file("ivf_2")?;
                writer.write_all(b"centroids")?;
                cp.finish_side_file(writer)
            })
            .unwrap();
        let snapshot = store.side_file("hnsw_1").unwrap();
        assert_eq!(snapshot.len(), 100_000);
        snapshot.verify_checksum().unwrap();
        store
            .checkpoint_with(|cp| {
                cp.remove_side_file("ivf_2");
                cp.write_side_file("hnsw_1", b"v2")
            })
            .unwrap();
        let err = cp_name_error(&store);
        assert!(matches!(err, Error::InvalidArgument { .. }), "{err}");
    }
    let store = Store::open(dir.path(), small_options()).unwrap();
    assert_eq!(&*store.side_file("hnsw_1").unwrap(), b"v2");
    assert!(matches!(
        store.side_file("ivf_2"),
        Err(Error::NoSuchSideFile { .. })
    ));
    let files = std::fs::read_dir(dir.path().join("index")).unwrap().count();
    assert_eq!(files, 1, "old versions removed");
}

fn cp_name_error(store: &Store) -> Error {
    store
        .checkpoint_with(|cp| cp.write_side_file("../escape", b"x"))
        .unwrap_err()
}

#[test]
fn second_open_of_a_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), StoreOptions::default()).unwrap();
    let err = Store::open(dir.path(), StoreOptions::default()).unwrap_err();
    assert!(matches!(err, Error::Locked { .. }), "{err}");
    assert!(err.to_string().contains("LOCK"), "{err}");
    drop(store);
    Store::open(dir.path(), StoreOptions::default()).unwrap();
}

#[test]
fn open_without_create_reports_missing_directory() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    let options = StoreOptions {
        create_if_missing: false,
        ..StoreOptions::default()
    };
    let err = Store::open(&missing, options).unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err}");
    assert!(err.to_string().contains("nope"));
}

#[test]
fn readers_run_while_a_writer_commits() {
    let dir = tempfile::tempdir().unwrap();
    let options = StoreOptions {
        synchronous_commit: false,
        ..small_options()
    };
    let store = open_with_heap(dir.path(), options);
    std::thread::scope(|scope| {
        let store = &store;
        scope.spawn(move || {
            for i in 0..50u32 {
                let mut txn = store.begin();
                // Two rows per transaction: readers must see both or neither.
                txn.insert(HEAP, &i.to_le_bytes()).unwrap();
                txn.insert(HEAP, &i.to_le_bytes()).unwrap();
                txn.commit().unwrap();
            }
        });
        for _ in 0..2 {
            scope.spawn(move || {
                for _ in 0..50 {
                    let rows = scan_all(store, HEAP);
                    assert_eq!(rows.len() % 2, 0, "half a transaction visible");
                }
            });
        }
    });
    assert_eq!(scan_all(&store, HEAP).len(), 100);
}

#[test]
fn a_transaction_can_commit_without_waiting_for_its_fsync() {
    let dir = tempfile::tempdir().unwrap();
    let options = StoreOptions {
        // Long enough that the background writer does not flush during the test.
        wal_writer_delay: std::time::Duration::from_secs(3600),
        ..small_options()
    };
    let store = open_with_heap(dir.path(), options.clone());
    let mut txn = store.begin();
    txn.insert(HEAP, b"waited").unwrap();
    let waited = txn.commit().unwrap();
    assert!(store.durable_lsn() >= waited.commit_lsn);

    let mut txn = store.begin();
    txn.set_synchronous_commit(false);
    txn.insert(HEAP, b"not waited").unwrap();
    let not_waited = txn.commit().unwrap();
    assert!(
        store.durable_lsn() < not_waited.commit_lsn,
        "the commit waited"
    );
    assert_eq!(scan_all(&store, HEAP).len(), 2);

    // A clean close flushes it.
    drop(store);
    let store = Store::open(dir.path(), options).unwrap();
    let rows: Vec<Vec<u8>> = scan_all(&store, HEAP).into_values().collect();
    assert_eq!(rows, vec![b"waited".to_vec(), b"not waited".to_vec()]);
}

#[test]
fn page_range_visits_see_what_a_scan_sees_with_a_pool_smaller_than_the_heap() {
    // 8-page pool, a heap of about 60 pages: the pages a visit looks ahead at are often
    // not cached (pinned and read when their turn comes) or evicted in between.
    let dir = tempfile::tempdir().unwrap();
    let options = StoreOptions {
        buffer_pool_bytes: 8 * 8192,
        ..small_options()
    };
    let store = open_with_heap(dir.path(), options);
    let mut txn = store.begin();
    for i in 0..600u32 {
        txn.insert(HEAP, &vec![(i % 251) as u8; 700 + (i as usize % 5)])
            .unwrap();
    }
    txn.commit().unwrap();
    let snapshot = store.snapshot();
    let all: Vec<(vec_storage::RowId, Vec<u8>)> = scan_all(&store, HEAP).into_iter().collect();
    let pages = store.heap_pages(HEAP).unwrap();
    assert!(pages > 40, "{pages} pages");
    let visit = |range: std::ops::Range<u32>, stop_after: usize| {
        let mut seen = Vec::new();
        store
            .visit_pages_versions(HEAP, range, &snapshot, &mut |row, bytes| {
                seen.push((row, bytes.to_vec()));
                if seen.len() == stop_after {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            })
            .unwrap();
        seen
    };
    assert_eq!(visit(0..pages, usize::MAX), all);
    // Any split into ranges gives the same rows in the same order.
    let mut split = visit(0..pages / 3, usize::MAX);
    split.extend(visit(pages / 3..pages / 3 + 1, usize::MAX));
    split.extend(visit(pages / 3 + 1..pages, usize::MAX));
    assert_eq!(split, all);
    // A visit that stops early has seen a prefix.
    assert_eq!(visit(0..pages, 37), all[..37]);
}

#[test]
fn visit_row_sees_what_fetch_reads() {
    let dir = tempfile::tempdir().unwrap();
    let store = open_with_heap(dir.path(), small_options());
    let big: Vec<u8> = (0..40_000u32).map(|i| (i * 13 % 251) as u8).collect();
    let mut txn = store.begin();
    let small = txn.insert(HEAP, b"small").unwrap();
    let overflowed = txn.insert(HEAP, &big).unwrap();
    let doomed = txn.insert(HEAP, b"doomed").unwrap();
    txn.commit().unwrap();
    let before = store.snapshot();
    let mut txn = store.begin();
    txn.overwrite(HEAP, small, b"changed").unwrap();
    txn.delete(HEAP, doomed).unwrap();
    let added = txn.insert(HEAP, b"added").unwrap();
    txn.commit().unwrap();
    let after = store.snapshot();
    let visit = |row, snapshot| {
        let mut seen = None;
        let found = store
            .visit_row(HEAP, row, snapshot, &mut |bytes| {
                seen = Some(bytes.to_vec())
            })
            .unwrap();
        assert_eq!(found, seen.is_some());
        seen
    };
    for snapshot in [&before, &after] {
        for row in [small, overflowed, doomed, added] {
            assert_eq!(
                visit(row, snapshot),
                store.fetch(HEAP, row, snapshot).unwrap(),
                "{row:?}"
            );
        }
    }
    assert_eq!(visit(small, &after).unwrap(), b"changed");
    assert_eq!(visit(overflowed, &after).unwrap(), big);
    assert_eq!(visit(doomed, &after), None);
    assert_eq!(visit(added, &before), None);
    assert_eq!(visit(RowId::new(10_000, 0), &after), None, "past the heap");
    assert!(matches!(
        store.visit_row(HeapId(99), small, &after, &mut |_| {}),
        Err(Error::NoSuchHeap { heap: 99 })
    ));
}

/// Prefetching rows is only a hint: on rows in pages read already, in pages not read
/// yet, past the heap's end, in slots the page lacks and in a heap that does not exist,
/// it changes nothing that a read sees.
#[test]
fn prefetching_rows_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let rows: Vec<RowId>;
    {
        let store = open_with_heap(dir.path(), small_options());
        let mut txn = store.begin();
        rows = (0..200u32)
            .map(|i| txn.insert(HEAP, &i.to_le_bytes().repeat(50)).unwrap())
            .collect();
        txn.commit().unwrap();
        store.checkpoint().unwrap();
    }
    // Reopened, the rows are read from the heap file's mapping.
    let store = open_with_heap(dir.path(), small_options());
    let snapshot = store.snapshot();
    let expected: Vec<_> = rows
        .iter()
        .map(|&row| store.fetch(HEAP, row, &snapshot).unwrap())
        .collect();
    let last = rows.last().unwrap();
    let bogus = [
        RowId::new(last.page_no() + 1_000, 0),
        RowId::new(last.page_no(), 500),
        RowId::new(0, u16::MAX),
    ];
    for heap in [HEAP, HeapId(99)] {
        let prefetcher = store.row_prefetcher(heap);
        for &row in rows.iter().chain(&bogus) {
            prefetcher.prefetch(row, RowPrefetch::Directory);
            prefetcher.prefetch(row, RowPrefetch::Row);
        }
    }
    for (&row, expected) in rows.iter().zip(&expected) {
        assert_eq!(&store.fetch(HEAP, row, &snapshot).unwrap(), expected);
    }
    assert_eq!(
        expected[7].as_deref(),
        Some(&7u32.to_le_bytes().repeat(50)[..])
    );
}
