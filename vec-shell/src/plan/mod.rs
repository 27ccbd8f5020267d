//! Physical plans: what the analyzer hands the executor.
//!
//! A query plan is a fixed pipeline — source, filter, aggregation, projection, sort or
//! top-k, offset and limit — whose expressions are already bound to column positions
//! and resolved functions. The planner chooses between a full sort and a bounded
//! top-k heap (`ORDER BY … LIMIT k`), and between an exact scan of the table's
//! store and a vector or btree index scan ([`choose_index_scans`]).

pub mod btree;
pub mod explain;
pub mod join;

use crate::analyze::expr::BoundExpr;
use crate::value::{SqlType, TypeMod};

/// Where a query's rows come from.
#[derive(Clone, Debug)]
pub enum Source {
    /// One empty row (a query without `FROM`).
    Single,
    /// An exact scan of a table.
    Table(String),
    /// A set-returning function (`unnest`, `generate_series`).
    Function(SetFunction),
    /// A subquery in `FROM`.
    Subquery(Box<QueryPlan>),
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
    Join(Box<join::JoinPlan>),
    /// A btree index scan: the rows whose key lies in a range, in storage order.
    BtreeScan {
        /// The table.
        table: String,
        /// The btree index.
        index: String,
        /// The keys to visit.
        range: btree::KeyRange,
        /// The `Index Cond:` text (empty when the scan only orders).
        cond_text: String,
        /// Set when the scan yields the rows in key order for `ORDER BY` (then NULL
        /// keys come too): whether descending, and whether NULLs come first.
        order: Option<(bool, bool)>,
    },
    /// An HNSW index scan: rows nearest to the query vector first.
    IndexScan {
        /// The table.
        table: String,
        /// The vector index.
        index: String,
        /// The query vector (a constant or uncorrelated subquery).
        query: BoundExpr,
        /// The session's index settings (`hnsw.*`, `ivfflat.*`).
        options: crate::index::IndexSearch,
    },
}

/// A query ordered by one distance operator on a column, which a vector index of the
/// matching operator class can serve.
#[derive(Clone, Debug)]
pub struct DistanceOrder {
    /// The table column, when the key is one.
    pub column: Option<usize>,
    /// The key as SQL text (matched against expression indexes).
    pub key_text: String,
    /// The operator (`<->`, `<#>`, `<=>`, `<+>`, `<~>`, `<%>`).
    pub operator: String,
    /// The query vector, converted to the column's type.
    pub query: BoundExpr,
}

/// Turns exact scans into index scans: a vector index where pgvector would use it (see
/// [`vector_index_for`]), a btree index for selective `WHERE` conditions (see
/// [`btree`] for the rule and how the two compare).
pub fn choose_index_scans(
    plan: &mut QueryPlan,
    catalog: &crate::catalog::Catalog,
    settings: &crate::settings::Settings,
) {
    choose_in_source(&mut plan.source, catalog, settings);
    let Source::Table(name) = &plan.source else {
        return;
    };
    let Some(table) = catalog.table(name) else {
        return;
    };
    let by_btree =
        btree::choose(table, &plan.conjuncts, catalog, settings).filter(|choice| choice.selective);
    let vector = vector_index_for(plan, table, settings);
    let use_btree = match (&by_btree, &vector) {
        (Some(choice), Some(_)) => choice.rows <= btree::vector_threshold(settings),
        (Some(_), None) => true,
        (None, _) => false,
    };
    if let (true, Some(choice)) = (use_btree, by_btree) {
        plan.source = Source::BtreeScan {
            table: name.clone(),
            index: choice.index,
            range: choice.range,
            cond_text: choice.cond_text,
            order: None,
        };
        // The executor still checks the whole `WHERE`; `EXPLAIN` shows the rest.
        plan.text.filter = choice.filter_text;
        return;
    }
    let Some(index) = vector else {
        btree::choose_ordered_scan(plan, table, settings);
        return;
    };
    let Some(order) = &plan.distance_order else {
        return;
    };
    plan.source = Source::IndexScan {
        table: name.clone(),
        index,
        query: order.query.clone(),
        options: crate::index::IndexSearch::from_settings(settings),
    };
    // The index yields rows in distance order; no sort follows, as in pgvector.
    plan.order.clear();
}

