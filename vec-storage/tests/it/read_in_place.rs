//! Rows fetched from pages the buffer pool does not hold are read in place from a mapping
//! of their heap file: the same bytes as through the pool, damage still reported, pages
//! written after the mapping was made (changed, or past its end) read as they are now, and
//! readers running beside a writer whose write-backs rewrite the pages they read never see
//! a page half written.

use vec_storage::{Error, RowId, Store, StoreOptions};

use crate::common::{open_with_heap, small_options, Rng, HEAP};

const PAGE: usize = 8192;

fn row_text(i: usize) -> Vec<u8> {
    format!("row {i} with some padding to spread the rows over pages").into_bytes()
}

/// Inserts `n` rows in batches of 100; returns their ids in order.
fn insert_rows(store: &Store, first: usize, n: usize) -> Vec<RowId> {
    let mut ids = Vec::with_capacity(n);
    for batch in (first..first + n).collect::<Vec<_>>().chunks(100) {
        let mut txn = store.begin();
        for &i in batch {
            ids.push(txn.insert(HEAP, &row_text(i)).unwrap());
        }
        txn.commit().unwrap();
    }
    ids
}

/// A closed store in `dir` holding `n` rows; returns their ids.
fn closed_store_with_rows(dir: &std::path::Path, n: usize) -> Vec<RowId> {
    let store = open_with_heap(dir, small_options());
    let ids = insert_rows(&store, 0, n);
    store.close().unwrap();
    ids
}

fn fetch_all(store: &Store, ids: &[RowId]) -> Vec<Option<Vec<u8>>> {
    let snapshot = store.snapshot();
    ids.iter()
        .map(|&id| store.fetch(HEAP, id, &snapshot).unwrap())
        .collect()
}

#[test]
fn fetched_rows_are_read_in_place_and_stay_out_of_the_pool() {
    let dir = tempfile::tempdir().unwrap();
    let ids = closed_store_with_rows(dir.path(), 3000);
    let options = StoreOptions {
        buffer_pool_bytes: 4096 * PAGE,
        ..small_options()
    };
    let store = Store::open(dir.path(), options).unwrap();
    let before = store.pool_stats();
    let rows = fetch_all(&store, &ids);
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row.as_deref(), Some(&row_text(i)[..]));
    }
    let pages = ids.iter().map(|id| id.page_no()).max().unwrap() as u64 + 1;
    assert!(pages > 10, "{pages} pages");
    let first = store.pool_stats();
    // Each page came from the file once (its first read verified it), and none of them
    // took a pool frame.
    assert_eq!(first.misses - before.misses, pages);
    assert_eq!(first.hits - before.hits, ids.len() as u64 - pages);
    assert_eq!(store.pool_cached_pages(), 0);
    fetch_all(&store, &ids);
    let second = store.pool_stats();
    assert_eq!(second.misses, first.misses);
    assert_eq!(second.hits - first.hits, ids.len() as u64);
}

#[test]
fn a_damaged_page_found_by_a_fetch_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let ids = closed_store_with_rows(dir.path(), 3000);
    let heap = dir.path().join("heap").join("1.heap");
    let mut bytes = std::fs::read(&heap).unwrap();
    // A flipped byte inside page 2, and page 4 zeroed.
    bytes[2 * PAGE + 4000] ^= 0x55;
    bytes[4 * PAGE..5 * PAGE].fill(0);
    std::fs::write(&heap, bytes).unwrap();
    let store = Store::open(dir.path(), small_options()).unwrap();
    let snapshot = store.snapshot();
    for (page_no, what) in [(2, "checksum"), (4, "zeroed or missing")] {
        let id = *ids.iter().find(|id| id.page_no() == page_no).unwrap();
        let error = store.fetch(HEAP, id, &snapshot).unwrap_err();
        assert!(
            matches!(error, Error::CorruptPage { page_no: p, .. } if p == page_no),
            "{error}"
        );
        assert!(error.to_string().contains(what), "{error}");
    }
    // The pages around them read as before.
    let id = *ids.iter().find(|id| id.page_no() == 3).unwrap();
    assert!(store.fetch(HEAP, id, &snapshot).unwrap().is_some());
}

