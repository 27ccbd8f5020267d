//! Row estimates from `ANALYZE`'s statistics (`pg_stats`), by PostgreSQL's rules in
//! `selfuncs.c`, for filters no btree index can count.
//!
//! - `column = constant`: the constant's frequency when it is a most-common value;
//!   otherwise the rows left after the most-common values and the NULLs, shared evenly
//!   among the other distinct values, and never more than the rarest most-common value
//!   (`var_eq_const`). `column = ANY (array)` adds its elements' estimates.
//! - `column < / <= / > / >= constant`: the most-common values that pass, plus the
//!   histogram's share below (or above) the constant times the rows the histogram
//!   describes (`scalarineqsel`); inside a bucket numbers are interpolated linearly,
//!   other types take half the bucket.
//! - `IS [NOT] NULL`: the null fraction. `AND` multiplies, `OR` adds less the overlap,
//!   `NOT` takes the complement.
//!
//! Only a column compared as it is (no cast) is estimated, and only a filter whose every
//! condition is understood gets an estimate: a condition about which the statistics say
//! nothing leaves the planner with no estimate rather than a guess.

use super::btree::CmpOp;
use super::conjuncts::{key_condition, Conjunct};
use crate::catalog::column_stats::{ColumnStats, TableStats};
use crate::catalog::Table;
use crate::expr::{eval, BoundExpr, NoEnvironment};
use crate::value::Datum;
use std::cmp::Ordering;

/// PostgreSQL's distinct count when the statistics have none (`DEFAULT_NUM_DISTINCT`).
pub const DEFAULT_NUM_DISTINCT: f64 = 200.0;

/// The inequality selectivity when there is neither histogram nor most-common value
/// (`DEFAULT_INEQ_SEL`).
pub const DEFAULT_INEQ_SEL: f64 = 1.0 / 3.0;

/// The equality selectivity without statistics (`DEFAULT_EQ_SEL`).
pub const DEFAULT_EQ_SEL: f64 = 0.005;

/// The rows a filter is expected to pass.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RowEstimate {
    /// The rows expected to pass.
    pub rows: usize,
    /// The table's rows when it was analyzed.
    pub table_rows: usize,
}

/// The rows `conjuncts` (a filter's `AND`ed conditions) pass in `table`, when the
/// table has been analyzed and every condition can be estimated.
pub fn estimate(table: &Table, conjuncts: &[Conjunct<'_>]) -> Option<RowEstimate> {
    let stats = table.stats.as_ref()?;
    if conjuncts.is_empty() {
        return None;
    }
    let selectivity = conjunction(conjuncts.iter().map(|c| c.expr), |part| clause(stats, part))?;
    let table_rows = stats.rows as f64;
    Some(RowEstimate {
        rows: (selectivity.clamp(0.0, 1.0) * table_rows).round() as usize,
        table_rows: stats.rows as usize,
    })
}

/// The fraction of `table`'s rows `filter` passes, for the cost model: the
/// statistics' estimate of each condition they describe, PostgreSQL's default
/// selectivities for the others (equality 0.005, other comparisons and unknown
/// conditions 1/3, `IS NULL` 0.005).
pub fn filter_selectivity(table: Option<&Table>, filter: Option<&BoundExpr>) -> f64 {
    let Some(filter) = filter else {
        return 1.0;
    };
    guess(table.and_then(|t| t.stats.as_ref()), filter).clamp(0.0, 1.0)
}

fn guess(stats: Option<&TableStats>, expr: &BoundExpr) -> f64 {
    if let Some(known) = stats.and_then(|stats| clause(stats, expr)) {
        return known;
    }
    match expr {
        BoundExpr::And(parts) => {
            conjunction(parts.iter(), |part| Some(guess(stats, part))).unwrap_or(1.0)
        }
        BoundExpr::Or(parts) => parts.iter().fold(0.0, |s, part| {
            let p = guess(stats, part);
            s + p - s * p
        }),
        BoundExpr::Not(inner) => 1.0 - guess(stats, inner),
        BoundExpr::IsNull { negated, .. } => {
            if *negated {
                1.0 - DEFAULT_EQ_SEL
            } else {
                DEFAULT_EQ_SEL
            }
        }
        BoundExpr::Const(Datum::Bool(value)) => f64::from(u8::from(*value)),
        BoundExpr::Const(Datum::Null) => 0.0,
        _ => match key_condition(expr) {
            Some(key) if key.op == CmpOp::Eq => DEFAULT_EQ_SEL,
            _ => DEFAULT_INEQ_SEL,
        },
    }
}

/// The selectivity of `AND`ed conditions, each priced by `single`: a lower and an upper
/// bound on the same column make a range, `lower + upper − 1` (PostgreSQL's
/// `clauselist_selectivity`; a range that comes out empty is 0.005 when clearly so,
/// else almost nothing); the rest multiply. `None` when `single` has no figure.
fn conjunction<'e>(
    parts: impl Iterator<Item = &'e BoundExpr>,
    single: impl Fn(&BoundExpr) -> Option<f64>,
) -> Option<f64> {
    // Per column: the lower and the upper bound's selectivities.
    let mut ranges: Vec<(usize, Option<f64>, Option<f64>)> = Vec::new();
    let mut product = 1.0;
    for part in parts {
        let s = single(part)?;
        let bound = key_condition(part).filter(|key| key.exact && key.op != CmpOp::Eq);
        let Some(key) = bound else {
            product *= s;
            continue;
        };
        let lower = matches!(key.op, CmpOp::Gt | CmpOp::Ge);
        let entry = match ranges.iter_mut().find(|(column, ..)| *column == key.column) {
            Some(entry) => entry,
            None => {
                ranges.push((key.column, None, None));
                ranges.last_mut()?
            }
        };
        let slot = if lower { &mut entry.1 } else { &mut entry.2 };
        *slot = Some(slot.map_or(s, |previous: f64| previous.min(s)));
    }
    for (_, lower, upper) in ranges {
        product *= match (lower, upper) {
            (Some(lo), Some(hi)) => {
                let range = lo + hi - 1.0;
                if range > 0.0 {
                    range
                } else if range < -0.01 {
                    DEFAULT_EQ_SEL
                } else {
                    1.0e-10
                }
            }
            (Some(s), None) | (None, Some(s)) => s,
            (None, None) => 1.0,
        };
    }
    Some(product)
}

