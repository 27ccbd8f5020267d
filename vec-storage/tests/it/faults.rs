//! Fault injection, each with its documented outcome:
//!
//! - WAL truncated mid-record, or garbage after the last record: recovery keeps every
//!   complete commit before the damage and discards the rest.
//! - A flipped byte in a heap page: the store opens, lists the page in the recovery report,
//!   and any read of it fails with `CorruptPage` naming the file and page number.
//! - An interrupted manifest rename: the checkpoint fails with an error naming `MANIFEST`;
//!   the old manifest stays valid and a reopen recovers every commit.
//! - Disk full, permission denied, failed fsync, missing files: typed errors with the path.

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use vec_storage::{Error, FaultBackend, Faults, RowId, Store, StoreOptions};

use crate::common::{open_with_heap, small_options, HEAP};

fn rows(store: &Store) -> Result<Vec<Vec<u8>>, Error> {
    let mut out = Vec::new();
    store.scan(HEAP, &store.snapshot(), |_, bytes| {
        out.push(bytes.to_vec());
        ControlFlow::Continue(())
    })?;
    Ok(out)
}

fn last_segment(dir: &Path) -> PathBuf {
    let mut segments: Vec<PathBuf> = std::fs::read_dir(dir.join("wal"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    segments.sort();
    segments.pop().unwrap()
}

fn commit_row(store: &Store, bytes: &[u8]) -> RowId {
    let mut txn = store.begin();
    let row = txn.insert(HEAP, bytes).unwrap();
    txn.commit().unwrap();
    row
}

#[test]
fn wal_truncated_mid_record_recovers_to_last_good_commit() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = open_with_heap(dir.path(), small_options());
        commit_row(&store, b"one");
        commit_row(&store, b"two");
        commit_row(&store, &[3u8; 500]);
    }
    let segment = last_segment(dir.path());
    let len = std::fs::metadata(&segment).unwrap().len();
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(&segment)
        .unwrap();
    file.set_len(len - 200).unwrap();
    drop(file);
    let store = Store::open(dir.path(), small_options()).unwrap();
    assert_eq!(
        rows(&store).unwrap(),
        vec![b"one".to_vec(), b"two".to_vec()]
    );
    assert!(store.recovery_report().discarded_bytes > 0);
    // The log continues cleanly after the cut.
    commit_row(&store, b"four");
    drop(store);
    let store = Store::open(dir.path(), small_options()).unwrap();
    assert_eq!(rows(&store).unwrap().len(), 3);
    assert_eq!(store.recovery_report().discarded_bytes, 0);
}

#[test]
fn garbage_after_the_last_record_is_discarded() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = open_with_heap(dir.path(), small_options());
        commit_row(&store, b"kept");
    }
    let segment = last_segment(dir.path());
    let mut bytes = std::fs::read(&segment).unwrap();
    bytes.extend((0..1000u32).map(|i| (i * 31 % 251) as u8));
    std::fs::write(&segment, &bytes).unwrap();
    let store = Store::open(dir.path(), small_options()).unwrap();
    assert_eq!(rows(&store).unwrap(), vec![b"kept".to_vec()]);
    assert_eq!(store.recovery_report().discarded_bytes, 1000);
}

#[test]
fn flipped_byte_in_heap_page_is_reported_with_file_and_page() {
    let dir = tempfile::tempdir().unwrap();
    let far;
    {
        let store = open_with_heap(dir.path(), small_options());
        let mut txn = store.begin();
        let mut last = None;
        for i in 0..40u32 {
            last = Some(txn.insert(HEAP, &[i as u8; 1500]).unwrap());
        }
        far = last.unwrap();
        txn.commit().unwrap();
        store.close().unwrap();
    }
    assert!(far.page_no() > 0);
    let heap_file = dir.path().join("heap").join("1.heap");
    let mut bytes = std::fs::read(&heap_file).unwrap();
    bytes[3000] ^= 0x10; // inside page 0
    std::fs::write(&heap_file, &bytes).unwrap();

    let store = Store::open(dir.path(), small_options()).unwrap();
    assert_eq!(
        store.recovery_report().corrupt_pages,
        vec![(heap_file.clone(), 0)]
    );
    let err = rows(&store).unwrap_err();
    match &err {
        Error::CorruptPage { path, page_no, .. } => {
            assert_eq!(path, &heap_file);
            assert_eq!(*page_no, 0);
        }
        other => panic!("expected CorruptPage, got {other}"),
    }
    assert!(err.to_string().contains("invalid page 0"), "{err}");
    assert!(matches!(
        store.fetch(HEAP, RowId::new(0, 0), &store.snapshot()),
        Err(Error::CorruptPage { .. })
    ));
    // Rows elsewhere are still served, and new rows never land on the bad page.
    assert_eq!(
        store.fetch(HEAP, far, &store.snapshot()).unwrap().unwrap(),
        vec![39u8; 1500]
    );
    let new_row = commit_row(&store, b"new");
    assert_ne!(new_row.page_no(), 0);
    assert!(matches!(
        store.verify_pages(),
        Err(Error::CorruptPage { page_no: 0, .. })
    ));
}

