//! Builds pgvector's TAP-test data set (100,000 random 3-d vectors) with the number of
//! threads given (default 1) and prints the time, as a quick check of build speed.

use std::time::Instant;
use vec_hnsw::{Hnsw, HnswOptions, L2};

fn main() -> Result<(), vec_hnsw::HnswError> {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut unit = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 40) as f32 / (1u64 << 24) as f32
    };
    let rows: Vec<Vec<f32>> = (0..100_000)
        .map(|_| (0..3).map(|_| unit() * unit()).collect())
        .collect();
    let threads = std::env::args()
        .nth(1)
        .and_then(|t| t.parse().ok())
        .unwrap_or(1);
    let options = HnswOptions {
        threads,
        ..HnswOptions::default()
    };
    let start = Instant::now();
    let index = Hnsw::<L2<f32>>::build(
        3,
        options,
        rows.iter()
            .enumerate()
            .map(|(i, v)| (i as u64, v.as_slice())),
    )?;
    println!(
        "{} rows in {:.3} s",
        index.len(),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}