/// The vector index pgvector would use for a plan: one serving a single ascending
/// `ORDER BY` distance key on a column (or indexed expression) with the matching
/// operator class, with `enable_indexscan` on, and either a `LIMIT` or `enable_seqscan`
/// off.
fn vector_index_for(
    plan: &QueryPlan,
    table: &crate::catalog::Table,
    settings: &crate::settings::Settings,
) -> Option<String> {
    let order = plan.distance_order.as_ref()?;
    let enable_index = settings.bool(&crate::settings::ENABLE_INDEXSCAN);
    let enable_seqscan = settings.bool(&crate::settings::ENABLE_SEQSCAN);
    if !enable_index || (plan.limit.is_none() && enable_seqscan) {
        return None;
    }
    let entry = table.vector_indexes.iter().find(|e| {
        let same_key = match e.key {
            crate::catalog::IndexKey::Column(column) => order.column == Some(column),
            crate::catalog::IndexKey::Expr(_) => e.key_text == order.key_text,
        };
        same_key && e.opclass.operator() == order.operator && e.index.enabled(settings)
    })?;
    Some(entry.name.clone())
}

/// Chooses index scans inside the subqueries of a source.
fn choose_in_source(
    source: &mut Source,
    catalog: &crate::catalog::Catalog,
    settings: &crate::settings::Settings,
) {
    match source {
        Source::Subquery(inner) => choose_index_scans(inner, catalog, settings),
        Source::CrossJoin { left, right, .. } => {
            choose_in_source(left, catalog, settings);
            choose_in_source(right, catalog, settings);
        }
        Source::Join(join) => {
            choose_in_source(&mut join.left, catalog, settings);
            choose_in_source(&mut join.right, catalog, settings);
        }
        _ => {}
    }
}

/// A set-returning function in `FROM`.
#[derive(Clone, Debug)]
pub enum SetFunction {
    /// `unnest(array)`: one row per element.
    Unnest(BoundExpr),
    /// `generate_series(start, stop [, step])` over integers.
    GenerateSeries(BoundExpr, BoundExpr, Option<BoundExpr>),
}

/// An aggregate function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AggKind {
    /// `count(*)`
    CountStar,
    /// `count(x)`
    Count,
    /// `sum(x)`
    Sum,
    /// `avg(x)`
    Avg,
    /// `min(x)`
    Min,
    /// `max(x)`
    Max,
    /// `array_agg(x)`
    ArrayAgg,
}

/// One aggregate call.
#[derive(Clone, Debug)]
pub struct AggCall {
    /// Which aggregate.
    pub kind: AggKind,
    /// The argument (none for `count(*)`).
    pub arg: Option<BoundExpr>,
    /// The argument's type.
    pub arg_type: SqlType,
}

/// The aggregation step.
#[derive(Clone, Debug)]
pub struct AggregatePlan {
    /// The grouping keys, evaluated on input rows.
    pub group_keys: Vec<BoundExpr>,
    /// The aggregates; the output row is the keys followed by the aggregates' results.
    pub calls: Vec<AggCall>,
    /// `HAVING`, evaluated on output rows.
    pub having: Option<BoundExpr>,
}

/// One sort key: a position in the projected row.
#[derive(Clone, Copy, Debug)]
pub struct SortKey {
    /// The column of the projected row.
    pub column: usize,
    /// `DESC`.
    pub descending: bool,
    /// Whether NULLs sort first.
    pub nulls_first: bool,
}

/// A result column's name and type.
#[derive(Clone, Debug)]
pub struct OutputColumn {
    /// The label psql prints.
    pub name: String,
    /// The type.
    pub ty: SqlType,
    /// The type modifier.
    pub typmod: TypeMod,
}

