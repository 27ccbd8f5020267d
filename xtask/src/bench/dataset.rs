//! Datasets: a TEXMEX directory (`base.fvecs`, `queries.fvecs`, `gt_<metric>_100.ivecs`,
//! optionally `base.tsv`) or a `synthetic:ROWS:DIM[:CLUSTERS]` spec, loaded with their
//! ground truth.
//!
//! Synthetic datasets are written once as a TEXMEX directory under the cache
//! (`target/bench-cache/`), so they are opened, exported and benchmarked like real ones.
//! When a dataset has no ground truth for the metric (or `--queries` replaced its queries
//! without `--gt`), the exact top 100 is computed with [`ExactScanner`] on every core and
//! cached under `target/bench-cache/gt/`, keyed by a hash of the rows and queries.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};

use super::exact::{ExactScanner, MetricName};
use super::progress::Progress;
use super::synthetic::SyntheticSpec;
use super::vecs::{read_fvecs, read_ivecs, write_fvecs, write_ivecs, Matrix};

/// How many neighbours computed ground truth holds per query.
pub const GROUND_TRUTH_DEPTH: usize = 100;

/// Where a dataset comes from and what to override.
#[derive(Debug, Clone)]
pub struct DatasetOptions {
    /// A directory or a `synthetic:` spec.
    pub source: String,
    /// A queries file replacing the directory's.
    pub queries: Option<PathBuf>,
    /// A ground-truth file replacing the directory's.
    pub ground_truth: Option<PathBuf>,
    /// The metric to rank by.
    pub metric: MetricName,
    /// Use only the first queries (synthetic sets generate this many; default 1,000).
    pub max_queries: Option<usize>,
    /// The seed of synthetic sets.
    pub seed: u64,
    /// The cache directory (`target/bench-cache`).
    pub cache_dir: PathBuf,
    /// Threads for ground-truth computation.
    pub threads: usize,
}

/// A loaded dataset.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// A short name for reports.
    pub name: String,
    /// Dimensions.
    pub dims: usize,
    /// Base rows, row-major; row `i` has id `i`.
    pub base: Vec<f32>,
    /// Query rows, row-major.
    pub queries: Vec<f32>,
    /// Per query, the nearest base row ids, nearest first.
    pub ground_truth: Matrix<u32>,
    /// Where the ground truth came from.
    pub ground_truth_source: String,
    /// The metric.
    pub metric: MetricName,
}

impl Dataset {
    /// The number of base rows.
    pub fn n_base(&self) -> usize {
        self.base.len() / self.dims
    }

    /// The number of queries.
    pub fn n_queries(&self) -> usize {
        self.queries.len() / self.dims
    }

    /// Loads the dataset `options` describe, computing ground truth when it is missing.
    pub fn load(options: &DatasetOptions, progress: &Progress) -> Result<Dataset> {
        let (name, dir) = match SyntheticSpec::parse(&options.source) {
            Some(spec) => {
                let spec = spec?;
                let n_queries = options.max_queries.unwrap_or(1000);
                let dir =
                    synthetic_dir(&spec, n_queries, options.seed, &options.cache_dir, progress)?;
                (format!("{}-s{}", spec.name(), options.seed), dir)
            }
            None => {
                let dir = PathBuf::from(&options.source);
                if !dir.join("base.fvecs").is_file() {
                    bail!("{} holds no base.fvecs", dir.display());
                }
                let name = dir
                    .file_name()
                    .map(|name| name.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "dataset".into());
                (name, dir)
            }
        };
        let base = read_fvecs(&dir.join("base.fvecs"))?;
        let queries_path = options
            .queries
            .clone()
            .unwrap_or_else(|| dir.join("queries.fvecs"));
        let mut queries = read_fvecs(&queries_path)?;
        if queries.dims != base.dims {
            bail!(
                "{} has {} dimensions but the base rows have {}",
                queries_path.display(),
                queries.dims,
                base.dims
            );
        }
        if let Some(max_queries) = options.max_queries {
            queries.data.truncate(max_queries * queries.dims);
        }
        let mut dataset = Dataset {
            name,
            dims: base.dims,
            base: base.data,
            queries: queries.data,
            ground_truth: Matrix {
                dims: 1,
                data: Vec::new(),
            },
            ground_truth_source: String::new(),
            metric: options.metric,
        };
        let listed = dir.join(format!("gt_{}_100.ivecs", options.metric.name()));
        let given = match (&options.ground_truth, &options.queries) {
            (Some(path), _) => Some(path.clone()),
            (None, None) if listed.is_file() => Some(listed),
            _ => None,
        };
        match given {
            Some(path) => {
                dataset.ground_truth = read_ivecs(&path)?;
                dataset.ground_truth_source = path.display().to_string();
            }
            None => dataset.compute_ground_truth(options, progress)?,
        }
        dataset.check_ground_truth()?;
        Ok(dataset)
    }

