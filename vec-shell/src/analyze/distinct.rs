//! `SELECT DISTINCT` and `SELECT DISTINCT ON (exprs)`: which projected columns make rows
//! equal, with PostgreSQL's rules tying them to `ORDER BY`. Under `DISTINCT`, every
//! `ORDER BY` key must be a visible column; under `DISTINCT ON`, the `ORDER BY` keys
//! that are `DISTINCT ON` expressions must come first, and the `DISTINCT ON`
//! expressions `ORDER BY` lacks are sorted on after its keys (ascending), as
//! PostgreSQL's sort before its `Unique` step does.

use super::bound::{DistinctKeys, OutputColumn, SortKey};
use super::query::order_target;
use crate::error::{EngineError, Result};
use crate::expr::BoundExpr;
use crate::sql::ast::{Distinct, Expr, OrderKey};

/// What binding `DISTINCT` needs from the query being bound.
pub(super) struct DistinctInput<'q> {
    /// `DISTINCT` as written.
    pub distinct: &'q Distinct,
    /// `ORDER BY` as written.
    pub order_by: &'q [OrderKey],
    /// The visible columns.
    pub columns: &'q [OutputColumn],
    /// The projection (visible columns, then hidden sort keys); `DISTINCT ON`
    /// expressions that are not visible columns are added to it.
    pub projection: &'q mut Vec<BoundExpr>,
    /// The bound `ORDER BY` keys; sort keys `DISTINCT ON` needs are added.
    pub order: &'q mut Vec<SortKey>,
}

/// Binds `DISTINCT`; `bind` binds an expression of the select list's scope.
pub(super) fn bind_distinct(
    input: DistinctInput<'_>,
    bind: &mut dyn FnMut(&Expr) -> Result<BoundExpr>,
) -> Result<DistinctKeys> {
    let visible = input.columns.len();
    let exprs =
        match input.distinct {
            Distinct::All => {
                // Every ORDER BY key must be a visible column (one written the same way
                // counts).
                for (key, written) in input.order.iter_mut().zip(input.order_by) {
                    if key.column < visible {
                        continue;
                    }
                    let same = input.projection[..visible]
                        .iter()
                        .position(|expr| *expr == input.projection[key.column]);
                    match same {
                        Some(column) => key.column = column,
                        None => return Err(EngineError::new(
                            "42P10",
                            "for SELECT DISTINCT, ORDER BY expressions must appear in select list",
                        )
                        .at(written.expr.pos.0)),
                    }
                }
                return Ok(DistinctKeys {
                    columns: (0..visible).collect(),
                    on: false,
                });
            }
            Distinct::On(exprs) => exprs,
        };
    let mut columns: Vec<usize> = Vec::new();
    let mut positions = Vec::new();
    for expr in exprs {
        let visible = Some(&input.projection[..input.columns.len()]);
        let column = match order_target(
            &expr.kind,
            expr.pos.0,
            "DISTINCT ON",
            input.columns,
            visible,
        )? {
            Some(column) => column,
            None => {
                let bound = bind(expr)?;
                match input.projection.iter().position(|e| *e == bound) {
                    Some(column) => column,
                    None => {
                        input.projection.push(bound);
                        input.projection.len() - 1
                    }
                }
            }
        };
        if !columns.contains(&column) {
            columns.push(column);
            positions.push(expr.pos.0);
        }
    }
    // ORDER BY keys name projection columns; a key that is a DISTINCT ON expression
    // may not follow one that is not.
    let same_column =
        |a: usize, b: usize, projection: &[BoundExpr]| a == b || projection[a] == projection[b];
    let mut skipped = false;
    for key in input.order.iter() {
        let found = columns
            .iter()
            .position(|&c| same_column(c, key.column, input.projection));
        match found {
            Some(index) if skipped => return Err(mismatch(positions[index])),
            Some(_) => {}
            None => skipped = true,
        }
    }
    for (&column, &pos) in columns.iter().zip(&positions) {
        let sorted = input
            .order
            .iter()
            .any(|key| same_column(column, key.column, input.projection));
        if sorted {
            continue;
        }
        if skipped {
            return Err(mismatch(pos));
        }
        input.order.push(SortKey {
            column,
            descending: false,
            nulls_first: false,
        });
    }
    Ok(DistinctKeys { columns, on: true })
}

fn mismatch(pos: usize) -> EngineError {
    EngineError::new(
        "42P10",
        "SELECT DISTINCT ON expressions must match initial ORDER BY expressions",
    )
    .at(pos)
}
