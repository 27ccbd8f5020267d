//! What analysis produces: statements bound against the catalog, with every name a
//! column position and every expression typed. A [`BoundQuery`] says what to compute,
//! not how: the planner (`plan`) turns it into a [`Query`] over physical sources
//! (scans of tables or indexes), and the executor runs that.
//!
//! The query shape is shared: [`Query<S>`] is generic over its source, so a bound query
//! (`Query<BoundFrom>`) and a plan (`Query<plan::Source>`) differ only where the planner
//! makes its choices. Text for `EXPLAIN` is kept only when the statement is explained
//! ([`ExplainText`]).

use super::Scope;
use crate::expr::{AggCall, BoundExpr, SetFunction};
use crate::sql::ast::{JoinKind, SetOperator};
use crate::value::{SqlType, TypeMod};

/// A `SELECT`: rows from a source, filtered, aggregated, projected, sorted and cut.
#[derive(Clone, Debug)]
pub struct Query<S> {
    /// Where the rows come from.
    pub source: S,
    /// `WHERE`, on source rows.
    pub filter: Option<BoundExpr>,
    /// Aggregation, when the query groups or aggregates.
    pub aggregate: Option<Aggregation>,
    /// Window functions, computed after aggregation (their values end each row).
    pub windows: Option<crate::expr::window::Windowing>,
    /// The projection: visible columns, then hidden sort keys.
    pub projection: Vec<BoundExpr>,
    /// The visible columns.
    pub columns: Vec<OutputColumn>,
    /// `ORDER BY`, over the projected row.
    pub order: Vec<SortKey>,
    /// `DISTINCT` or `DISTINCT ON`, over the projected row.
    pub distinct: Option<DistinctKeys>,
    /// `LIMIT`, evaluated once.
    pub limit: Option<BoundExpr>,
    /// `OFFSET`, evaluated once.
    pub offset: Option<BoundExpr>,
    /// The text `EXPLAIN` shows, when the statement is explained.
    pub explain: Option<Box<ExplainText>>,
}

/// A query as analysis binds it.
pub type BoundQuery = Query<BoundFrom>;

/// A `FROM` clause, bound.
#[derive(Clone, Debug)]
pub enum BoundFrom {
    /// No `FROM`: one empty row.
    Single,
    /// A table.
    Table {
        /// The table's name.
        name: String,
    },
    /// A set-returning function (`unnest`, `generate_series`).
    Function(SetFunction),
    /// Rows computed when the statement was bound: a system catalog relation.
    Rows {
        /// The relation's name.
        name: String,
        /// Its rows.
        rows: std::sync::Arc<Vec<crate::storage::Row>>,
    },
    /// The rows of `VALUES`, each a list of expressions computed when the statement runs.
    Values(Vec<Vec<crate::expr::BoundExpr>>),
    /// A subquery.
    Subquery(Box<BoundQuery>),
    /// `UNION`, `INTERSECT` or `EXCEPT` of two queries.
    SetOperation(Box<SetOperation<BoundQuery>>),
    /// A recursive `WITH` query's rows.
    RecursiveUnion(Box<RecursiveUnion<BoundQuery>>),
    /// The rows the previous step of a recursive `WITH` query produced, read by its
    /// recursive term.
    WorkTable(WorkTable),
    /// Every left row with every right row; with `lateral`, the right side is computed
    /// again for each left row, which it sees as the outer row.
    CrossJoin {
        /// The left rows.
        left: Box<BoundFrom>,
        /// The right rows.
        right: Box<BoundFrom>,
        /// The right side names the left row's columns.
        lateral: bool,
    },
    /// A qualified join.
    Join(Box<Join<BoundFrom>>),
}

