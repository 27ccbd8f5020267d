//! Binding `CHECK` constraints: the expression is bound over the table's row (as a
//! generation expression is) and must be boolean; subqueries, aggregates and
//! set-returning functions are refused with PostgreSQL's messages. The catalog keeps
//! the expression as SQL text, bound again by each statement that writes the table.

use super::defaults::{
    bind_over_row, first_forbidden, is_aggregate_call, is_set_returning, not_allowed,
};
use crate::catalog::{Catalog, Table};
use crate::error::Result;
use crate::expr::BoundExpr;
use crate::sql::ast::{Expr, ExprKind};
use crate::value::SqlType;

/// Binds a `CHECK` expression over `table`'s row; its value is boolean.
pub fn bind_check(catalog: &Catalog, table: &Table, expr: &Expr) -> Result<BoundExpr> {
    let found = first_forbidden(expr, &mut |e| {
        matches!(e.kind, ExprKind::Subquery(_) | ExprKind::SubLink { .. })
            || is_aggregate_call(e)
            || is_set_returning(e)
    });
    if let Some(found) = found {
        return Err(not_allowed(&found, "check constraint"));
    }
    bind_over_row(catalog, table, expr, |binder, _, value| {
        binder.coerce(value, &SqlType::Bool, expr.pos.0, "argument of CHECK")
    })
}

/// Binds every check constraint of `table` (stored as SQL text): name and expression.
pub fn bind_checks(catalog: &Catalog, table: &Table) -> Result<Vec<(String, BoundExpr)>> {
    table
        .check_constraints()
        .map(|(name, text)| {
            let expr = super::defaults::parse_stored(text)?;
            Ok((name.to_string(), bind_check(catalog, table, &expr)?))
        })
        .collect()
}

/// The one column `expr` reads, when it reads exactly one (a check constraint is then
/// named after it); `None` when it reads none or several.
pub fn only_column(table: &Table, expr: &Expr) -> Option<String> {
    let mut names: Vec<String> = Vec::new();
    first_forbidden(expr, &mut |e| {
        if let ExprKind::Column(parts) = &e.kind {
            if let Some(name) = parts.last() {
                if table.column_index(name).is_some() && !names.contains(name) {
                    names.push(name.clone());
                }
            }
        }
        false
    });
    match names.as_slice() {
        [name] => Some(name.clone()),
        _ => None,
    }
}