    fn compute_ground_truth(
        &mut self,
        options: &DatasetOptions,
        progress: &Progress,
    ) -> Result<()> {
        let path = options.cache_dir.join("gt").join(format!(
            "{:016x}-{}-{}.ivecs",
            self.fingerprint(),
            self.metric.name(),
            GROUND_TRUTH_DEPTH
        ));
        if path.is_file() {
            self.ground_truth = read_ivecs(&path)?;
            self.ground_truth_source = format!("computed earlier ({})", path.display());
            return Ok(());
        }
        let scanner = ExactScanner::new(self.metric, self.dims, &self.base);
        let depth = GROUND_TRUTH_DEPTH.min(self.n_base());
        let total = self.n_queries();
        let label = "ground truth";
        let results = scanner.search_batch(&self.queries, depth, options.threads, None, &|done| {
            progress.update(label, done, total)
        });
        progress.finish();
        let data: Vec<u32> = results.into_iter().flatten().collect();
        write_ivecs(&path, depth, &data)?;
        self.ground_truth = Matrix { dims: depth, data };
        self.ground_truth_source = format!("computed ({})", path.display());
        Ok(())
    }

    fn check_ground_truth(&self) -> Result<()> {
        let truth = &self.ground_truth;
        if truth.rows() < self.n_queries() {
            bail!(
                "the ground truth ({}) has {} rows for {} queries",
                self.ground_truth_source,
                truth.rows(),
                self.n_queries()
            );
        }
        if let Some(&id) = truth.data.iter().find(|&&id| id as usize >= self.n_base()) {
            bail!(
                "the ground truth ({}) names row {id}, but the base has {} rows",
                self.ground_truth_source,
                self.n_base()
            );
        }
        Ok(())
    }

    /// A hash of the rows and queries (FNV-1a over the dimensions, the counts, every query
    /// value and a sample of base values), naming cached ground truth.
    pub fn fingerprint(&self) -> u64 {
        let mut hash = 0xcbf2_9ce4_8422_2325u64;
        let mut feed = |word: u64| {
            for byte in word.to_le_bytes() {
                hash = (hash ^ byte as u64).wrapping_mul(0x0000_0100_0000_01b3);
            }
        };
        feed(self.dims as u64);
        feed(self.base.len() as u64);
        feed(self.queries.len() as u64);
        for value in &self.queries {
            feed(value.to_bits() as u64);
        }
        for value in self.base.iter().step_by(61) {
            feed(value.to_bits() as u64);
        }
        hash
    }
}

/// The cache directory of a synthetic dataset, generated on first use.
pub fn synthetic_dir(
    spec: &SyntheticSpec,
    n_queries: usize,
    seed: u64,
    cache_dir: &Path,
    progress: &Progress,
) -> Result<PathBuf> {
    let dir = cache_dir.join(format!("{}-q{n_queries}-s{seed}", spec.name()));
    if dir.join("base.fvecs").is_file() && dir.join("queries.fvecs").is_file() {
        return Ok(dir);
    }
    progress.note(&format!("generating {}", dir.display()));
    let (base, queries) = spec.generate(n_queries, seed);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    write_fvecs(&dir.join("queries.fvecs"), spec.dims, &queries)?;
    write_fvecs(&dir.join("base.fvecs"), spec.dims, &base)?;
    Ok(dir)
}

/// Resolves a dataset argument: a synthetic spec stays as it is; a relative directory is
/// looked up from the current directory, then from the workspace root.
pub fn resolve_source(source: &str, workspace_root: &Path) -> String {
    if source.starts_with("synthetic:") || Path::new(source).is_absolute() {
        return source.to_string();
    }
    if Path::new(source).is_dir() {
        return source.to_string();
    }
    workspace_root.join(source).display().to_string()
}
