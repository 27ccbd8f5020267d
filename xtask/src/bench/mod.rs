//! `cargo xtask bench`: recall@k against queries per second for vecsh's indexes, measured
//! the way ann-benchmarks measures them, with every answer checked while it is timed.
//!
//! A run loads a dataset ([`dataset`]: TEXMEX files, [`vecs`], or a seeded
//! [`synthetic`] set, with exact ground truth computed by [`exact`] when absent), builds each
//! target ([`targets`]), sweeps its knob one query at a time and in batches ([`measure`],
//! driven by [`run`]), prints tables and writes JSON ([`report`]) and an SVG plot ([`plot`]).
//! `--quick` is the CI smoke test: a small synthetic set, strict recall checks, well under a
//! minute. `xtask/BENCH.md` documents the command and the latest full run.

pub mod dataset;
pub mod exact;
pub mod machine;
pub mod measure;
pub mod plans;
pub mod plot;
pub mod progress;
pub mod report;
pub mod run;
pub mod synthetic;
pub mod targets;
pub mod vecs;

#[cfg(test)]
mod tests;

use anyhow::{bail, Context, Result};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use vec_shell::settings::{self, Settings};

use dataset::{resolve_source, Dataset, DatasetOptions};
use exact::MetricName;
use progress::Progress;
use targets::{BuildConfig, TargetKind, ALL_TARGETS};

/// The dataset benchmarked when none is named, relative to the workspace root.
pub const DEFAULT_DATASET: &str = "../shared/datasets/pypi-minilm";

/// The dataset of `--quick`.
pub const QUICK_DATASET: &str = "synthetic:10000:32:16";

/// The usage text of `cargo xtask bench`.
pub const USAGE: &str = "\
usage: cargo xtask bench [OPTIONS] [DATASET]

Builds each index over DATASET and sweeps its knob, reporting recall@k, single-thread QPS,
p50/p99 latency and batch QPS. DATASET is a TEXMEX directory (base.fvecs, queries.fvecs,
gt_<metric>_100.ivecs) or synthetic:ROWS:DIM[:CLUSTERS]; default ../shared/datasets/pypi-minilm
from the workspace root.

