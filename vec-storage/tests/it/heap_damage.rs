//! Heap pages changed behind the store's back are found through the page map the last
//! checkpoint wrote into the manifest: a zeroed page and a file cut short by a page both
//! open with the page listed as corrupt, and reading it fails with `CorruptPage` instead
//! of the rows on it silently going missing.

use std::ops::ControlFlow;
use std::path::Path;

use vec_storage::{Error, Store};

use crate::common::{open_with_heap, small_options, HEAP};

const PAGE: u64 = 8192;

fn scan(store: &Store) -> Result<usize, Error> {
    let mut n = 0;
    store.scan(HEAP, &store.snapshot(), |_, _| {
        n += 1;
        ControlFlow::Continue(())
    })?;
    Ok(n)
}

/// A closed store with 5,000 rows over several pages; returns the heap file.
fn five_thousand_rows(dir: &Path) -> std::path::PathBuf {
    let store = open_with_heap(dir, small_options());
    for batch in 0..50 {
        let mut txn = store.begin();
        for i in 0..100 {
            txn.insert(
                HEAP,
                format!("row {batch} {i} with some padding").as_bytes(),
            )
            .unwrap();
        }
        txn.commit().unwrap();
    }
    assert_eq!(scan(&store).unwrap(), 5000);
    store.close().unwrap();
    dir.join("heap").join("1.heap")
}

#[test]
fn a_zeroed_page_is_corrupt_not_empty() {
    let dir = tempfile::tempdir().unwrap();
    let heap = five_thousand_rows(dir.path());
    let mut bytes = std::fs::read(&heap).unwrap();
    bytes[3 * PAGE as usize..4 * PAGE as usize].fill(0);
    std::fs::write(&heap, bytes).unwrap();
    let store = Store::open(dir.path(), small_options()).unwrap();
    assert_eq!(
        store.recovery_report().corrupt_pages,
        vec![(heap.clone(), 3)]
    );
    let error = scan(&store).unwrap_err();
    assert!(
        matches!(error, Error::CorruptPage { page_no: 3, .. }),
        "{error}"
    );
    assert!(error.to_string().contains("zeroed or missing"), "{error}");
}

#[test]
fn a_file_cut_by_one_page_is_corrupt_not_shorter() {
    let dir = tempfile::tempdir().unwrap();
    let heap = five_thousand_rows(dir.path());
    let len = std::fs::metadata(&heap).unwrap().len();
    let last = (len / PAGE - 1) as u32;
    let file = std::fs::OpenOptions::new().write(true).open(&heap).unwrap();
    file.set_len(len - PAGE).unwrap();
    drop(file);
    let store = Store::open(dir.path(), small_options()).unwrap();
    assert_eq!(store.recovery_report().corrupt_pages, vec![(heap, last)]);
    let error = scan(&store).unwrap_err();
    assert!(
        matches!(error, Error::CorruptPage { page_no, .. } if page_no == last),
        "{error}"
    );
}

#[test]
fn pages_written_after_the_checkpoint_are_not_damage() {
    let dir = tempfile::tempdir().unwrap();
    five_thousand_rows(dir.path());
    // Eviction writes pages between checkpoints; a crash then leaves them newer than
    // the map, which is normal.
    let store = open_with_heap(dir.path(), small_options());
    for batch in 0..30 {
        let mut txn = store.begin();
        for i in 0..100 {
            txn.insert(
                HEAP,
                format!("more {batch} {i} with some padding").as_bytes(),
            )
            .unwrap();
        }
        txn.commit().unwrap();
    }
    drop(store);
    let store = Store::open(dir.path(), small_options()).unwrap();
    assert!(store.recovery_report().corrupt_pages.is_empty());
    assert_eq!(scan(&store).unwrap(), 8000);
}
