//! Queries inside expressions that are tested rather than read as one value —
//! `EXISTS (query)`, `left op ANY (query)` (`IN`), `left op ALL (query)` — and scalar
//! subqueries that name the enclosing row's columns. An uncorrelated query runs once per
//! statement and its values are remembered; a correlated one runs again for each row,
//! with that row as its outer row. `ANY` and `ALL` follow SQL's three-valued logic as
//! PostgreSQL does: `x IN (…)` is NULL when no row matches and some comparison was NULL,
//! so `NOT IN` over a query that returns a NULL is never true.

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
        SubLinkTest::Any | SubLinkTest::All => {
            let (Some(left), Some(compare)) = (&link.left, &link.compare) else {
                return Err(EngineError::internal("ANY or ALL without its comparison"));
            };
            let left = eval(left, row, context)?;
            let values = context.subquery_rows(link.query, outer, None)?;
            // ANY stops at the first true comparison, ALL at the first false one.
            let decisive = link.test == SubLinkTest::Any;
            let mut saw_null = false;
            let mut pair = [left, Datum::Null];
            for value in values {
                pair[1] = value;
                match eval(compare, &pair, context)? {
                    Datum::Bool(result) if result == decisive => return Ok(Datum::Bool(decisive)),
                    Datum::Bool(_) => {}
                    Datum::Null => saw_null = true,
                    _ => return Err(EngineError::internal("a comparison that is not boolean")),
                }
            }
            Ok(if saw_null {
                Datum::Null
            } else {
                Datum::Bool(!decisive)
            })
        }
    }
}
