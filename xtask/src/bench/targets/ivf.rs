//! `vec-ivf` targets: `ivfflat` (`IvfIndex`), `ivf-sq8` / `ivf-pq` (`QuantizedIvf` with SQ8 or
//! product-quantized codes, re-ranked with exact distances from the dataset's rows) and
//! `flat-sq8` / `flat-pq` (`FlatIndex` with the same codes in one list).
//!
//! Builds use pgvector's options (k-means seed, sample rule) with the benchmark's thread
//! count and a 2 GiB `maintenance_work_mem`, so a large dataset never hits the 64 MiB
//! default. Filtered searches use `ivfflat.iterative_scan = relaxed_order` with the default
//! `max_probes`; the quantized indexes have no filtered search.

use anyhow::{Context, Result};
use std::path::Path;

use vec_ivf::{
    BuildOptions, Cosine, DenseRows, FlatIndex, InnerProduct, IterativeScan, IvfIndex, Metric,
    Quantization, QuantizedIvf, QuantizedOptions, QuantizedSearchOptions, Rows, SearchOptions, L2,
};

use super::{doubling_sweep, BuildConfig, Built, Filter, Target, TargetKind};
use crate::bench::dataset::Dataset;
use crate::bench::exact::MetricName;
use crate::bench::progress::Progress;

/// Builds an IVF-family target for the dataset's metric.
pub fn build<'a>(
    kind: TargetKind,
    dataset: &'a Dataset,
    config: &BuildConfig,
    progress: &Progress,
) -> Result<Built<'a>> {
    match dataset.metric {
        MetricName::L2 => build_with::<L2>(kind, dataset, config, progress),
        MetricName::Cosine => build_with::<Cosine>(kind, dataset, config, progress),
        MetricName::InnerProduct => build_with::<InnerProduct>(kind, dataset, config, progress),
    }
}

fn build_with<'a, M: Metric<f32>>(
    kind: TargetKind,
    dataset: &'a Dataset,
    config: &BuildConfig,
    progress: &Progress,
) -> Result<Built<'a>> {
    let ids: Vec<u64> = (0..dataset.n_base() as u64).collect();
    let rows = Rows::new(dataset.dims, &ids, &dataset.base)?;
    let source = DenseRows {
        data: &dataset.base,
        stride: dataset.dims,
    };
    let (quantization, quantization_name) = match kind {
        TargetKind::IvfPq | TargetKind::FlatPq => (
            Quantization::Product {
                ratio: config.pq_ratio,
            },
            format!("pq-{}", config.pq_ratio.name()),
        ),
        _ => (Quantization::Scalar, "sq8".to_string()),
    };
    let quantized = QuantizedOptions {
        quantization,
        threads: config.threads,
        ..QuantizedOptions::default()
    };
    if matches!(kind, TargetKind::FlatSq8 | TargetKind::FlatPq) {
        progress.update(&format!("build {}", kind.name()), 0, 0);
        let index = FlatIndex::<f32, M>::build(rows, Some(&quantized))
            .with_context(|| format!("building {}", kind.name()))?;
        progress.finish();
        return Ok(Built {
            target: Box::new(FlatTarget { index, source }),
            params: serde_json::json!({ "quantization": quantization_name }),
        });
    }
    let lists = config.lists_for(dataset.n_base());
    let options = BuildOptions {
        lists,
        seed: config.seed,
        threads: config.threads,
        memory_budget_bytes: 2 << 30,
        ..BuildOptions::default()
    };
    let label = format!("build {}", kind.name());
    let outcome = IvfIndex::<f32, M>::build_with_progress(rows, &options, &mut |report| {
        let done = report.done as usize;
        progress.update(
            &format!("{label}: {}", report.phase.name()),
            done,
            report.total as usize,
        )
    })
    .with_context(|| format!("building {}", kind.name()))?;
    progress.finish();
    for notice in &outcome.notices {
        progress.note(&format!("{}: NOTICE: {notice}", kind.name()));
    }
    let (target, params): (Box<dyn Target + 'a>, _) = match kind {
        TargetKind::IvfSq8 | TargetKind::IvfPq => (
            Box::new(QuantizedIvfTarget {
                index: QuantizedIvf::from_index(&outcome.index, &quantized, config.seed)
                    .with_context(|| format!("quantizing {}", kind.name()))?,
                source,
                rerank: config.rerank,
                lists: lists as usize,
            }),
            serde_json::json!({
                "lists": lists,
                "rerank": config.rerank,
                "quantization": quantization_name,
            }),
        ),
        _ => (
            Box::new(IvfFlatTarget {
                index: outcome.index,
            }),
            serde_json::json!({ "lists": lists }),
        ),
    };
    Ok(Built { target, params })
}

