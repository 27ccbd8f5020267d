//! Choosing a `gin` index for full-text search: a `WHERE` condition `key @@ query`
//! whose left side is a `gin` index's key (its `tsvector` column, or the same
//! expression, such as `to_tsvector('english', content)`) and whose query is a constant
//! becomes a bitmap scan: the index gives the row versions that can match, and the
//! whole condition is checked again on each (PostgreSQL's `Bitmap Heap Scan` with its
//! `Recheck Cond`). The query is evaluated when the plan is made, and `EXPLAIN` shows it
//! as the constant it is, as PostgreSQL folds it.

use super::conjuncts::Conjunct;
use crate::catalog::{IndexKey, Table};
use crate::expr::{eval, is_constant, BoundExpr, NoEnvironment};
use crate::index::AccessMethod;
use crate::value::Datum;

/// A `gin` index that serves a condition.
pub struct GinChoice {
    /// The index.
    pub index: String,
    /// The query, evaluated.
    pub query: Datum,
    /// The indexed side of the condition.
    pub key: BoundExpr,
    /// The position of the condition among the conjuncts.
    pub used: usize,
}

fn is_key(key: &IndexKey, expr: &BoundExpr) -> bool {
    match key {
        IndexKey::Column(column) => matches!(expr, BoundExpr::Column(c) if c == column),
        IndexKey::Expr(bound) => bound == expr,
    }
}

/// The first condition a `gin` index of `table` serves, if any.
pub fn choose(table: &Table, conjuncts: &[Conjunct<'_>]) -> Option<GinChoice> {
    for index in table
        .indexes
        .iter()
        .filter(|i| i.method == AccessMethod::Gin && i.predicate.is_none())
    {
        let Some(key) = &index.gin_key else {
            continue;
        };
        for (used, conjunct) in conjuncts.iter().enumerate() {
            let BoundExpr::Call {
                name,
                args,
                operator: true,
                ..
            } = conjunct.expr
            else {
                continue;
            };
            let [left, right] = args.as_slice() else {
                continue;
            };
            if &**name != "@@" || !is_key(key, left) || !is_constant(right) {
                continue;
            }
            let Ok(query @ Datum::TsQuery(_)) = eval(right, &[], &NoEnvironment) else {
                continue;
            };
            return Some(GinChoice {
                index: index.name.clone(),
                query,
                key: left.clone(),
                used,
            });
        }
    }
    None
}
