//! Multi-versioned rows: snapshots see exactly the commits before them while later ones
//! land, readers never hold up a commit, updates make new versions, deleting a version a
//! later commit already deleted is a serialization conflict, vacuum removes only what no
//! snapshot sees, savepoints undo, and all of it survives recovery.

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use vec_storage::{Error, RowId, Snapshot, Store};

use crate::common::{open_with_heap, small_options, HEAP};

fn rows(store: &Store, snapshot: &Snapshot) -> BTreeMap<RowId, Vec<u8>> {
    let mut rows = BTreeMap::new();
    store
        .scan(HEAP, snapshot, |row, bytes| {
            rows.insert(row, bytes.to_vec());
            ControlFlow::Continue(())
        })
        .unwrap();
    rows
}

fn values(store: &Store, snapshot: &Snapshot) -> Vec<Vec<u8>> {
    rows(store, snapshot).into_values().collect()
}

#[test]
fn snapshots_see_the_commits_before_them() {
    let dir = tempfile::tempdir().unwrap();
    let store = open_with_heap(dir.path(), small_options());
    let mut txn = store.begin();
    let a = txn.insert(HEAP, b"a").unwrap();
    let b = txn.insert(HEAP, &[7u8; 20_000]).unwrap();
    txn.commit().unwrap();
    let before = store.snapshot();
    let mut txn = store.begin();
    let a2 = txn.update(HEAP, a, b"a2").unwrap();
    assert_ne!(a2, a, "an update makes a new version");
    txn.delete(HEAP, b).unwrap();
    let c = txn.insert(HEAP, b"c").unwrap();
    assert_eq!(
        txn.fetch(HEAP, a).unwrap(),
        None,
        "its own delete hides the old version"
    );
    assert_eq!(txn.fetch(HEAP, a2).unwrap().as_deref(), Some(&b"a2"[..]));
    txn.commit().unwrap();
    let after = store.snapshot();
    assert_eq!(
        values(&store, &before),
        vec![b"a".to_vec(), vec![7u8; 20_000]]
    );
    let now = rows(&store, &after);
    assert_eq!(now.len(), 2);
    assert_eq!(
        (now[&a2].as_slice(), now[&c].as_slice()),
        (&b"a2"[..], &b"c"[..])
    );
    assert_eq!(
        store.fetch(HEAP, a, &before).unwrap().as_deref(),
        Some(&b"a"[..])
    );
    assert_eq!(store.fetch(HEAP, a, &after).unwrap(), None);
    assert_eq!(store.fetch(HEAP, c, &before).unwrap(), None);
    let version = store.fetch_version(HEAP, a).unwrap().unwrap();
    assert!(version.created <= before.lsn().0 && version.deleted > before.lsn().0);
}

#[test]
fn a_scan_never_holds_up_a_commit() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(open_with_heap(dir.path(), small_options()));
    let mut txn = store.begin();
    let first: Vec<RowId> = (0..2000u32)
        .map(|i| txn.insert(HEAP, &i.to_le_bytes()).unwrap())
        .collect();
    txn.commit().unwrap();
    let snapshot = store.snapshot();
    let (paused, wait_for_pause) = mpsc::channel();
    let (resume, wait_for_resume) = mpsc::channel::<()>();
    let reader = {
        let store = Arc::clone(&store);
        std::thread::spawn(move || {
            let mut seen = 0;
            store
                .scan(HEAP, &snapshot, |_, _| {
                    seen += 1;
                    if seen == 1000 {
                        paused.send(()).unwrap();
                        wait_for_resume.recv().unwrap();
                    }
                    ControlFlow::Continue(())
                })
                .unwrap();
            seen
        })
    };
    wait_for_pause.recv().unwrap();
    // The reader is in the middle of its scan: a writer deletes every row and adds some.
    let writer = {
        let store = Arc::clone(&store);
        std::thread::spawn(move || {
            let mut txn = store.begin();
            for &row in &first {
                txn.delete(HEAP, row).unwrap();
            }
            for i in 0..500u32 {
                txn.insert(HEAP, &(10_000 + i).to_le_bytes()).unwrap();
            }
            txn.commit().unwrap();
        })
    };
    let start = std::time::Instant::now();
    while !writer.is_finished() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the commit waited for the scan"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    writer.join().unwrap();
    resume.send(()).unwrap();
    assert_eq!(
        reader.join().unwrap(),
        2000,
        "the scan saw its snapshot, whole"
    );
    assert_eq!(rows(&store, &store.snapshot()).len(), 500);
}

#[test]
fn deleting_what_a_later_commit_deleted_is_a_serialization_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let store = open_with_heap(dir.path(), small_options());
    let mut txn = store.begin();
    let row = txn.insert(HEAP, b"x").unwrap();
    txn.commit().unwrap();
    let old = store.snapshot();
    let mut txn = store.begin();
    txn.update(HEAP, row, b"y").unwrap();
    txn.commit().unwrap();
    let mut txn = store.begin();
    txn.set_snapshot(&old);
    assert_eq!(txn.fetch(HEAP, row).unwrap().as_deref(), Some(&b"x"[..]));
    let error = txn.delete(HEAP, row).unwrap_err();
    assert!(
        matches!(error, Error::SerializationConflict { .. }),
        "{error}"
    );
    assert_eq!(
        error.to_string(),
        "could not serialize access due to concurrent update"
    );
    // The transaction goes on; deleting a row it never saw is no conflict but no row.
    let fresh = txn.insert(HEAP, b"z").unwrap();
    txn.delete(HEAP, fresh).unwrap();
    assert!(matches!(
        txn.delete(HEAP, fresh),
        Err(Error::NoSuchRow { .. })
    ));
    txn.commit().unwrap();
}