/// The distinct non-NULL values of column `column` of `table` by its statistics.
pub fn distinct_values(table: &Table, column: usize) -> Option<f64> {
    let stats = table.stats.as_ref()?;
    Some(distinct(column_stats(stats, column)?, stats.rows))
}

/// The fraction of rows `expr` passes.
fn clause(stats: &TableStats, expr: &BoundExpr) -> Option<f64> {
    match expr {
        BoundExpr::And(parts) => conjunction(parts.iter(), |part| clause(stats, part)),
        BoundExpr::Or(parts) => parts.iter().try_fold(0.0, |s, part| {
            let p = clause(stats, part)?;
            Some(s + p - s * p)
        }),
        BoundExpr::Not(inner) => Some(1.0 - clause(stats, inner)?),
        BoundExpr::IsNull { operand, negated } => {
            let BoundExpr::Column(column) = operand.as_ref() else {
                return None;
            };
            let null_frac = f64::from(column_stats(stats, *column)?.null_frac);
            Some(if *negated { 1.0 - null_frac } else { null_frac })
        }
        BoundExpr::ArrayCompare(test) if !test.all && &*test.op == "=" => {
            let BoundExpr::Column(column) = &test.left else {
                return None;
            };
            let column = column_stats(stats, *column)?;
            let Ok(Datum::Array(array)) = eval(&test.array, &[], &NoEnvironment) else {
                return None;
            };
            let sum: f64 = array
                .elements
                .iter()
                .map(|value| equal(column, stats.rows, value))
                .sum();
            Some(sum.min(1.0))
        }
        _ => {
            let key = key_condition(expr).filter(|key| key.exact)?;
            let column = column_stats(stats, key.column)?;
            let value = eval(&key.value, &[], &NoEnvironment).ok()?;
            Some(match key.op {
                CmpOp::Eq => equal(column, stats.rows, &value),
                CmpOp::Lt => less(column, &value, false, false),
                CmpOp::Le => less(column, &value, false, true),
                CmpOp::Gt => less(column, &value, true, false),
                CmpOp::Ge => less(column, &value, true, true),
            })
        }
    }
}

fn column_stats(stats: &TableStats, column: usize) -> Option<&ColumnStats> {
    stats.columns.get(column)?.as_ref()
}

/// The distinct non-NULL values of a column of `rows` rows.
fn distinct(column: &ColumnStats, rows: u64) -> f64 {
    match f64::from(column.n_distinct) {
        n if n > 0.0 => n,
        n if n < 0.0 => (-n * rows as f64).max(1.0),
        _ => DEFAULT_NUM_DISTINCT,
    }
}

/// `column = value` (PostgreSQL's `var_eq_const`).
fn equal(column: &ColumnStats, rows: u64, value: &Datum) -> f64 {
    if value.is_null() {
        return 0.0;
    }
    if let Some((_, frequency)) = column
        .most_common
        .iter()
        .find(|(common, _)| common.compare(value) == Ordering::Equal)
    {
        return f64::from(*frequency);
    }
    let common: f64 = column.most_common.iter().map(|(_, f)| f64::from(*f)).sum();
    let mut selectivity = (1.0 - common - f64::from(column.null_frac)).clamp(0.0, 1.0);
    let others = distinct(column, rows) - column.most_common.len() as f64;
    if others > 1.0 {
        selectivity /= others;
    }
    match column
        .most_common
        .iter()
        .map(|(_, f)| f64::from(*f))
        .reduce(f64::min)
    {
        Some(rarest) => selectivity.min(rarest),
        None => selectivity,
    }
}

