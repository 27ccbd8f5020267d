//! Criterion benches of the batched kernels: one 384-dimension query against 1,000 rows
//! stored back to back (1.5 MB of `f32`, as an index list holds them). Each group times, per
//! implementation this CPU can run:
//!
//! - `per_row`: one call of the one-pair kernel per row, through the implementation's table;
//! - `batched`: one call of the batched kernel for all rows;
//!
//! and the same two through the public functions (`dispatched_per_row`, `dispatched_batched`).
//! Throughput is in rows. Inputs are seeded, so every run times the same data.

use criterion::{black_box, criterion_main, BenchmarkId, Criterion, Throughput};
use half::f16;
use vec_simd::{DenseKernels, Implementation};

const DIMENSIONS: usize = 384;
const ROWS: usize = 1_000;

/// SplitMix64, to seed the inputs without a `rand` dependency.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_f32(&mut self) -> f32 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        ((z >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
    }
}

/// A pair of kernels to compare: one row at a time against the batched form.
struct BatchBench<T: 'static> {
    group: &'static str,
    input: fn(f32) -> T,
    kernels: fn(Implementation) -> Option<DenseKernels<T>>,
    per_row: fn(&DenseKernels<T>, &[T], &[T]) -> f32,
    batched: fn(&DenseKernels<T>, &[T], &[T], &mut [f32]),
    dispatched_per_row: fn(&[T], &[T]) -> f32,
    dispatched_batched: fn(&[T], &[T], &mut [f32]),
}

impl<T: 'static> BatchBench<T> {
    fn run(&self, c: &mut Criterion) {
        let mut group = c.benchmark_group(self.group);
        group.throughput(Throughput::Elements(ROWS as u64));
        let mut rng = SplitMix64(0xba7c);
        let query: Vec<T> = (0..DIMENSIONS)
            .map(|_| (self.input)(rng.next_f32()))
            .collect();
        let rows: Vec<T> = (0..DIMENSIONS * ROWS)
            .map(|_| (self.input)(rng.next_f32()))
            .collect();
        let mut out = vec![0.0f32; ROWS];
        group.bench_function(BenchmarkId::new("dispatched_per_row", DIMENSIONS), |b| {
            b.iter(|| {
                for (row, slot) in rows.chunks_exact(DIMENSIONS).zip(out.iter_mut()) {
                    *slot = (self.dispatched_per_row)(black_box(&query), row);
                }
                black_box(&out);
            })
        });
        group.bench_function(BenchmarkId::new("dispatched_batched", DIMENSIONS), |b| {
            b.iter(|| {
                (self.dispatched_batched)(black_box(&query), &rows, &mut out);
                black_box(&out);
            })
        });
        for implementation in Implementation::available() {
            let Some(kernels) = (self.kernels)(implementation) else {
                continue;
            };
            let name = implementation.name();
            group.bench_function(
                BenchmarkId::new(format!("{name}_per_row"), DIMENSIONS),
                |b| {
                    b.iter(|| {
                        for (row, slot) in rows.chunks_exact(DIMENSIONS).zip(out.iter_mut()) {
                            *slot = (self.per_row)(&kernels, black_box(&query), row);
                        }
                        black_box(&out);
                    })
                },
            );
            group.bench_function(
                BenchmarkId::new(format!("{name}_batched"), DIMENSIONS),
                |b| {
                    b.iter(|| {
                        (self.batched)(&kernels, black_box(&query), &rows, &mut out);
                        black_box(&out);
                    })
                },
            );
        }
        group.finish();
    }
}

/// Runs every group. Written out rather than with `criterion_group!`, whose generated
/// function has no documentation.
fn benches() {
    let mut c = Criterion::default().configure_from_args();
    BatchBench {
        group: "f32_dot_many",
        input: |x| x,
        kernels: vec_simd::f32::kernels,
        per_row: DenseKernels::dot,
        batched: DenseKernels::dot_many,
        dispatched_per_row: vec_simd::f32::dot,
        dispatched_batched: vec_simd::f32::dot_many,
    }
    .run(&mut c);
    BatchBench {
        group: "f32_l2_squared_many",
        input: |x| x,
        kernels: vec_simd::f32::kernels,
        per_row: DenseKernels::l2_squared,
        batched: DenseKernels::l2_squared_many,
        dispatched_per_row: vec_simd::f32::l2_squared,
        dispatched_batched: vec_simd::f32::l2_squared_many,
    }
    .run(&mut c);
    BatchBench {
        group: "f16_dot_many",
        input: f16::from_f32,
        kernels: vec_simd::f16::kernels,
        per_row: DenseKernels::dot,
        batched: DenseKernels::dot_many,
        dispatched_per_row: vec_simd::f16::dot,
        dispatched_batched: vec_simd::f16::dot_many,
    }
    .run(&mut c);
}

criterion_main!(benches);
