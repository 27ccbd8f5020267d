//! Common table expressions (`WITH name AS [NOT] MATERIALIZED (query) …`), planned by
//! inlining: every reference to a CTE in `FROM` becomes a subquery aliased by the
//! CTE's name. The engine's queries are deterministic except for `random()`, so a
//! materialized CTE answers the same as an inlined one; `MATERIALIZED` is accepted and
//! changes nothing. A query's own `WITH` hides an outer CTE of the same name, and each
//! CTE sees those defined before it.

use crate::error::{EngineError, Result};
use crate::sql::ast::{Expr, ExprKind, FromItem, Select, SelectItem};

/// The most CTE references one statement may expand into; CTEs that each name the one
/// before twice would otherwise grow the query exponentially.
const MAX_EXPANSIONS: usize = 10_000;

/// A CTE ready to substitute: its name, its query with earlier CTEs already inlined,
/// and how many references that query expanded.
type Defined = (String, Select, usize);

/// `select` with its `WITH` list inlined into the rest of the query.
pub fn inline_ctes(select: &Select) -> Result<Select> {
    let mut body = select.clone();
    let ctes = std::mem::take(&mut body.with);
    let mut defined: Vec<Defined> = Vec::new();
    for cte in ctes {
        let mut query = *cte.query;
        let mut weight = 1;
        substitute_select(&mut query, &defined, &mut weight)?;
        // A later CTE of the same name replaces the earlier one, as the last
        // definition is the one found first below.
        defined.insert(0, (cte.name, query, weight));
    }
    let mut weight = 0;
    substitute_select(&mut body, &defined, &mut weight)?;
    Ok(body)
}

fn substitute_select(select: &mut Select, ctes: &[Defined], weight: &mut usize) -> Result<()> {
    let visible: Vec<Defined> = ctes
        .iter()
        .filter(|(name, ..)| !select.with.iter().any(|cte| &cte.name == name))
        .cloned()
        .collect();
    for cte in &mut select.with {
        substitute_select(&mut cte.query, &visible, weight)?;
    }
    if let Some(operation) = &mut select.set_operation {
        substitute_select(&mut operation.left, &visible, weight)?;
        substitute_select(&mut operation.right, &visible, weight)?;
    }
    if let Some(crate::sql::ast::Distinct::On(exprs)) = &mut select.distinct {
        for expr in exprs {
            substitute_expr(expr, &visible, weight)?;
        }
    }
    if let Some(from) = &mut select.from {
        substitute_from(from, &visible, weight)?;
    }
    for item in &mut select.items {
        if let SelectItem::Expr { expr, .. } = item {
            substitute_expr(expr, &visible, weight)?;
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
        substitute_expr(expr, &visible, weight)?;
    }
    Ok(())
}

fn substitute_from(item: &mut FromItem, ctes: &[Defined], weight: &mut usize) -> Result<()> {
    match item {
        FromItem::Table { name, alias, pos } => {
            let Some((_, query, cost)) = ctes.iter().find(|(cte, ..)| cte == name) else {
                return Ok(());
            };
            *weight = weight.saturating_add(*cost);
            if *weight > MAX_EXPANSIONS {
                return Err(EngineError::new(
                    "54001",
                    "WITH query expands into too many references",
                )
                .at(pos.0));
            }
            *item = FromItem::Subquery {
                query: Box::new(query.clone()),
                alias: Some(alias.clone().unwrap_or_else(|| name.clone())),
                columns: Vec::new(),
                lateral: false,
            };
            Ok(())
        }
        FromItem::Function { call, .. } => substitute_expr(call, ctes, weight),
        FromItem::Values { rows, .. } => {
            for expr in rows.iter_mut().flatten() {
                substitute_expr(expr, ctes, weight)?;
            }
            Ok(())
        }
        FromItem::Subquery { query, .. } => substitute_select(query, ctes, weight),
        FromItem::CrossJoin { left, right } => {
            substitute_from(left, ctes, weight)?;
            substitute_from(right, ctes, weight)
        }
        FromItem::Join {
            left,
            right,
            constraint,
            ..
        } => {
            substitute_from(left, ctes, weight)?;
            substitute_from(right, ctes, weight)?;
            match constraint {
                crate::sql::ast::JoinConstraint::On(condition) => {
                    substitute_expr(condition, ctes, weight)
                }
                crate::sql::ast::JoinConstraint::Using(_)
                | crate::sql::ast::JoinConstraint::Natural => Ok(()),
            }
        }
    }
}

fn substitute_expr(expr: &mut Expr, ctes: &[Defined], weight: &mut usize) -> Result<()> {
    match &mut expr.kind {
        ExprKind::Unary { operand, .. }
        | ExprKind::IsNull { operand, .. }
        | ExprKind::Cast { operand, .. }
        | ExprKind::Collate { operand, .. } => substitute_expr(operand, ctes, weight),
        ExprKind::Binary { left, right, .. }
        | ExprKind::Subscript {
            array: left,
            index: right,
        }
        | ExprKind::ArrayCompare {
            left, array: right, ..
        } => {
            substitute_expr(left, ctes, weight)?;
            substitute_expr(right, ctes, weight)
        }
        ExprKind::Chain { first, rest } => {
            substitute_expr(first, ctes, weight)?;
            for link in rest {
                substitute_expr(&mut link.operand, ctes, weight)?;
            }
            Ok(())
        }
        ExprKind::Function { args: items, .. } | ExprKind::Array(items) => {
            for item in items {
                substitute_expr(item, ctes, weight)?;
            }
            Ok(())
        }
        ExprKind::Subquery(query) => substitute_select(query, ctes, weight),
        ExprKind::SubLink { kind, query } => {
            if let crate::sql::ast::SubLinkKind::Any { left, .. }
            | crate::sql::ast::SubLinkKind::All { left, .. } = kind
            {
                substitute_expr(left, ctes, weight)?;
            }
            substitute_select(query, ctes, weight)
        }
        ExprKind::Case {
            operand,
            whens,
            otherwise,
        } => {
            for expr in operand.iter_mut().chain(otherwise.iter_mut()) {
                substitute_expr(expr, ctes, weight)?;
            }
            for (when, then) in whens {
                substitute_expr(when, ctes, weight)?;
                substitute_expr(then, ctes, weight)?;
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
