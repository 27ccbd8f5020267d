//! WAL append + fsync throughput with group commit: 1 and 8 concurrent committers, each
//! appending one 128-byte record and waiting for it to be durable (a synchronous commit).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_main, Criterion, Throughput};
use vec_storage::wal::{RecordRef, Wal, WalOptions};
use vec_storage::{Lsn, OsBackend};

fn commit_loop(wal: &Wal, n_commits: u64) {
    let payload = [7u8; 128];
    for _ in 0..n_commits {
        let rec = RecordRef {
            kind: 1,
            tag: 0,
            payload: &payload,
        };
        let end = wal.append(&[rec]).unwrap().end_lsn;
        wal.flush(end).unwrap();
    }
}

fn bench_group_commit(c: &mut Criterion) {
    // On disk (not tmpfs), so fsync costs what it costs.
    let base = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let mut group = c.benchmark_group("wal_commit");
    group.throughput(Throughput::Elements(1));
    for committers in [1u64, 8] {
        let dir = tempfile::tempdir_in(base).unwrap();
        let wal = Arc::new(
            Wal::open(
                Arc::new(OsBackend),
                dir.path(),
                Lsn(0),
                WalOptions::default(),
            )
            .unwrap(),
        );
        group.bench_function(format!("{committers}_committers"), |b| {
            b.iter_custom(|iters| {
                let per_thread = iters.div_ceil(committers);
                let start = Instant::now();
                std::thread::scope(|scope| {
                    for _ in 0..committers {
                        let wal = &wal;
                        scope.spawn(move || commit_loop(wal, per_thread));
                    }
                });
                // Normalise to the number of records criterion asked for.
                start
                    .elapsed()
                    .mul_f64(iters as f64 / (per_thread * committers) as f64)
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
        .measurement_time(Duration::from_secs(4))
        .sample_size(10)
        .configure_from_args();
    bench_group_commit(&mut c);
}

criterion_main!(benches);
