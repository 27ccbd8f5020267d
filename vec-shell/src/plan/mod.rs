//! The planner: turns a bound statement (`analyze`) into the plan the executor runs.
//!
//! A query plan keeps the bound query's pipeline — source, filter, aggregation,
//! projection, sort or top-k, offset and limit — and replaces its source with a
//! physical one: an exact scan of a table, or a vector or btree index scan where one
//! serves the query ([`planner`]), a hash or nested-loop join. `EXPLAIN` draws a plan
//! as PostgreSQL does ([`explain`]); its text is kept only for explained statements.

pub mod btree;
pub mod conjuncts;
pub mod cost;
pub mod explain;
pub mod filtered;
pub mod gin;
pub mod implication;
pub mod path_cost;
mod planner;
pub mod selectivity;

pub use crate::analyze::{
    Aggregation, DistinctKeys, ExplainText, JoinText, OnConflict, OutputColumn, Returning, SortKey,
    WorkTable,
};
pub use planner::{plan_delete, plan_insert, plan_query, plan_update, PlanContext};

use crate::analyze::{Insert, InsertRows as BoundInsertRows, Join, Query};
use crate::expr::{BoundExpr, SetFunction};

/// A query plan: the query's pipeline over a physical [`Source`].
pub type QueryPlan = Query<Source>;

/// A qualified join's plan: both sides planned, hashing on the equalities between them
/// (`hash_keys`) unless it is a nested loop (no keys).
pub type JoinPlan = Join<Source>;

/// A set operation over planned queries.
pub type SetOperationPlan = crate::analyze::SetOperation<QueryPlan>;

/// A recursive `WITH` query over planned terms.
pub type RecursiveUnionPlan = crate::analyze::RecursiveUnion<QueryPlan>;

/// An `INSERT` whose query, if any, is planned.
pub type InsertPlan = Insert<QueryPlan>;

/// Where a planned `INSERT`'s rows come from.
pub type InsertRows = BoundInsertRows<QueryPlan>;

/// An `UPDATE` runs as bound: it scans its table (no index choice yet).
pub type UpdatePlan = crate::analyze::Update;

/// A `DELETE` runs as bound: it scans its table (no index choice yet).
pub type DeletePlan = crate::analyze::Delete;

/// A planned statement with the plans of its scalar subqueries, by
/// [`SubqueryId`](crate::expr::SubqueryId).
#[derive(Clone, Debug)]
pub struct Planned<T> {
    /// The statement's plan.
    pub plan: T,
    /// Its scalar subqueries' plans.
    pub subqueries: Vec<QueryPlan>,
}

/// Where a query's rows come from.
#[derive(Clone, Debug)]
pub enum Source {
    /// One empty row (a query without `FROM`).
    Single,
    /// An exact scan of a table.
    Table(String),
    /// A set-returning function (`unnest`, `generate_series`).
    Function(SetFunction),
    /// Rows computed when the statement was bound (a system catalog relation).
    Rows {
        /// The relation's name.
        name: String,
        /// Its rows.
        rows: std::sync::Arc<Vec<crate::storage::Row>>,
    },
    /// The rows of `VALUES`, computed when the query runs.
    Values(Vec<Vec<crate::expr::BoundExpr>>),
    /// A subquery in `FROM`.
    Subquery(Box<QueryPlan>),
    /// `UNION`, `INTERSECT` or `EXCEPT` of two planned queries.
    SetOperation(Box<SetOperationPlan>),
    /// A recursive `WITH` query's rows (`exec/recursive.rs`).
    RecursiveUnion(Box<RecursiveUnionPlan>),
    /// The rows the previous step of a recursive `WITH` query produced.
    WorkTable(crate::analyze::WorkTable),
    /// A nested loop: every left row joined with every right row. With `lateral`, the
    /// right side is run again for each left row, which it sees as the outer row.
    CrossJoin {
        /// The left rows.
        left: Box<Source>,
        /// The right rows.
        right: Box<Source>,
        /// The right side names the left row's columns.
        lateral: bool,
    },
    /// A qualified join (`JOIN … ON | USING`, inner or outer).
    Join(Box<JoinPlan>),
    /// A btree index scan: the rows whose key lies in a range, in storage order.
    BtreeScan {
        /// The table.
        table: String,
        /// The btree index.
        index: String,
        /// The keys to visit.
        range: btree::KeyRange,
        /// The `Index Cond:` text (empty when the scan only orders, or the statement is
        /// not explained).
        cond_text: String,
        /// Set when the scan yields the rows in key order for `ORDER BY` (then NULL
        /// keys come too): whether descending, and whether NULLs come first.
        order: Option<(bool, bool)>,
        /// The rows of the range, when the planner counted them (`EXPLAIN`'s estimate).
        counted: Option<usize>,
    },
    /// A `gin` bitmap scan: the rows whose key can match a full-text query, in storage
    /// order (the executor checks the whole `WHERE` on them).
    GinScan {
        /// The table.
        table: String,
        /// The `gin` index.
        index: String,
        /// The `tsquery`.
        query: crate::value::Datum,
        /// The `Recheck Cond:`/`Index Cond:` text (empty when not explained).
        cond_text: String,
    },
    /// A vector index scan: rows nearest to the query vector first.
    IndexScan {
        /// The table.
        table: String,
        /// The vector index.
        index: String,
        /// The query vector (a constant or uncorrelated subquery).
        query: BoundExpr,
        /// The scan options from the session's settings (`hnsw.*`, `ivfflat.*`,
        /// `vectors.*`, `vecsh.target_recall`).
        options: vec_index::ScanOptions,
        /// Set when the query has a filter and the index scan must fill its `LIMIT`
        /// (see [`filtered`]); then the query keeps its sort.
        filtered: Option<filtered::FilteredSearch>,
        /// `EXPLAIN`'s `Target Recall:` line, while `vecsh.target_recall` is on.
        target_text: Option<String>,
    },
}
