//! `--via sql`: the same targets through the SQL engine (`vec_shell::Database`), so the
//! engine's overhead (parsing, planning, executing, formatting ids) shows next to the
//! index crates' own figures.
//!
//! The rows are loaded with multi-row `INSERT`s into
//! `items (id bigint, embedding vector(D))`; `hnsw` and `ivfflat` then run
//! `CREATE INDEX … USING hnsw|ivfflat (embedding <opclass>) WITH (…)`, and `exact` creates
//! no index. Each query is `SELECT id FROM items ORDER BY embedding <op> '[…]' LIMIT k`, after
//! `SET hnsw.ef_search` / `SET ivfflat.probes` when the knob changes. Sessions are pooled so
//! that batch runs use one session per thread, like one connection per client. Each query's
//! literal is written once before the timing starts (`prepare_queries`), as a client holds
//! its query text, so the timings are the engine's.
//!
//! Filtered sweeps (`--filter-selectivity`) add one `integer` column per selectivity,
//! `f0`, `f1`, …, with a btree index each: 0 on the rows the harness's filter keeps, and
//! 1 … ⌈1/selectivity⌉ − 1 spread over the others (so that every value keeps about the
//! same share of rows). A filtered query is `SELECT id FROM items WHERE fN = 0 ORDER BY
//! embedding <op> '[…]' LIMIT k` with no other setting than the knob's: the engine's
//! default plan for a filter.

use anyhow::{bail, Context, Result};
use std::fmt::Write;
use std::path::Path;

use parking_lot::{Mutex, RwLock};
use std::collections::HashMap;
use std::sync::Arc;
use vec_shell::{Database, Datum, Session};
use vec_types::Vector;

use super::{
    doubling_sweep, hnsw::DEFAULT_EF_SEARCH, BuildConfig, Built, Filter, Target, TargetKind,
};
use crate::bench::dataset::Dataset;
use crate::bench::exact::MetricName;
use crate::bench::measure::passes_filter;
use crate::bench::progress::Progress;

/// Rows per `INSERT` statement.
const INSERT_BATCH: usize = 500;

/// Loads the dataset into a fresh in-memory database and builds `kind`'s index there.
pub fn build<'a>(
    kind: TargetKind,
    dataset: &'a Dataset,
    config: &BuildConfig,
    progress: &Progress,
) -> Result<Built<'a>> {
    let (index_sql, mut params, knob) = match kind {
        TargetKind::Exact => (None, serde_json::json!({}), None),
        TargetKind::Hnsw => (
            Some(format!(
                "hnsw (embedding {}) WITH (m = {}, ef_construction = {})",
                opclass(dataset.metric),
                config.m,
                config.ef_construction
            )),
            serde_json::json!({"m": config.m, "ef_construction": config.ef_construction}),
            Some("hnsw.ef_search"),
        ),
        TargetKind::IvfFlat => {
            let lists = config.lists_for(dataset.n_base());
            (
                Some(format!(
                    "ivfflat (embedding {}) WITH (lists = {lists})",
                    opclass(dataset.metric)
                )),
                serde_json::json!({ "lists": lists }),
                Some("ivfflat.probes"),
            )
        }
        other => bail!("{} has no SQL form", other.name()),
    };
    params["shared_buffers_mb"] = serde_json::json!(config.shared_buffers >> 20);
    let database = Database::in_memory_with_options(&vec_shell::OpenOptions {
        shared_buffers: config.shared_buffers,
        ..vec_shell::OpenOptions::default()
    });
    let mut session = database.session();
    let selectivities = &config.filter_selectivities;
    let filter_columns: String = (0..selectivities.len())
        .map(|column| format!(", f{column} int"))
        .collect();
    execute(
        &mut session,
        &format!(
            "CREATE TABLE items (id bigint PRIMARY KEY, embedding vector({}){filter_columns})",
            dataset.dims
        ),
    )?;
    let rows: Vec<&[f32]> = dataset.base.chunks_exact(dataset.dims).collect();
    for (batch_idx, batch) in rows.chunks(INSERT_BATCH).enumerate() {
        let mut sql = String::from("INSERT INTO items VALUES ");
        for (offset, row) in batch.iter().enumerate() {
            let id = batch_idx * INSERT_BATCH + offset;
            let separator = if offset == 0 { "" } else { "," };
            let _ = write!(sql, "{separator}({id}, '{}'", Vector::new(row.to_vec())?);
            for &selectivity in selectivities {
                let _ = write!(sql, ", {}", filter_value(id as u64, selectivity));
            }
            sql.push(')');
        }
        execute(&mut session, &sql)?;
        progress.update("sql: insert", (batch_idx + 1) * INSERT_BATCH, rows.len());
    }
    progress.finish();
    if let Some(index_sql) = &index_sql {
        progress.update("sql: create index", 0, 0);
        if config.threads > 0 {
            let _ = session.execute(&format!(
                "SET max_parallel_maintenance_workers = {}",
                config.threads.saturating_sub(1)
            ));
        }
        // Not every engine version knows this setting; the build works without it.
        let _ = session.execute("SET maintenance_work_mem = '4GB'");
        execute(
            &mut session,
            &format!("CREATE INDEX ON items USING {index_sql}"),
        )?;
        progress.finish();
    }
    for column in 0..selectivities.len() {
        execute(&mut session, &format!("CREATE INDEX ON items (f{column})"))?;
    }
    let lists = params["lists"].as_u64().unwrap_or(0) as usize;
    Ok(Built {
        target: Box::new(SqlTarget {
            database,
            sessions: Mutex::new(vec![(session, None)]),
            knob,
            operator: dataset.metric.operator(),
            lists,
            selectivities: selectivities.clone(),
            literals: RwLock::new(HashMap::new()),
        }),
        params,
    })
}