#[test]
fn pages_rewritten_or_added_after_the_mapping_read_as_they_are_now() {
    let dir = tempfile::tempdir().unwrap();
    let ids = closed_store_with_rows(dir.path(), 2000);
    let store = Store::open(dir.path(), small_options()).unwrap();
    let old = store.snapshot();
    assert_eq!(fetch_all(&store, &ids).len(), ids.len());
    // Every tenth row gets a new version (its old one is stamped deleted on the page
    // that was read in place), and 3,000 rows grow the file past the mapping; the
    // checkpoint writes all of it back, and the small pool lets the pages go.
    let mut updated = Vec::new();
    let mut txn = store.begin();
    for (i, &id) in ids.iter().enumerate().step_by(10) {
        updated.push((
            i,
            txn.update(HEAP, id, format!("new {i}").as_bytes()).unwrap(),
        ));
    }
    txn.commit().unwrap();
    let more = insert_rows(&store, 2000, 3000);
    store.checkpoint().unwrap();
    let _ = insert_rows(&store, 5000, 1000); // evicts what the checkpoint left
    store.checkpoint().unwrap();
    let now = store.snapshot();
    for (i, &id) in ids.iter().enumerate() {
        let current = store.fetch(HEAP, id, &now).unwrap();
        assert_eq!(current.is_none(), i % 10 == 0, "row {i}");
        // The snapshot taken before the update still sees every old version.
        let seen = store.fetch(HEAP, id, &old).unwrap();
        assert_eq!(seen.as_deref(), Some(&row_text(i)[..]), "row {i}");
    }
    for (i, id) in updated {
        let row = store.fetch(HEAP, id, &now).unwrap();
        assert_eq!(row.as_deref(), Some(format!("new {i}").as_bytes()));
    }
    for (i, row) in fetch_all(&store, &more).into_iter().enumerate() {
        assert_eq!(row.as_deref(), Some(&row_text(2000 + i)[..]));
    }
}

#[test]
fn readers_never_see_a_page_half_written() {
    let dir = tempfile::tempdir().unwrap();
    let ids = closed_store_with_rows(dir.path(), 2000);
    // A pool of 16 pages: the writer's pages are written back and evicted all the time.
    let options = StoreOptions {
        buffer_pool_bytes: 16 * PAGE,
        synchronous_commit: false,
        ..small_options()
    };
    let store = Store::open(dir.path(), options).unwrap();
    let start = store.snapshot();
    let done = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        for seed in 0..2u64 {
            let (store, start, ids, done) = (&store, &start, &ids, &done);
            scope.spawn(move || {
                let mut rng = Rng(seed + 1);
                let mut reads = 0;
                while !done.load(std::sync::atomic::Ordering::Acquire) || reads < 2000 {
                    let i = rng.below(ids.len() as u64) as usize;
                    let row = store.fetch(HEAP, ids[i], start).unwrap();
                    assert_eq!(row.as_deref(), Some(&row_text(i)[..]), "row {i}");
                    reads += 1;
                }
            });
        }
        let mut rng = Rng(99);
        for round in 0..30 {
            let mut txn = store.begin();
            for _ in 0..40 {
                let i = rng.below(ids.len() as u64) as usize;
                // Stamps the old version deleted on its page; the new one goes elsewhere.
                match txn.update(HEAP, ids[i], format!("round {round}").as_bytes()) {
                    Ok(_) | Err(Error::NoSuchRow { .. }) => {}
                    Err(e) => panic!("{e}"),
                }
            }
            txn.commit().unwrap();
            if round % 5 == 4 {
                store.checkpoint().unwrap();
            }
        }
        done.store(true, std::sync::atomic::Ordering::Release);
    });
}
