//! Benchmark on the pypi-minilm set (100,000 × 384 normalized MiniLM embeddings, cosine):
//! IVFFlat build time with a given thread count, then recall@10 and single-thread queries per
//! second over a probes sweep, index memory, and the same for the SQ8-quantized lists
//! (re-ranked with exact distances), then product quantization at ratios x4, x8 and x16
//! (training and encoding time, code bytes, memory, recall@10 and QPS at a few probes, with
//! `--pq-rerank` candidates re-ranked). Recall is checked against the set's exact ground truth.
//!
//! `cargo run -p vec-ivf --release --example pypi_minilm -- --data DIR [--threads 2]
//! [--lists 100] [--pq-sample 65535] [--pq-rerank 100] [--probes 1,2,4,8,16,32,64]
//! [--quantized true]`
//!
//! `--quantized false` times IVFFlat alone (no SQ8 or PQ), and `--probes` picks the sweep.

use std::path::{Path, PathBuf};
use std::time::Instant;

use vec_ivf::{
    BuildOptions, Cosine, DenseRows, IvfIndex, ProductRatio, Quantization, QuantizedIvf,
    QuantizedOptions, QuantizedSearchOptions, Rows, SearchOptions,
};

fn read_words(path: &Path) -> Vec<[u8; 4]> {
    let bytes = std::fs::read(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    bytes
        .chunks_exact(4)
        .map(|word| [word[0], word[1], word[2], word[3]])
        .collect()
}

/// Reads an fvecs or ivecs file into (rows, width).
fn read_vecs<T>(path: &Path, convert: impl Fn([u8; 4]) -> T) -> (Vec<T>, usize) {
    let words = read_words(path);
    let width = u32::from_le_bytes(words[0]) as usize;
    let values = words
        .chunks_exact(width + 1)
        .flat_map(|record| record[1..].iter().map(|&w| convert(w)))
        .collect();
    (values, width)
}

fn main() {
    let mut data_dir = PathBuf::from("datasets/pypi-minilm");
    let (mut threads, mut lists) = (2usize, 100u32);
    let (mut pq_sample, mut pq_rerank) = (65_535usize, 100usize);
    let mut probes_sweep: Vec<u32> = vec![1, 2, 4, 8, 16, 32, 64];
    let mut with_quantized = true;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().expect("flag value");
        match flag.as_str() {
            "--data" => data_dir = PathBuf::from(value),
            "--threads" => threads = value.parse().expect("threads"),
            "--lists" => lists = value.parse().expect("lists"),
            "--pq-sample" => pq_sample = value.parse().expect("pq-sample"),
            "--pq-rerank" => pq_rerank = value.parse().expect("pq-rerank"),
            "--probes" => {
                probes_sweep = value
                    .split(',')
                    .map(|p| p.parse().expect("probes"))
                    .collect()
            }
            "--quantized" => with_quantized = value.parse().expect("quantized: true or false"),
            other => panic!("unknown flag {other}"),
        }
    }
    let (base, dims) = read_vecs(&data_dir.join("base.fvecs"), f32::from_le_bytes);
    let (queries, _) = read_vecs(&data_dir.join("queries.fvecs"), f32::from_le_bytes);
    let (truth, truth_width) = read_vecs(&data_dir.join("gt_cosine_100.ivecs"), u32::from_le_bytes);
    let n_rows = base.len() / dims;
    let ids: Vec<u64> = (0..n_rows as u64).collect();
    println!(
        "pypi-minilm: {n_rows} x {dims}, {} queries, lists = {lists}, build threads = {threads}",
        queries.len() / dims
    );

    let options = BuildOptions {
        lists,
        threads,
        ..BuildOptions::default()
    };
    let started = Instant::now();
    let mut phase_starts: Vec<(&'static str, f64)> = Vec::new();
    let mut kmeans_iterations = 0;
    let index = IvfIndex::<f32, Cosine>::build_with_progress(
        Rows::new(dims, &ids, &base).unwrap(),
        &options,
        &mut |p| {
            if p.phase == vec_ivf::BuildPhase::PerformingKmeans {
                kmeans_iterations = p.done;
            }
            if phase_starts.last().map(|(name, _)| *name) != Some(p.phase.name()) {
                phase_starts.push((p.phase.name(), started.elapsed().as_secs_f64()));
            }
        },
    )
    .unwrap()
    .index;
    let build_seconds = started.elapsed().as_secs_f64();
    let phases: Vec<String> = phase_starts
        .iter()
        .enumerate()
        .map(|(idx, (name, start))| {
            let end = phase_starts
                .get(idx + 1)
                .map_or(build_seconds, |next| next.1);
            format!("{name} {:.2} s", end - start)
        })
        .collect();
    println!(
        "phases: {}; k-means iterations: {kmeans_iterations}",
        phases.join(", ")
    );
    let raw_mb = (n_rows * dims * 4) as f64 / 1e6;
    println!(
        "IVFFlat build: {build_seconds:.2} s; index memory {:.1} MB (raw vectors {raw_mb:.1} MB)",
        index.memory_bytes() as f64 / 1e6
    );

    let started = Instant::now();
    let quantized = with_quantized
        .then(|| QuantizedIvf::from_index(&index, &QuantizedOptions::default(), 0).unwrap());
    if let Some(quantized) = &quantized {
        println!(
            "SQ8 from IVFFlat lists: {:.2} s; index memory {:.1} MB ({:.3} x IVFFlat)",
            started.elapsed().as_secs_f64(),
            quantized.memory_bytes() as f64 / 1e6,
            quantized.memory_bytes() as f64 / index.memory_bytes() as f64
        );
    }
    let source = DenseRows {
        data: &base,
        stride: dims,
    };

    let recall = |found: &[Vec<u64>]| -> f64 {
        let mut hits = 0;
        for (query_idx, ids) in found.iter().enumerate() {
            let expected = &truth[query_idx * truth_width..query_idx * truth_width + 10];
            hits += ids
                .iter()
                .filter(|id| expected.contains(&(**id as u32)))
                .count();
        }
        hits as f64 / (found.len() * 10) as f64
    };
    println!("| probes | IVFFlat recall@10 | IVFFlat QPS | SQ8 recall@10 | SQ8 QPS |");
    println!("|---|---|---|---|---|");
    for &probes in &probes_sweep {
        let search = SearchOptions {
            probes,
            ..SearchOptions::default()
        };
        let started = Instant::now();
        let found: Vec<Vec<u64>> = queries
            .chunks_exact(dims)
            .map(|query| {
                index
                    .search(query, 10, &search)
                    .unwrap()
                    .iter()
                    .map(|n| n.id)
                    .collect()
            })
            .collect();
        let flat_qps = found.len() as f64 / started.elapsed().as_secs_f64();
        let flat_recall = recall(&found);
        let Some(quantized) = &quantized else {
            println!("| {probes} | {flat_recall:.3} | {flat_qps:.0} | - | - |");
            continue;
        };
        let quantized_search = QuantizedSearchOptions {
            search,
            ..QuantizedSearchOptions::default()
        };
        let started = Instant::now();
        let found: Vec<Vec<u64>> = queries
            .chunks_exact(dims)
            .map(|query| {
                quantized
                    .search(query, 10, &quantized_search, &source)
                    .unwrap()
                    .iter()
                    .map(|n| n.id)
                    .collect()
            })
            .collect();
        let sq_qps = found.len() as f64 / started.elapsed().as_secs_f64();
        println!(
            "| {probes} | {flat_recall:.3} | {flat_qps:.0} | {:.3} | {sq_qps:.0} |",
            recall(&found)
        );
    }

    let index_bytes = index.memory_bytes() as f64;
    if !with_quantized {
        return;
    }
    for ratio in [ProductRatio::X4, ProductRatio::X8, ProductRatio::X16] {
        let options = QuantizedOptions {
            quantization: Quantization::Product { ratio },
            sample_rows: pq_sample,
            threads,
        };
        let started = Instant::now();
        let pq = QuantizedIvf::from_index(&index, &options, 0).unwrap();
        println!(
            "PQ {ratio} (sample {pq_sample}, {threads} threads): train + encode {:.2} s; \
             {} code bytes per row; index memory {:.1} MB ({:.3} x IVFFlat)",
            started.elapsed().as_secs_f64(),
            pq.code_bytes_per_row(),
            pq.memory_bytes() as f64 / 1e6,
            pq.memory_bytes() as f64 / index_bytes
        );
        println!(
            "| probes | PQ {ratio} recall@10 (rerank {pq_rerank}) | QPS | rerank 0 recall@10 |"
        );
        println!("|---|---|---|---|");
        for probes in [1u32, 4, 16, 32, 64] {
            let search = SearchOptions {
                probes,
                ..SearchOptions::default()
            };
            let run = |rerank: usize| -> (Vec<Vec<u64>>, f64) {
                let options = QuantizedSearchOptions { search, rerank };
                let started = Instant::now();
                let found: Vec<Vec<u64>> = queries
                    .chunks_exact(dims)
                    .map(|query| {
                        let result = pq.search(query, 10, &options, &source).unwrap();
                        result.iter().map(|n| n.id).collect()
                    })
                    .collect();
                let qps = found.len() as f64 / started.elapsed().as_secs_f64();
                (found, qps)
            };
            let (found, qps) = run(pq_rerank);
            let (approximate, _) = run(0);
            println!(
                "| {probes} | {:.3} | {qps:.0} | {:.3} |",
                recall(&found),
                recall(&approximate)
            );
        }
    }
}
