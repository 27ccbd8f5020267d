//! Binding `VALUES (…), (…)`: every row the same length, each column's values brought
//! to the type PostgreSQL's `select_common_type` picks for it (a string literal or NULL
//! takes the other rows' type, text when no row has one), the columns named `column1`,
//! `column2`, … The rows are computed when the statement runs.

use super::bound::BoundFrom;
use super::conditional::common_type;
use super::context::Context;
use super::expr::{Binder, Typed};
use super::{Scope, ScopeColumn};
use crate::error::{EngineError, Result};
use crate::sql::ast::Expr;
use crate::value::cast::CoercionContext;

/// The rows of `VALUES` and the scope of their columns.
pub(super) fn bind_values(cx: &Context<'_>, rows: &[Vec<Expr>]) -> Result<(BoundFrom, Scope)> {
    let width = rows.first().map_or(0, Vec::len);
    if let Some(row) = rows.iter().find(|row| row.len() != width) {
        let error = EngineError::new("42601", "VALUES lists must all be the same length");
        return Err(match row.first() {
            Some(first) => error.at(first.pos.0),
            None => error,
        });
    }
    let empty = Scope::default();
    let mut binder = Binder {
        cx,
        scope: &empty,
        aggregates: None,
        windows: None,
    };
    let mut bound: Vec<Vec<(Typed, usize)>> = Vec::with_capacity(rows.len());
    for row in rows {
        let mut values = Vec::with_capacity(width);
        for expr in row {
            values.push((binder.bind(expr)?, expr.pos.0));
        }
        bound.push(values);
    }
    let mut columns = Vec::with_capacity(width);
    for index in 0..width {
        let values: Vec<(&Typed, usize)> = bound
            .iter()
            .map(|row| (&row[index].0, row[index].1))
            .collect();
        let ty = common_type(&values, "VALUES")?;
        columns.push(ScopeColumn {
            table: None,
            name: format!("column{}", index + 1),
            ty,
            typmod: -1,
            qualified_only: false,
        });
    }
    let mut exprs = Vec::with_capacity(bound.len());
    for row in bound {
        let mut converted = Vec::with_capacity(width);
        for ((value, pos), column) in row.into_iter().zip(&columns) {
            let value = binder.convert(value, &column.ty, -1, CoercionContext::Implicit, pos)?;
            converted.push(value.expr);
        }
        exprs.push(converted);
    }
    let scope = Scope {
        columns,
        outer: Vec::new(),
    };
    Ok((BoundFrom::Values(exprs), scope))
}
