//! Build-cost probe on a slice of the pypi-minilm data set: builds an index over the first
//! `ROWS` vectors with pgvector's defaults (`keep_pruned: true`), prints the build time, and
//! the recall@10 of 200 queries at two `ef_search` values against exact search over the same
//! slice. Small enough to run under `valgrind --tool=callgrind`, whose instruction counts
//! are stable on a loaded machine.
//!
//! `cargo run -p vec-hnsw --release --example hnsw_build_slice -- DATA_DIR [ROWS] [THREADS]`

use std::fs;
use std::time::Instant;
use vec_hnsw::{Cosine, Hnsw, HnswOptions, SearchOptions};

fn read_fvecs(path: &str, limit: usize) -> Vec<Vec<f32>> {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut out = Vec::new();
    let mut at = 0;
    while at + 4 <= bytes.len() && out.len() < limit {
        let dims = u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        at += 4;
        let row = bytes[at..at + dims * 4]
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
            .collect();
        at += dims * 4;
        out.push(row);
    }
    out
}

fn cosine_distance(a: &[f32], b: &[f32]) -> f32 {
    let (mut dot, mut na, mut nb) = (0.0f32, 0.0f32, 0.0f32);
    for (x, y) in a.iter().zip(b) {
        dot += x * y;
        na += x * x;
        nb += y * y;
    }
    1.0 - dot / (na.sqrt() * nb.sqrt())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "datasets/pypi-minilm".into());
    let rows: usize = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(20_000);
    let threads: usize = args.get(3).and_then(|t| t.parse().ok()).unwrap_or(1);
    let base = read_fvecs(&format!("{dir}/base.fvecs"), rows);
    let queries = read_fvecs(&format!("{dir}/queries.fvecs"), 200);
    let options = HnswOptions {
        threads,
        maintenance_work_mem: 4 << 30,
        ..HnswOptions::default()
    };
    let start = Instant::now();
    let index = Hnsw::<Cosine<f32>>::build(
        base[0].len(),
        options,
        base.iter()
            .enumerate()
            .map(|(i, v)| (i as u64, v.as_slice())),
    )
    .expect("build");
    println!(
        "build: {:.2} s, {} rows, {threads} threads",
        start.elapsed().as_secs_f64(),
        base.len()
    );
    let truth: Vec<Vec<u64>> = queries
        .iter()
        .map(|q| {
            let mut scored: Vec<(f32, u64)> = base
                .iter()
                .enumerate()
                .map(|(i, v)| (cosine_distance(q, v), i as u64))
                .collect();
            scored.sort_by(|a, b| a.0.total_cmp(&b.0));
            scored.iter().take(10).map(|s| s.1).collect()
        })
        .collect();
    for ef_search in [20, 40] {
        let options = SearchOptions {
            ef_search,
            ..SearchOptions::default()
        };
        let mut correct = 0;
        for (query, expected) in queries.iter().zip(&truth) {
            let hits = index.search(query, 10, &options).expect("search");
            correct += hits.iter().filter(|h| expected.contains(&h.row_id)).count();
        }
        println!(
            "ef_search {ef_search}: recall@10 {:.4}",
            correct as f64 / (queries.len() * 10) as f64
        );
    }
}
