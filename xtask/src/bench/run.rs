//! One benchmark run: load the dataset, then for each target build it (timing the build,
//! its snapshot size and the growth of resident memory), sweep its knob over the queries,
//! sweep again under each filter, and check the answers ([`checks`]).

use anyhow::{Context, Result};
use serde_json::json;
use std::time::Instant;

use super::dataset::Dataset;
use super::exact::ExactScanner;
use super::measure::{measure, passes_filter, resident_bytes};
use super::progress::Progress;
use super::report::{BuildReport, Point};
use super::targets::{self, Filter, TargetKind};
use super::Options;

/// Everything a run measured.
#[derive(Debug, Clone)]
pub struct RunResult {
    /// One report per build.
    pub builds: Vec<BuildReport>,
    /// One point per (index, knob, filter).
    pub points: Vec<Point>,
}

/// Builds and sweeps every target of `options` over `dataset`.
pub fn run(dataset: &Dataset, options: &Options, progress: &Progress) -> Result<RunResult> {
    let k = options.k;
    let queries: Vec<&[f32]> = dataset.queries.chunks_exact(dataset.dims).collect();
    let truth: Vec<&[u32]> = (0..queries.len())
        .map(|query_idx| dataset.ground_truth.row(query_idx))
        .collect();
    if truth.first().is_some_and(|row| row.len() < k) {
        progress.note(&format!(
            "note: the ground truth holds {} neighbours per query; recall@{k} uses those",
            truth[0].len()
        ));
    }
    let filtered_truth = filtered_ground_truth(dataset, options, progress);
    let snapshot_dir = options.cache_dir.join("snapshots");
    std::fs::create_dir_all(&snapshot_dir)
        .with_context(|| format!("cannot create {}", snapshot_dir.display()))?;

    let mut result = RunResult {
        builds: Vec::new(),
        points: Vec::new(),
    };
    for &kind in &options.targets {
        let name = if options.via_sql {
            if !matches!(
                kind,
                TargetKind::Exact | TargetKind::Hnsw | TargetKind::IvfFlat
            ) {
                progress.note(&format!("{} has no SQL form; skipped", kind.name()));
                continue;
            }
            format!("sql:{}", kind.name())
        } else {
            kind.name().to_string()
        };
        let rss_before = resident_bytes();
        let start = Instant::now();
        let built = if options.via_sql {
            // The engine gains index support piece by piece: an index it cannot build yet
            // is reported and skipped, not a failed run.
            match targets::sql::build(kind, dataset, &options.build, progress) {
                Ok(built) => built,
                Err(error) => {
                    progress.note(&format!("{name} skipped: {error:#}"));
                    continue;
                }
            }
        } else {
            targets::build(kind, dataset, &options.build, progress)?
        };
        let build_s = start.elapsed().as_secs_f64();
        let rss_after = resident_bytes();
        let snapshot_path = snapshot_dir.join(format!("{}.snapshot", kind.name()));
        let snapshot_bytes = built
            .target
            .snapshot_bytes(&snapshot_path)
            .with_context(|| format!("writing the {} snapshot", kind.name()))?;
        let _ = std::fs::remove_file(&snapshot_path);
        let threads = options.build.threads;
        result.builds.push(BuildReport {
            index: name.clone(),
            params: built.params.clone(),
            build_s,
            threads,
            snapshot_bytes,
            memory_bytes: built.target.memory_bytes(),
            rss_delta_bytes: rss_before
                .zip(rss_after)
                .map(|(before, after)| after as i64 - before as i64),
        });
        progress.note(&format!("built {name} in {build_s:.2} s"));

        let target = built.target.as_ref();
        target.prepare_queries(&queries);
        let knobs = options
            .knobs_for(kind)
            .unwrap_or_else(|| target.default_knobs());
        let knob_json = |knob: usize| match target.knob_name() {
            Some(name) => json!({ name: knob }),
            None => json!({}),
        };
        let point =
            |knob: usize, selectivity: Option<f64>, measured: super::measure::Measured| Point {
                index: name.clone(),
                params: built.params.clone(),
                knob: knob_json(knob),
                k,
                filter_selectivity: selectivity,
                recall: measured.recall,
                qps: measured.qps,
                p50_ms: measured.p50_ms,
                p99_ms: measured.p99_ms,
                batch_qps: measured.batch_qps,
                batch_mismatches: measured.batch_mismatches,
                build_s,
                threads,
                queries: queries.len(),
            };
        for &knob in &knobs {
            let label = format!("{name} {}", super::report::describe(&knob_json(knob)));
            let search = |query: &[f32]| target.search(query, k, knob);
            let measured = measure(&queries, &truth, k, threads, &search, (progress, &label))?;
            result.points.push(point(knob, None, measured));
        }
        let everything = Filter {
            selectivity: 1.0,
            keep: &|_| true,
        };
        let filterable = target
            .search_filtered(queries[0], k, knobs[0], &everything)
            .is_some();
        if !filterable && !filtered_truth.is_empty() {
            progress.note(&format!("{name} has no filtered search; skipped"));
        }
        for (selectivity, truth) in filtered_truth.iter().filter(|_| filterable) {
            let keep = |id: u64| passes_filter(id, *selectivity);
            let filter = Filter {
                selectivity: *selectivity,
                keep: &keep,
            };
            let truth: Vec<&[u32]> = truth.iter().map(Vec::as_slice).collect();
            for &knob in &knobs {
                let label = format!("{name} filter {selectivity} knob {knob}");
                let search = |query: &[f32]| {
                    target
                        .search_filtered(query, k, knob, &filter)
                        .expect("checked above")
                };
                let measured = measure(&queries, &truth, k, threads, &search, (progress, &label))?;
                result
                    .points
                    .push(point(knob, Some(*selectivity), measured));
            }
        }
    }
    Ok(result)
}

