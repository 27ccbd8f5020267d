//! [`ExecContext`]: what a running statement's operators share — the catalog, the view
//! its reads go through (a snapshot, or the open block's transaction), the vector
//! indexes it scans (read-locked for the statement: [`IndexGuards`]), the enclosing row
//! of a `LATERAL` subquery, the cancel request, the statement's scalar subqueries with
//! the values computed so far, the values of its `$n` parameters and the work tables of
//! its recursive `WITH` queries. It is the
//! [`Environment`] expressions are evaluated in.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::{Mutex, RwLockReadGuard};

use super::query::stream_query;
use super::spill::SpillConfig;
use crate::cancel::CancelHandle;
use crate::catalog::system::{relation_by_oid, RelationByOid};
use crate::catalog::Catalog;
use crate::error::{EngineError, Result};
use crate::expr::{Environment, SizePart, SubqueryId};
use crate::index::VectorIndex;
use crate::plan::{QueryPlan, Source};
use crate::storage::view::RowView;
use crate::storage::Row;
use crate::value::Datum;

/// The vector indexes a statement scans, read-locked for as long as it runs (a writer
/// adding entries waits for them; the statement never waits for a writer's
/// transaction).
#[derive(Default)]
pub struct IndexGuards<'a> {
    guards: Vec<(&'a str, &'a str, RwLockReadGuard<'a, VectorIndex>)>,
}

impl<'a> IndexGuards<'a> {
    /// No index.
    pub fn none() -> IndexGuards<'a> {
        IndexGuards::default()
    }

    /// Read-locks every vector index the plans scan (in subqueries and joins too).
    pub fn for_plans(catalog: &'a Catalog, plans: impl IntoIterator<Item = &'a QueryPlan>) -> Self {
        let mut guards = IndexGuards::default();
        for plan in plans {
            guards.add_plan(catalog, plan);
        }
        guards
    }

    fn add_plan(&mut self, catalog: &'a Catalog, plan: &'a QueryPlan) {
        self.add_source(catalog, &plan.source);
    }

    fn add_source(&mut self, catalog: &'a Catalog, source: &'a Source) {
        match source {
            Source::IndexScan { table, index, .. } => {
                if self.get(table, index).is_some() {
                    return;
                }
                let entry = catalog
                    .table(table)
                    .and_then(|t| t.vector_indexes.iter().find(|e| &e.name == index));
                if let Some(entry) = entry {
                    self.guards.push((table, index, entry.index.read()));
                }
            }
            Source::Subquery(inner) => self.add_plan(catalog, inner),
            Source::SetOperation(operation) => {
                self.add_plan(catalog, &operation.left);
                self.add_plan(catalog, &operation.right);
            }
            Source::RecursiveUnion(union) => {
                self.add_plan(catalog, &union.non_recursive);
                self.add_plan(catalog, &union.recursive);
            }
            Source::CrossJoin { left, right, .. } => {
                self.add_source(catalog, left);
                self.add_source(catalog, right);
            }
            Source::Join(join) => {
                self.add_source(catalog, &join.left);
                self.add_source(catalog, &join.right);
            }
            _ => {}
        }
    }

    /// The locked index `index` of `table`.
    pub fn get(&self, table: &str, index: &str) -> Option<&VectorIndex> {
        self.guards
            .iter()
            .find(|(t, i, _)| *t == table && *i == index)
            .map(|(_, _, guard)| &**guard)
    }
}

/// The values of a statement's scalar subqueries computed so far. A scalar subquery
/// cannot refer to the row around it, so, like PostgreSQL's InitPlans, it runs once per
/// statement however many rows use it.
pub type SubqueryValues = Arc<Mutex<HashMap<SubqueryId, Datum>>>;

/// The work tables of a statement's recursive `WITH` queries, by number: the rows the
/// last finished step of each produced, which the next step's recursive term reads.
pub type WorkTables = Arc<Mutex<HashMap<usize, Arc<Vec<Row>>>>>;

