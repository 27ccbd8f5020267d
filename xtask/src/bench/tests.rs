//! Tests of the report formats (JSON shape, comparison ratios, SVG) and one end-to-end run
//! on a tiny synthetic set through every target.

use serde_json::json;

use super::plot::{svg, QPS_LABEL, RECALL_LABEL};
use super::progress::Progress;
use super::report::{compare, points_table, to_json, BuildReport, Point};
use super::{bench, Options};

fn point(index: &str, probes: u64, recall: f64, qps: f64) -> Point {
    Point {
        index: index.into(),
        params: json!({"lists": 10}),
        knob: json!({ "probes": probes }),
        k: 10,
        filter_selectivity: None,
        recall,
        qps,
        p50_ms: 1.0,
        p99_ms: 2.0,
        batch_qps: qps * 1.8,
        batch_mismatches: 0,
        build_s: 3.0,
        threads: 2,
        queries: 100,
    }
}

#[test]
fn json_has_the_documented_fields() {
    let build = BuildReport {
        index: "ivfflat".into(),
        params: json!({"lists": 10}),
        build_s: 3.0,
        threads: 2,
        snapshot_bytes: Some(1000),
        memory_bytes: Some(900),
        rss_delta_bytes: None,
    };
    let report = to_json(
        json!({"dataset": "d"}),
        &[build],
        &[point("ivfflat", 1, 0.5, 100.0)],
        &[],
    );
    let point = &report["points"][0];
    for field in [
        "index", "params", "knob", "recall", "qps", "p50_ms", "p99_ms", "build_s", "threads",
    ] {
        assert!(!point[field].is_null(), "missing {field}");
    }
    assert_eq!(point["knob"], json!({"probes": 1}));
    assert_eq!(report["builds"][0]["snapshot_bytes"], 1000);
    assert_eq!(report["run"]["dataset"], "d");
    let expected = self::point("ivfflat", 1, 0.5, 100.0);
    assert_eq!(Point::from_json(point), Some(expected));
    let text = serde_json::to_string(&report).unwrap();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&text).unwrap(),
        report
    );
}

#[test]
fn compare_prints_ratios_of_matching_points() {
    let old = to_json(
        json!({}),
        &[],
        &[
            point("ivfflat", 1, 0.5, 100.0),
            point("ivfflat", 2, 0.7, 50.0),
        ],
        &[],
    );
    let new = to_json(
        json!({}),
        &[],
        &[point("ivfflat", 1, 0.5, 150.0), point("hnsw", 1, 0.9, 10.0)],
        &[],
    );
    let text = compare(&old, &new).unwrap();
    assert!(text.contains("1.50x"), "{text}");
    assert!(text.contains("0.5000 -> 0.5000"), "{text}");
    // Only the one matching point is listed (header, rule, one row).
    assert_eq!(text.lines().count(), 3, "{text}");
    let unrelated = to_json(json!({}), &[], &[point("hnsw", 9, 0.9, 10.0)], &[]);
    assert!(compare(&unrelated, &new).is_err());
    // A bare array of points is accepted as the earlier run.
    assert!(compare(&old["points"], &new).is_ok());
}

/// Checks that every tag opened is closed in order, attributes are quoted and no stray
/// `&` or `<` appears in text: enough to catch a malformed hand-written SVG.
fn assert_well_formed(document: &str) {
    let mut stack: Vec<String> = Vec::new();
    let mut rest = document;
    while let Some(open) = rest.find('<') {
        let text = &rest[..open];
        assert!(!text.contains('>'), "stray > in {text:?}");
        for (at, _) in text.match_indices('&') {
            let entity = &text[at..];
            assert!(
                ["&amp;", "&lt;", "&gt;", "&quot;"]
                    .iter()
                    .any(|e| entity.starts_with(e)),
                "bare & in {text:?}"
            );
        }
        let close = rest[open..].find('>').expect("unclosed tag") + open;
        let tag = &rest[open + 1..close];
        assert_eq!(
            tag.matches('"').count() % 2,
            0,
            "unbalanced quotes in <{tag}>"
        );
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(
                stack.pop().as_deref(),
                Some(name.trim()),
                "mismatched </{name}>"
            );
        } else if !tag.ends_with('/') {
            let name = tag.split_whitespace().next().unwrap().to_string();
            stack.push(name);
        }
        rest = &rest[close + 1..];
    }
    assert!(rest.trim().is_empty());
    assert!(stack.is_empty(), "unclosed {stack:?}");
}