fn probes_options(probes: usize) -> SearchOptions {
    SearchOptions {
        probes: probes as u32,
        ..SearchOptions::default()
    }
}

fn ids(neighbors: Vec<vec_ivf::Neighbor>) -> Vec<u64> {
    neighbors.into_iter().map(|neighbor| neighbor.id).collect()
}

struct IvfFlatTarget<M: Metric<f32>> {
    index: IvfIndex<f32, M>,
}

impl<M: Metric<f32>> Target for IvfFlatTarget<M> {
    fn knob_name(&self) -> Option<&'static str> {
        Some("probes")
    }

    fn default_knobs(&self) -> Vec<usize> {
        doubling_sweep(self.index.lists())
    }

    fn search(&self, query: &[f32], k: usize, knob: usize) -> Result<Vec<u64>> {
        Ok(ids(self.index.search(query, k, &probes_options(knob))?))
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
            ..probes_options(knob)
        };
        Some(
            self.index
                .search_filtered(query, k, &options, filter.keep)
                .map(ids)
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

struct QuantizedIvfTarget<'a, M: Metric<f32>> {
    index: QuantizedIvf<f32, M>,
    source: DenseRows<'a, f32>,
    rerank: usize,
    lists: usize,
}

impl<M: Metric<f32>> Target for QuantizedIvfTarget<'_, M> {
    fn knob_name(&self) -> Option<&'static str> {
        Some("probes")
    }

    fn default_knobs(&self) -> Vec<usize> {
        doubling_sweep(self.lists)
    }

    fn search(&self, query: &[f32], k: usize, knob: usize) -> Result<Vec<u64>> {
        let options = QuantizedSearchOptions {
            search: probes_options(knob),
            rerank: self.rerank,
        };
        Ok(ids(self.index.search(query, k, &options, &self.source)?))
    }

    fn search_filtered(
        &self,
        _query: &[f32],
        _k: usize,
        _knob: usize,
        _filter: &Filter<'_>,
    ) -> Option<Result<Vec<u64>>> {
        None
    }

    fn snapshot_bytes(&self, _path: &Path) -> Result<Option<u64>> {
        Ok(None)
    }

    fn memory_bytes(&self) -> Option<usize> {
        Some(self.index.memory_bytes())
    }
}

struct FlatTarget<'a, M: Metric<f32>> {
    index: FlatIndex<f32, M>,
    source: DenseRows<'a, f32>,
}

impl<M: Metric<f32>> Target for FlatTarget<'_, M> {
    fn knob_name(&self) -> Option<&'static str> {
        Some("rerank")
    }

    fn default_knobs(&self) -> Vec<usize> {
        vec![10, 20, 40, 80]
    }

    fn search(&self, query: &[f32], k: usize, knob: usize) -> Result<Vec<u64>> {
        Ok(ids(self.index.search(query, k, knob, &self.source)?))
    }

    fn search_filtered(
        &self,
        _query: &[f32],
        _k: usize,
        _knob: usize,
        _filter: &Filter<'_>,
    ) -> Option<Result<Vec<u64>>> {
        None
    }

    fn snapshot_bytes(&self, _path: &Path) -> Result<Option<u64>> {
        Ok(None)
    }

    fn memory_bytes(&self) -> Option<usize> {
        Some(self.index.memory_bytes())
    }
}
