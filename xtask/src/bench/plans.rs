//! `cargo xtask plans`: the planner's choice against the plans it could have made, on a
//! dataset (pypi-minilm by default) with filter columns of several selectivities.
//!
//! The rows go into `items (id bigint, embedding vector(D), f0 int, …)` with an HNSW index
//! (m 16, ef_construction 64), a btree on each filter column and `ANALYZE`; `fN = 0` keeps
//! the rows the bench harness's hashed filter keeps at that selectivity. Each query is
//! `SELECT id FROM items [WHERE fN = 0] ORDER BY embedding <op> '…' LIMIT 10`, run
//! with default settings (the planner's choice) and forced into each alternative:
//!
//! - the exact scan of the table (`SET enable_indexscan = off`);
//! - the vector index walk (`SET enable_sort = off`: the exact top-k after a btree needs
//!   a sort, so the planner walks the index);
//! - the btree's rows (or the table, when the btree is not selective) with an exact
//!   top-k (the sort key written `(embedding <op> '…') + 0`, which no vector index
//!   serves; the ranking is the same).
//!
//! Each plan's recall is measured against the exact scan's answers, its latency as the
//! median over the queries. The check: the chosen plan returns full `LIMIT` rows at
//! recall ≥ 0.95 (filtered queries; an unfiltered one answers at the index's own
//! recall, as in pgvector) and is no slower than 1.25 × the fastest alternative that does too
//! (plus 0.05 ms of timer noise). The strategies take turns query by query.

use anyhow::{bail, Context, Result};
use std::fmt::Write;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use vec_shell::{Database, Datum, Session};
use vec_types::Vector;

use super::dataset::{resolve_source, Dataset, DatasetOptions};
use super::exact::MetricName;
use super::progress::Progress;
use super::targets::sql::filter_value;

const USAGE: &str = "\
usage: cargo xtask plans [options]
  --dataset DIR|synthetic:ROWS:DIM[:CLUSTERS]   (default ../shared/datasets/pypi-minilm)
  --rows N               load only the first N rows
  --queries N            queries per plan (default 50)
  --selectivity LIST     filter selectivities (default 0.001,0.01,0.1,0.5)
  --quick                synthetic:20000:32:16, 20 queries
  --no-check             report only
";

/// The chosen plan may be this much slower than the fastest alternative (noise).
const TOLERANCE: f64 = 1.25;

/// And this many milliseconds more (timer noise on sub-millisecond queries).
const SLACK_MS: f64 = 0.05;

/// The recall a plan must reach to count.
const MIN_RECALL: f64 = 0.95;

/// Rows asked for.
const K: usize = 10;

struct PlanOptions {
    source: String,
    rows: Option<usize>,
    queries: usize,
    selectivities: Vec<f64>,
    check: bool,
}

/// One plan's figures at one selectivity.
struct Measured {
    strategy: &'static str,
    plan: String,
    rows_per_query: f64,
    recall: f64,
    median_ms: f64,
}

