//! Splitting `WHERE` into its `AND`ed conditions for the planner, and recognising the
//! ones a btree index can serve: `column op constant` (or `constant op column`) with a
//! comparison operator and a constant side that names no column.
//!
//! The query's filter itself is bound as written and stays the one the executor runs;
//! these conditions only tell the planner which rows an index scan must at least visit.

use super::deparse::deparse;
use super::expr::{Binder, BoundExpr};
use super::Scope;
use crate::catalog::Catalog;
use crate::plan::btree::{CmpOp, Conjunct, KeyCondition};
use crate::sql::ast::{Expr, ExprKind};
use crate::value::SqlType;

/// The `AND`ed conditions of a `WHERE` clause, each bound on its own; empty when any
/// of them does not bind alone (the planner then has nothing to use).
pub fn where_conjuncts(
    catalog: &Catalog,
    scope: &Scope,
    selection: Option<&Expr>,
) -> Vec<Conjunct> {
    let Some(selection) = selection else {
        return Vec::new();
    };
    let mut parts = Vec::new();
    split_and(selection, &mut parts);
    let mut out = Vec::with_capacity(parts.len());
    for part in parts {
        let mut binder = Binder {
            catalog,
            scope,
            aggregates: None,
        };
        let Ok(bound) = binder.bind(part) else {
            return Vec::new();
        };
        let Ok(expr) = binder.coerce(bound, &SqlType::Bool, part.pos.0, "argument of WHERE") else {
            return Vec::new();
        };
        let key = key_condition(part, &expr);
        // `EXPLAIN` shows an index condition with the column on the left, as PostgreSQL
        // does (`998 <= id` is `(id >= 998)`).
        let text = conjunct_text(part, &expr, key.as_ref(), scope);
        out.push(Conjunct { expr, text, key });
    }
    out
}

/// A condition's `EXPLAIN` text, deparsed from its bound form where it can be (with
/// the column on the left of an index condition, as PostgreSQL commutes it: `998 <= id`
/// is `(id >= 998)`), else as written.
fn conjunct_text(
    part: &Expr,
    bound: &BoundExpr,
    key: Option<&KeyCondition>,
    scope: &Scope,
) -> String {
    let flipped = matches!(&part.kind, ExprKind::Binary { left, .. } if !matches!(left.kind, ExprKind::Column(_)));
    match (key, bound) {
        (Some(key), BoundExpr::Call { args, .. }) if flipped && args.len() == 2 => {
            let column = deparse(&args[1], scope, false);
            let constant = deparse(&args[0], scope, false);
            if let (Some(column), Some(constant)) = (column, constant) {
                return format!("({column} {} {constant})", key.op.as_str());
            }
            let ExprKind::Binary { left, right, .. } = &part.kind else {
                return part.to_string();
            };
            format!("({right} {} {left})", key.op.as_str())
        }
        _ => deparse(bound, scope, false).unwrap_or_else(|| part.to_string()),
    }
}

fn split_and<'e>(expr: &'e Expr, out: &mut Vec<&'e Expr>) {
    match &expr.kind {
        ExprKind::Binary { op, left, right } if op == "and" => {
            split_and(left, out);
            split_and(right, out);
        }
        _ => out.push(expr),
    }
}

/// `column op constant`, from the condition as written and as bound.
fn key_condition(part: &Expr, bound: &BoundExpr) -> Option<KeyCondition> {
    let ExprKind::Binary { op, left, right } = &part.kind else {
        return None;
    };
    let op = CmpOp::parse(op)?;
    let BoundExpr::Call { args, .. } = bound else {
        return None;
    };
    let [first, second] = args.as_slice() else {
        return None;
    };
    let (column_side, constant, op) = match (&left.kind, &right.kind) {
        (ExprKind::Column(_), _) => (first, second, op),
        (_, ExprKind::Column(_)) => (second, first, op.flipped()),
        _ => return None,
    };
    let (column, exact) = match column_side {
        BoundExpr::Column(column) => (*column, true),
        BoundExpr::Cast { operand, .. } => match operand.as_ref() {
            BoundExpr::Column(column) => (*column, false),
            _ => return None,
        },
        _ => return None,
    };
    if !is_constant(constant) {
        return None;
    }
    Some(KeyCondition {
        column,
        op,
        value: constant.clone(),
        exact,
    })
}

/// Whether an expression names no column and has no side effects, so that it can be
/// evaluated once when the plan is chosen.
pub fn is_constant(expr: &BoundExpr) -> bool {
    match expr {
        BoundExpr::Const(_) => true,
        BoundExpr::Call { args, .. } | BoundExpr::Array(args) => args.iter().all(is_constant),
        BoundExpr::Cast { operand, .. }
        | BoundExpr::Not(operand)
        | BoundExpr::IsNull { operand, .. } => is_constant(operand),
        BoundExpr::And(a, b) | BoundExpr::Or(a, b) => is_constant(a) && is_constant(b),
        BoundExpr::Case { arms, otherwise } => {
            arms.iter().all(|(c, v)| is_constant(c) && is_constant(v)) && is_constant(otherwise)
        }
        BoundExpr::Coalesce(args) | BoundExpr::Extreme { args, .. } => args.iter().all(is_constant),
        BoundExpr::Column(_)
        | BoundExpr::OuterColumn(_)
        | BoundExpr::Subquery(_)
        | BoundExpr::Random
        | BoundExpr::SetReturning(_) => false,
    }
}