/// A row's value in the filter column of `selectivity`: 0 when the harness's filter keeps
/// it, else one of the other values.
pub(crate) fn filter_value(id: u64, selectivity: f64) -> u64 {
    if passes_filter(id, selectivity) {
        return 0;
    }
    let others = ((1.0 / selectivity).ceil() as u64).saturating_sub(1).max(1);
    1 + id % others
}

fn opclass(metric: MetricName) -> &'static str {
    match metric {
        MetricName::L2 => "vector_l2_ops",
        MetricName::Cosine => "vector_cosine_ops",
        MetricName::InnerProduct => "vector_ip_ops",
    }
}

fn execute(session: &mut Session, sql: &str) -> Result<Vec<vec_shell::StatementResult>> {
    session.execute(sql).map_err(|error| {
        let shown: String = sql.chars().take(120).collect();
        anyhow::anyhow!("the SQL engine failed on `{shown}`: {}", error.message)
    })
}

struct SqlTarget {
    database: Database,
    /// Idle sessions, each with the knob value it has set.
    sessions: Mutex<Vec<(Session, Option<usize>)>>,
    knob: Option<&'static str>,
    operator: &'static str,
    lists: usize,
    /// The selectivity of each filter column, `f0` first.
    selectivities: Vec<f64>,
    /// The vector literal of each prepared query, by the address and length of its values,
    /// with the values it was written from (a hit counts only when they are the same).
    literals: RwLock<HashMap<(usize, usize), (Box<[f32]>, Arc<str>)>>,
}

impl SqlTarget {
    /// `query` as a vector literal: the one [`Target::prepare_queries`] wrote, else written
    /// now.
    fn literal(&self, query: &[f32]) -> Result<Arc<str>> {
        let key = (query.as_ptr() as usize, query.len());
        if let Some((values, literal)) = self.literals.read().get(&key) {
            if **values == *query {
                return Ok(literal.clone());
            }
        }
        Ok(Vector::new(query.to_vec())?.to_string().into())
    }

    /// Runs a query for `k` ids after setting the knob, on a pooled session.
    fn ids(&self, knob: usize, sql: &str) -> Result<Vec<u64>> {
        let pooled = self.sessions.lock().pop();
        let (mut session, mut current) = pooled.unwrap_or_else(|| (self.database.session(), None));
        if let Some(setting) = self.knob {
            if current != Some(knob) {
                execute(&mut session, &format!("SET {setting} = {knob}"))?;
                current = Some(knob);
            }
        }
        let results = execute(&mut session, sql)?;
        self.sessions.lock().push((session, current));
        let rows = results
            .last()
            .and_then(|result| result.rows.as_ref())
            .context("the SELECT returned no rows")?;
        rows.rows
            .iter()
            .map(|row| match row.first() {
                Some(Datum::Int8(id)) => Ok(*id as u64),
                other => bail!("the SELECT returned {other:?} for an id"),
            })
            .collect()
    }
}

impl Target for SqlTarget {
    fn knob_name(&self) -> Option<&'static str> {
        match self.knob {
            Some("hnsw.ef_search") => Some("ef_search"),
            Some(_) => Some("probes"),
            None => None,
        }
    }

    fn default_knobs(&self) -> Vec<usize> {
        match self.knob {
            Some("hnsw.ef_search") => DEFAULT_EF_SEARCH.to_vec(),
            Some(_) => doubling_sweep(self.lists),
            None => vec![0],
        }
    }

    fn search(&self, query: &[f32], k: usize, knob: usize) -> Result<Vec<u64>> {
        let sql = format!(
            "SELECT id FROM items ORDER BY embedding {} '{}' LIMIT {k}",
            self.operator,
            self.literal(query)?
        );
        self.ids(knob, &sql)
    }

    fn search_filtered(
        &self,
        query: &[f32],
        k: usize,
        knob: usize,
        filter: &Filter<'_>,
    ) -> Option<Result<Vec<u64>>> {
        if filter.selectivity >= 1.0 {
            return Some(self.search(query, k, knob));
        }
        let column = self
            .selectivities
            .iter()
            .position(|&s| s == filter.selectivity)?;
        let vector = match self.literal(query) {
            Ok(vector) => vector,
            Err(error) => return Some(Err(error)),
        };
        let sql = format!(
            "SELECT id FROM items WHERE f{column} = 0 ORDER BY embedding {} '{vector}' LIMIT {k}",
            self.operator
        );
        Some(self.ids(knob, &sql))
    }

    fn prepare_queries(&self, queries: &[&[f32]]) {
        let mut literals = self.literals.write();
        for query in queries {
            if let Ok(vector) = Vector::new(query.to_vec()) {
                literals.insert(
                    (query.as_ptr() as usize, query.len()),
                    (Box::from(*query), vector.to_string().into()),
                );
            }
        }
    }

    fn snapshot_bytes(&self, _path: &Path) -> Result<Option<u64>> {
        Ok(None)
    }

    fn memory_bytes(&self) -> Option<usize> {
        None
    }
}
