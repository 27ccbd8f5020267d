//! `GROUP BY` keys that name the select list rather than the input, as PostgreSQL reads
//! them: an integer (`GROUP BY 1`) stands for that select-list item, and a bare name that
//! is no input column for the item of that output name (`SELECT k % 10 AS d … GROUP BY
//! d`). An input column of the name wins over an output alias. The keys are replaced by
//! the items' expressions before anything is bound, so the grouping check and the plan
//! see the query as if the expressions had been written out.

use super::{Scope, ScopeColumn};
use crate::error::{EngineError, Result};
use crate::sql::ast::{Expr, ExprKind, Select, SelectItem};

/// `select` with its output-naming `GROUP BY` keys written out; `None` when it has none.
pub(super) fn output_group_keys(select: &Select, scope: &Scope) -> Result<Option<Select>> {
    let mut keys = select.group_by.clone();
    let mut changed = false;
    for key in keys.iter_mut() {
        let replacement = match &key.kind {
            ExprKind::Number(text) => Some(by_position(select, scope, text, key.pos.0)?),
            ExprKind::Column(parts) if parts.len() == 1 && !is_input(scope, &parts[0]) => {
                by_alias(select, &parts[0], key.pos.0)?
            }
            _ => None,
        };
        if let Some(replacement) = replacement {
            *key = replacement;
            changed = true;
        }
    }
    Ok(changed.then(|| Select {
        group_by: keys,
        ..select.clone()
    }))
}

/// Whether an unqualified name is a column of the query's input.
fn is_input(scope: &Scope, name: &str) -> bool {
    scope
        .columns
        .iter()
        .any(|column| !column.qualified_only && column.name == name)
}

/// The select-list item an output name (`AS name`) gives, if one does; PostgreSQL's
/// error when two different items take the name.
fn by_alias(select: &Select, name: &str, pos: usize) -> Result<Option<Expr>> {
    let mut named = select.items.iter().filter_map(|item| match item {
        SelectItem::Expr {
            expr,
            alias: Some(alias),
        } if alias == name => Some(expr),
        _ => None,
    });
    let Some(first) = named.next() else {
        return Ok(None);
    };
    // The same expression twice is no ambiguity (positions aside, as written).
    if named.any(|other| other.to_string() != first.to_string()) {
        return Err(EngineError::new("42702", format!("GROUP BY \"{name}\" is ambiguous")).at(pos));
    }
    Ok(Some(first.clone()))
}

/// The expression at 1-based position `text` of the select list (`*` counts as the
/// columns it stands for); PostgreSQL's errors for a position outside it and for a
/// constant that is not an integer.
fn by_position(select: &Select, scope: &Scope, text: &str, pos: usize) -> Result<Expr> {
    let Ok(position) = text.parse::<usize>() else {
        return Err(EngineError::new("42601", "non-integer constant in GROUP BY").at(pos));
    };
    let outside = || {
        EngineError::new(
            "42P10",
            format!("GROUP BY position {text} is not in select list"),
        )
        .at(pos)
    };
    let mut remaining = position.checked_sub(1).ok_or_else(outside)?;
    for item in &select.items {
        match item {
            SelectItem::Expr { expr, .. } => {
                if remaining == 0 {
                    return Ok(expr.clone());
                }
                remaining -= 1;
            }
            SelectItem::Wildcard(star) | SelectItem::QualifiedWildcard { pos: star, .. } => {
                let table = match item {
                    SelectItem::QualifiedWildcard { table, .. } => Some(table.as_str()),
                    _ => None,
                };
                let columns: Vec<_> = scope
                    .star_columns(table, star.0)?
                    .into_iter()
                    .map(|i| &scope.columns[i])
                    .collect();
                if let Some(column) = columns.get(remaining) {
                    return Ok(Expr {
                        kind: ExprKind::Column(column_name(scope, column)),
                        pos: *star,
                    });
                }
                remaining -= columns.len();
            }
        }
    }
    Err(outside())
}

/// How a query names an input column that `*` stands for: by its name alone, or with
/// its table where another column has the same name.
pub(super) fn column_name(scope: &Scope, column: &ScopeColumn) -> Vec<String> {
    let ambiguous = scope
        .columns
        .iter()
        .filter(|c| !c.qualified_only && c.name == column.name)
        .count()
        > 1;
    let mut name: Vec<String> = match (&column.table, ambiguous) {
        (Some(table), true) => vec![table.clone()],
        _ => Vec::new(),
    };
    name.push(column.name.clone());
    name
}
