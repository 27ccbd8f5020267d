//! Full precision against SQ8 and RaBitQ-style 1-bit codes on a TEXMEX data set (by
//! default pypi-minilm, cosine): builds the three indexes in one process, then measures
//! single-thread queries per second at each `ef_search` in interleaved passes (one pass
//! of every index in turn, `--reps` rounds, the best pass of each kept), so that a load
//! change on a shared machine moves all three alike. Prints index memory, recall@10 and
//! QPS, and the ratios at the first `ef_search` where each reaches recall 0.95.
//!
//! `cargo run -p vec-hnsw --release --example hnsw_quantized -- DATA_DIR [--threads N] [--reps N] [--ef LIST]`

use std::fs;
use std::time::Instant;
use vec_hnsw::{Cosine, Hnsw, HnswOptions, Quantization, SearchOptions};

fn read_vecs(path: &str) -> Vec<Vec<u32>> {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut out = Vec::new();
    let mut at = 0;
    while at + 4 <= bytes.len() {
        let dims = u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        at += 4;
        out.push(
            bytes[at..at + dims * 4]
                .chunks_exact(4)
                .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
                .collect(),
        );
        at += dims * 4;
    }
    out
}

fn main() {
    let mut dir = "../shared/datasets/pypi-minilm".to_string();
    let (mut threads, mut reps) = (2usize, 5usize);
    let mut efs = vec![10, 20, 30, 40, 50, 60, 70, 80, 100, 120, 160, 200];
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--threads" => threads = args.next().and_then(|v| v.parse().ok()).expect("--threads"),
            "--reps" => reps = args.next().and_then(|v| v.parse().ok()).expect("--reps"),
            "--ef" => {
                efs = args
                    .next()
                    .expect("--ef")
                    .split(',')
                    .map(|v| v.parse().expect("--ef"))
                    .collect()
            }
            _ => dir = arg,
        }
    }
    let floats = |rows: Vec<Vec<u32>>| -> Vec<Vec<f32>> {
        rows.into_iter()
            .map(|r| r.into_iter().map(f32::from_bits).collect())
            .collect()
    };
    let base = floats(read_vecs(&format!("{dir}/base.fvecs")));
    let queries = floats(read_vecs(&format!("{dir}/queries.fvecs")));
    let truth = read_vecs(&format!("{dir}/gt_cosine_100.ivecs"));
    let dims = base[0].len();

    let kinds = [Quantization::None, Quantization::Sq8, Quantization::RaBitQ];
    let mut indexes = Vec::new();
    for quantization in kinds {
        let options = HnswOptions {
            threads,
            quantization,
            maintenance_work_mem: 64 << 30,
            ..HnswOptions::default()
        };
        let start = Instant::now();
        let rows = base
            .iter()
            .enumerate()
            .map(|(i, v)| (i as u64, v.as_slice()));
        let index = Hnsw::<Cosine<f32>>::build(dims, options, rows).expect("build");
        println!(
            "{:>6}: build {:.1} s on {threads} threads; index memory {:.1} MB; full vectors on disk {:.1} MB",
            quantization.name(),
            start.elapsed().as_secs_f64(),
            index.memory_bytes() as f64 / 1e6,
            index.vector_file_bytes() as f64 / 1e6
        );
        indexes.push(index);
    }
    let full_memory = indexes[0].memory_bytes() as f64;
    println!(
        "\n| ef_search | none: recall / QPS | sq8: recall / QPS | rabitq: recall / QPS |\n|---|---|---|---|"
    );
    // Per index: the first (ef, recall, QPS) at recall >= 0.95.
    let mut first = [None; 3];
    for &ef_search in &efs {
        let options = SearchOptions {
            ef_search,
            ..SearchOptions::default()
        };
        let mut best = [f64::INFINITY; 3];
        let mut recall = [0.0; 3];
        for _ in 0..reps.max(1) {
            for (slot, index) in indexes.iter().enumerate() {
                let mut found = 0;
                let start = Instant::now();
                let mut answers = Vec::with_capacity(queries.len());
                for query in &queries {
                    answers.push(index.search(query, 10, &options).expect("search"));
                }
                best[slot] = best[slot].min(start.elapsed().as_secs_f64());
                for (hits, expected) in answers.iter().zip(&truth) {
                    found += hits
                        .iter()
                        .filter(|h| expected[..10].contains(&(h.row_id as u32)))
                        .count();
                }
                recall[slot] = found as f64 / (queries.len() * 10) as f64;
            }
        }
        let qps: Vec<f64> = best.iter().map(|s| queries.len() as f64 / s).collect();
        for slot in 0..3 {
            if first[slot].is_none() && recall[slot] >= 0.95 {
                first[slot] = Some((ef_search, recall[slot], qps[slot]));
            }
        }
        println!(
            "| {ef_search} | {:.3} / {:.0} | {:.3} / {:.0} | {:.3} / {:.0} |",
            recall[0], qps[0], recall[1], qps[1], recall[2], qps[2]
        );
    }
    println!();
    if let Some((ef0, r0, q0)) = first[0] {
        for slot in 1..3 {
            if let Some((ef, r, q)) = first[slot] {
                println!(
                    "{}: first ef_search at recall >= 0.95: {ef} ({r:.3}, {q:.0} QPS) against full precision's {ef0} ({r0:.3}, {q0:.0} QPS): QPS {:.2}x, memory {:.3}x",
                    kinds[slot].name(),
                    q / q0,
                    indexes[slot].memory_bytes() as f64 / full_memory
                );
            }
        }
    }
}
