//! The buffer-pool hit path: pinning a cached page and reading from it, from one thread,
//! and a committed-row fetch through the store (pin + slot lookup + copy), from a page the
//! pool holds and from one it does not (read in place from the heap file's mapping).

use std::sync::Arc;
use std::time::Duration;

use criterion::{black_box, criterion_main, Criterion, Throughput};
use vec_storage::buffer_pool::{BufferPool, PageIo, PageKey};
use vec_storage::page::Page;
use vec_storage::{HeapId, Result, Store, StoreOptions};

struct ZeroIo;

impl PageIo for ZeroIo {
    fn read_page(&self, _key: PageKey, page: &mut Page) -> Result<()> {
        page.bytes.fill(0);
        Ok(())
    }
    fn write_pages(&self, _pages: &mut [(PageKey, Box<Page>)]) -> Result<()> {
        Ok(())
    }
}

fn bench_pool(c: &mut Criterion) {
    let pool = BufferPool::new(1024, Arc::new(ZeroIo));
    for page_no in 0..1024 {
        drop(pool.pin(PageKey { file: 1, page_no }).unwrap());
    }
    let mut group = c.benchmark_group("buffer_pool");
    group.throughput(Throughput::Elements(1));
    let mut page_no = 0u32;
    group.bench_function("pin_hit_read", |b| {
        b.iter(|| {
            page_no = (page_no + 7) % 1024;
            let pin = pool.pin(PageKey { file: 1, page_no }).unwrap();
            let page = pin.read();
            black_box(page.bytes[100]);
        })
    });

    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let store = Store::open(
        dir.path(),
        StoreOptions {
            synchronous_commit: false,
            ..StoreOptions::default()
        },
    )
    .unwrap();
    let mut txn = store.begin();
    txn.create_heap(HeapId(1)).unwrap();
    let rows: Vec<_> = (0..10_000)
        .map(|_| txn.insert(HeapId(1), &[1u8; 1536]).unwrap())
        .collect();
    txn.commit().unwrap();
    let snapshot = store.snapshot();
    let mut idx = 0usize;
    group.bench_function("store_fetch_1536B_hit", |b| {
        b.iter(|| {
            idx = (idx + 7919) % rows.len();
            black_box(store.fetch(HeapId(1), rows[idx], &snapshot).unwrap());
        })
    });
    drop(snapshot);
    store.close().unwrap();

    // Reopened, the pool holds none of the pages: each fetch reads its page in place from
    // the heap file's mapping (verified on its first read, in the warm-up).
    let store = Store::open(dir.path(), StoreOptions::default()).unwrap();
    let snapshot = store.snapshot();
    group.bench_function("store_fetch_1536B_in_place", |b| {
        b.iter(|| {
            idx = (idx + 7919) % rows.len();
            black_box(store.fetch(HeapId(1), rows[idx], &snapshot).unwrap());
        })
    });
    assert_eq!(store.pool_cached_pages(), 0);
    group.finish();
}

/// Runs the group with short warm-up and measurement times (the machine is shared).
/// Written out rather than with `criterion_group!`, whose generated function has no
/// documentation.
fn benches() {
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    bench_pool(&mut c);
}

criterion_main!(benches);