/// A query plan.
#[derive(Clone, Debug)]
pub struct QueryPlan {
    /// The rows' source.
    pub source: Source,
    /// `WHERE`, on source rows.
    pub filter: Option<BoundExpr>,
    /// Aggregation, when the query groups or aggregates.
    pub aggregate: Option<AggregatePlan>,
    /// The projection: visible columns, then hidden sort keys.
    pub projection: Vec<BoundExpr>,
    /// The visible columns.
    pub columns: Vec<OutputColumn>,
    /// `ORDER BY`.
    pub order: Vec<SortKey>,
    /// `LIMIT`, evaluated once.
    pub limit: Option<BoundExpr>,
    /// `OFFSET`, evaluated once.
    pub offset: Option<BoundExpr>,
    /// Set when the query orders by one distance operator on a table column.
    pub distance_order: Option<DistanceOrder>,
    /// The `AND`ed conditions of `WHERE` on a table, for choosing a btree scan.
    pub conjuncts: Vec<btree::Conjunct>,
    /// The SQL text of the filter, sort keys and source alias, for `EXPLAIN`.
    pub text: PlanText,
}

/// The SQL text of a plan's parts, as `EXPLAIN` shows them.
#[derive(Clone, Debug, Default)]
pub struct PlanText {
    /// The `WHERE` condition.
    pub filter: Option<String>,
    /// The `ORDER BY` keys, as `Sort Key:` shows them.
    pub order: Vec<String>,
    /// The first `ORDER BY` key as an index scan's `Order By:` shows it, when it could
    /// be deparsed.
    pub index_order: Option<String>,
    /// The `HAVING` condition.
    pub having: Option<String>,
    /// The `FROM` item's alias, if any.
    pub alias: Option<String>,
}

/// A projection evaluated on the rows a DML statement touched (`RETURNING`).
#[derive(Clone, Debug, Default)]
pub struct Returning {
    /// The expressions, over the table's row.
    pub exprs: Vec<BoundExpr>,
    /// Their labels and types.
    pub columns: Vec<OutputColumn>,
}

/// Where an `INSERT`'s rows come from, bound.
#[derive(Clone, Debug)]
pub enum InsertRows {
    /// `VALUES`: one expression per target column per row.
    Values(Vec<Vec<BoundExpr>>),
    /// A query whose columns are converted to the target columns' types.
    Query(Box<QueryPlan>, Vec<BoundExpr>),
}

/// A bound `INSERT`.
#[derive(Clone, Debug)]
pub struct InsertPlan {
    /// The table.
    pub table: String,
    /// For each target column, its position in the table.
    pub targets: Vec<usize>,
    /// The rows.
    pub rows: InsertRows,
    /// Per `VALUES` row, the target slots written as `DEFAULT` (their bound values are
    /// placeholders).
    pub defaulted: Vec<Vec<usize>>,
    /// `ON CONFLICT` on the primary key.
    pub on_conflict: Option<ConflictPlan>,
    /// `RETURNING`.
    pub returning: Returning,
}

/// What `INSERT … ON CONFLICT` does with a row whose primary key is taken.
#[derive(Clone, Debug)]
pub struct ConflictPlan {
    /// `DO UPDATE SET`: column position and new value, over the existing row followed
    /// by the proposed (`excluded`) row; `None` for `DO NOTHING`.
    pub update: Option<Vec<(usize, BoundExpr)>>,
}

/// A bound `UPDATE`.
#[derive(Clone, Debug)]
pub struct UpdatePlan {
    /// The table.
    pub table: String,
    /// The filter, over the table's row.
    pub filter: Option<BoundExpr>,
    /// Column position and new value (over the old row).
    pub assignments: Vec<(usize, BoundExpr)>,
    /// Serial or identity columns set to `DEFAULT`: each updated row takes the
    /// sequence's next value.
    pub sequence_defaults: Vec<usize>,
    /// `RETURNING`, over the new row.
    pub returning: Returning,
}

/// A bound `DELETE`.
#[derive(Clone, Debug)]
pub struct DeletePlan {
    /// The table.
    pub table: String,
    /// The filter, over the table's row.
    pub filter: Option<BoundExpr>,
    /// `RETURNING`, over the deleted row.
    pub returning: Returning,
}
