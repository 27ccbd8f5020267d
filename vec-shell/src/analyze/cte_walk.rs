//! A walk over the table references of a query (`FROM name`), everywhere in it:
//! `FROM` subqueries, joins, set operations, `WITH` queries and the subqueries of
//! expressions. Inlining `WITH` queries replaces the references that name one; a
//! recursive `WITH` query's checks look at where each reference to itself sits.

use crate::error::Result;
use crate::sql::ast::{
    Distinct, Expr, ExprKind, FromItem, JoinConstraint, JoinKind, Select, SelectItem, SubLinkKind,
};

/// Where a table reference sits.
#[derive(Clone, Debug, Default)]
pub(super) struct Place {
    /// Inside a subquery of an expression (a scalar subquery, `IN`, `EXISTS`, …).
    pub in_sublink: bool,
    /// On a side of an outer join that the join NULL-extends.
    pub nullable: bool,
    /// The names of `WITH` queries declared by the queries around the reference, inside
    /// the walked query: a reference to one of these names means that query.
    pub hidden: Vec<String>,
}

/// What a walk does with each reference: it may replace the item.
pub(super) type Visit<'v> = dyn FnMut(&mut FromItem, &Place) -> Result<()> + 'v;

/// Visits every table reference of `select`.
pub(super) fn walk_select(select: &mut Select, place: &Place, visit: &mut Visit<'_>) -> Result<()> {
    let hiding;
    let place = if select.with.is_empty() {
        place
    } else {
        let mut inner = place.clone();
        inner
            .hidden
            .extend(select.with.iter().map(|cte| cte.name.clone()));
        hiding = inner;
        &hiding
    };
    for cte in &mut select.with {
        walk_select(&mut cte.query, place, visit)?;
    }
    if let Some(operation) = &mut select.set_operation {
        walk_select(&mut operation.left, place, visit)?;
        walk_select(&mut operation.right, place, visit)?;
    }
    if let Some(Distinct::On(exprs)) = &mut select.distinct {
        for expr in exprs {
            walk_expr(expr, place, visit)?;
        }
    }
    if let Some(from) = &mut select.from {
        walk_from(from, place, visit)?;
    }
    for item in &mut select.items {
        if let SelectItem::Expr { expr, .. } = item {
            walk_expr(expr, place, visit)?;
        }
    }
    let exprs = select
        .selection
        .iter_mut()
        .chain(select.group_by.iter_mut())
        .chain(select.having.iter_mut())
        .chain(select.order_by.iter_mut().map(|key| &mut key.expr))
        .chain(select.limit.iter_mut())
        .chain(select.offset.iter_mut());
    for expr in exprs {
        walk_expr(expr, place, visit)?;
    }
    Ok(())
}

fn walk_from(item: &mut FromItem, place: &Place, visit: &mut Visit<'_>) -> Result<()> {
    match item {
        FromItem::Table { .. } => visit(item, place),
        // Already inlined: its query is walked when it is bound.
        FromItem::Cte { .. } | FromItem::WorkTable { .. } => Ok(()),
        FromItem::Function { call, .. } => walk_expr(call, place, visit),
        FromItem::Values { rows, .. } => {
            for expr in rows.iter_mut().flatten() {
                walk_expr(expr, place, visit)?;
            }
            Ok(())
        }
        FromItem::Subquery { query, .. } => walk_select(query, place, visit),
        FromItem::CrossJoin { left, right } => {
            walk_from(left, place, visit)?;
            walk_from(right, place, visit)
        }
        FromItem::Join {
            kind,
            left,
            right,
            constraint,
        } => {
            let side = |nullable: bool| Place {
                nullable: place.nullable || nullable,
                ..place.clone()
            };
            let left_nullable = matches!(kind, JoinKind::Right | JoinKind::Full);
            let right_nullable = matches!(kind, JoinKind::Left | JoinKind::Full);
            walk_from(left, &side(left_nullable), visit)?;
            walk_from(right, &side(right_nullable), visit)?;
            match constraint {
                JoinConstraint::On(condition) => walk_expr(condition, place, visit),
                JoinConstraint::Using(_) | JoinConstraint::Natural => Ok(()),
            }
        }
    }
}

fn walk_expr(expr: &mut Expr, place: &Place, visit: &mut Visit<'_>) -> Result<()> {
    let sublink = || Place {
        in_sublink: true,
        ..place.clone()
    };
    match &mut expr.kind {
        ExprKind::Unary { operand, .. }
        | ExprKind::IsNull { operand, .. }
        | ExprKind::Cast { operand, .. }
        | ExprKind::Collate { operand, .. } => walk_expr(operand, place, visit),
        ExprKind::Subscript {
            operand,
            lower,
            upper,
            ..
        } => {
            walk_expr(operand, place, visit)?;
            for bound in lower.iter_mut().chain(upper.iter_mut()) {
                walk_expr(bound, place, visit)?;
            }
            Ok(())
        }
        ExprKind::Binary { left, right, .. }
        | ExprKind::ArrayCompare {
            left, array: right, ..
        } => {
            walk_expr(left, place, visit)?;
            walk_expr(right, place, visit)
        }
        ExprKind::Chain { first, rest } => {
            walk_expr(first, place, visit)?;
            for link in rest {
                walk_expr(&mut link.operand, place, visit)?;
            }
            Ok(())
        }
        ExprKind::Function { args: items, .. } | ExprKind::Array(items) => {
            for item in items {
                walk_expr(item, place, visit)?;
            }
            Ok(())
        }
        ExprKind::Subquery(query) => walk_select(query, &sublink(), visit),
        ExprKind::SubLink { kind, query } => {
            if let SubLinkKind::Any { left, .. } | SubLinkKind::All { left, .. } = kind {
                walk_expr(left, place, visit)?;
            }
            walk_select(query, &sublink(), visit)
        }
        ExprKind::Case {
            operand,
            whens,
            otherwise,
        } => {
            for expr in operand.iter_mut().chain(otherwise.iter_mut()) {
                walk_expr(expr, place, visit)?;
            }
            for (when, then) in whens {
                walk_expr(when, place, visit)?;
                walk_expr(then, place, visit)?;
            }
            Ok(())
        }
        ExprKind::Number(_)
        | ExprKind::String(_)
        | ExprKind::BitString(_)
        | ExprKind::Bool(_)
        | ExprKind::Null
        | ExprKind::Default
        | ExprKind::Param(_)
        | ExprKind::Column(_) => Ok(()),
    }
}