/// The exact filtered answer (top k) of every query, per selectivity.
fn filtered_ground_truth(
    dataset: &Dataset,
    options: &Options,
    progress: &Progress,
) -> Vec<(f64, Vec<Vec<u32>>)> {
    let scanner = ExactScanner::new(dataset.metric, dataset.dims, &dataset.base);
    options
        .filter_selectivities
        .iter()
        .map(|&selectivity| {
            let keep = move |row_idx: usize| passes_filter(row_idx as u64, selectivity);
            let label = format!("filtered ground truth {selectivity}");
            let total = dataset.n_queries();
            let truth = scanner.search_batch(
                &dataset.queries,
                options.k,
                options.build.threads,
                Some(&keep),
                &|done| progress.update(&label, done, total),
            );
            progress.finish();
            (selectivity, truth)
        })
        .collect()
}

/// The answers a run must get right. Always: every batch answer equals its single-thread
/// answer, and `exact` and `ivfflat` with every list probed reach recall `exact_floor`
/// (1.0 up to ties). With `strict` (the `--quick` smoke test) the best point of each
/// approximate index must also reach 0.9.
pub fn checks(points: &[Point], strict: bool) -> Vec<String> {
    let exact_floor = if strict { 0.999 } else { 0.99 };
    let mut failures = Vec::new();
    for point in points {
        let name = format!(
            "{} {} {} filter {:?}",
            point.index,
            super::report::describe(&point.params),
            super::report::describe(&point.knob),
            point.filter_selectivity
        );
        if point.batch_mismatches > 0 {
            failures.push(format!(
                "{name}: {} batch answers differ from single-thread answers",
                point.batch_mismatches
            ));
        }
        let all_lists = point.index.ends_with("ivfflat")
            && point.knob["probes"].as_u64() >= point.params["lists"].as_u64();
        if (point.index.ends_with("exact") || all_lists) && point.recall < exact_floor {
            failures.push(format!(
                "{name}: recall {:.4} below {exact_floor} for an exact search",
                point.recall
            ));
        }
    }
    if strict {
        let mut best: std::collections::BTreeMap<String, f64> = Default::default();
        for point in points {
            let key = format!("{} filter {:?}", point.index, point.filter_selectivity);
            let entry = best.entry(key).or_insert(0.0);
            *entry = entry.max(point.recall);
        }
        for (key, recall) in best {
            if recall < 0.9 {
                failures.push(format!("{key}: best recall {recall:.4} below 0.9"));
            }
        }
    }
    failures
}
