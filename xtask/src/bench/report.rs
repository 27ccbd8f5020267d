//! What a run reports: one [`Point`] per measured (index, knob, filter) and one
//! [`BuildReport`] per index, printed as terminal tables and written as JSON; `--compare`
//! matches the points of an earlier JSON file and prints the ratios.
//!
//! JSON shape (`--json FILE`), one object per point in `points`:
//! `{"index": "ivfflat", "params": {"lists": 100}, "knob": {"probes": 8}, "k": 10,
//! "filter_selectivity": null, "recall": 0.86, "qps": 344.1, "p50_ms": 2.8, "p99_ms": 4.1,
//! "batch_qps": 650.2, "batch_mismatches": 0, "build_s": 2.6, "threads": 2, "queries": 1000}`;
//! `run` describes the dataset and machine, `builds` the builds (time, snapshot size,
//! memory).

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::fmt::Write;

/// One measured point of a sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// The target name (`ivfflat`, `hnsw`, …).
    pub index: String,
    /// Build parameters, a JSON object.
    pub params: Value,
    /// The knob and its value, a JSON object (`{"probes": 8}`; `{}` for exact).
    pub knob: Value,
    /// Neighbours asked for.
    pub k: usize,
    /// The filter's selectivity, for filtered sweeps.
    pub filter_selectivity: Option<f64>,
    /// Mean recall@k.
    pub recall: f64,
    /// Single-thread queries per second.
    pub qps: f64,
    /// Median latency, ms.
    pub p50_ms: f64,
    /// 99th-percentile latency, ms.
    pub p99_ms: f64,
    /// Queries per second on `threads` threads.
    pub batch_qps: f64,
    /// Batch answers that differed from single-thread answers.
    pub batch_mismatches: usize,
    /// The index's build time, seconds.
    pub build_s: f64,
    /// Threads of the build and of the batch run.
    pub threads: usize,
    /// Queries measured.
    pub queries: usize,
}

impl Point {
    /// The point as a JSON object.
    pub fn to_json(&self) -> Value {
        json!({
            "index": self.index,
            "params": self.params,
            "knob": self.knob,
            "k": self.k,
            "filter_selectivity": self.filter_selectivity,
            "recall": self.recall,
            "qps": self.qps,
            "p50_ms": self.p50_ms,
            "p99_ms": self.p99_ms,
            "batch_qps": self.batch_qps,
            "batch_mismatches": self.batch_mismatches,
            "build_s": self.build_s,
            "threads": self.threads,
            "queries": self.queries,
        })
    }
}

impl Point {
    /// Reads a point written by [`Point::to_json`]; `None` when a field is missing.
    pub fn from_json(value: &Value) -> Option<Point> {
        let number = |field: &str| value[field].as_f64();
        Some(Point {
            index: value["index"].as_str()?.to_string(),
            params: value["params"].clone(),
            knob: value["knob"].clone(),
            k: value["k"].as_u64()? as usize,
            filter_selectivity: number("filter_selectivity"),
            recall: number("recall")?,
            qps: number("qps")?,
            p50_ms: number("p50_ms")?,
            p99_ms: number("p99_ms")?,
            batch_qps: number("batch_qps").unwrap_or(0.0),
            batch_mismatches: value["batch_mismatches"].as_u64().unwrap_or(0) as usize,
            build_s: number("build_s")?,
            threads: value["threads"].as_u64()? as usize,
            queries: value["queries"].as_u64().unwrap_or(0) as usize,
        })
    }
}

/// What one index build cost.
#[derive(Debug, Clone, PartialEq)]
pub struct BuildReport {
    /// The target name.
    pub index: String,
    /// Build parameters.
    pub params: Value,
    /// Wall-clock build time, seconds.
    pub build_s: f64,
    /// Threads the build was given.
    pub threads: usize,
    /// Size of the index's snapshot file, when it has a snapshot format.
    pub snapshot_bytes: Option<u64>,
    /// Bytes the index reports holding.
    pub memory_bytes: Option<usize>,
    /// Growth of the process's resident memory across the build (Linux only).
    pub rss_delta_bytes: Option<i64>,
}

impl BuildReport {
    /// The build as a JSON object.
    pub fn to_json(&self) -> Value {
        json!({
            "index": self.index,
            "params": self.params,
            "build_s": self.build_s,
            "threads": self.threads,
            "snapshot_bytes": self.snapshot_bytes,
            "memory_bytes": self.memory_bytes,
            "rss_delta_bytes": self.rss_delta_bytes,
        })
    }
}

/// `{"lists": 100, "rerank": 40}` → `lists=100 rerank=40` (keys sorted).
pub fn describe(object: &Value) -> String {
    let Some(map) = object.as_object() else {
        return object.to_string();
    };
    let sorted: BTreeMap<&String, &Value> = map.iter().collect();
    let parts: Vec<String> = sorted
        .into_iter()
        .map(|(key, value)| match value.as_str() {
            Some(text) => format!("{key}={text}"),
            None => format!("{key}={value}"),
        })
        .collect();
    if parts.is_empty() {
        "-".into()
    } else {
        parts.join(" ")
    }
}

/// The text identifying a point across runs: index, parameters, knob, k and filter.
pub fn point_key(point: &Value) -> String {
    format!(
        "{} | {} | {} | k={} | filter={}",
        point["index"].as_str().unwrap_or("?"),
        describe(&point["params"]),
        describe(&point["knob"]),
        point["k"],
        point["filter_selectivity"]
    )
}

