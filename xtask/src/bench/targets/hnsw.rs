//! The `hnsw`, `hnsw-sq8` and `hnsw-rabitq` targets: `vec_hnsw::Hnsw` built with
//! pgvector's `m` / `ef_construction` (defaults 16 / 64, or `--m` / `--ef-construction`)
//! on the benchmark's threads, full precision or quantized (searches read codes and
//! re-rank with the full vectors, kept on disk), with a 64 GiB `maintenance_work_mem` so
//! that the in-memory build never falls back. The knob is `hnsw.ef_search`; filtered
//! searches use `hnsw.iterative_scan = relaxed_order` with the default `max_scan_tuples`.

use anyhow::{Context, Result};
use std::path::Path;

use vec_hnsw::store::VectorStore;
use vec_hnsw::{
    Cosine, Hnsw, HnswOptions, InnerProduct, IterativeScan, Metric, Quantization, SearchOptions, L2,
};

use super::{BuildConfig, Built, Filter, Target};
use crate::bench::dataset::Dataset;
use crate::bench::exact::MetricName;
use crate::bench::progress::Progress;

/// The `ef_search` values swept when none are given.
pub const DEFAULT_EF_SEARCH: &[usize] = &[10, 20, 40, 80, 120, 200, 400];

/// Builds an HNSW target for the dataset's metric.
pub fn build<'a>(
    dataset: &'a Dataset,
    config: &BuildConfig,
    quantization: Quantization,
    progress: &Progress,
) -> Result<Built<'a>> {
    match dataset.metric {
        MetricName::L2 => build_with::<L2<f32>>(dataset, config, quantization, progress),
        MetricName::Cosine => build_with::<Cosine<f32>>(dataset, config, quantization, progress),
        MetricName::InnerProduct => {
            build_with::<InnerProduct<f32>>(dataset, config, quantization, progress)
        }
    }
}

fn build_with<'a, M>(
    dataset: &'a Dataset,
    config: &BuildConfig,
    quantization: Quantization,
    progress: &Progress,
) -> Result<Built<'a>>
where
    M: Metric,
    for<'r> M::Store: VectorStore<Ref<'r> = &'r [f32]>,
{
    let options = HnswOptions {
        m: config.m,
        ef_construction: config.ef_construction,
        seed: config.seed,
        threads: config.threads,
        maintenance_work_mem: 64 << 30,
        quantization,
        ..HnswOptions::default()
    };
    let rows = dataset
        .base
        .chunks_exact(dataset.dims)
        .enumerate()
        .map(|(row_idx, row)| (row_idx as u64, row));
    let label = match quantization {
        Quantization::None => "build hnsw".to_string(),
        quantization => format!("build hnsw-{}", quantization.name()),
    };
    let index = Hnsw::<M>::build_with_progress(dataset.dims, options, rows, &|report| {
        progress.update(
            &label,
            report.tuples_done as usize,
            report.tuples_total as usize,
        )
    })
    .context("building hnsw")?;
    progress.finish();
    Ok(Built {
        target: Box::new(HnswTarget { index }),
        params: match quantization {
            Quantization::None => {
                serde_json::json!({"m": config.m, "ef_construction": config.ef_construction})
            }
            quantization => serde_json::json!({
                "m": config.m,
                "ef_construction": config.ef_construction,
                "quantization": quantization.name(),
            }),
        },
    })
}

struct HnswTarget<M: Metric> {
    index: Hnsw<M>,
}

fn ef_options(ef_search: usize) -> SearchOptions {
    SearchOptions {
        ef_search,
        ..SearchOptions::default()
    }
}

impl<M> Target for HnswTarget<M>
where
    M: Metric,
    for<'r> M::Store: VectorStore<Ref<'r> = &'r [f32]>,
{
    fn knob_name(&self) -> Option<&'static str> {
        Some("ef_search")
    }

    fn default_knobs(&self) -> Vec<usize> {
        DEFAULT_EF_SEARCH.to_vec()
    }

    fn search(&self, query: &[f32], k: usize, knob: usize) -> Result<Vec<u64>> {
        let hits = self.index.search(query, k, &ef_options(knob))?;
        Ok(hits.into_iter().map(|hit| hit.row_id).collect())
    }

    fn search_filtered(
        &self,
        query: &[f32],
        k: usize,
        knob: usize,
        filter: &Filter<'_>,
    ) -> Option<Result<Vec<u64>>> {
        let options = SearchOptions {
            iterative_scan: IterativeScan::RelaxedOrder,
            ..ef_options(knob)
        };
        Some(
            self.index
                .search_filtered(query, k, &options, filter.keep)
                .map(|hits| hits.into_iter().map(|hit| hit.row_id).collect())
                .map_err(Into::into),
        )
    }

    fn snapshot_bytes(&self, path: &Path) -> Result<Option<u64>> {
        self.index.save(path)?;
        Ok(Some(std::fs::metadata(path)?.len()))
    }

    fn memory_bytes(&self) -> Option<usize> {
        Some(self.index.memory_bytes())
    }
}