options:
  --quick                  CI smoke test: synthetic:10000:32:16, 200 queries, strict checks
  --index LIST             indexes to measure (default all):
                           exact,ivfflat,ivf-sq8,flat-sq8,ivf-pq,flat-pq,hnsw,
                           hnsw-sq8,hnsw-rabitq
  --metric NAME            cosine (default), l2 or ip
  -k N                     neighbours per query (default 10)
  --queries FILE           queries (.fvecs) instead of the dataset's
  --gt FILE                ground truth (.ivecs) instead of the dataset's (computed if absent)
  --max-queries N          use the first N queries (synthetic sets generate N; default 1000)
  --seed N                 seed of synthetic sets and builds (default 1)
  --threads N              build and batch threads (default: every core)
  --lists N                IVF lists (default rows / 1000)
  --m N, --ef-construction N   HNSW build options (default 16, 64)
  --rerank N               candidates ivf-sq8 / ivf-pq re-rank (default 40)
  --pq-ratio RATIO         product quantization: x4, x8 (default), x16, x32 or x64
  --probes LIST            probes swept for the IVF indexes (default 1, 2, 4, … lists)
  --ef-search LIST         ef_search swept for the hnsw indexes (default 10,20,40,80,120,200,400)
  --flat-rerank LIST       rerank swept for flat-sq8 / flat-pq (default 10,20,40,80)
  --filter-selectivity LIST  also sweep with filters keeping these fractions of rows (with
                           --via sql: one filter column with a btree each, WHERE fN = 0)
  --json FILE              write every figure as JSON
  --svg FILE               the recall/QPS plot (default: beside --json, else target/bench/)
  --compare OLD.json       print each matching point's ratio to an earlier run
  --replot RUN.json        only redraw RUN.svg from an earlier run's JSON
  --via sql                run exact, hnsw and ivfflat through the SQL engine (INSERT,
                           CREATE INDEX, SET, SELECT … ORDER BY … LIMIT k) instead of the crates
  --shared-buffers SIZE    with --via sql, the buffer pool of the database in memory
                           (default 128MB, as PostgreSQL's)
  --quiet                  no progress line or notes";

/// The parsed command line.
#[derive(Debug, Clone)]
pub struct Options {
    /// Dataset source and overrides (besides `cache_dir`, which follows the workspace).
    pub dataset: DatasetOptions,
    /// Targets, in run order.
    pub targets: Vec<TargetKind>,
    /// Neighbours per query.
    pub k: usize,
    /// Build settings.
    pub build: BuildConfig,
    /// Swept values per knob, when given.
    pub probes: Option<Vec<usize>>,
    /// `ef_search` values, when given.
    pub ef_search: Option<Vec<usize>>,
    /// flat-sq8 `rerank` values, when given.
    pub flat_rerank: Option<Vec<usize>>,
    /// Filter selectivities to sweep.
    pub filter_selectivities: Vec<f64>,
    /// The JSON output.
    pub json: Option<PathBuf>,
    /// The SVG output.
    pub svg: Option<PathBuf>,
    /// An earlier JSON report.
    pub compare: Option<PathBuf>,
    /// The smoke-test mode.
    pub quick: bool,
    /// No progress line or notes.
    pub quiet: bool,
    /// Run the queries through the SQL engine.
    pub via_sql: bool,
    /// Caches and outputs (`target/bench-cache`).
    pub cache_dir: PathBuf,
    /// The workspace root (for the git commit the report records).
    pub workspace_root: PathBuf,
}

impl Options {
    /// Parses the arguments after `bench`.
    pub fn parse(args: &[String], workspace_root: &Path) -> Result<Options> {
        let cache_dir = workspace_root.join("target").join("bench-cache");
        let threads = std::thread::available_parallelism().map_or(1, |count| count.get());
        let mut options = Options {
            dataset: DatasetOptions {
                source: DEFAULT_DATASET.into(),
                queries: None,
                ground_truth: None,
                metric: MetricName::Cosine,
                max_queries: None,
                seed: 1,
                cache_dir: cache_dir.clone(),
                threads,
            },
            targets: ALL_TARGETS.to_vec(),
            k: 10,
            build: BuildConfig {
                threads,
                lists: None,
                m: 16,
                ef_construction: 64,
                shared_buffers: vec_shell::OpenOptions::default().shared_buffers,
                rerank: 40,
                pq_ratio: vec_ivf::ProductRatio::X8,
                seed: 1,
                filter_selectivities: Vec::new(),
            },
            probes: None,
            ef_search: None,
            flat_rerank: None,
            filter_selectivities: Vec::new(),
            json: None,
            svg: None,
            compare: None,
            quick: false,
            quiet: false,
            via_sql: false,
            cache_dir,
            workspace_root: workspace_root.to_path_buf(),
        };
        let mut source = None;
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let mut value = |flag: &str| {
                args.next()
                    .cloned()
                    .with_context(|| format!("{flag} needs a value"))
            };
            match arg.as_str() {
                "--quick" => options.quick = true,
                "--quiet" => options.quiet = true,
                "--via" => match value(arg)?.as_str() {
                    "sql" => options.via_sql = true,
                    "crate" => options.via_sql = false,
                    other => bail!("--via is sql or crate, not {other:?}"),
                },
                "--index" => {
                    options.targets = value(arg)?
                        .split(',')
                        .map(TargetKind::parse)
                        .collect::<Result<_>>()?
                }
                "--metric" => {
                    let text = value(arg)?;
                    options.dataset.metric = MetricName::parse(&text).with_context(|| {
                        format!("unknown metric {text:?}; use cosine, l2 or ip")
                    })?;
                }
                "-k" | "--k" => options.k = positive(arg, &value(arg)?)?,
                "--queries" => options.dataset.queries = Some(value(arg)?.into()),
                "--gt" => options.dataset.ground_truth = Some(value(arg)?.into()),
                "--max-queries" => options.dataset.max_queries = Some(positive(arg, &value(arg)?)?),
                "--seed" => {
                    let seed = number(arg, &value(arg)?)? as u64;
                    options.dataset.seed = seed;
                    options.build.seed = seed;
                }
                "--threads" => {
                    let threads = positive(arg, &value(arg)?)?;
                    options.build.threads = threads;
                    options.dataset.threads = threads;
                }
                "--lists" => options.build.lists = Some(positive(arg, &value(arg)?)? as u32),
                "--m" => options.build.m = positive(arg, &value(arg)?)?,
                "--ef-construction" => options.build.ef_construction = positive(arg, &value(arg)?)?,
                "--rerank" => options.build.rerank = number(arg, &value(arg)?)?,
                "--pq-ratio" => {
                    let text = value(arg)?;
                    options.build.pq_ratio = vec_ivf::ProductRatio::ALL
                        .into_iter()
                        .find(|ratio| ratio.name() == text)
                        .with_context(|| {
                            format!("--pq-ratio is x4, x8, x16, x32 or x64, not {text:?}")
                        })?;
                }
                "--probes" => options.probes = Some(list(arg, &value(arg)?)?),
                "--ef-search" => options.ef_search = Some(list(arg, &value(arg)?)?),
                "--flat-rerank" => options.flat_rerank = Some(list(arg, &value(arg)?)?),
                "--filter-selectivity" => {
                    options.filter_selectivities = value(arg)?
                        .split(',')
                        .map(|text| match text.parse::<f64>() {
                            Ok(value) if value > 0.0 && value <= 1.0 => Ok(value),
                            _ => bail!(
                                "--filter-selectivity wants fractions in (0, 1], not {text:?}"
                            ),
                        })
                        .collect::<Result<_>>()?
                }
                "--shared-buffers" => {
                    let text = value(arg)?;
                    options.build.shared_buffers =
                        Settings::memory_bytes(&settings::SHARED_BUFFERS, &text).map_err(
                            |error| anyhow::anyhow!("--shared-buffers: {}", error.message),
                        )?;
                }
                "--json" => options.json = Some(value(arg)?.into()),
                "--svg" => options.svg = Some(value(arg)?.into()),
                "--compare" => options.compare = Some(value(arg)?.into()),
                flag if flag.starts_with('-') => bail!("unknown option {flag}\n\n{USAGE}"),
                positional => {
                    if source.replace(positional.to_string()).is_some() {
                        bail!("more than one dataset given");
                    }
                }
            }
        }
        if options.quick {
            if source.is_none() {
                source = Some(QUICK_DATASET.into());
            }
            options.dataset.max_queries.get_or_insert(200);
            options.build.lists.get_or_insert(20);
            if options.filter_selectivities.is_empty() {
                options.filter_selectivities = vec![0.1];
            }
        }
        options.build.filter_selectivities = options.filter_selectivities.clone();
        options.dataset.source =
            resolve_source(source.as_deref().unwrap_or(DEFAULT_DATASET), workspace_root);
        Ok(options)
    }

    /// The knob values given on the command line for `kind`.
    pub fn knobs_for(&self, kind: TargetKind) -> Option<Vec<usize>> {
        match kind {
            TargetKind::IvfFlat | TargetKind::IvfSq8 | TargetKind::IvfPq => self.probes.clone(),
            TargetKind::Hnsw | TargetKind::HnswSq8 | TargetKind::HnswRabitq => {
                self.ef_search.clone()
            }
            TargetKind::FlatSq8 | TargetKind::FlatPq => self.flat_rerank.clone(),
            TargetKind::Exact => None,
        }
    }
}