/// The `<name …>` tags of an XML document (their text between `<` and `>`).
fn tags<'a>(document: &'a str, name: &str) -> Vec<&'a str> {
    let open = format!("<{name} ");
    document
        .match_indices(&open)
        .map(|(at, _)| &document[at + 1..at + document[at..].find('>').unwrap()])
        .collect()
}

/// The value of `name="…"` in a tag.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    Some(&tag[start..start + tag[start..].find('"')?])
}

/// The trimmed contents of the `<text>` elements.
fn text_nodes(document: &str) -> Vec<&str> {
    document
        .split("<text")
        .skip(1)
        .filter_map(|rest| {
            let body = &rest[rest.find('>')? + 1..];
            Some(body[..body.find("</text>")?].trim())
        })
        .collect()
}

#[test]
fn svg_has_a_line_per_series_a_legend_and_a_log_scale() {
    let mut points = vec![
        point("ivfflat", 1, 0.5, 3000.0),
        point("ivfflat", 2, 0.8, 1200.0),
        point("exact", 0, 1.0, 60.0),
    ];
    points[2].params = json!({});
    points[2].knob = json!({});
    let mut filtered = point("ivfflat", 4, 0.95, 400.0);
    filtered.filter_selectivity = Some(0.1);
    points.push(filtered);
    let document = svg("a <title> & more", &points);
    assert_well_formed(&document);
    assert!(document.starts_with("<svg "), "{document}");
    assert!(document.contains("xmlns=\"http://www.w3.org/2000/svg\""));
    // One line per series, each in its own color (the axes and ticks are black).
    let series_strokes: Vec<&str> = tags(&document, "polyline")
        .into_iter()
        .filter_map(|tag| attribute(tag, "stroke"))
        .filter(|stroke| *stroke != "#000000")
        .collect();
    assert_eq!(series_strokes.len(), 3, "{series_strokes:?}");
    let mut distinct = series_strokes.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 3, "{series_strokes:?}");
    // `ivfflat lists=10` goes right (recall 0.5 → 0.8) and down (3000 → 1200 QPS).
    let lines: Vec<Vec<(f64, f64)>> = tags(&document, "polyline")
        .into_iter()
        .filter(|tag| attribute(tag, "stroke") != Some("#000000"))
        .map(|tag| {
            attribute(tag, "points")
                .unwrap()
                .split_whitespace()
                .map(|pair| {
                    let (x, y) = pair.split_once(',').unwrap();
                    (x.parse().unwrap(), y.parse().unwrap())
                })
                .collect()
        })
        .collect();
    let lengths: Vec<usize> = lines.iter().map(Vec::len).collect();
    assert_eq!(lengths, [1, 2, 1], "exact, ivfflat, filtered ivfflat");
    let (from, to) = (lines[1][0], lines[1][1]);
    assert!(to.0 > from.0 && to.1 > from.1, "{from:?} → {to:?}");
    let texts = text_nodes(&document);
    for expected in [
        "a &lt;title&gt; &amp; more",
        RECALL_LABEL,
        QPS_LABEL,
        "exact",
        "ivfflat lists=10",
        "ivfflat lists=10 (filter 10%)",
        "100",
        "1000",
    ] {
        assert!(
            texts.contains(&expected),
            "no text {expected:?} in {texts:?}"
        );
    }
    assert_well_formed(&svg("empty", &[]));
}

#[test]
fn tables_align_columns() {
    let text = points_table(&[
        point("ivfflat", 1, 0.5, 100.0),
        point("hnsw", 40, 0.95, 2000.0),
    ]);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4);
    assert!(lines[0].starts_with("index"));
    assert!(lines[0].contains("recall@10"));
    assert_eq!(lines[2].len(), lines[3].len(), "{text}");
}