/// What a running statement's operators share.
pub struct ExecContext<'a> {
    /// The catalog.
    pub catalog: &'a Catalog,
    /// Where the statement reads rows.
    pub rows: RowView<'a>,
    /// The vector indexes it scans.
    pub indexes: &'a IndexGuards<'a>,
    /// The row of the `FROM` items left of a `LATERAL` subquery (empty elsewhere).
    pub outer: &'a [Datum],
    /// Polled by scans and joins; a request ends the statement with SQLSTATE 57014.
    pub cancel: &'a CancelHandle,
    /// The statement's scalar subqueries, by [`SubqueryId`].
    pub subqueries: &'a [QueryPlan],
    /// Their values computed so far (shared by the statement's contexts).
    pub values: SubqueryValues,
    /// The values of the statement's `$n` parameters (`$1` first).
    pub params: &'a [Datum],
    /// How much a sort, hash table or buffer may hold before it spills, and where to.
    pub spill: SpillConfig,
    /// The work tables of its recursive `WITH` queries (shared by its contexts).
    pub work_tables: WorkTables,
    /// Where `set_config` records its changes, when the statement may make them.
    pub setting_changes: Option<&'a super::setting_changes::SettingChanges>,
    /// The counters of an `EXPLAIN ANALYZE` run.
    pub instruments: Option<&'a super::instrument::Instruments>,
}

impl<'a> ExecContext<'a> {
    /// A context for a statement reading through `rows`, without subqueries, with no
    /// enclosing row, that cannot be cancelled.
    pub fn new(catalog: &'a Catalog, rows: RowView<'a>, indexes: &'a IndexGuards<'a>) -> Self {
        ExecContext {
            catalog,
            rows,
            indexes,
            outer: &[],
            cancel: CancelHandle::never(),
            subqueries: &[],
            values: SubqueryValues::default(),
            params: &[],
            spill: SpillConfig::default(),
            work_tables: WorkTables::default(),
            setting_changes: None,
            instruments: None,
        }
    }

    /// The same context, with `set_config` recording its changes in `changes`.
    pub fn with_setting_changes(self, changes: &'a super::setting_changes::SettingChanges) -> Self {
        ExecContext {
            setting_changes: Some(changes),
            ..self
        }
    }

    /// The same context, counting what each plan node does in `instruments`.
    pub fn with_instruments(self, instruments: &'a super::instrument::Instruments) -> Self {
        ExecContext {
            instruments: Some(instruments),
            ..self
        }
    }

    /// The same context, spilling as `spill` says.
    pub fn with_spill(self, spill: SpillConfig) -> Self {
        ExecContext { spill, ..self }
    }

    /// The same context, with the values of the statement's parameters.
    pub fn with_params(self, params: &'a [Datum]) -> Self {
        ExecContext { params, ..self }
    }

    /// The same context, cancelled through `cancel`.
    pub fn with_cancel(self, cancel: &'a CancelHandle) -> Self {
        ExecContext { cancel, ..self }
    }

    /// The same context, with the statement's scalar subqueries.
    pub fn with_subqueries(self, subqueries: &'a [QueryPlan]) -> Self {
        ExecContext { subqueries, ..self }
    }

    /// A context for the right side of a `LATERAL` join, which sees `outer` as the
    /// enclosing row.
    pub fn with_outer<'b>(&'b self, outer: &'b [Datum]) -> ExecContext<'b> {
        ExecContext {
            catalog: self.catalog,
            rows: self.rows,
            indexes: self.indexes,
            outer,
            cancel: self.cancel,
            subqueries: self.subqueries,
            values: Arc::clone(&self.values),
            params: self.params,
            spill: self.spill.clone(),
            work_tables: Arc::clone(&self.work_tables),
            setting_changes: self.setting_changes,
            instruments: self.instruments,
        }
    }
}

