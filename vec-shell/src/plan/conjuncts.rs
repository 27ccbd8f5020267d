//! Splitting a bound `WHERE` into its `AND`ed conditions for the planner, and
//! recognising the ones a btree index can serve: `column op constant` (or `constant op
//! column`) with a comparison operator and a constant side that names no column.
//!
//! The query's filter itself stays the one the executor runs; these conditions only
//! tell the planner which rows an index scan must at least visit.

use super::btree::{CmpOp, KeyCondition};
use super::ExplainText;
use crate::expr::deparse::deparse;
use crate::expr::{is_constant, BoundExpr};

/// One of the `AND`ed conditions of `WHERE`.
#[derive(Clone, Debug)]
pub struct Conjunct<'a> {
    /// The condition.
    pub expr: &'a BoundExpr,
    /// The btree-servable form, when it has one.
    pub key: Option<KeyCondition>,
}

/// The `AND`ed conditions of a filter, in the order written.
pub fn conjuncts(filter: Option<&BoundExpr>) -> Vec<Conjunct<'_>> {
    let mut parts = Vec::new();
    if let Some(filter) = filter {
        split_and(filter, &mut parts);
    }
    parts
        .into_iter()
        .map(|expr| Conjunct {
            expr,
            key: key_condition(expr),
        })
        .collect()
}

fn split_and<'e>(expr: &'e BoundExpr, out: &mut Vec<&'e BoundExpr>) {
    match expr {
        BoundExpr::And(operands) => {
            for operand in operands {
                split_and(operand, out);
            }
        }
        _ => out.push(expr),
    }
}

/// `column op constant` (or `constant op column`, turned around).
pub(super) fn key_condition(expr: &BoundExpr) -> Option<KeyCondition> {
    let BoundExpr::Call {
        name,
        args,
        operator: true,
        ..
    } = expr
    else {
        return None;
    };
    let op = CmpOp::parse(name)?;
    let [first, second] = args.as_slice() else {
        return None;
    };
    let (column_side, constant, op, flipped) = match (column_of(first), column_of(second)) {
        (Some(_), _) => (first, second, op, false),
        (None, Some(_)) => (second, first, op.flipped(), true),
        (None, None) => return None,
    };
    let (column, exact) = column_of(column_side)?;
    if !is_constant(constant) {
        return None;
    }
    Some(KeyCondition {
        column,
        op,
        value: constant.clone(),
        exact,
        flipped,
    })
}

/// The column an operand reads, and whether as it is (not through a cast).
fn column_of(operand: &BoundExpr) -> Option<(usize, bool)> {
    match operand {
        BoundExpr::Column(column) => Some((*column, true)),
        BoundExpr::Cast { operand, .. } => match operand.as_ref() {
            BoundExpr::Column(column) => Some((*column, false)),
            _ => None,
        },
        _ => None,
    }
}

/// A condition's `EXPLAIN` text, deparsed from its bound form, with the column on the
/// left of an index condition as PostgreSQL commutes it (`998 <= id` is
/// `(id >= 998)`); `None` when it has no deparsed form.
pub fn text(conjunct: &Conjunct<'_>, explain: &ExplainText) -> Option<String> {
    let scope = &explain.scope;
    match (&conjunct.key, conjunct.expr) {
        (Some(key), BoundExpr::Call { args, .. }) if key.flipped && args.len() == 2 => {
            let column = deparse(&args[1], scope, explain.qualify)?;
            let constant = deparse(&args[0], scope, explain.qualify)?;
            Some(format!("({column} {} {constant})", key.op.as_str()))
        }
        _ => deparse(conjunct.expr, scope, explain.qualify),
    }
}
