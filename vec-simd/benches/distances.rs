//! Criterion benches of the distance kernels at 128, 384, 768 and 1536 dimensions (bits: the
//! same numbers of bits). Each group times, per dimension:
//!
//! - `plain_loop`: a plain `iter().zip().map().sum()` loop, built with the default release
//!   flags (baseline x86-64, no `target-cpu`). rustc does not vectorize an `f32` sum because
//!   reordering it would change the result; this is the baseline the ratios are taken
//!   against;
//! - `dispatched`: the public function, through the table chosen once at run time;
//! - one entry per implementation this CPU can run, forced through its `kernels` table
//!   (`scalar` is the crate's scalar reference).
//!
//! The `codes_dot_u8` group times an 8-bit code's dot product both ways a quantized index
//! can take it, per implementation: with an `f32` query (`f32/…`) and with the query
//! rounded to 16-bit words, summed in integers (`i16/…`).
//!
//! Inputs are seeded, so every run times the same data.

use criterion::{black_box, criterion_main, BenchmarkId, Criterion};
use half::f16;
use vec_simd::{BitKernels, DenseKernels, Implementation};

const DIMENSIONS: [usize; 4] = [128, 384, 768, 1536];

/// SplitMix64, to seed the inputs without a `rand` dependency.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A float uniform in `[-1, 1)`.
    fn next_f32(&mut self) -> f32 {
        ((self.next_u64() >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
    }
}

/// Times one dense kernel for one element type: the plain loop, the public function, and
/// each implementation's table.
struct DenseBench<T: 'static> {
    group: &'static str,
    input: fn(&mut SplitMix64) -> T,
    plain_loop: fn(&[T], &[T]) -> f32,
    dispatched: fn(&[T], &[T]) -> f32,
    kernels: fn(Implementation) -> Option<DenseKernels<T>>,
    method: fn(&DenseKernels<T>, &[T], &[T]) -> f32,
}

impl<T: 'static> DenseBench<T> {
    fn run(&self, c: &mut Criterion) {
        let mut group = c.benchmark_group(self.group);
        let mut rng = SplitMix64(0x5eed);
        for dim in DIMENSIONS {
            let a: Vec<T> = (0..dim).map(|_| (self.input)(&mut rng)).collect();
            let b: Vec<T> = (0..dim).map(|_| (self.input)(&mut rng)).collect();
            group.bench_function(BenchmarkId::new("plain_loop", dim), |bencher| {
                bencher.iter(|| (self.plain_loop)(black_box(&a), black_box(&b)))
            });
            group.bench_function(BenchmarkId::new("dispatched", dim), |bencher| {
                bencher.iter(|| (self.dispatched)(black_box(&a), black_box(&b)))
            });
            for implementation in Implementation::available() {
                let Some(kernels) = (self.kernels)(implementation) else {
                    continue;
                };
                group.bench_function(BenchmarkId::new(implementation.name(), dim), |bencher| {
                    bencher.iter(|| (self.method)(&kernels, black_box(&a), black_box(&b)))
                });
            }
        }
        group.finish();
    }
}

fn f32_dense(c: &mut Criterion) {
    let input = |rng: &mut SplitMix64| rng.next_f32();
    DenseBench {
        group: "f32_dot",
        input,
        plain_loop: |a, b| a.iter().zip(b).map(|(x, y)| x * y).sum(),
        dispatched: vec_simd::f32::dot,
        kernels: vec_simd::f32::kernels,
        method: DenseKernels::dot,
    }
    .run(c);
    DenseBench {
        group: "f32_l2_squared",
        input,
        plain_loop: |a, b| a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum(),
        dispatched: vec_simd::f32::l2_squared,
        kernels: vec_simd::f32::kernels,
        method: DenseKernels::l2_squared,
    }
    .run(c);
}