#[test]
fn options_parse_and_reject_mistakes() {
    let root = std::path::Path::new("/nonexistent-root");
    let args = |text: &str| {
        text.split_whitespace()
            .map(String::from)
            .collect::<Vec<_>>()
    };
    let options = Options::parse(&args("--quick"), root).unwrap();
    assert_eq!(options.dataset.source, super::QUICK_DATASET);
    assert_eq!(options.dataset.max_queries, Some(200));
    let options = Options::parse(
        &args("--index ivfflat,hnsw --probes 1,4 --filter-selectivity 0.1,0.01 -k 5 d"),
        root,
    )
    .unwrap();
    assert_eq!(options.targets.len(), 2);
    assert_eq!(options.probes, Some(vec![1, 4]));
    assert_eq!(options.filter_selectivities, vec![0.1, 0.01]);
    assert_eq!(options.k, 5);
    assert!(options.dataset.source.ends_with("d"));
    assert_eq!(options.build.shared_buffers, 128 << 20);
    let options = Options::parse(&args("--via sql --shared-buffers 1GB"), root).unwrap();
    assert_eq!(options.build.shared_buffers, 1 << 30);
    for bad in [
        "--shared-buffers 12",
        "--shared-buffers lots",
        "--index nope",
        "--probes 0",
        "--filter-selectivity 2",
        "--bogus",
        "a b",
        "-k",
    ] {
        assert!(Options::parse(&args(bad), root).is_err(), "{bad}");
    }
}

#[test]
fn end_to_end_on_a_tiny_synthetic_set() {
    let dir = tempfile::tempdir().unwrap();
    let json_path = dir.path().join("run.json");
    let args: Vec<String> = [
        "synthetic:600:8:4",
        "--max-queries",
        "30",
        "--lists",
        "6",
        "--ef-search",
        "10,80",
        "--threads",
        "2",
        "--filter-selectivity",
        "0.2",
        "--json",
    ]
    .iter()
    .map(|arg| arg.to_string())
    .chain([json_path.display().to_string()])
    .collect();
    let mut options = Options::parse(&args, dir.path()).unwrap();
    options.quick = true;
    options.cache_dir = dir.path().join("cache");
    options.dataset.cache_dir = options.cache_dir.clone();
    let outcome = bench(&options, &Progress::silent()).unwrap();
    assert!(outcome.failures.is_empty(), "{:?}", outcome.failures);
    let points = outcome.json["points"].as_array().unwrap();
    for index in ["exact", "ivfflat", "ivf-sq8", "flat-sq8", "hnsw"] {
        assert!(
            points.iter().any(|point| point["index"] == index),
            "{index}"
        );
    }
    let exact = points
        .iter()
        .find(|point| point["index"] == "exact")
        .unwrap();
    assert_eq!(exact["recall"], 1.0);
    assert!(points
        .iter()
        .any(|point| point["index"] == "hnsw" && point["filter_selectivity"] == 0.2));
    assert!(outcome.text.contains("ivf-sq8"));
    assert_well_formed(&std::fs::read_to_string(json_path.with_extension("svg")).unwrap());

    // The second run reuses the cached dataset and ground truth and compares with the first.
    options.compare = Some(json_path.clone());
    options.json = None;
    options.svg = Some(dir.path().join("second.svg"));
    let second = bench(&options, &Progress::silent()).unwrap();
    assert!(second.text.contains("ratios to"), "{}", second.text);
    assert_eq!(
        second.json["points"][0]["recall"],
        outcome.json["points"][0]["recall"]
    );
}

#[test]
fn via_sql_runs_the_queries_through_the_engine() {
    let dir = tempfile::tempdir().unwrap();
    let args: Vec<String> = "synthetic:300:4:3 --max-queries 10 --index exact --via sql"
        .split_whitespace()
        .map(String::from)
        .collect();
    let mut options = Options::parse(&args, dir.path()).unwrap();
    options.cache_dir = dir.path().join("cache");
    options.dataset.cache_dir = options.cache_dir.clone();
    options.svg = Some(dir.path().join("plot.svg"));
    let outcome = bench(&options, &Progress::silent()).unwrap();
    assert!(outcome.failures.is_empty(), "{:?}", outcome.failures);
    let point = &outcome.json["points"][0];
    assert_eq!(point["index"], "sql:exact");
    assert_eq!(point["recall"], 1.0);
}
