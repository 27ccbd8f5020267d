//! Owned transactions ([`Store::begin_owned`]): a `Txn<'static>` kept across calls and
//! threads, committed or rolled back as one, and the writer mutex's timeout.

use std::sync::Arc;
use std::time::Duration;

use vec_storage::{HeapId, Store, Txn};

use crate::common::{open_with_heap, small_options, HEAP};

/// A caller that keeps a transaction open between calls, as an SQL block does.
struct Block {
    txn: Option<Txn<'static>>,
}

#[test]
fn owned_transaction_spans_calls_and_commits_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let (first, second);
    {
        let store = Arc::new(open_with_heap(dir.path(), small_options()));
        let mut block = Block {
            txn: Some(store.begin_owned()),
        };
        first = block.txn.as_mut().unwrap().insert(HEAP, b"one").unwrap();
        // A later call sees the earlier one's row, and can move to another thread.
        let mut txn = block.txn.take().unwrap();
        let handle = std::thread::spawn(move || {
            assert_eq!(
                txn.fetch(HEAP, first).unwrap().as_deref(),
                Some(&b"one"[..])
            );
            let second = txn.insert(HEAP, b"two").unwrap();
            txn.create_heap(HeapId(7)).unwrap();
            assert!(txn.heaps().contains(&HeapId(7)));
            (txn, second)
        });
        let (txn, row) = handle.join().unwrap();
        second = row;
        // Nothing is visible to readers before the commit.
        assert_eq!(store.fetch(HEAP, first, &store.snapshot()).unwrap(), None);
        assert!(!store.heap_exists(HeapId(7)));
        txn.commit().unwrap();
        assert_eq!(
            store
                .fetch(HEAP, second, &store.snapshot())
                .unwrap()
                .as_deref(),
            Some(&b"two"[..])
        );
        // The store closes once the last handle is gone (the transaction kept one).
        Arc::try_unwrap(store).unwrap().close().unwrap();
    }
    let store = Store::open(dir.path(), small_options()).unwrap();
    assert_eq!(
        store
            .fetch(HEAP, first, &store.snapshot())
            .unwrap()
            .as_deref(),
        Some(&b"one"[..])
    );
    assert_eq!(
        store
            .fetch(HEAP, second, &store.snapshot())
            .unwrap()
            .as_deref(),
        Some(&b"two"[..])
    );
    assert!(store.heap_exists(HeapId(7)));
}

#[test]
fn dropped_owned_transaction_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let kept;
    {
        let store = Arc::new(open_with_heap(dir.path(), small_options()));
        let mut txn = store.begin_owned();
        kept = txn.insert(HEAP, b"kept").unwrap();
        txn.commit().unwrap();
        let mut txn = store.begin_owned();
        txn.delete(HEAP, kept).unwrap();
        let lost = txn.insert(HEAP, b"lost").unwrap();
        assert_eq!(
            txn.fetch(HEAP, lost).unwrap().as_deref(),
            Some(&b"lost"[..])
        );
        txn.create_heap(HeapId(9)).unwrap();
        drop(txn);
        assert_eq!(
            store
                .fetch(HEAP, kept, &store.snapshot())
                .unwrap()
                .as_deref(),
            Some(&b"kept"[..])
        );
        assert!(!store.heap_exists(HeapId(9)));
        // (The insert may have reused the deleted row's slot, which holds "kept" again.)
        assert_ne!(
            store
                .fetch(HEAP, lost, &store.snapshot())
                .unwrap()
                .as_deref(),
            Some(&b"lost"[..])
        );
        // An explicit rollback does the same.
        let mut txn = store.begin_owned();
        let again = txn.insert(HEAP, b"again").unwrap();
        txn.rollback();
        assert_ne!(
            store
                .fetch(HEAP, again, &store.snapshot())
                .unwrap()
                .as_deref(),
            Some(&b"again"[..])
        );
    }
    let store = Store::open(dir.path(), small_options()).unwrap();
    assert_eq!(
        store
            .fetch(HEAP, kept, &store.snapshot())
            .unwrap()
            .as_deref(),
        Some(&b"kept"[..])
    );
    assert!(!store.heap_exists(HeapId(9)));
}

#[test]
fn second_writer_times_out_while_an_owned_transaction_is_open() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(open_with_heap(dir.path(), small_options()));
    let mut txn = store.begin_owned();
    txn.insert(HEAP, b"x").unwrap();
    assert!(store
        .try_begin_owned_for(Duration::from_millis(10))
        .is_none());
    txn.commit().unwrap();
    let txn = store
        .try_begin_owned_for(Duration::from_millis(10))
        .expect("the writer mutex is free after the commit");
    drop(txn);
    // A borrowed transaction still works next to owned ones.
    let mut txn = store.begin();
    txn.insert(HEAP, b"y").unwrap();
    txn.commit().unwrap();
}