/// `column < value` (or `column > value` when `greater`; with `inclusive`, `<=` / `>=`,
/// counting the most common values equal to it), PostgreSQL's `scalarineqsel` (inside a
/// histogram bucket `<` and `<=` are not told apart).
fn less(column: &ColumnStats, value: &Datum, greater: bool, inclusive: bool) -> f64 {
    if value.is_null() {
        return 0.0;
    }
    let passes = |common: &Datum| {
        let order = common.compare(value);
        (inclusive && order == Ordering::Equal)
            || if greater {
                order == Ordering::Greater
            } else {
                order == Ordering::Less
            }
    };
    let common: f64 = column.most_common.iter().map(|(_, f)| f64::from(*f)).sum();
    let common_passing: f64 = column
        .most_common
        .iter()
        .filter(|(value, _)| passes(value))
        .map(|(_, f)| f64::from(*f))
        .sum();
    let rest = (1.0 - common - f64::from(column.null_frac)).max(0.0);
    let Some(below) = histogram_fraction(&column.histogram, value) else {
        return match common > 0.0 {
            true => common_passing / common * (1.0 - f64::from(column.null_frac)),
            false => DEFAULT_INEQ_SEL,
        };
    };
    let share = if greater { 1.0 - below } else { below };
    (common_passing + rest * share).clamp(0.0, 1.0)
}

/// The fraction of the histogram's population below `value`; `None` without a
/// histogram of at least two bounds.
fn histogram_fraction(bounds: &[Datum], value: &Datum) -> Option<f64> {
    if bounds.len() < 2 {
        return None;
    }
    let buckets = (bounds.len() - 1) as f64;
    // The first bound above `value`.
    let above = bounds.partition_point(|bound| bound.compare(value) != Ordering::Greater);
    if above == 0 {
        return Some(0.0);
    }
    if above == bounds.len() {
        return Some(1.0);
    }
    let (low, high) = (&bounds[above - 1], &bounds[above]);
    let within = match (low.as_f64(), high.as_f64(), value.as_f64()) {
        (Some(low), Some(high), Some(value)) if high > low => (value - low) / (high - low),
        _ => 0.5,
    };
    Some(((above - 1) as f64 + within.clamp(0.0, 1.0)) / buckets)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(most_common: Vec<(i32, f32)>, histogram: Vec<i32>, n_distinct: f32) -> ColumnStats {
        ColumnStats {
            null_frac: 0.1,
            avg_width: 4,
            n_distinct,
            most_common: most_common
                .into_iter()
                .map(|(v, f)| (Datum::Int4(v), f))
                .collect(),
            histogram: histogram.into_iter().map(Datum::Int4).collect(),
            correlation: None,
        }
    }

    #[test]
    fn equality_takes_a_common_values_frequency_or_shares_the_rest() {
        let stats = column(vec![(1, 0.5), (2, 0.2)], vec![], 12.0);
        assert_eq!(equal(&stats, 1000, &Datum::Int4(1)), 0.5f32 as f64);
        // 1 - 0.7 - 0.1 = 0.2 over the 10 other values.
        let other = equal(&stats, 1000, &Datum::Int4(7));
        assert!((other - 0.02).abs() < 1e-6, "{other}");
        assert_eq!(equal(&stats, 1000, &Datum::Null), 0.0);
        // A unique column: one row of a thousand.
        let unique = column(vec![], vec![0, 1000], -1.0);
        let one = equal(&unique, 1000, &Datum::Int4(5));
        assert!((one - 0.9 / 1000.0).abs() < 1e-6, "{one}");
    }

    #[test]
    fn ranges_interpolate_in_the_histogram() {
        // No common values: the histogram describes the 90% that are not NULL.
        let stats = column(vec![], vec![0, 100, 200], -1.0);
        let below = less(&stats, &Datum::Int4(50), false, false);
        assert!((below - 0.9 * 0.25).abs() < 1e-6, "{below}");
        let above = less(&stats, &Datum::Int4(150), true, false);
        assert!((above - 0.9 * 0.25).abs() < 1e-6, "{above}");
        assert_eq!(less(&stats, &Datum::Int4(-5), false, false), 0.0);
        assert!((less(&stats, &Datum::Int4(500), false, false) - 0.9).abs() < 1e-6);
    }

    #[test]
    fn ranges_without_a_histogram_use_the_common_values() {
        let stats = column(vec![(1, 0.45), (2, 0.45)], vec![], 2.0);
        let below = less(&stats, &Datum::Int4(2), false, false);
        assert!((below - 0.45).abs() < 1e-6, "{below}");
        // `<=` counts the equal most common value too.
        let at_most = less(&stats, &Datum::Int4(2), false, true);
        assert!((at_most - 0.9).abs() < 1e-6, "{at_most}");
        let none = column(vec![], vec![], 0.0);
        assert_eq!(less(&none, &Datum::Int4(2), false, false), DEFAULT_INEQ_SEL);
    }
}
