//! Whether a query's `WHERE` implies a partial index's predicate, by PostgreSQL's simple
//! rules (`predtest.c`), each predicate condition on its own:
//!
//! - the query has the same condition (then the index holds only rows where it is true,
//!   and the query need not check it again);
//! - the query compares the same column with a constant so that every value it accepts
//!   is one the predicate's comparison accepts (`x > 20` or `x = 15` imply `x > 10`;
//!   `x >= 10` does not); both sides must compare the column as it is, not through a
//!   cast;
//! - the predicate is `column IS NOT NULL` and the query compares the column (the
//!   comparison operators are strict: they pass no NULL).

use std::ops::Bound;

use super::btree::{bounded, KeyCondition};
use super::conjuncts::{key_condition, Conjunct};
use crate::catalog::IndexPredicate;
use crate::expr::{eval, BoundExpr, NoEnvironment};
use crate::storage::btree::Key;

/// The positions of the query's conditions that are the predicate's own (the index's
/// rows pass them, so they need no check), or `None` when some predicate condition is
/// not implied by the query's conditions.
pub fn implied_by(predicate: &IndexPredicate, conditions: &[Conjunct]) -> Option<Vec<usize>> {
    let mut same = Vec::new();
    for part in &predicate.parts {
        if let Some(position) = conditions.iter().position(|c| c.expr == part) {
            same.push(position);
        } else if !conditions.iter().any(|c| implies(c, part)) {
            return None;
        }
    }
    Some(same)
}

/// Whether `condition` implies the predicate condition `part`.
fn implies(condition: &Conjunct<'_>, part: &BoundExpr) -> bool {
    let Some(query) = condition.key.as_ref().filter(|k| k.exact) else {
        return false;
    };
    if let BoundExpr::IsNull {
        operand,
        negated: true,
    } = part
    {
        return matches!(operand.as_ref(), BoundExpr::Column(c) if *c == query.column);
    }
    let Some(predicate) = key_condition(part).filter(|k| k.exact && k.column == query.column)
    else {
        return false;
    };
    match (accepted(query), accepted(&predicate)) {
        (Some((query_low, query_high)), Some((low, high))) => {
            lower_within(&low, &query_low) && upper_within(&high, &query_high)
        }
        _ => false,
    }
}

/// The keys a condition accepts, as lower and upper bounds.
fn accepted(condition: &KeyCondition) -> Option<(Bound<Key>, Bound<Key>)> {
    let value = eval(&condition.value, &[], &NoEnvironment).ok()?;
    let key = Key::of(&value)?;
    let range = bounded(condition.op, key.clone(), key, true);
    Some((range.lower, range.upper))
}

/// Whether lower bound `outer` admits everything lower bound `inner` does.
fn lower_within(outer: &Bound<Key>, inner: &Bound<Key>) -> bool {
    match (outer, inner) {
        (Bound::Unbounded, _) => true,
        (_, Bound::Unbounded) => false,
        (Bound::Excluded(a), Bound::Included(b)) => a < b,
        (Bound::Included(a) | Bound::Excluded(a), Bound::Included(b) | Bound::Excluded(b)) => {
            a <= b
        }
    }
}

/// Whether upper bound `outer` admits everything upper bound `inner` does.
fn upper_within(outer: &Bound<Key>, inner: &Bound<Key>) -> bool {
    match (outer, inner) {
        (Bound::Unbounded, _) => true,
        (_, Bound::Unbounded) => false,
        (Bound::Excluded(a), Bound::Included(b)) => a > b,
        (Bound::Included(a) | Bound::Excluded(a), Bound::Included(b) | Bound::Excluded(b)) => {
            a >= b
        }
    }
}
