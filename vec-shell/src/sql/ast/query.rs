//! The syntax of queries (`SELECT` with its `WITH` list), set operations, `DISTINCT`,
//! queries tested inside expressions and `CREATE TABLE … AS` (re-exported by the parent
//! module).

use super::{Expr, FromItem, NamedWindow, OrderKey, Pos, SelectItem};

/// `SELECT DISTINCT` or `SELECT DISTINCT ON (exprs)`.
#[derive(Clone, Debug, PartialEq)]
pub enum Distinct {
    /// `DISTINCT`: one row of each set of equal rows.
    All,
    /// `DISTINCT ON (exprs)`: the first row of each set of rows equal in `exprs`.
    On(Vec<Expr>),
}

/// `left UNION | INTERSECT | EXCEPT [ALL] right`.
#[derive(Clone, Debug, PartialEq)]
pub struct SetOperation {
    /// Which operation.
    pub operator: SetOperator,
    /// `ALL`: duplicates are kept (counted) rather than removed.
    pub all: bool,
    /// The left operand.
    pub left: Select,
    /// The right operand.
    pub right: Select,
    /// Where the operator was written.
    pub pos: Pos,
}

/// The set operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetOperator {
    /// `UNION`: the rows of either side.
    Union,
    /// `INTERSECT`: the rows of both sides.
    Intersect,
    /// `EXCEPT`: the left side's rows that the right side lacks.
    Except,
}

impl SetOperator {
    /// The keyword, as PostgreSQL's messages name the operation.
    pub fn keyword(self) -> &'static str {
        match self {
            SetOperator::Union => "UNION",
            SetOperator::Intersect => "INTERSECT",
            SetOperator::Except => "EXCEPT",
        }
    }
}

/// `CREATE TABLE [IF NOT EXISTS] name [(column names)] AS query [WITH [NO] DATA]`.
#[derive(Clone, Debug, PartialEq)]
pub struct CreateTableAs {
    /// The table's name.
    pub name: String,
    /// `IF NOT EXISTS` was given.
    pub if_not_exists: bool,
    /// Names for the first columns (the query's labels name the rest).
    pub columns: Vec<(String, Pos)>,
    /// The query whose columns and rows make the table.
    pub query: Select,
    /// `WITH DATA` (the default) rather than `WITH NO DATA`.
    pub with_data: bool,
}

/// The tests of a query inside an expression ([`super::ExprKind::SubLink`]).
#[derive(Clone, Debug, PartialEq)]
pub enum SubLinkKind {
    /// `EXISTS`: whether the query returns a row.
    Exists,
    /// `left op ANY (query)`: whether `op` holds for some row (`IN` is `= ANY`).
    Any {
        /// The left operand.
        left: Box<Expr>,
        /// The operator.
        op: String,
    },
    /// `ARRAY(query)`: the query's one column as an array.
    Array,
    /// `left op ALL (query)`: whether `op` holds for every row.
    All {
        /// The left operand.
        left: Box<Expr>,
        /// The operator.
        op: String,
    },
}

/// A `SELECT` query.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Select {
    /// The common table expressions of `WITH`, in order.
    pub with: Vec<Cte>,
    /// The select list.
    pub items: Vec<SelectItem>,
    /// The `FROM` item, if any.
    pub from: Option<FromItem>,
    /// The `WHERE` filter.
    pub selection: Option<Expr>,
    /// The `GROUP BY` keys.
    pub group_by: Vec<Expr>,
    /// The `HAVING` filter.
    pub having: Option<Expr>,
    /// The `WINDOW` clause's named windows.
    pub windows: Vec<NamedWindow>,
    /// The `ORDER BY` keys.
    pub order_by: Vec<OrderKey>,
    /// `LIMIT` (`None` for no limit or `LIMIT ALL`).
    pub limit: Option<Expr>,
    /// `OFFSET`.
    pub offset: Option<Expr>,
    /// `DISTINCT` or `DISTINCT ON (…)`.
    pub distinct: Option<Distinct>,
    /// A set operation (`UNION`, `INTERSECT`, `EXCEPT`): then the query's rows are the
    /// operation's, the select list, `FROM`, `WHERE`, `GROUP BY` and `HAVING` are empty,
    /// and `WITH`, `ORDER BY`, `LIMIT` and `OFFSET` apply to the whole result.
    pub set_operation: Option<Box<SetOperation>>,
}

/// `name [(column, …)] AS [NOT] MATERIALIZED (query)` in `WITH`.
#[derive(Clone, Debug, PartialEq)]
pub struct Cte {
    /// The name the rest of the query uses.
    pub name: String,
    /// Where the name was written.
    pub pos: Pos,
    /// The column names given after the name, renaming the query's first columns.
    pub columns: Vec<String>,
    /// Written in a `WITH RECURSIVE` list: the query may name itself (after inlining,
    /// set only on a query that does).
    pub recursive: bool,
    /// `MATERIALIZED` (`Some(true)`), `NOT MATERIALIZED` (`Some(false)`) or neither.
    pub materialized: Option<bool>,
    /// The query.
    pub query: Box<Select>,
}
