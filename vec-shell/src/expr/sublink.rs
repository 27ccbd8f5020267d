//! Queries inside expressions that are tested rather than read as one value —
//! `EXISTS (query)`, `left op ANY (query)` (`IN`), `left op ALL (query)` — and scalar
//! subqueries that name the enclosing row's columns. An uncorrelated query runs once per
//! statement and its values are remembered; a correlated one runs again for each row,
//! with that row as its outer row. `ANY` and `ALL` follow SQL's three-valued logic as
//! PostgreSQL does: `x IN (…)` is NULL when no row matches and some comparison was NULL,
//! so `NOT IN` over a query that returns a NULL is never true. `ARRAY(query)` gathers
//! the query's values into an array; `left op ANY | ALL (array)` tests the elements of
//! an array value with the same logic.

use super::eval::{eval, Environment};
use super::{BoundExpr, SubqueryId};
use crate::error::{EngineError, Result};
use crate::value::Datum;

/// A query tested inside an expression.
#[derive(Clone, Debug, PartialEq)]
pub struct SubLink {
    /// The test.
    pub test: SubLinkTest,
    /// The query, by its place in the statement's list of subqueries.
    pub query: SubqueryId,
    /// Whether the query names the row's columns (then it runs once per row).
    pub correlated: bool,
    /// `ANY` / `ALL`: the left operand, over the row.
    pub left: Option<BoundExpr>,
    /// `ANY` / `ALL`: the comparison, over the two-column row (left value, query value).
    pub compare: Option<BoundExpr>,
}

/// The tests of a [`SubLink`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubLinkTest {
    /// `EXISTS`: whether the query returns a row.
    Exists,
    /// `op ANY`: whether the comparison holds for some row.
    Any,
    /// `op ALL`: whether the comparison holds for every row.
    All,
    /// A scalar subquery that names the row's columns: its one value (NULL without a row).
    Scalar,
    /// `ARRAY(query)`: the query's values as an array (empty without a row).
    Array,
}

/// `left op ANY | ALL (array)` over an array value.
#[derive(Clone, Debug, PartialEq)]
pub struct ArrayCompare {
    /// The left operand, over the row.
    pub left: BoundExpr,
    /// The array, over the row.
    pub array: BoundExpr,
    /// The comparison, over the two-column row (left value, element).
    pub compare: BoundExpr,
    /// `ALL` (else `ANY`).
    pub all: bool,
    /// The operator as written, for `EXPLAIN`.
    pub op: std::sync::Arc<str>,
    /// The array's type, for `EXPLAIN` (a constant array prints as `'{…}'::type`).
    pub array_type: crate::value::SqlType,
}

/// Evaluates `left op ANY | ALL (array)` on `row`, as PostgreSQL's `ScalarArrayOpExpr`:
/// NULL for a NULL array; `false` (`ANY`) or `true` (`ALL`) for an empty one, whatever
/// the left operand; otherwise NULL when no element decided and some comparison was NULL.
pub fn eval_array_compare(
    test: &ArrayCompare,
    row: &[Datum],
    context: &dyn Environment,
) -> Result<Datum> {
    let left = eval(&test.left, row, context)?;
    let array = match eval(&test.array, row, context)? {
        Datum::Null => return Ok(Datum::Null),
        Datum::Array(array) => array,
        _ => {
            return Err(EngineError::internal(
                "ANY or ALL over a value that is not an array",
            ))
        }
    };
    quantify(left, array.elements, &test.compare, !test.all, context)
}

/// Whether the comparison of `left` with each value holds for some (`any`) or every
/// value, in three-valued logic.
fn quantify(
    left: Datum,
    values: Vec<Datum>,
    compare: &BoundExpr,
    any: bool,
    context: &dyn Environment,
) -> Result<Datum> {
    // ANY stops at the first true comparison, ALL at the first false one.
    let mut saw_null = false;
    let mut pair = [left, Datum::Null];
    for value in values {
        pair[1] = value;
        match eval(compare, &pair, context)? {
            Datum::Bool(result) if result == any => return Ok(Datum::Bool(any)),
            Datum::Bool(_) => {}
            Datum::Null => saw_null = true,
            _ => return Err(EngineError::internal("a comparison that is not boolean")),
        }
    }
    Ok(if saw_null {
        Datum::Null
    } else {
        Datum::Bool(!any)
    })
}

/// Evaluates a sub-link on `row`.
pub fn eval_sublink(link: &SubLink, row: &[Datum], context: &dyn Environment) -> Result<Datum> {
    let outer = link.correlated.then_some(row);
    match link.test {
        SubLinkTest::Exists => {
            let rows = context.subquery_rows(link.query, outer, Some(1))?;
            Ok(Datum::Bool(!rows.is_empty()))
        }
        SubLinkTest::Scalar => {
            let mut rows = context.subquery_rows(link.query, outer, Some(2))?;
            if rows.len() > 1 {
                return Err(EngineError::new(
                    "21000",
                    "more than one row returned by a subquery used as an expression",
                ));
            }
            Ok(rows.pop().unwrap_or(Datum::Null))
        }
        SubLinkTest::Array => {
            let rows = context.subquery_rows(link.query, outer, None)?;
            Ok(super::array_datum(rows))
        }
        SubLinkTest::Any | SubLinkTest::All => {
            let (Some(left), Some(compare)) = (&link.left, &link.compare) else {
                return Err(EngineError::internal("ANY or ALL without its comparison"));
            };
            let left = eval(left, row, context)?;
            let values = context.subquery_rows(link.query, outer, None)?;
            quantify(
                left,
                values,
                compare,
                link.test == SubLinkTest::Any,
                context,
            )
        }
    }
}