#[test]
fn vacuum_removes_only_versions_no_snapshot_sees() {
    let dir = tempfile::tempdir().unwrap();
    let store = open_with_heap(dir.path(), small_options());
    let mut txn = store.begin();
    let rows: Vec<RowId> = (0..100u8)
        .map(|i| txn.insert(HEAP, &[i; 300]).unwrap())
        .collect();
    txn.commit().unwrap();
    let reader = store.snapshot();
    let mut txn = store.begin();
    for row in &rows[..50] {
        txn.delete(HEAP, *row).unwrap();
    }
    txn.commit().unwrap();
    let mut txn = store.begin();
    assert_eq!(
        txn.vacuum(HEAP, store.horizon()).unwrap(),
        Vec::new(),
        "the reader still sees them"
    );
    txn.commit().unwrap();
    assert_eq!(values(&store, &reader).len(), 100);
    drop(reader);
    let mut txn = store.begin();
    let removed = txn.vacuum(HEAP, store.horizon()).unwrap();
    txn.commit().unwrap();
    assert_eq!(removed, rows[..50].to_vec());
    assert_eq!(store.fetch_version(HEAP, rows[0]).unwrap(), None);
    assert_eq!(values(&store, &store.snapshot()).len(), 50);
    // The space is reused.
    let mut txn = store.begin();
    let again = txn.insert(HEAP, &[200; 300]).unwrap();
    txn.commit().unwrap();
    assert!(
        rows[..50].contains(&again),
        "{again} reuses a vacuumed slot"
    );
}

#[test]
fn savepoints_undo_what_came_after() {
    let dir = tempfile::tempdir().unwrap();
    let store = open_with_heap(dir.path(), small_options());
    let mut txn = store.begin();
    let kept = txn.insert(HEAP, b"kept").unwrap();
    let savepoint = txn.savepoint();
    let lost = txn.insert(HEAP, &[1u8; 30_000]).unwrap();
    txn.delete(HEAP, kept).unwrap();
    txn.rollback_to(&savepoint);
    assert_eq!(
        txn.fetch(HEAP, kept).unwrap().as_deref(),
        Some(&b"kept"[..])
    );
    assert_eq!(txn.fetch(HEAP, lost).unwrap(), None);
    // The savepoint stays usable, as SQL's does.
    txn.insert(HEAP, b"second try").unwrap();
    txn.rollback_to(&savepoint);
    let after = txn.insert(HEAP, b"after").unwrap();
    txn.commit().unwrap();
    let snapshot = store.snapshot();
    assert_eq!(
        values(&store, &snapshot),
        vec![b"kept".to_vec(), b"after".to_vec()]
    );
    assert_eq!(
        store.fetch(HEAP, after, &snapshot).unwrap().as_deref(),
        Some(&b"after"[..])
    );
}

#[test]
fn versions_and_stamps_survive_recovery() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b);
    {
        let store = open_with_heap(dir.path(), small_options());
        let mut txn = store.begin();
        a = txn.insert(HEAP, b"a").unwrap();
        b = txn.insert(HEAP, &[3u8; 40_000]).unwrap();
        txn.commit().unwrap();
        store.checkpoint().unwrap();
        let mut txn = store.begin();
        txn.update(HEAP, a, b"a2").unwrap();
        txn.delete(HEAP, b).unwrap();
        txn.commit().unwrap();
        // Not closed: the reopen replays the second transaction.
        drop(store);
    }
    let store = Store::open(dir.path(), small_options()).unwrap();
    assert_eq!(values(&store, &store.snapshot()), vec![b"a2".to_vec()]);
    let old_a = store.fetch_version(HEAP, a).unwrap().unwrap();
    let old_b = store.fetch_version(HEAP, b).unwrap().unwrap();
    assert!(old_a.deleted != 0 && old_a.deleted == old_b.deleted);
    assert!(old_a.created < old_a.deleted);
    let mut txn = store.begin();
    assert_eq!(txn.vacuum(HEAP, store.horizon()).unwrap(), vec![a, b]);
    txn.commit().unwrap();
}

#[test]
fn a_store_in_memory_works_and_reopens_from_its_backend() {
    let backend = Arc::new(vec_storage::MemBackend::new());
    let options = vec_storage::StoreOptions {
        backend: backend.clone(),
        ..small_options()
    };
    let dir = std::path::Path::new("/in-memory");
    let row;
    {
        let store = open_with_heap(dir, options.clone());
        let mut txn = store.begin();
        row = txn.insert(HEAP, &[5u8; 50_000]).unwrap();
        txn.commit().unwrap();
        // A second store on the same (memory) directory takes no lock.
        store.checkpoint().unwrap();
        let mut txn = store.begin();
        txn.insert(HEAP, b"after the checkpoint").unwrap();
        txn.commit().unwrap();
    }
    assert!(!std::path::Path::new("/in-memory").exists());
    let store = Store::open(dir, options).unwrap();
    let snapshot = store.snapshot();
    assert_eq!(
        store.fetch(HEAP, row, &snapshot).unwrap(),
        Some(vec![5u8; 50_000])
    );
    assert_eq!(values(&store, &snapshot).len(), 2);
}
