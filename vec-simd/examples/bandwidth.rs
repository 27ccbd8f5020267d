//! The machine's streaming read bandwidth on one thread: sums a buffer far larger than any
//! cache (1 GiB by default) with this crate's dot kernel against a 16 KiB block of ones that
//! stays in L1, so every byte of the buffer is read from memory once per pass. Prints the
//! best of `PASSES` passes in GB/s (10⁹ bytes per second) for a buffer on ordinary pages
//! and, on Linux, for one advised to use transparent huge pages (where the TLB no longer
//! misses every 4 kB, the higher figure), and what the higher bounds an exact scan of
//! 100,000 rows of 384 `f32`s (153.6 MB) at.
//!
//! `cargo run -p vec-simd --release --example bandwidth -- [MiB] [PASSES]`

use std::time::Instant;

/// Best GB/s of `passes` sums of `buffer`.
fn stream(buffer: &[f32], passes: usize) -> f64 {
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
    // Keeps the sums observable so that no pass is optimized away.
    if total.is_nan() {
        println!("{total}");
    }
    std::mem::size_of_val(buffer) as f64 / best / 1e9
}

/// The same sums over a huge-page-advised map; `None` where there is none.
#[cfg(target_os = "linux")]
fn stream_huge(floats: usize, passes: usize) -> Option<f64> {
    let mut map = memmap2::MmapMut::map_anon(floats * 4).ok()?;
    map.advise(memmap2::Advice::HugePage).ok()?;
    // Written once, so every page is backed before the first timed pass.
    let buffer: &mut [f32] = as_floats(&mut map);
    for (i, x) in buffer.iter_mut().enumerate() {
        *x = (i % 7) as f32;
    }
    Some(stream(buffer, passes))
}

#[cfg(not(target_os = "linux"))]
fn stream_huge(_floats: usize, _passes: usize) -> Option<f64> {
    None
}

/// The map's bytes as `f32`s (a page-aligned map is aligned for them).
#[cfg(target_os = "linux")]
fn as_floats(map: &mut [u8]) -> &mut [f32] {
    // SAFETY: the map is page-aligned, its length a multiple of 4, and every bit pattern
    // is a valid f32; the slice borrows the map mutably for its lifetime.
    unsafe { std::slice::from_raw_parts_mut(map.as_mut_ptr().cast::<f32>(), map.len() / 4) }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mebibytes: usize = args.next().and_then(|v| v.parse().ok()).unwrap_or(1024);
    let passes: usize = args.next().and_then(|v| v.parse().ok()).unwrap_or(5);
    let floats = mebibytes << 18;
    let ordinary = {
        // Written once, so every page is backed before the first timed pass.
        let buffer: Vec<f32> = (0..floats).map(|i| (i % 7) as f32).collect();
        stream(&buffer, passes)
    };
    let huge = stream_huge(floats, passes);
    let implementation = vec_simd::f32::selected().implementation();
    let arch = std::env::consts::ARCH;
    println!(
        "streaming read, 1 thread, {implementation} ({arch}): best of {passes} passes over \
         {mebibytes} MiB: {ordinary:.2} GB/s on ordinary pages{}",
        huge.map_or(String::new(), |h| format!(", {h:.2} GB/s on huge pages"))
    );
    let gbps = huge.unwrap_or(ordinary).max(ordinary);
    println!(
        "an exact scan of 100,000 × 384 f32 (153.6 MB) is bounded at {:.1} queries/s per thread \
         ({:.2} ms per query); 80% of it is {:.1} queries/s",
        gbps * 1e9 / 153.6e6,
        153.6e6 / (gbps * 1e9) * 1e3,
        0.8 * gbps * 1e9 / 153.6e6
    );
}
