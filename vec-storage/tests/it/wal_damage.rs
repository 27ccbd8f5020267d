//! Damage in the middle of the log is told from a torn tail: a record that fails its
//! check with valid records after it fails the open with `CorruptWal` (naming the
//! segment, the offset and the commits behind it) instead of silently dropping those
//! commits; `WalRecovery::TruncateAtCorruption` is the explicit way on and reports what
//! it discarded.

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use vec_storage::{Error, Store, StoreOptions, WalRecovery};

use crate::common::{open_with_heap, small_options, HEAP};

fn n_rows(store: &Store) -> usize {
    let mut n = 0;
    store
        .scan(HEAP, &store.snapshot(), |_, _| {
            n += 1;
            ControlFlow::Continue(())
        })
        .unwrap();
    n
}

fn only_segment(dir: &Path) -> PathBuf {
    let segments: Vec<PathBuf> = std::fs::read_dir(dir.join("wal"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(segments.len(), 1);
    segments[0].clone()
}

/// Twenty committed rows, left in the log only (the store is dropped without a close).
fn twenty_commits(dir: &Path) -> PathBuf {
    let store = open_with_heap(dir, small_options());
    store.checkpoint().unwrap();
    for i in 0..20u32 {
        let mut txn = store.begin();
        txn.insert(HEAP, format!("row {i}").as_bytes()).unwrap();
        txn.commit().unwrap();
    }
    drop(store);
    only_segment(dir)
}

fn flip(path: &Path, offset: usize) {
    let mut bytes = std::fs::read(path).unwrap();
    bytes[offset] ^= 0x40;
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn a_flipped_byte_inside_the_log_refuses_the_open_and_truncation_is_explicit() {
    let dir = tempfile::tempdir().unwrap();
    let segment = twenty_commits(dir.path());
    let len = std::fs::metadata(&segment).unwrap().len() as usize;
    flip(&segment, len * 6 / 10);
    let error = Store::open(dir.path(), small_options()).unwrap_err();
    let Error::CorruptWal {
        path,
        offset,
        later_commits,
        ..
    } = &error
    else {
        panic!("{error}");
    };
    assert_eq!(path, &segment);
    assert!(*offset as usize <= len * 6 / 10 && *offset > 0, "{offset}");
    assert!(
        *later_commits >= 6 && *later_commits < 10,
        "{later_commits}"
    );
    assert!(error.is_corruption());
    let text = error.to_string();
    assert!(text.contains(&segment.display().to_string()), "{text}");
    assert!(text.contains(&format!("at offset {offset}")), "{text}");

    let options = StoreOptions {
        wal_recovery: WalRecovery::TruncateAtCorruption,
        ..small_options()
    };
    let store = Store::open(dir.path(), options).unwrap();
    let truncation = store.recovery_report().wal_truncation.clone().unwrap();
    assert_eq!(truncation.discarded_txns, *later_commits);
    assert_eq!(truncation.offset, *offset);
    assert!(store.recovery_report().is_unusual());
    let kept = n_rows(&store);
    // The damaged record's transaction is lost too, counted among the later commits when
    // its commit record survived.
    assert!(
        kept + later_commits == 20 || kept + later_commits == 19,
        "{kept}"
    );
    drop(store);
    // The log was cut at the damage: the next open is clean.
    let store = Store::open(dir.path(), small_options()).unwrap();
    assert_eq!(n_rows(&store), kept);
    assert!(!store.recovery_report().is_unusual());
}

#[test]
fn a_damaged_segment_header_is_damage_not_an_empty_log() {
    let dir = tempfile::tempdir().unwrap();
    let segment = twenty_commits(dir.path());
    flip(&segment, 3);
    let error = Store::open(dir.path(), small_options()).unwrap_err();
    assert!(
        matches!(
            error,
            Error::CorruptWal {
                offset: 0,
                later_commits: 20,
                ..
            }
        ),
        "{error}"
    );
}

#[test]
fn a_torn_tail_stays_silent() {
    let dir = tempfile::tempdir().unwrap();
    let segment = twenty_commits(dir.path());
    let len = std::fs::metadata(&segment).unwrap().len();
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(&segment)
        .unwrap();
    file.set_len(len - 5).unwrap();
    drop(file);
    let store = Store::open(dir.path(), small_options()).unwrap();
    assert_eq!(n_rows(&store), 19);
    assert!(!store.recovery_report().is_unusual());
}
