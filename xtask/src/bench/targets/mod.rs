//! The indexes a benchmark measures, behind one [`Target`] trait: `ivfflat`, `ivf-sq8`,
//! `flat-sq8`, `ivf-pq` and `flat-pq` from `vec-ivf` ([`ivf`]), `hnsw`, `hnsw-sq8` and
//! `hnsw-rabitq` from `vec-hnsw` ([`hnsw`]), and `exact`, the harness's own exact scan.
//!
//! Each target is built from the dataset's rows through its crate's API (monomorphized for
//! the dataset's metric), then searched one query at a time with a *knob* (`probes`,
//! `ef_search` or `rerank`) that trades recall for speed. Targets answer with row ids so the
//! harness can check every answer against the ground truth.

pub mod hnsw;
pub mod ivf;
pub mod sql;

use anyhow::{bail, Result};
use std::path::Path;

use super::dataset::Dataset;
use super::exact::ExactScanner;
use super::progress::Progress;

/// A built index under test.
pub trait Target: Sync {
    /// The name of the knob the sweep varies (`probes`, `ef_search`, `rerank`), if any.
    fn knob_name(&self) -> Option<&'static str>;

    /// The knob values swept when none are given.
    fn default_knobs(&self) -> Vec<usize>;

    /// The ids of the (approximately) `k` nearest rows to `query`, nearest first.
    fn search(&self, query: &[f32], k: usize, knob: usize) -> Result<Vec<u64>>;

    /// The `k` nearest rows that `filter` accepts, using the index's iterative scan (or,
    /// through SQL, the engine's default plan for a `WHERE` filter); `None` when the
    /// target has no filtered search.
    fn search_filtered(
        &self,
        query: &[f32],
        k: usize,
        knob: usize,
        filter: &Filter<'_>,
    ) -> Option<Result<Vec<u64>>>;

    /// Writes the index's snapshot to `path` and returns its size; `None` when the index has
    /// no snapshot format.
    fn snapshot_bytes(&self, path: &Path) -> Result<Option<u64>>;

    /// Bytes the index says it holds; `None` when it does not say.
    fn memory_bytes(&self) -> Option<usize>;

    /// Gets ready to answer `queries`, before any is timed: what a client does once per
    /// query rather than the engine (the SQL targets write each query's vector literal
    /// here, so that the timings hold the engine's work, not the formatting of 384
    /// floats). Nothing by default.
    fn prepare_queries(&self, _queries: &[&[f32]]) {}
}

/// A filter of filtered queries: the rows `keep` accepts, about `selectivity` of them
/// (the SQL targets store one filter column per selectivity and query it).
pub struct Filter<'a> {
    /// The fraction of rows kept (1.0 keeps every row).
    pub selectivity: f64,
    /// Whether a row id is kept.
    pub keep: &'a (dyn Fn(u64) -> bool + Sync),
}

/// The kinds of target, by command-line name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    /// `vec_ivf::IvfIndex`, pgvector's IVFFlat.
    IvfFlat,
    /// `vec_ivf::QuantizedIvf` with SQ8 codes and exact re-ranking.
    IvfSq8,
    /// `vec_ivf::FlatIndex` with SQ8 codes: one list of codes, re-ranked.
    FlatSq8,
    /// `vec_ivf::QuantizedIvf` with product-quantized codes and exact re-ranking.
    IvfPq,
    /// `vec_ivf::FlatIndex` with product-quantized codes, re-ranked.
    FlatPq,
    /// `vec_hnsw::Hnsw`.
    Hnsw,
    /// `vec_hnsw::Hnsw` with SQ8 codes, re-ranked with the full vectors.
    HnswSq8,
    /// `vec_hnsw::Hnsw` with RaBitQ-style 1-bit codes, re-ranked with the full vectors.
    HnswRabitq,
    /// The harness's exact scan.
    Exact,
}

/// Every target, in the order a run measures them.
pub const ALL_TARGETS: &[TargetKind] = &[
    TargetKind::Exact,
    TargetKind::IvfFlat,
    TargetKind::IvfSq8,
    TargetKind::FlatSq8,
    TargetKind::IvfPq,
    TargetKind::FlatPq,
    TargetKind::Hnsw,
    TargetKind::HnswSq8,
    TargetKind::HnswRabitq,
];