/// A qualified join (`JOIN … ON | USING`, inner or outer) over sources of type `S`.
#[derive(Clone, Debug)]
pub struct Join<S> {
    /// Which rows the join keeps.
    pub kind: JoinKind,
    /// The left rows.
    pub left: S,
    /// The right rows.
    pub right: S,
    /// The right side is a `LATERAL` subquery, run once per left row.
    pub lateral: bool,
    /// The number of columns of a left row (for NULL-extending).
    pub left_width: usize,
    /// The number of columns of a right row.
    pub right_width: usize,
    /// The join condition over a left row followed by a right row; `None` matches every
    /// pair.
    pub condition: Option<BoundExpr>,
    /// Equalities of the condition between the sides whose type compares equal exactly
    /// when the text does, as (expression over the left row, expression over the right
    /// row): rows can only match when these values agree, so a plan may hash on them.
    pub hash_keys: Vec<(BoundExpr, BoundExpr)>,
    /// `USING` columns, as positions in the joined row of the left and the right
    /// column: each merged column (the first non-NULL of the two) leads the output row.
    pub merged: Vec<(usize, usize)>,
    /// `EXPLAIN`'s text: the equalities (`Hash Cond:`) and the rest (`Join Filter:`).
    pub text: JoinText,
    /// The aliases of the left and right items when they are tables or functions, for
    /// `EXPLAIN`.
    pub aliases: (Option<String>, Option<String>),
}

/// The SQL text of a join's conditions, as `EXPLAIN` shows them (empty unless the
/// statement is explained).
#[derive(Clone, Debug, Default)]
pub struct JoinText {
    /// The equalities a hash join uses (`Hash Cond:`).
    pub hash_condition: Option<String>,
    /// The rest of the condition (`Join Filter:`).
    pub filter: Option<String>,
}

impl<S> Join<S> {
    /// The plan node's name: `Hash Join`, `Nested Loop Left Join`, …
    pub fn node_name(&self) -> String {
        let suffix = match self.kind {
            JoinKind::Inner => "",
            JoinKind::Left => " Left",
            JoinKind::Right => " Right",
            JoinKind::Full => " Full",
        };
        match (self.hash_keys.is_empty(), self.kind) {
            (false, _) => format!("Hash{suffix} Join"),
            (true, JoinKind::Inner) => "Nested Loop".to_string(),
            (true, _) => format!("Nested Loop{suffix} Join"),
        }
    }
}

/// `left UNION | INTERSECT | EXCEPT [ALL] right` over queries of type `Q` (bound, or
/// planned), whose columns analysis brought to the same types.
#[derive(Clone, Debug)]
pub struct SetOperation<Q> {
    /// Which operation.
    pub operator: SetOperator,
    /// `ALL`: duplicates counted rather than removed.
    pub all: bool,
    /// The left query.
    pub left: Q,
    /// The right query.
    pub right: Q,
}

/// A recursive `WITH` query over queries of type `Q`: the non-recursive term's rows,
/// then the recursive term run again over the rows the step before produced (its work
/// table) until a step produces none. Without `all` (`UNION`), a row equal to one
/// produced before is dropped, from the result and from the next step.
#[derive(Clone, Debug)]
pub struct RecursiveUnion<Q> {
    /// The `WITH` query's name.
    pub name: String,
    /// The alias of the reference it answers, for `EXPLAIN`.
    pub alias: Option<String>,
    /// The work table its recursive term reads, numbered within the statement.
    pub work_table: usize,
    /// `UNION ALL`: rows are not compared.
    pub all: bool,
    /// The non-recursive term, whose columns the query has.
    pub non_recursive: Q,
    /// The recursive term, its columns converted to the non-recursive term's types.
    pub recursive: Q,
}

/// The reference to a work table (see [`RecursiveUnion`]).
#[derive(Clone, Debug)]
pub struct WorkTable {
    /// Its number within the statement.
    pub id: usize,
    /// The `WITH` query's name.
    pub name: String,
    /// The reference's alias, for `EXPLAIN`.
    pub alias: Option<String>,
}

/// Which rows `DISTINCT` keeps: the first of each set of rows whose values in `columns`
/// (positions in the projected row) are equal, NULLs equal to each other. With `on`
/// (`DISTINCT ON`), the rows are sorted first and the first row of each set is the one
/// `ORDER BY` puts first; plain `DISTINCT` compares every visible column.
#[derive(Clone, Debug)]
pub struct DistinctKeys {
    /// The columns compared.
    pub columns: Vec<usize>,
    /// `DISTINCT ON`: sort before keeping the first row of each set.
    pub on: bool,
}

