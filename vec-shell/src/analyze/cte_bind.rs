//! Binding a reference to a `WITH` query (a [`FromItem::Cte`] left by inlining): its
//! query, bound afresh, with the column names of `name(columns)`; a recursive one as a
//! [`RecursiveUnion`] whose columns have the non-recursive term's types, and the
//! recursive term's reference to it as a [`WorkTable`] of those columns.
//!
//! [`FromItem::Cte`]: crate::sql::ast::FromItem::Cte

use super::bound::{BoundFrom, OutputColumn, RecursiveUnion, WorkTable};
use super::conditional::common_type;
use super::context::Context;
use super::query::bind_select;
use super::setop::{convert_column, origins, side_type, Origin};
use super::{Scope, ScopeColumn};
use crate::error::{EngineError, Result};
use crate::sql::ast::{Cte, Expr, ExprKind, SelectItem};

/// The rows of a reference to `cte` (aliased `alias`) and the scope they give.
pub(super) fn bind_cte(
    cx: &Context<'_>,
    cte: &Cte,
    alias: Option<&String>,
) -> Result<(BoundFrom, Scope)> {
    let qualifier = alias.unwrap_or(&cte.name);
    let operation = match (cte.recursive, &cte.query.set_operation) {
        (true, Some(operation)) => operation,
        _ => {
            let bound = bind_select(cx, &cte.query, &[])?;
            let columns = named_columns(cte, &bound.columns)?;
            let scope = scope_of(qualifier, &columns);
            return Ok((BoundFrom::Subquery(Box::new(bound)), scope));
        }
    };
    let non_recursive = bind_select(cx, &operation.left, &[])?;
    let columns = named_columns(cte, &non_recursive.columns)?;
    let work_table = cx.open_work_table(&cte.name, columns.clone());
    let recursive = bind_select(cx, &operation.right, &[]);
    cx.close_work_table();
    let mut recursive = recursive?;
    if recursive
        .aggregate
        .as_ref()
        .is_some_and(|aggregation| !aggregation.calls.is_empty())
    {
        let pos = aggregate_pos(&operation.right.items).unwrap_or(0);
        return Err(EngineError::new(
            "42P19",
            "aggregate functions are not allowed in a recursive query's recursive term",
        )
        .at(pos));
    }
    let width = non_recursive.columns.len();
    let left_origins = origins(&operation.left, width);
    let right_origins = origins(&operation.right, recursive.columns.len());
    if recursive.columns.len() != width {
        let error = EngineError::new(
            "42601",
            "each UNION query must have the same number of columns",
        );
        return Err(match right_origins.first().and_then(|o| o.pos) {
            Some(pos) => error.at(pos),
            None => error,
        });
    }
    for (index, column) in non_recursive.columns.iter().enumerate() {
        let fixed = side_type(
            column,
            &Origin {
                pos: None,
                literal: None,
            },
        );
        let other = side_type(&recursive.columns[index], &right_origins[index]);
        let right_pos = right_origins[index].pos.unwrap_or(0);
        let left_pos = left_origins[index].pos.unwrap_or(0);
        let ty = common_type(&[(&fixed, left_pos), (&other, right_pos)], "UNION")?;
        let same_typmod = recursive.columns[index].ty == column.ty
            && recursive.columns[index].typmod == column.typmod;
        let typmod = if same_typmod { column.typmod } else { -1 };
        if ty != column.ty || typmod != column.typmod {
            return Err(EngineError::new(
                "42804",
                format!(
                    "recursive query \"{}\" column {} has type {} in non-recursive term but type {} overall",
                    cte.name,
                    index + 1,
                    column.ty.name_with_typmod(column.typmod),
                    ty.name_with_typmod(typmod),
                ),
            )
            .at(left_pos)
            .with_hint("Cast the output of the non-recursive term to the correct type."));
        }
        convert_column(cx, &mut recursive, index, &right_origins[index], &ty)?;
        recursive.columns[index].typmod = typmod;
    }
    let scope = scope_of(qualifier, &columns);
    let union = RecursiveUnion {
        name: cte.name.clone(),
        alias: alias.cloned(),
        work_table,
        all: operation.all,
        non_recursive,
        recursive,
    };
    Ok((BoundFrom::RecursiveUnion(Box::new(union)), scope))
}

/// The rows of the work table `name` (aliased `alias`) that a recursive term reads.
pub(super) fn bind_work_table(
    cx: &Context<'_>,
    name: &str,
    alias: Option<&String>,
) -> Result<(BoundFrom, Scope)> {
    let (id, columns) = cx.work_table(name).ok_or_else(|| {
        EngineError::internal(format!("the work table of \"{name}\" is not open"))
    })?;
    let scope = scope_of(alias.map_or(name, String::as_str), &columns);
    let source = BoundFrom::WorkTable(WorkTable {
        id,
        name: name.to_string(),
        alias: alias.cloned(),
    });
    Ok((source, scope))
}

/// A query's columns renamed by the `WITH` query's column list, which may not be
/// longer than they are.
fn named_columns(cte: &Cte, columns: &[OutputColumn]) -> Result<Vec<OutputColumn>> {
    if cte.columns.len() > columns.len() {
        return Err(EngineError::new(
            "42P10",
            format!(
                "WITH query \"{}\" has {} columns available but {} columns specified",
                cte.name,
                columns.len(),
                cte.columns.len()
            ),
        )
        .at(cte.pos.0));
    }
    Ok(columns
        .iter()
        .enumerate()
        .map(|(index, column)| OutputColumn {
            name: cte.columns.get(index).unwrap_or(&column.name).clone(),
            ..column.clone()
        })
        .collect())
}

fn scope_of(qualifier: &str, columns: &[OutputColumn]) -> Scope {
    Scope {
        columns: columns
            .iter()
            .map(|column| ScopeColumn {
                table: Some(qualifier.to_string()),
                name: column.name.clone(),
                ty: column.ty.clone(),
                typmod: column.typmod,
                qualified_only: false,
            })
            .collect(),
        outer: Vec::new(),
    }
}

/// Where the first aggregate call of a select list is written.
fn aggregate_pos(items: &[SelectItem]) -> Option<usize> {
    items.iter().find_map(|item| match item {
        SelectItem::Expr { expr, .. } => find_aggregate(expr),
        SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard { .. } => None,
    })
}

fn find_aggregate(expr: &Expr) -> Option<usize> {
    if !super::aggregate::contains_aggregate(expr) {
        return None;
    }
    let inner = match &expr.kind {
        ExprKind::Function { name, args, .. } if !super::aggregate::is_aggregate(name) => {
            args.iter().find_map(find_aggregate)
        }
        ExprKind::Unary { operand, .. }
        | ExprKind::IsNull { operand, .. }
        | ExprKind::Cast { operand, .. } => find_aggregate(operand),
        ExprKind::Binary { left, right, .. } => {
            find_aggregate(left).or_else(|| find_aggregate(right))
        }
        _ => None,
    };
    Some(inner.unwrap_or(expr.pos.0))
}