fn number(flag: &str, text: &str) -> Result<usize> {
    text.parse()
        .with_context(|| format!("{flag} wants a whole number, not {text:?}"))
}

fn positive(flag: &str, text: &str) -> Result<usize> {
    match number(flag, text)? {
        0 => bail!("{flag} must be positive"),
        value => Ok(value),
    }
}

fn list(flag: &str, text: &str) -> Result<Vec<usize>> {
    text.split(',').map(|item| positive(flag, item)).collect()
}

/// Runs `cargo xtask bench` with `args`; the exit status is 1 when a check fails.
pub fn main(args: &[String], workspace_root: &Path) -> Result<ExitCode> {
    if args.iter().any(|arg| arg == "--help" || arg == "-h") {
        println!("{USAGE}");
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(position) = args.iter().position(|arg| arg == "--replot") {
        return replot(
            args.get(position + 1)
                .context("--replot needs a JSON file")?,
        );
    }
    let options = Options::parse(args, workspace_root)?;
    let progress = Progress::new(options.quiet);
    let outcome = bench(&options, &progress)?;
    print!("{}", outcome.text);
    if outcome.failures.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        for failure in &outcome.failures {
            eprintln!("bench: check failed: {failure}");
        }
        Ok(ExitCode::FAILURE)
    }
}

/// What [`bench`] produced.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The text printed on the terminal.
    pub text: String,
    /// The JSON report (also written to `--json`; tests read it here).
    #[cfg_attr(not(test), allow(dead_code))]
    pub json: serde_json::Value,
    /// Failed checks.
    pub failures: Vec<String>,
}

