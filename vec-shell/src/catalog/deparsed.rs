//! Expressions the catalog keeps as SQL text (defaults, generation expressions, check
//! constraints, partial indexes' predicates), printed as PostgreSQL's deparser prints
//! them in psql's `\d` and in `pg_get_expr` / `pg_get_constraintdef`.

use super::Column;
use crate::sql::ast::{Expr, ExprKind, SelectItem, Statement};

/// An expression stored as SQL text, parsed again.
pub fn parse_expr(text: &str) -> Option<Expr> {
    let parsed = crate::sql::parse(&format!("SELECT {text}"));
    match parsed.as_deref() {
        Ok([Statement::Select(select)]) => match select.items.first() {
            Some(SelectItem::Expr { expr, .. }) => Some(expr.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// How `\d` shows a stored expression: in PostgreSQL's pretty style.
pub fn shown(text: &str) -> String {
    match parse_expr(text) {
        Some(expr) => crate::sql::pretty::pretty(&expr),
        None => text.to_string(),
    }
}

/// How `\d` shows a column's default: a bare string constant carries its type, as
/// PostgreSQL's deparser writes it (`'x'::text`).
pub fn shown_default(column: &Column, text: &str) -> String {
    match parse_expr(text) {
        Some(expr) if matches!(expr.kind, ExprKind::String(_)) => {
            format!(
                "{}::{}",
                crate::sql::pretty::pretty(&expr),
                column.ty.name()
            )
        }
        _ => shown(text),
    }
}