impl TargetKind {
    /// The command-line and report name.
    pub fn name(self) -> &'static str {
        match self {
            TargetKind::IvfFlat => "ivfflat",
            TargetKind::IvfSq8 => "ivf-sq8",
            TargetKind::FlatSq8 => "flat-sq8",
            TargetKind::IvfPq => "ivf-pq",
            TargetKind::FlatPq => "flat-pq",
            TargetKind::Hnsw => "hnsw",
            TargetKind::HnswSq8 => "hnsw-sq8",
            TargetKind::HnswRabitq => "hnsw-rabitq",
            TargetKind::Exact => "exact",
        }
    }

    /// Parses a command-line name.
    pub fn parse(text: &str) -> Result<TargetKind> {
        match ALL_TARGETS.iter().find(|kind| kind.name() == text) {
            Some(kind) => Ok(*kind),
            None => {
                let names: Vec<&str> = ALL_TARGETS.iter().map(|kind| kind.name()).collect();
                bail!("unknown index {text:?}; choose from {}", names.join(", "))
            }
        }
    }
}

/// Build-time settings shared by the targets.
#[derive(Debug, Clone)]
pub struct BuildConfig {
    /// Threads a build may use.
    pub threads: usize,
    /// IVF lists; `None` is pgvector's advice, rows / 1000 (at least 1).
    pub lists: Option<u32>,
    /// HNSW `m`.
    pub m: usize,
    /// HNSW `ef_construction`.
    pub ef_construction: usize,
    /// Candidates re-ranked by the quantized IVF indexes.
    pub rerank: usize,
    /// The compression of product quantization.
    pub pq_ratio: vec_ivf::ProductRatio,
    /// Seed of every build.
    pub seed: u64,
    /// The selectivities of filtered sweeps (the SQL targets add a filter column with a
    /// btree index for each).
    pub filter_selectivities: Vec<f64>,
    /// The buffer pool of the SQL targets' database in memory, in bytes (`shared_buffers`).
    pub shared_buffers: usize,
}

impl BuildConfig {
    /// The number of lists for `n_rows` rows.
    pub fn lists_for(&self, n_rows: usize) -> u32 {
        self.lists
            .unwrap_or_else(|| (n_rows / 1000).clamp(1, vec_ivf::MAX_LISTS as usize) as u32)
    }
}

/// A built target with what its build reported.
pub struct Built<'a> {
    /// The index.
    pub target: Box<dyn Target + 'a>,
    /// Build parameters for reports (`{"lists": 100}`).
    pub params: serde_json::Value,
}

/// Builds `kind` over `dataset`.
pub fn build<'a>(
    kind: TargetKind,
    dataset: &'a Dataset,
    config: &BuildConfig,
    progress: &Progress,
) -> Result<Built<'a>> {
    match kind {
        TargetKind::IvfFlat
        | TargetKind::IvfSq8
        | TargetKind::FlatSq8
        | TargetKind::IvfPq
        | TargetKind::FlatPq => ivf::build(kind, dataset, config, progress),
        TargetKind::Hnsw => hnsw::build(dataset, config, vec_hnsw::Quantization::None, progress),
        TargetKind::HnswSq8 => hnsw::build(dataset, config, vec_hnsw::Quantization::Sq8, progress),
        TargetKind::HnswRabitq => {
            hnsw::build(dataset, config, vec_hnsw::Quantization::RaBitQ, progress)
        }
        TargetKind::Exact => Ok(Built {
            target: Box::new(ExactTarget {
                scanner: ExactScanner::new(dataset.metric, dataset.dims, &dataset.base),
            }),
            params: serde_json::json!({}),
        }),
    }
}

/// The `exact` target: a full scan with a bounded top-k heap.
pub struct ExactTarget<'a> {
    scanner: ExactScanner<'a>,
}

impl Target for ExactTarget<'_> {
    fn knob_name(&self) -> Option<&'static str> {
        None
    }

    fn default_knobs(&self) -> Vec<usize> {
        vec![0]
    }

    fn search(&self, query: &[f32], k: usize, _knob: usize) -> Result<Vec<u64>> {
        Ok(ids(self.scanner.search(query, k, None)))
    }

    fn search_filtered(
        &self,
        query: &[f32],
        k: usize,
        _knob: usize,
        filter: &Filter<'_>,
    ) -> Option<Result<Vec<u64>>> {
        let keep_row = |row_idx: usize| (filter.keep)(row_idx as u64);
        Some(Ok(ids(self.scanner.search(query, k, Some(&keep_row)))))
    }

    fn snapshot_bytes(&self, _path: &Path) -> Result<Option<u64>> {
        Ok(None)
    }

    fn memory_bytes(&self) -> Option<usize> {
        None
    }
}

fn ids(rows: Vec<u32>) -> Vec<u64> {
    rows.into_iter().map(u64::from).collect()
}

/// Powers of two from 1 up to `limit`, and `limit` itself.
pub fn doubling_sweep(limit: usize) -> Vec<usize> {
    let mut values: Vec<usize> = std::iter::successors(Some(1usize), |value| Some(value * 2))
        .take_while(|&value| value < limit)
        .collect();
    values.push(limit.max(1));
    values
}