/// Runs the comparison and prints its table.
pub fn main(args: &[String], workspace_root: &Path) -> Result<ExitCode> {
    let options = parse(args)?;
    let threads = std::thread::available_parallelism().map_or(1, |count| count.get());
    let progress = Progress::new(false);
    let dataset = Dataset::load(
        &DatasetOptions {
            source: resolve_source(&options.source, workspace_root),
            queries: None,
            ground_truth: None,
            metric: MetricName::Cosine,
            max_queries: Some(options.queries),
            seed: 1,
            cache_dir: workspace_root.join("target").join("bench-cache"),
            threads,
        },
        &progress,
    )?;
    let mut session = load(&dataset, &options, &progress)?;
    let operator = dataset.metric.operator();
    let queries: Vec<String> = dataset
        .queries
        .chunks_exact(dataset.dims)
        .take(options.queries)
        .map(|q| Vector::new(q.to_vec()).map(|v| v.to_string()))
        .collect::<std::result::Result<_, _>>()?;
    let mut report = String::new();
    let mut failures = Vec::new();
    let _ = writeln!(
        report,
        "{} ({} rows × {}), {} queries per plan, LIMIT {K}\n",
        dataset.name,
        options
            .rows
            .unwrap_or(dataset.n_base())
            .min(dataset.n_base()),
        dataset.dims,
        queries.len()
    );
    let _ = writeln!(
        report,
        "| selectivity | strategy | plan | rows/query | recall@{K} | median ms |\n|---|---|---|---:|---:|---:|"
    );
    let mut cases: Vec<Option<(usize, f64)>> = options
        .selectivities
        .iter()
        .copied()
        .enumerate()
        .map(Some)
        .collect();
    cases.push(None);
    for case in cases {
        let filter = case.map_or(String::new(), |(column, _)| format!("WHERE f{column} = 0 "));
        let label = case.map_or("none".to_string(), |(_, s)| format!("{}%", s * 100.0));
        let sql = |query: &str, forced_exact_order: bool| {
            let key = format!("embedding {operator} '{query}'");
            let key = if forced_exact_order {
                format!("({key}) + 0")
            } else {
                key
            };
            format!("SELECT id FROM items {filter}ORDER BY {key} LIMIT {K}")
        };
        let strategies: [(&'static str, &str, bool); 4] = [
            ("chosen", "", false),
            ("exact scan", "SET enable_indexscan = off", false),
            ("index walk", "SET enable_sort = off", false),
            ("exact top-k", "", true),
        ];
        let runs = run(&mut session, &strategies, &queries, &sql)?;
        let truth = runs[1].1.clone();
        let mut measured: Vec<Measured> = strategies
            .iter()
            .zip(runs)
            .map(|((strategy, _, _), run)| measure(strategy, run, &truth))
            .collect();
        for m in &mut measured {
            m.plan = plan_label(
                &mut session,
                m.strategy,
                &sql(&queries[0], m.strategy == "exact top-k"),
            )?;
        }
        for m in &measured {
            let _ = writeln!(
                report,
                "| {label} | {} | {} | {:.2} | {:.3} | {:.2} |",
                m.strategy, m.plan, m.rows_per_query, m.recall, m.median_ms
            );
        }
        let chosen = &measured[0];
        let best = measured[1..]
            .iter()
            .filter(|m| m.recall >= MIN_RECALL)
            .min_by(|a, b| a.median_ms.total_cmp(&b.median_ms));
        // Unfiltered, the index answers at its own recall (pgvector's `ef_search`
        // default): only filtered queries must reach the floor.
        if case.is_some() && chosen.recall < MIN_RECALL {
            failures.push(format!(
                "{label}: the chosen plan's recall is {:.3}",
                chosen.recall
            ));
        }
        if let Some(best) = best {
            if chosen.median_ms > best.median_ms * TOLERANCE + SLACK_MS {
                failures.push(format!(
                    "{label}: the chosen plan ({}) took {:.2} ms, the {} {:.2} ms",
                    chosen.plan, chosen.median_ms, best.strategy, best.median_ms
                ));
            }
        }
    }
    print!("{report}");
    if failures.is_empty() {
        println!(
            "\nplans: the chosen plan is within {TOLERANCE}× of the fastest at every selectivity"
        );
        return Ok(ExitCode::SUCCESS);
    }
    for failure in &failures {
        eprintln!("plans: {failure}");
    }
    Ok(if options.check {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn parse(args: &[String]) -> Result<PlanOptions> {
    let mut options = PlanOptions {
        source: super::DEFAULT_DATASET.to_string(),
        rows: None,
        queries: 50,
        selectivities: vec![0.001, 0.01, 0.1, 0.5],
        check: true,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .with_context(|| format!("{arg} needs a value\n{USAGE}"))
        };
        match arg.as_str() {
            "--dataset" => options.source = value()?.clone(),
            "--rows" => options.rows = Some(value()?.parse().context("--rows")?),
            "--queries" => options.queries = value()?.parse().context("--queries")?,
            "--selectivity" => {
                options.selectivities = value()?
                    .split(',')
                    .map(|s| s.trim().parse::<f64>().context("--selectivity"))
                    .collect::<Result<_>>()?;
            }
            "--quick" => {
                options.source = "synthetic:20000:32:16".to_string();
                options.queries = 20;
            }
            "--no-check" => options.check = false,
            "--help" | "-h" => {
                print!("{USAGE}");
                std::process::exit(0);
            }
            other => bail!("unknown option {other:?}\n{USAGE}"),
        }
    }
    if options
        .selectivities
        .iter()
        .any(|s| !(*s > 0.0 && *s <= 1.0))
    {
        bail!("selectivities lie in (0, 1]");
    }
    Ok(options)
}

/// Loads the rows, the indexes and the statistics.
fn load(dataset: &Dataset, options: &PlanOptions, progress: &Progress) -> Result<Session> {
    let database = Database::in_memory();
    let mut session = database.session();
    let columns: String = (0..options.selectivities.len())
        .map(|column| format!(", f{column} int"))
        .collect();
    execute(
        &mut session,
        &format!(
            "CREATE TABLE items (id bigint, embedding vector({}){columns})",
            dataset.dims
        ),
    )?;
    let rows: Vec<&[f32]> = dataset
        .base
        .chunks_exact(dataset.dims)
        .take(options.rows.unwrap_or(usize::MAX))
        .collect();
    for (batch, chunk) in rows.chunks(500).enumerate() {
        let mut sql = String::from("INSERT INTO items VALUES ");
        for (offset, row) in chunk.iter().enumerate() {
            let id = batch * 500 + offset;
            let separator = if offset == 0 { "" } else { "," };
            let _ = write!(sql, "{separator}({id}, '{}'", Vector::new(row.to_vec())?);
            for &selectivity in &options.selectivities {
                let _ = write!(sql, ", {}", filter_value(id as u64, selectivity));
            }
            sql.push(')');
        }
        execute(&mut session, &sql)?;
        progress.update("plans: insert", (batch + 1) * 500, rows.len());
    }
    progress.finish();
    progress.update("plans: create index", 0, 0);
    let opclass = match dataset.metric {
        MetricName::L2 => "vector_l2_ops",
        MetricName::Cosine => "vector_cosine_ops",
        MetricName::InnerProduct => "vector_ip_ops",
    };
    execute(
        &mut session,
        &format!(
            "CREATE INDEX ON items USING hnsw (embedding {opclass}) WITH (m = 16, ef_construction = 64)"
        ),
    )?;
    for column in 0..options.selectivities.len() {
        execute(&mut session, &format!("CREATE INDEX ON items (f{column})"))?;
    }
    execute(&mut session, "ANALYZE items")?;
    progress.finish();
    Ok(session)
}

fn execute(session: &mut Session, sql: &str) -> Result<Vec<vec_shell::StatementResult>> {
    session.execute(sql).map_err(|error| {
        let shown: String = sql.chars().take(120).collect();
        anyhow::anyhow!("the SQL engine failed on `{shown}`: {}", error.message)
    })
}

/// Runs every query under each strategy (its setting, its way of writing the query),
/// the strategies taking turns query by query so that the machine's drift touches them
/// alike: per strategy, the latencies in milliseconds and the ids returned.
#[allow(clippy::type_complexity)]
fn run(
    session: &mut Session,
    strategies: &[(&'static str, &str, bool)],
    queries: &[String],
    sql: &dyn Fn(&str, bool) -> String,
) -> Result<Vec<(Vec<f64>, Vec<Vec<i64>>)>> {
    let mut out = vec![(Vec::new(), Vec::new()); strategies.len()];
    // Each strategy's first query once, to warm the caches.
    for (position, query) in std::iter::once(&queries[0]).chain(queries).enumerate() {
        for (slot, (_, setting, forced_order)) in strategies.iter().enumerate() {
            if !setting.is_empty() {
                execute(session, setting)?;
            }
            let text = sql(query, *forced_order);
            let started = Instant::now();
            let results = execute(session, &text)?;
            let elapsed = started.elapsed().as_secs_f64() * 1000.0;
            if !setting.is_empty() {
                execute(session, "RESET ALL")?;
            }
            if position == 0 {
                continue;
            }
            let rows = results
                .last()
                .and_then(|r| r.rows.as_ref())
                .context("the query returned no rows")?;
            out[slot].0.push(elapsed);
            out[slot].1.push(
                rows.rows
                    .iter()
                    .filter_map(|row| match row.first() {
                        Some(Datum::Int8(id)) => Some(*id),
                        _ => None,
                    })
                    .collect(),
            );
        }
    }
    Ok(out)
}

fn measure(strategy: &'static str, run: (Vec<f64>, Vec<Vec<i64>>), truth: &[Vec<i64>]) -> Measured {
    let (mut latencies, answers) = run;
    latencies.sort_by(f64::total_cmp);
    let median_ms = latencies.get(latencies.len() / 2).copied().unwrap_or(0.0);
    let returned: usize = answers.iter().map(Vec::len).sum();
    let wanted: usize = truth.iter().map(Vec::len).sum();
    let found: usize = answers
        .iter()
        .zip(truth)
        .map(|(got, exact)| got.iter().filter(|id| exact.contains(id)).count())
        .sum();
    Measured {
        strategy,
        plan: String::new(),
        rows_per_query: returned as f64 / answers.len().max(1) as f64,
        recall: if wanted == 0 {
            1.0
        } else {
            found as f64 / wanted as f64
        },
        median_ms,
    }
}

/// The scan a strategy's plan runs, from `EXPLAIN`.
fn plan_label(session: &mut Session, strategy: &str, sql: &str) -> Result<String> {
    let setting = match strategy {
        "exact scan" => "SET enable_indexscan = off",
        "index walk" => "SET enable_sort = off",
        _ => "",
    };
    if !setting.is_empty() {
        execute(session, setting)?;
    }
    let results = execute(session, &format!("EXPLAIN (COSTS OFF) {sql}"))?;
    if !setting.is_empty() {
        execute(session, "RESET ALL")?;
    }
    let lines: Vec<String> = results
        .last()
        .and_then(|r| r.rows.as_ref())
        .map(|rows| {
            rows.rows
                .iter()
                .filter_map(|row| row.first().and_then(|d| d.to_text()))
                .collect()
        })
        .unwrap_or_default();
    let scan = lines
        .iter()
        .map(|line| line.trim_start().trim_start_matches("->  "))
        .find(|line| line.contains(" Scan"))
        .unwrap_or("?");
    let scan = scan.split(" on ").next().unwrap_or(scan).to_string();
    Ok(scan
        .replace("Index Scan using items_embedding_idx", "HNSW walk")
        .replace("Index Scan using items_f", "btree f"))
}
