//! Benchmark on the pypi-minilm data set (100k × 384, cosine): build time, index memory,
//! and recall@10 with single-thread queries per second over an `ef_search` sweep.
//!
//! `cargo run -p vec-hnsw --release --example hnsw_pypi_minilm -- DATA_DIR [THREADS] [hnswlib|pgvector] [SNAPSHOT]`
//! where the third argument chooses whether pruned connections are kept (pgvector, default)
//! and SNAPSHOT, if given, is a snapshot file to reopen instead of building (it is written
//! after the build when it does not exist yet).

use std::fs;
use std::time::Instant;
use vec_hnsw::{Cosine, Hnsw, HnswOptions, SearchOptions};

fn read_vecs(path: &str) -> Vec<Vec<u32>> {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut out = Vec::new();
    let mut at = 0;
    while at + 4 <= bytes.len() {
        let dims = u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        at += 4;
        let row = bytes[at..at + dims * 4]
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
            .collect();
        at += dims * 4;
        out.push(row);
    }
    out
}

fn floats(rows: Vec<Vec<u32>>) -> Vec<Vec<f32>> {
    rows.into_iter()
        .map(|r| r.into_iter().map(f32::from_bits).collect())
        .collect()
}

fn resident_bytes() -> usize {
    let statm = fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: usize = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "datasets/pypi-minilm".into());
    let threads: usize = args.get(2).and_then(|t| t.parse().ok()).unwrap_or(2);
    let keep_pruned = !matches!(args.get(3), Some(mode) if mode == "hnswlib");
    let base = floats(read_vecs(&format!("{dir}/base.fvecs")));
    let queries = floats(read_vecs(&format!("{dir}/queries.fvecs")));
    let truth = read_vecs(&format!("{dir}/gt_cosine_100.ivecs"));
    let dims = base[0].len();
    let raw_bytes = base.len() * dims * 4;

    let options = HnswOptions {
        m: 16,
        ef_construction: 64,
        threads,
        keep_pruned,
        maintenance_work_mem: 4 << 30,
        ..HnswOptions::default()
    };
    let snapshot = args.get(4).map(std::path::PathBuf::from);
    let rss_before = resident_bytes();
    let start = Instant::now();
    let index = match &snapshot {
        Some(path) if path.exists() => Hnsw::<Cosine<f32>>::open(path).expect("open"),
        _ => Hnsw::<Cosine<f32>>::build(
            dims,
            options,
            base.iter()
                .enumerate()
                .map(|(i, v)| (i as u64, v.as_slice())),
        )
        .expect("build"),
    };
    let build_secs = start.elapsed().as_secs_f64();
    let rss_after = resident_bytes();
    if let Some(path) = snapshot.as_ref().filter(|p| !p.exists()) {
        index.save(path).expect("save");
    }
    let lists_bytes = base.len() * (1 + 2 * 16) * 4;
    println!(
        "build: {build_secs:.1} s with {threads} threads (keep_pruned = {keep_pruned})\n\
         index memory: {:.1} MB (raw vectors {:.1} MB + layer-0 lists {:.1} MB = {:.1} MB; ratio {:.3}); RSS growth {:.1} MB",
        index.memory_bytes() as f64 / 1e6,
        raw_bytes as f64 / 1e6,
        lists_bytes as f64 / 1e6,
        (raw_bytes + lists_bytes) as f64 / 1e6,
        index.memory_bytes() as f64 / (raw_bytes + lists_bytes) as f64,
        rss_after.saturating_sub(rss_before) as f64 / 1e6,
    );
    println!("| ef_search | recall@10 | QPS (1 thread) |\n|---|---|---|");
    for ef_search in [10, 20, 40, 80, 120, 200, 400] {
        let options = SearchOptions {
            ef_search,
            ..SearchOptions::default()
        };
        let mut correct = 0;
        let start = Instant::now();
        let mut results = Vec::with_capacity(queries.len());
        for query in &queries {
            results.push(index.search(query, 10, &options).expect("search"));
        }
        let secs = start.elapsed().as_secs_f64();
        for (hits, expected) in results.iter().zip(&truth) {
            let expected = &expected[..10];
            correct += hits
                .iter()
                .filter(|h| expected.contains(&(h.row_id as u32)))
                .count();
        }
        println!(
            "| {ef_search} | {:.3} | {:.0} |",
            correct as f64 / (queries.len() * 10) as f64,
            queries.len() as f64 / secs
        );
    }
}