fn f16_dense(c: &mut Criterion) {
    let input = |rng: &mut SplitMix64| f16::from_f32(rng.next_f32());
    DenseBench {
        group: "f16_dot",
        input,
        plain_loop: |a, b| a.iter().zip(b).map(|(x, y)| x.to_f32() * y.to_f32()).sum(),
        dispatched: vec_simd::f16::dot,
        kernels: vec_simd::f16::kernels,
        method: DenseKernels::dot,
    }
    .run(c);
    DenseBench {
        group: "f16_l2_squared",
        input,
        plain_loop: |a, b| {
            a.iter()
                .zip(b)
                .map(|(x, y)| (x.to_f32() - y.to_f32()) * (x.to_f32() - y.to_f32()))
                .sum()
        },
        dispatched: vec_simd::f16::l2_squared,
        kernels: vec_simd::f16::kernels,
        method: DenseKernels::l2_squared,
    }
    .run(c);
}

/// Times one bit kernel; `dim` counts bits, 8 to a byte.
fn bits_bench<R>(
    c: &mut Criterion,
    group_name: &str,
    plain_loop: fn(&[u8], &[u8]) -> R,
    dispatched: fn(&[u8], &[u8]) -> R,
    method: fn(&BitKernels, &[u8], &[u8]) -> R,
) {
    let mut group = c.benchmark_group(group_name);
    let mut rng = SplitMix64(0xb175);
    for dim in DIMENSIONS {
        let a: Vec<u8> = (0..dim / 8).map(|_| rng.next_u64() as u8).collect();
        let b: Vec<u8> = (0..dim / 8).map(|_| rng.next_u64() as u8).collect();
        group.bench_function(BenchmarkId::new("plain_loop", dim), |bencher| {
            bencher.iter(|| plain_loop(black_box(&a), black_box(&b)))
        });
        group.bench_function(BenchmarkId::new("dispatched", dim), |bencher| {
            bencher.iter(|| dispatched(black_box(&a), black_box(&b)))
        });
        for implementation in Implementation::available() {
            let Some(kernels) = vec_simd::bits::kernels(implementation) else {
                continue;
            };
            group.bench_function(BenchmarkId::new(implementation.name(), dim), |bencher| {
                bencher.iter(|| method(&kernels, black_box(&a), black_box(&b)))
            });
        }
    }
    group.finish();
}

fn bits(c: &mut Criterion) {
    bits_bench(
        c,
        "bits_hamming",
        |a, b| {
            a.iter()
                .zip(b)
                .map(|(x, y)| (x ^ y).count_ones())
                .sum::<u32>()
        },
        vec_simd::bits::hamming,
        BitKernels::hamming,
    );
    bits_bench(
        c,
        "bits_jaccard",
        |a, b| {
            let (mut both, mut either) = (0u32, 0u32);
            for (x, y) in a.iter().zip(b) {
                both += (x & y).count_ones();
                either += (x | y).count_ones();
            }
            if both == 0 {
                1.0
            } else {
                1.0 - f64::from(both) / f64::from(either)
            }
        },
        vec_simd::bits::jaccard,
        BitKernels::jaccard,
    );
}

fn codes(c: &mut Criterion) {
    let mut group = c.benchmark_group("codes_dot_u8");
    let mut rng = SplitMix64(0x5eed);
    for dim in DIMENSIONS {
        let query: Vec<f32> = (0..dim).map(|_| rng.next_f32()).collect();
        let words: Vec<i16> = query.iter().map(|q| (q * 20_000.0) as i16).collect();
        let codes: Vec<u8> = (0..dim).map(|_| rng.next_u64() as u8).collect();
        for implementation in Implementation::available() {
            let Some(kernels) = vec_simd::codes::kernels(implementation) else {
                continue;
            };
            let name = implementation.name();
            group.bench_function(BenchmarkId::new(format!("f32/{name}"), dim), |bencher| {
                bencher.iter(|| kernels.dot_u8(black_box(&query), black_box(&codes)))
            });
            group.bench_function(BenchmarkId::new(format!("i16/{name}"), dim), |bencher| {
                bencher.iter(|| kernels.dot_u8_i16(black_box(&words), black_box(&codes)))
            });
        }
    }
    group.finish();
}

/// Runs every group. Written out rather than with `criterion_group!`, whose generated
/// function has no documentation.
fn benches() {
    let mut c = Criterion::default().configure_from_args();
    f32_dense(&mut c);
    f16_dense(&mut c);
    bits(&mut c);
    codes(&mut c);
}

criterion_main!(benches);
