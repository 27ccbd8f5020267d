//! The machine's streaming read bandwidth on one thread: sums a buffer far larger than any
//! cache (1 GiB by default) with this crate's dot kernel against a 16 KiB block of ones that
//! stays in L1, so every byte of the buffer is read from memory once per pass. Prints the
//! best of `PASSES` passes in GB/s (10⁹ bytes per second), and what that bounds an exact
//! scan of 100,000 rows of 384 `f32`s (153.6 MB) at.
//!
//! `cargo run -p vec-simd --release --example bandwidth -- [MiB] [PASSES]`

use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let mebibytes: usize = args.next().and_then(|v| v.parse().ok()).unwrap_or(1024);
    let passes: usize = args.next().and_then(|v| v.parse().ok()).unwrap_or(5);
    let floats = mebibytes << 18;
    // Written once, so every page is backed before the first timed pass.
    let buffer: Vec<f32> = (0..floats).map(|i| (i % 7) as f32).collect();
    let block = 4096;
    let ones = vec![1.0f32; block];
    let mut best = f64::INFINITY;
    let mut total = 0.0f64;
    for _ in 0..passes {
        let start = Instant::now();
        let mut sum = 0.0f32;
        for chunk in buffer.chunks_exact(block) {
            sum += vec_simd::f32::dot(chunk, &ones);
        }
        best = best.min(start.elapsed().as_secs_f64());
        total += f64::from(sum);
    }
    let bytes = (floats * 4) as f64;
    let gbps = bytes / best / 1e9;
    println!(
        "streaming read, 1 thread, {} ({}): best of {passes} passes over {mebibytes} MiB: {gbps:.2} GB/s",
        vec_simd::f32::selected().implementation(),
        std::env::consts::ARCH
    );
    println!(
        "an exact scan of 100,000 × 384 f32 (153.6 MB) is bounded at {:.1} queries/s per thread \
         ({:.2} ms per query); 80% of it is {:.1} queries/s",
        gbps * 1e9 / 153.6e6,
        153.6e6 / (gbps * 1e9) * 1e3,
        0.8 * gbps * 1e9 / 153.6e6
    );
    // Keeps the sums observable so that no pass is optimized away.
    if total.is_nan() {
        println!("{total}");
    }
}
