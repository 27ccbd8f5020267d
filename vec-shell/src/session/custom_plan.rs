//! Custom plans of prepared queries, as PostgreSQL makes them: a query whose `WHERE`
//! (or a scalar subquery's) compares a column with a parameter, as in `id = $1`, is
//! planned again at each execution with the parameters' values in place, so that the
//! planner can choose a btree scan for the value at hand. A query whose parameters are
//! elsewhere — a KNN query ordering by `embedding <=> $1` — keeps its one generic plan.

use crate::analyze::{Analyzed, BoundQuery};
use crate::expr::BoundExpr;
use crate::value::Datum;

/// Whether an execution with `params` is planned with their values: as PostgreSQL's
/// `plan_cache_mode` says, `auto` doing so only for a query that `needs_custom` plans
/// (see [`needs_custom_plan`]).
pub(super) fn chooses_custom(
    settings: &crate::settings::Settings,
    needs_custom: bool,
    params: &[Datum],
) -> bool {
    match settings.word(&crate::settings::PLAN_CACHE_MODE) {
        "force_generic_plan" => false,
        "force_custom_plan" => !params.is_empty(),
        _ => needs_custom,
    }
}

/// Whether a bound query needs a custom plan: a parameter in a `WHERE`.
pub(super) fn needs_custom_plan(bound: &Analyzed<BoundQuery>) -> bool {
    std::iter::once(&bound.statement)
        .chain(&bound.subqueries)
        .filter_map(|query| query.filter.as_ref())
        .any(has_param)
}

fn has_param(expr: &BoundExpr) -> bool {
    matches!(expr, BoundExpr::Param(_)) || crate::expr::children(expr).into_iter().any(has_param)
}

/// The query with the parameters of its `WHERE` conditions (and its scalar subqueries')
/// replaced by their values.
pub(super) fn with_values(bound: &Analyzed<BoundQuery>, params: &[Datum]) -> Analyzed<BoundQuery> {
    let mut custom = bound.clone();
    for query in std::iter::once(&mut custom.statement).chain(custom.subqueries.iter_mut()) {
        if let Some(filter) = &mut query.filter {
            substitute(filter, params);
        }
    }
    custom
}

/// Replaces every parameter in `expr` by its value.
fn substitute(expr: &mut BoundExpr, params: &[Datum]) {
    match expr {
        BoundExpr::Param(index) => {
            if let Some(value) = params.get(*index as usize) {
                *expr = BoundExpr::Const(value.clone());
            }
        }
        BoundExpr::Call { args, .. }
        | BoundExpr::Array(args)
        | BoundExpr::And(args)
        | BoundExpr::Or(args)
        | BoundExpr::Coalesce(args)
        | BoundExpr::Extreme { args, .. } => {
            for arg in args {
                substitute(arg, params);
            }
        }
        BoundExpr::Cast { operand, .. }
        | BoundExpr::Not(operand)
        | BoundExpr::IsNull { operand, .. }
        | BoundExpr::RelationSize {
            relation: operand, ..
        } => substitute(operand, params),
        BoundExpr::Fold { first, steps } => {
            substitute(first, params);
            for step in steps {
                substitute(step, params);
            }
        }
        BoundExpr::Case { arms, otherwise } => {
            for (condition, value) in arms {
                substitute(condition, params);
                substitute(value, params);
            }
            substitute(otherwise, params);
        }
        BoundExpr::SubLink(link) => {
            if let Some(left) = &mut link.left {
                substitute(left, params);
            }
        }
        BoundExpr::ArrayCompare(test) => {
            substitute(&mut test.left, params);
            substitute(&mut test.array, params);
        }
        BoundExpr::SetConfig(args) | BoundExpr::CurrentSetting(args) => {
            for arg in args {
                substitute(arg, params);
            }
        }
        BoundExpr::Const(_)
        | BoundExpr::Column(_)
        | BoundExpr::OuterColumn(_)
        | BoundExpr::Accumulator
        | BoundExpr::Subquery(_)
        | BoundExpr::Random
        | BoundExpr::StatementsReset
        | BoundExpr::SetReturning(_) => {}
    }
}
