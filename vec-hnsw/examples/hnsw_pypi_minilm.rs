//! Benchmark on a TEXMEX data set (by default pypi-minilm: 100k × 384, cosine): build time,
//! index memory, and recall@10 with single-thread queries per second over an `ef_search`
//! sweep, for full-precision or quantized indexes.
//!
//! ```text
//! cargo run -p vec-hnsw --release --example hnsw_pypi_minilm -- DATA_DIR [options]
//!   --threads N            build threads (default 2)
//!   --mode pgvector|hnswlib  keep pruned connections (pgvector, default) or not
//!   --quantization none|sq8|rabitq   (default none)
//!   --m N --ef-construction N        (default 16, 64)
//!   --ef LIST              ef_search values (default 10,20,30,40,50,60,80,100,120,160,200,300,400)
//!   --metric cosine|l2     (default cosine; the ground truth file gt_<metric>_100.ivecs)
//!   --snapshot PATH        reopen PATH instead of building (written after the build if absent)
//!   --reps N               query passes per point, the best kept (default 3)
//!   --calibrate            also time and print the target-recall calibration
//! ```
//!
//! Index memory is what the index says it holds (`memory_bytes`: a quantized index counts
//! its codes, not its full vectors, which are on disk) and the growth of the process's
//! anonymous resident memory (`RssAnon`), which file-backed pages do not count.

use std::fs;
use std::time::Instant;
use vec_hnsw::{Cosine, Hnsw, HnswOptions, Metric, Quantization, SearchOptions, L2};

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

/// A `/proc/self/status` field in bytes (Linux; 0 elsewhere).
fn status_bytes(field: &str) -> usize {
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|line| line.starts_with(field))
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<usize>().ok())
        .unwrap_or(0)
        * 1024
}

struct Args {
    dir: String,
    threads: usize,
    keep_pruned: bool,
    quantization: Quantization,
    m: usize,
    ef_construction: usize,
    ef: Vec<usize>,
    metric: String,
    snapshot: Option<std::path::PathBuf>,
    reps: usize,
    calibrate: bool,
}

fn parse() -> Args {
    let mut args = Args {
        dir: "../shared/datasets/pypi-minilm".into(),
        threads: 2,
        keep_pruned: true,
        quantization: Quantization::None,
        m: 16,
        ef_construction: 64,
        ef: vec![10, 20, 30, 40, 50, 60, 80, 100, 120, 160, 200, 300, 400],
        metric: "cosine".into(),
        snapshot: None,
        reps: 3,
        calibrate: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| panic!("{arg} needs a value"));
        match arg.as_str() {
            "--threads" => args.threads = value().parse().expect("--threads"),
            "--mode" => args.keep_pruned = value() != "hnswlib",
            "--quantization" => {
                args.quantization = Quantization::from_name(&value()).expect("--quantization")
            }
            "--m" => args.m = value().parse().expect("--m"),
            "--ef-construction" => {
                args.ef_construction = value().parse().expect("--ef-construction")
            }
            "--ef" => {
                args.ef = value()
                    .split(',')
                    .map(|v| v.parse().expect("--ef"))
                    .collect()
            }
            "--metric" => args.metric = value(),
            "--snapshot" => args.snapshot = Some(value().into()),
            "--reps" => args.reps = value().parse().expect("--reps"),
            "--calibrate" => args.calibrate = true,
            _ => args.dir = arg,
        }
    }
    args
}

fn main() {
    let args = parse();
    match args.metric.as_str() {
        "l2" => run::<L2<f32>>(&args),
        _ => run::<Cosine<f32>>(&args),
    }
}

fn run<M: Metric>(args: &Args)
where
    for<'r> M::Store: vec_hnsw::store::VectorStore<Ref<'r> = &'r [f32]>,
{
    let dir = &args.dir;
    let base = floats(read_vecs(&format!("{dir}/base.fvecs")));
    let queries = floats(read_vecs(&format!("{dir}/queries.fvecs")));
    let truth = read_vecs(&format!("{dir}/gt_{}_100.ivecs", args.metric));
    let dims = base[0].len();
    let raw_bytes = base.len() * dims * 4;

    let options = HnswOptions {
        m: args.m,
        ef_construction: args.ef_construction,
        threads: args.threads,
        keep_pruned: args.keep_pruned,
        quantization: args.quantization,
        maintenance_work_mem: 64 << 30,
        ..HnswOptions::default()
    };
    let (anon_before, rss_before) = (status_bytes("RssAnon:"), status_bytes("VmRSS:"));
    let start = Instant::now();
    let mut index = match &args.snapshot {
        Some(path) if path.exists() => Hnsw::<M>::open(path).expect("open"),
        _ => Hnsw::<M>::build(
            dims,
            options,
            base.iter()
                .enumerate()
                .map(|(i, v)| (i as u64, v.as_slice())),
        )
        .expect("build"),
    };
    let build_secs = start.elapsed().as_secs_f64();
    let (anon_after, rss_after) = (status_bytes("RssAnon:"), status_bytes("VmRSS:"));
    if let Some(path) = args.snapshot.as_ref().filter(|p| !p.exists()) {
        index.save(path).expect("save");
    }
    println!(
        "build: {build_secs:.1} s with {} threads (m {}, ef_construction {}, keep_pruned {}, quantization {})",
        args.threads,
        args.m,
        args.ef_construction,
        args.keep_pruned,
        args.quantization.name()
    );
    println!(
        "index memory: {:.1} MB held (raw vectors {:.1} MB); full vectors on disk {:.1} MB; \
         anonymous RSS growth {:.1} MB, RSS growth {:.1} MB",
        index.memory_bytes() as f64 / 1e6,
        raw_bytes as f64 / 1e6,
        index.vector_file_bytes() as f64 / 1e6,
        anon_after.saturating_sub(anon_before) as f64 / 1e6,
        rss_after.saturating_sub(rss_before) as f64 / 1e6,
    );
    if args.calibrate {
        let start = Instant::now();
        index.calibrate(&|| false).expect("calibrate");
        println!(
            "calibration: {:.2} s, {:?}",
            start.elapsed().as_secs_f64(),
            index.calibration().map(|c| c
                .points
                .iter()
                .map(|p| (p.knob, (p.recall * 1000.0).round() / 1000.0))
                .collect::<Vec<_>>())
        );
    }
    println!("| ef_search | recall@10 | QPS (1 thread) |\n|---|---|---|");
    for &ef_search in &args.ef {
        let options = SearchOptions {
            ef_search,
            ..SearchOptions::default()
        };
        let mut best = f64::INFINITY;
        let mut results = Vec::with_capacity(queries.len());
        for _ in 0..args.reps.max(1) {
            results.clear();
            let start = Instant::now();
            for query in &queries {
                results.push(index.search(query, 10, &options).expect("search"));
            }
            best = best.min(start.elapsed().as_secs_f64());
        }
        let mut correct = 0;
        for (hits, expected) in results.iter().zip(&truth) {
            let expected = &expected[..10];
            correct += hits
                .iter()
                .filter(|h| expected.contains(&(h.row_id as u32)))
                .count();
        }
        println!(
            "| {ef_search} | {:.4} | {:.0} |",
            correct as f64 / (queries.len() * 10) as f64,
            queries.len() as f64 / best
        );
    }
}
