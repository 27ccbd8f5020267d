//! Heap insert throughput of 1.5 KB rows (a 384-dimension `f32` vector row) with
//! `synchronous_commit` off: one row per transaction, and 1,000 rows per transaction
//! (a bulk load). Each sample inserts into a fresh store, so the pool does not fill.

use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{criterion_main, Criterion, Throughput};
use vec_storage::{HeapId, Store, StoreOptions};

const ROW: usize = 1536;
const ROWS_PER_SAMPLE: u64 = 20_000;

fn fresh_store(base: &Path) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir_in(base).unwrap();
    let options = StoreOptions {
        synchronous_commit: false,
        buffer_pool_bytes: 256 << 20,
        ..StoreOptions::default()
    };
    let store = Store::open(dir.path(), options).unwrap();
    let mut txn = store.begin();
    txn.create_heap(HeapId(1)).unwrap();
    txn.commit().unwrap();
    (dir, store)
}

fn bench_insert(c: &mut Criterion) {
    let base = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let row = vec![0x5au8; ROW];
    let mut group = c.benchmark_group("heap_insert_1536B_sync_off");
    group.throughput(Throughput::Bytes(ROW as u64 * ROWS_PER_SAMPLE));
    for rows_per_txn in [1u64, 1000] {
        group.bench_function(format!("{rows_per_txn}_rows_per_txn"), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let (_dir, store) = fresh_store(base);
                    let start = Instant::now();
                    let mut inserted = 0;
                    while inserted < ROWS_PER_SAMPLE {
                        let mut txn = store.begin();
                        for _ in 0..rows_per_txn {
                            txn.insert(HeapId(1), &row).unwrap();
                        }
                        txn.commit().unwrap();
                        inserted += rows_per_txn;
                    }
                    total += start.elapsed();
                }
                total
            })
        });
    }
    group.finish();
}

/// Runs the group with short warm-up and measurement times (the machine is shared).
/// Written out rather than with `criterion_group!`, whose generated function has no
/// documentation.
fn benches() {
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .sample_size(10)
        .configure_from_args();
    bench_insert(&mut c);
}

criterion_main!(benches);