impl Environment for ExecContext<'_> {
    fn outer(&self) -> &[Datum] {
        self.outer
    }

    fn set_config(&self, name: &str, value: Option<&str>, local: bool) -> Result<String> {
        match self.setting_changes {
            Some(changes) => changes.set(name, value, local),
            None => Err(EngineError::new(
                "0A000",
                "set_config is supported only in a query",
            )),
        }
    }

    fn current_setting(&self, name: &str) -> Option<Result<String>> {
        self.setting_changes.map(|changes| changes.show(name))
    }

    fn reset_statements(&self) -> Result<()> {
        self.catalog.statements.reset();
        Ok(())
    }

    /// Sizes as vecsh stores relations: a table is its heap's pages (8 kB each, in the
    /// database's files or, for a database without a path, in memory); a vector index
    /// is the memory it holds (its snapshot mapped from disk included); a btree is
    /// rebuilt from the heap when the database opens and stored nowhere, so it counts
    /// 0; a system catalog relation, computed when read, counts 0 too.
    fn relation_size(&self, relation: &Datum, part: SizePart) -> Result<Option<i64>> {
        let oid = match relation {
            Datum::Int8(oid) => *oid,
            Datum::Text(name) => crate::catalog::system::relation_oid(self.catalog, name)
                .ok_or_else(|| {
                    EngineError::new("42P01", format!("relation \"{name}\" does not exist"))
                })?,
            _ => {
                return Err(EngineError::internal(
                    "a relation that is neither an OID nor a name",
                ))
            }
        };
        let Some(relation) = relation_by_oid(self.catalog, oid) else {
            return Ok(None);
        };
        let heap = |table: &crate::catalog::Table| -> Result<i64> {
            let pages = i64::from(self.rows.pages(table.heap)?);
            Ok(pages * vec_storage::page::PAGE_SIZE as i64)
        };
        let index = |table: &crate::catalog::Table, position: usize| -> i64 {
            let name = &table.indexes[position].name;
            table
                .vector_indexes
                .iter()
                .find(|entry| &entry.name == name)
                .map_or(0, |entry| entry.index.read().memory_bytes() as i64)
        };
        let indexes = |table: &crate::catalog::Table| {
            (0..table.indexes.len())
                .map(|i| index(table, i))
                .sum::<i64>()
        };
        Ok(Some(match (relation, part) {
            (RelationByOid::System, _) => 0,
            (
                RelationByOid::Index(table, position),
                SizePart::Relation | SizePart::Table | SizePart::Total,
            ) => index(table, position),
            (RelationByOid::Index(..), SizePart::Indexes) => 0,
            (RelationByOid::Table(table), SizePart::Relation | SizePart::Table) => heap(table)?,
            (RelationByOid::Table(table), SizePart::Indexes) => indexes(table),
            (RelationByOid::Table(table), SizePart::Total) => heap(table)? + indexes(table),
        }))
    }

    fn subquery(&self, id: SubqueryId) -> Result<Datum> {
        if let Some(value) = self.values.lock().get(&id) {
            return Ok(value.clone());
        }
        let plan = self
            .subqueries
            .get(id.0)
            .ok_or_else(|| EngineError::internal("a subquery of another statement"))?;
        // Two rows at most are read: the second only to refuse it.
        let rows = stream_query(plan, self)?
            .take(2)
            .collect::<Result<Vec<_>>>()?;
        if rows.len() > 1 {
            return Err(EngineError::new(
                "21000",
                "more than one row returned by a subquery used as an expression",
            ));
        }
        let value = rows
            .into_iter()
            .next()
            .and_then(|r| r.into_iter().next())
            .unwrap_or(Datum::Null);
        self.values.lock().insert(id, value.clone());
        Ok(value)
    }

    fn subquery_rows(
        &self,
        id: SubqueryId,
        outer: Option<&[Datum]>,
        limit: Option<usize>,
    ) -> Result<Vec<Datum>> {
        let plan = self
            .subqueries
            .get(id.0)
            .ok_or_else(|| EngineError::internal("a subquery of another statement"))?;
        let first = |row: Row| row.into_iter().next().unwrap_or(Datum::Null);
        if let Some(outer) = outer {
            let inner = self.with_outer(outer);
            let rows = stream_query(plan, &inner)?.take(limit.unwrap_or(usize::MAX));
            return rows.map(|row| row.map(first)).collect();
        }
        if let Some(Datum::Array(array)) = self.values.lock().get(&id) {
            return Ok(array.elements.clone());
        }
        let rows = stream_query(plan, self)?.take(limit.unwrap_or(usize::MAX));
        let values = rows.map(|row| row.map(first)).collect::<Result<Vec<_>>>()?;
        self.values
            .lock()
            .insert(id, crate::expr::array_datum(values.clone()));
        Ok(values)
    }

    fn param(&self, index: u32) -> Result<Datum> {
        self.params.get(index as usize).cloned().ok_or_else(|| {
            EngineError::new("42P02", format!("there is no parameter ${}", index + 1))
        })
    }
}