/// Lays out rows as a text table: the first column left-aligned, the others right-aligned.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|header| header.len()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: &[String]| {
        let mut text = String::new();
        for (column, (cell, width)) in cells.iter().zip(&widths).enumerate() {
            let pad = width - cell.chars().count();
            if column < 3 {
                let _ = write!(text, "{cell}{}  ", " ".repeat(pad));
            } else {
                let _ = write!(text, "{}{cell}  ", " ".repeat(pad));
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(
        &headers
            .iter()
            .map(|header| header.to_string())
            .collect::<Vec<_>>(),
    );
    line(
        &widths
            .iter()
            .map(|width| "-".repeat(*width))
            .collect::<Vec<_>>(),
    );
    for row in rows {
        line(row);
    }
    out
}

fn filter_label(selectivity: Option<f64>) -> String {
    match selectivity {
        Some(selectivity) => format!("{}%", selectivity * 100.0),
        None => "-".into(),
    }
}

fn megabytes(bytes: Option<u64>) -> String {
    bytes.map_or("-".into(), |bytes| format!("{:.1}", bytes as f64 / 1e6))
}

/// The points as a table.
pub fn points_table(points: &[Point]) -> String {
    let k = points.first().map_or(10, |point| point.k);
    let threads = points.first().map_or(1, |point| point.threads);
    let recall = format!("recall@{k}");
    let batch = format!("QPS ({threads} thr)");
    let headers = [
        "index",
        "params",
        "knob",
        "filter",
        &recall,
        "QPS (1 thr)",
        "p50 ms",
        "p99 ms",
        &batch,
    ];
    let rows: Vec<Vec<String>> = points
        .iter()
        .map(|point| {
            vec![
                point.index.clone(),
                describe(&point.params),
                describe(&point.knob),
                filter_label(point.filter_selectivity),
                format!("{:.4}", point.recall),
                format!("{:.0}", point.qps),
                format!("{:.3}", point.p50_ms),
                format!("{:.3}", point.p99_ms),
                format!("{:.0}", point.batch_qps),
            ]
        })
        .collect();
    table(&headers, &rows)
}

/// The builds as a table.
pub fn builds_table(builds: &[BuildReport]) -> String {
    let headers = [
        "index",
        "params",
        "threads",
        "build s",
        "snapshot MB",
        "index MB",
        "RSS +MB",
    ];
    let rows: Vec<Vec<String>> = builds
        .iter()
        .map(|build| {
            vec![
                build.index.clone(),
                describe(&build.params),
                build.threads.to_string(),
                format!("{:.2}", build.build_s),
                megabytes(build.snapshot_bytes),
                megabytes(build.memory_bytes.map(|bytes| bytes as u64)),
                build
                    .rss_delta_bytes
                    .map_or("-".into(), |bytes| format!("{:.1}", bytes as f64 / 1e6)),
            ]
        })
        .collect();
    table(&headers, &rows)
}

/// The whole report as JSON.
pub fn to_json(run: Value, builds: &[BuildReport], points: &[Point], failures: &[String]) -> Value {
    json!({
        "format": "vecsh-bench/1",
        "run": run,
        "builds": builds.iter().map(BuildReport::to_json).collect::<Vec<_>>(),
        "points": points.iter().map(Point::to_json).collect::<Vec<_>>(),
        "failed_checks": failures,
    })
}

/// The points of a JSON report (`{"points": [...]}` or a bare array).
pub fn points_of(report: &Value) -> Result<&Vec<Value>> {
    match report {
        Value::Array(points) => Ok(points),
        _ => report["points"]
            .as_array()
            .context("the JSON has no \"points\" array"),
    }
}

/// A table of ratios (new / old) for every point of `new` that `old` also has.
pub fn compare(old: &Value, new: &Value) -> Result<String> {
    let old_points: BTreeMap<String, &Value> = points_of(old)?
        .iter()
        .map(|point| (point_key(point), point))
        .collect();
    let ratio =
        |new: &Value, old: &Value, field: &str| match (new[field].as_f64(), old[field].as_f64()) {
            (Some(new), Some(old)) if old > 0.0 => format!("{:.2}x", new / old),
            _ => "-".into(),
        };
    let mut rows = Vec::new();
    for point in points_of(new)? {
        let Some(old) = old_points.get(&point_key(point)) else {
            continue;
        };
        rows.push(vec![
            point["index"].as_str().unwrap_or("?").to_string(),
            describe(&point["params"]),
            describe(&point["knob"]),
            filter_label(point["filter_selectivity"].as_f64()),
            format!(
                "{:.4} -> {:.4}",
                old["recall"].as_f64().unwrap_or(f64::NAN),
                point["recall"].as_f64().unwrap_or(f64::NAN)
            ),
            ratio(point, old, "qps"),
            ratio(point, old, "p99_ms"),
            ratio(point, old, "batch_qps"),
            ratio(point, old, "build_s"),
        ]);
    }
    if rows.is_empty() {
        bail!("no point of this run matches a point of the earlier run");
    }
    let headers = [
        "index",
        "params",
        "knob",
        "filter",
        "recall old -> new",
        "QPS",
        "p99",
        "batch QPS",
        "build",
    ];
    Ok(table(&headers, &rows))
}