/// The aggregation step.
#[derive(Clone, Debug)]
pub struct Aggregation {
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

/// What `EXPLAIN` prints of a query besides its plan's shape, kept only when the
/// statement is explained: conditions and keys deparsed from their bound forms (as
/// written where they have none), and the scope to deparse the planner's conditions in.
#[derive(Clone, Debug, Default)]
pub struct ExplainText {
    /// The `WHERE` condition.
    pub filter: Option<String>,
    /// The `AND`ed parts of `WHERE` as written, in order (when deparsing one fails).
    pub conditions: Vec<String>,
    /// The `ORDER BY` keys, as `Sort Key:` shows them.
    pub order: Vec<String>,
    /// The first `ORDER BY` key as an index scan's `Order By:` shows it.
    pub index_order: Option<String>,
    /// The `HAVING` condition.
    pub having: Option<String>,
    /// The `GROUP BY` keys, as `Group Key:` shows them.
    pub group_keys: Vec<String>,
    /// Each window's sort keys (partitioning, then ordering) as `Sort Key:` shows them.
    pub window_keys: Vec<Vec<String>>,
    /// The `FROM` item's alias, if any.
    pub alias: Option<String>,
    /// The source row's columns.
    pub scope: Scope,
    /// Whether columns are shown with their table (joins, lateral subqueries).
    pub qualify: bool,
}

/// A projection evaluated on the rows a DML statement touched (`RETURNING`).
#[derive(Clone, Debug, Default)]
pub struct Returning {
    /// The expressions, over the table's row.
    pub exprs: Vec<BoundExpr>,
    /// Their labels and types.
    pub columns: Vec<OutputColumn>,
}

/// Where an `INSERT`'s rows come from: values, or a query of type `Q`.
#[derive(Clone, Debug)]
pub enum InsertRows<Q> {
    /// `VALUES`: one expression per target column per row.
    Values(Vec<Vec<BoundExpr>>),
    /// A query whose columns are converted to the target columns' types.
    Query(Box<Q>, Vec<BoundExpr>),
}

/// An `INSERT` whose query part is of type `Q` (bound, or planned).
#[derive(Clone, Debug)]
pub struct Insert<Q> {
    /// The table.
    pub table: String,
    /// For each target column, its position in the table.
    pub targets: Vec<usize>,
    /// The rows.
    pub rows: InsertRows<Q>,
    /// Per `VALUES` row, the target slots written as `DEFAULT` (their bound values are
    /// placeholders).
    pub defaulted: Vec<Vec<usize>>,
    /// `ON CONFLICT` on the primary key.
    pub on_conflict: Option<OnConflict>,
    /// `RETURNING`.
    pub returning: Returning,
}

/// What `INSERT … ON CONFLICT` does with a row whose key is taken.
#[derive(Clone, Debug)]
pub struct OnConflict {
    /// The keys a proposed row is compared on (PostgreSQL's arbiter indexes): `None`
    /// for the primary key, `Some(i)` for the table's `i`th unique constraint.
    pub arbiters: Vec<Option<usize>>,
    /// `DO UPDATE SET`: column position and new value, over the existing row followed
    /// by the proposed (`excluded`) row; `None` for `DO NOTHING`.
    pub update: Option<Vec<(usize, BoundExpr)>>,
}

/// An `UPDATE`.
#[derive(Clone, Debug)]
pub struct Update {
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

/// A `DELETE`.
#[derive(Clone, Debug)]
pub struct Delete {
    /// The table.
    pub table: String,
    /// The filter, over the table's row.
    pub filter: Option<BoundExpr>,
    /// `RETURNING`, over the deleted row.
    pub returning: Returning,
}

/// A bound statement with the scalar subqueries its expressions refer to (by
/// [`SubqueryId`](crate::expr::SubqueryId), their place in `subqueries`).
#[derive(Clone, Debug)]
pub struct Analyzed<T> {
    /// The statement.
    pub statement: T,
    /// Its scalar subqueries.
    pub subqueries: Vec<BoundQuery>,
    /// The types of its `$n` parameters, in order (empty without parameters).
    pub params: Vec<SqlType>,
    /// Notices binding raised.
    pub notices: Vec<crate::error::EngineError>,
}
