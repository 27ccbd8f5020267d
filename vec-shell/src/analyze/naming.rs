//! Result column labels, as PostgreSQL's `FigureColname` chooses them: a column's name,
//! a function's name, `array` for `ARRAY[…]`, a cast's type (in its internal spelling,
//! so `1::real` is labelled `float4`) when nothing better is known, else `?column?`.

use crate::sql::ast::{Expr, ExprKind, SelectItem};

/// The label of a select-list expression.
pub fn column_label(expr: &Expr) -> String {
    figure(expr).map_or_else(|| "?column?".to_string(), |(name, _)| name)
}

/// The label and its strength (2 for a name from a column or function, 1 for a type).
fn figure(expr: &Expr) -> Option<(String, u8)> {
    match &expr.kind {
        ExprKind::Column(parts) => parts.last().map(|n| (n.clone(), 2)),
        ExprKind::Subscript { operand, .. } => figure(operand),
        ExprKind::Function { name, .. } => Some((name.clone(), 2)),
        ExprKind::Array(_)
        | ExprKind::SubLink {
            kind: crate::sql::ast::SubLinkKind::Array,
            ..
        } => Some(("array".to_string(), 2)),
        ExprKind::Bool(_) => Some(("bool".to_string(), 1)),
        ExprKind::SubLink {
            kind: crate::sql::ast::SubLinkKind::Exists,
            ..
        } => Some(("exists".to_string(), 2)),
        ExprKind::Cast { operand, type_name } => {
            let inner = figure(operand);
            match inner {
                Some((name, 2)) => Some((name, 2)),
                _ => Some((internal_type_name(&type_name.name).to_string(), 1)),
            }
        }
        ExprKind::Subquery(query) => match leftmost_operand(query).items.first() {
            Some(SelectItem::Expr {
                alias: Some(alias), ..
            }) => Some((alias.clone(), 2)),
            Some(SelectItem::Expr { expr, .. }) => figure(expr),
            _ => None,
        },
        // A CASE takes its ELSE's name when that is a strong one, else `case`.
        ExprKind::Case { otherwise, .. } => match otherwise.as_deref().and_then(figure) {
            Some((name, 2)) => Some((name, 2)),
            _ => Some(("case".to_string(), 1)),
        },
        _ => None,
    }
}

/// PostgreSQL's internal name of a type as written.
fn internal_type_name(name: &str) -> &str {
    match name {
        "integer" => "int4",
        "bigint" => "int8",
        "smallint" => "int2",
        "real" => "float4",
        "double precision" => "float8",
        "boolean" => "bool",
        "character varying" => "varchar",
        "bit varying" => "varbit",
        other => other,
    }
}

/// The query whose select list names a set operation's columns: its leftmost operand.
pub(super) fn leftmost_operand(mut query: &crate::sql::ast::Select) -> &crate::sql::ast::Select {
    while let Some(operation) = &query.set_operation {
        query = &operation.left;
    }
    query
}