#[test]
fn interrupted_manifest_rename_keeps_the_old_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let backend = FaultBackend::default();
    let options = StoreOptions {
        backend: Arc::new(backend.clone()),
        ..small_options()
    };
    {
        let store = open_with_heap(dir.path(), options.clone());
        commit_row(&store, b"before");
        let old_lsn = store.checkpoint().unwrap();
        commit_row(&store, b"between");
        Faults::set(&backend.faults.fail_rename, true);
        let err = store.checkpoint().unwrap_err();
        assert!(err.to_string().contains("MANIFEST"), "{err}");
        assert_eq!(store.checkpoint_lsn(), old_lsn);
        Faults::set(&backend.faults.fail_rename, false);
        // Still usable.
        commit_row(&store, b"after");
    }
    assert!(dir.path().join("MANIFEST.tmp").exists());
    let store = Store::open(dir.path(), small_options()).unwrap();
    assert!(!dir.path().join("MANIFEST.tmp").exists());
    assert_eq!(
        rows(&store).unwrap(),
        vec![b"before".to_vec(), b"between".to_vec(), b"after".to_vec()]
    );
}

#[test]
fn interrupted_side_file_checkpoint_leaves_no_orphans() {
    let dir = tempfile::tempdir().unwrap();
    let backend = FaultBackend::default();
    let options = StoreOptions {
        backend: Arc::new(backend.clone()),
        ..small_options()
    };
    {
        let store = open_with_heap(dir.path(), options);
        store
            .checkpoint_with(|cp| cp.write_side_file("idx", b"v1"))
            .unwrap();
        let faults = backend.faults.clone();
        let err = store
            .checkpoint_with(|cp| {
                cp.write_side_file("idx", b"v2")?;
                Faults::set(&faults.fail_rename, true);
                Ok(())
            })
            .unwrap_err();
        assert!(err.to_string().contains("MANIFEST"), "{err}");
    }
    let store = Store::open(dir.path(), small_options()).unwrap();
    assert_eq!(&*store.side_file("idx").unwrap(), b"v1");
    assert_eq!(
        std::fs::read_dir(dir.path().join("index")).unwrap().count(),
        1
    );
}

#[test]
fn corrupted_manifest_is_a_corruption_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = open_with_heap(dir.path(), small_options());
        store.close().unwrap();
    }
    let path = dir.path().join("MANIFEST");
    let mut bytes = std::fs::read(&path).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&path, &bytes).unwrap();
    let err = Store::open(dir.path(), small_options()).unwrap_err();
    assert!(err.is_corruption(), "{err}");
    assert!(err.to_string().contains("MANIFEST"), "{err}");
}

#[test]
fn missing_heap_file_is_not_found_with_path() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = open_with_heap(dir.path(), small_options());
        commit_row(&store, b"x");
        store.close().unwrap();
    }
    std::fs::remove_file(dir.path().join("heap").join("1.heap")).unwrap();
    let err = Store::open(dir.path(), small_options()).unwrap_err();
    match err {
        Error::NotFound { path, .. } => assert!(path.ends_with("heap/1.heap")),
        other => panic!("expected NotFound, got {other}"),
    }
}

#[test]
fn disk_full_fails_the_commit_with_the_wal_path_and_loses_nothing_committed() {
    let dir = tempfile::tempdir().unwrap();
    let backend = FaultBackend::default();
    let options = StoreOptions {
        backend: Arc::new(backend.clone()),
        ..small_options()
    };
    {
        let store = open_with_heap(dir.path(), options);
        commit_row(&store, b"durable");
        Faults::set(&backend.faults.disk_full, true);
        let mut txn = store.begin();
        txn.insert(HEAP, b"lost").unwrap();
        let err = txn.commit().unwrap_err();
        match &err {
            Error::DiskFull { path, .. } => assert!(path.starts_with(dir.path().join("wal"))),
            other => panic!("expected DiskFull, got {other}"),
        }
        assert!(err.to_string().contains("No space left on device"), "{err}");
        // The log's state is unknown after a failed write: later commits are refused.
        let mut txn = store.begin();
        txn.insert(HEAP, b"refused").unwrap();
        assert!(matches!(txn.commit(), Err(Error::Poisoned { .. })));
        Faults::set(&backend.faults.disk_full, false);
    }
    let store = Store::open(dir.path(), small_options()).unwrap();
    let found = rows(&store).unwrap();
    assert!(found.contains(&b"durable".to_vec()));
    assert!(!found.contains(&b"refused".to_vec()));
}