/// Loads the dataset, runs the benchmark and writes the outputs.
pub fn bench(options: &Options, progress: &Progress) -> Result<Outcome> {
    let started = std::time::SystemTime::now();
    let dataset = Dataset::load(&options.dataset, progress)?;
    progress.note(&format!(
        "{}: {} rows × {} dims, {} queries, {}, ground truth {}",
        dataset.name,
        dataset.n_base(),
        dataset.dims,
        dataset.n_queries(),
        dataset.metric.name(),
        dataset.ground_truth_source
    ));
    let result = run::run(&dataset, options, progress)?;
    let failures = run::checks(&result.points, options.quick);
    let run_json = json!({
        "dataset": dataset.name,
        "rows": dataset.n_base(),
        "dims": dataset.dims,
        "queries": dataset.n_queries(),
        "metric": dataset.metric.name(),
        "k": options.k,
        "threads": options.build.threads,
        "ground_truth": relative_to_workspace(&dataset.ground_truth_source, &options.cache_dir),
        "quick": options.quick,
        "seed": options.dataset.seed,
        "git_commit": machine::git_commit(&options.workspace_root),
        "machine": machine::machine(),
        "unix_time": started.duration_since(std::time::UNIX_EPOCH).map_or(0, |at| at.as_secs()),
    });
    let json = report::to_json(run_json, &result.builds, &result.points, &failures);
    let mut text = format!(
        "dataset {} ({} rows x {} dims, {} queries, {}, k = {})\ncommit {} on {} ({} cores)\n\n{}\n{}",
        dataset.name,
        dataset.n_base(),
        dataset.dims,
        dataset.n_queries(),
        dataset.metric.name(),
        options.k,
        json["run"]["git_commit"].as_str().unwrap_or("unknown"),
        json["run"]["machine"]["cpu"].as_str().unwrap_or("an unknown CPU"),
        json["run"]["machine"]["cores"],
        report::builds_table(&result.builds),
        report::points_table(&result.points)
    );
    if let Some(path) = &options.json {
        write_file(path, &format!("{}\n", serde_json::to_string_pretty(&json)?))?;
        text.push_str(&format!("\nJSON: {}\n", path.display()));
    }
    let svg_path = options.svg.clone().unwrap_or_else(|| match &options.json {
        Some(json) => json.with_extension("svg"),
        None => options
            .cache_dir
            .with_file_name("bench")
            .join(format!("{}.svg", dataset.name)),
    });
    let title = format!(
        "{}: recall@{} vs QPS ({} queries, {} threads to build)",
        dataset.name,
        options.k,
        dataset.n_queries(),
        options.build.threads
    );
    write_file(&svg_path, &plot::svg(&title, &result.points))?;
    text.push_str(&format!("plot: {}\n", svg_path.display()));
    if let Some(path) = &options.compare {
        let old_text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let old: serde_json::Value = serde_json::from_str(&old_text)
            .with_context(|| format!("{} is not JSON", path.display()))?;
        text.push_str(&format!(
            "\nratios to {} (new / old):\n{}",
            path.display(),
            report::compare(&old, &json)?
        ));
    }
    Ok(Outcome {
        text,
        json,
        failures,
    })
}

/// `--replot RUN.json`: redraws the plot of an earlier run (beside its JSON) and prints its
/// tables, without measuring anything.
fn replot(json_path: &str) -> Result<ExitCode> {
    let path = Path::new(json_path);
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let json: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))?;
    let points: Vec<report::Point> = report::points_of(&json)?
        .iter()
        .map(|point| report::Point::from_json(point).context("a point lacks a field"))
        .collect::<Result<_>>()?;
    let run = &json["run"];
    let title = format!(
        "{}: recall@{} vs QPS ({} queries, {} threads to build)",
        run["dataset"].as_str().unwrap_or("dataset"),
        run["k"],
        run["queries"],
        run["threads"]
    );
    let svg_path = path.with_extension("svg");
    write_file(&svg_path, &plot::svg(&title, &points))?;
    print!("{}", report::points_table(&points));
    println!("plot: {}", svg_path.display());
    Ok(ExitCode::SUCCESS)
}

fn write_file(path: &Path, contents: &str) -> Result<()> {
    if let Some(parent) = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    std::fs::write(path, contents).with_context(|| format!("cannot write {}", path.display()))
}

/// `text` with the workspace root's path (two levels above the cache) removed, so that
/// reports name files relative to the workspace.
fn relative_to_workspace(text: &str, cache_dir: &Path) -> String {
    match cache_dir.parent().and_then(Path::parent) {
        Some(root) if !root.as_os_str().is_empty() => {
            text.replace(&format!("{}/", root.display()), "")
        }
        _ => text.to_string(),
    }
}