#[test]
fn disk_full_during_checkpoint_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let backend = FaultBackend::default();
    let options = StoreOptions {
        backend: Arc::new(backend.clone()),
        synchronous_commit: true,
        ..small_options()
    };
    let store = open_with_heap(dir.path(), options);
    commit_row(&store, &[1u8; 3000]);
    store.flush_wal().unwrap();
    Faults::set(&backend.faults.disk_full, true);
    let err = store.checkpoint().unwrap_err();
    match &err {
        Error::DiskFull { path, .. } => assert!(path.starts_with(dir.path().join("heap")), "{err}"),
        other => panic!("expected DiskFull, got {other}"),
    }
    Faults::set(&backend.faults.disk_full, false);
    store.checkpoint().unwrap();
}

#[test]
fn permission_denied_at_open_names_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let backend = FaultBackend::default();
    Faults::set(&backend.faults.permission_denied, true);
    let options = StoreOptions {
        backend: Arc::new(backend),
        ..small_options()
    };
    let err = Store::open(dir.path().join("db"), options).unwrap_err();
    match &err {
        Error::PermissionDenied { path, .. } => assert!(path.starts_with(dir.path())),
        other => panic!("expected PermissionDenied, got {other}"),
    }
    assert!(err.to_string().contains("Permission denied"), "{err}");
}

#[test]
fn failed_fsync_poisons_the_store_until_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let backend = FaultBackend::default();
    let options = StoreOptions {
        backend: Arc::new(backend.clone()),
        ..small_options()
    };
    {
        let store = open_with_heap(dir.path(), options);
        commit_row(&store, b"a");
        Faults::set(&backend.faults.fail_sync, true);
        let mut txn = store.begin();
        txn.insert(HEAP, b"b").unwrap();
        let err = txn.commit().unwrap_err();
        assert!(matches!(err, Error::Io { .. }), "{err}");
        assert!(err.to_string().contains("fsync"), "{err}");
        Faults::set(&backend.faults.fail_sync, false);
        let mut txn = store.begin();
        txn.insert(HEAP, b"c").unwrap();
        assert!(matches!(txn.commit(), Err(Error::Poisoned { .. })));
    }
    let store = Store::open(dir.path(), small_options()).unwrap();
    assert!(rows(&store).unwrap().contains(&b"a".to_vec()));
}

#[test]
fn torn_page_is_restored_from_the_doublewrite_copy() {
    let dir = tempfile::tempdir().unwrap();
    let backend = FaultBackend::default();
    let options = StoreOptions {
        backend: Arc::new(backend.clone()),
        ..small_options()
    };
    let heap_file = dir.path().join("heap").join("1.heap");
    let torn_page;
    {
        let store = open_with_heap(dir.path(), options);
        for i in 0..10u8 {
            commit_row(&store, &[i; 1500]);
        }
        store.checkpoint().unwrap();
        let mut txn = store.begin();
        let row = txn.insert(HEAP, &[0xAB; 1500]).unwrap();
        txn.commit().unwrap();
        torn_page = row.page_no() as usize;
        // The double-write copy reaches the disk; the in-place write does not.
        *backend.faults.fail_writes_to.lock() = Some(".heap".into());
        assert!(store.checkpoint().is_err());
        *backend.faults.fail_writes_to.lock() = None;
    }
    // Tear the page in place, as a crash in the middle of its write would.
    let mut bytes = std::fs::read(&heap_file).unwrap();
    bytes.resize(bytes.len().max(8192 * (torn_page + 1)), 0);
    for byte in &mut bytes[8192 * torn_page + 4096..8192 * (torn_page + 1)] {
        *byte = 0x77;
    }
    std::fs::write(&heap_file, &bytes).unwrap();
    let store = Store::open(dir.path(), small_options()).unwrap();
    assert!(store.recovery_report().restored_pages >= 1);
    assert!(store.recovery_report().corrupt_pages.is_empty());
    store.verify_pages().unwrap();
    let found = rows(&store).unwrap();
    assert_eq!(found.len(), 11);
    assert!(found.contains(&vec![0xAB; 1500]));
}

#[test]
fn concurrent_committers_all_survive_reopen() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = open_with_heap(dir.path(), small_options());
        std::thread::scope(|scope| {
            for t in 0..8u8 {
                let store = &store;
                scope.spawn(move || {
                    for i in 0..10u8 {
                        commit_row(store, &[t, i]);
                    }
                });
            }
        });
    }
    let store = Store::open(dir.path(), small_options()).unwrap();
    let mut found = rows(&store).unwrap();
    found.sort();
    let mut expected: Vec<Vec<u8>> = (0..8u8)
        .flat_map(|t| (0..10u8).map(move |i| vec![t, i]))
        .collect();
    expected.sort();
    assert_eq!(found, expected);
}
