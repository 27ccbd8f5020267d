//! Joins. The nested-loop cross join: every left row followed by every right row. A
//! `LATERAL` right side is run once per left row, with that row as its outer row.
//!
//! Qualified joins (`JOIN … ON | USING`, inner or outer) keep the pairs whose condition
//! is true, then NULL-extend the unmatched rows of the preserved side(s). When the
//! condition has equalities between the sides, the right rows are first hashed on
//! their key values, so each left row meets only the right rows that share its keys
//! (rows with a NULL key can never match); the whole condition still decides.

use std::collections::HashMap;

use super::query::source;
use super::ExecContext;
use crate::error::Result;
use crate::expr::{eval, passes};
use crate::plan::{JoinPlan, Source};
use crate::sql::ast::JoinKind;
use crate::storage::Row;
use crate::value::Datum;

/// Where in each block of rows the join looks at the cancel flag.
const CHECK_LAST: usize = crate::cancel::CHECK_EVERY - 1;

/// Joins every row of `left` with every row of `right`, left rows outermost.
pub(super) fn cross_join(
    left: &Source,
    right: &Source,
    lateral: bool,
    context: &ExecContext<'_>,
) -> Result<Vec<Row>> {
    let left_rows = source(left, context)?.collect::<Result<Vec<Row>>>()?;
    let fixed_right = if lateral {
        None
    } else {
        Some(source(right, context)?.collect::<Result<Vec<Row>>>()?)
    };
    let mut joined = Vec::new();
    for left_row in &left_rows {
        context.cancel.check()?;
        let lateral_rows;
        let right_rows = match &fixed_right {
            Some(rows) => rows,
            None => {
                let inner = context.with_outer(left_row);
                lateral_rows = source(right, &inner)?.collect::<Result<Vec<Row>>>()?;
                &lateral_rows
            }
        };
        for (right_idx, right_row) in right_rows.iter().enumerate() {
            if right_idx % crate::cancel::CHECK_EVERY == CHECK_LAST {
                context.cancel.check()?;
            }
            let mut row = Vec::with_capacity(left_row.len() + right_row.len());
            row.extend_from_slice(left_row);
            row.extend_from_slice(right_row);
            joined.push(row);
        }
    }
    Ok(joined)
}

/// The values of hash keys, `None` when one is NULL (such a row matches nothing).
fn key_values(
    keys: &[&crate::expr::BoundExpr],
    row: &[Datum],
    context: &ExecContext<'_>,
) -> Result<Option<Vec<String>>> {
    let mut values = Vec::with_capacity(keys.len());
    for key in keys {
        match eval(key, row, context)?.to_text() {
            Some(text) => values.push(text),
            None => return Ok(None),
        }
    }
    Ok(Some(values))
}

/// The right rows hashed on their key values.
type HashTable = HashMap<Vec<String>, Vec<usize>>;

fn hash_rows(plan: &JoinPlan, rows: &[Row], context: &ExecContext<'_>) -> Result<HashTable> {
    let keys: Vec<_> = plan.hash_keys.iter().map(|(_, right)| right).collect();
    let mut table: HashTable = HashMap::new();
    for (row_idx, row) in rows.iter().enumerate() {
        if let Some(values) = key_values(&keys, row, context)? {
            table.entry(values).or_default().push(row_idx);
        }
    }
    Ok(table)
}

/// Runs a qualified join.
pub(super) fn join(plan: &JoinPlan, context: &ExecContext<'_>) -> Result<Vec<Row>> {
    let left_rows = source(&plan.left, context)?.collect::<Result<Vec<Row>>>()?;
    let fixed_right = if plan.lateral {
        None
    } else {
        Some(source(&plan.right, context)?.collect::<Result<Vec<Row>>>()?)
    };
    let hashed = match &fixed_right {
        Some(rows) if !plan.hash_keys.is_empty() => Some(hash_rows(plan, rows, context)?),
        _ => None,
    };
    let left_keys: Vec<_> = plan.hash_keys.iter().map(|(left, _)| left).collect();
    let keep_left = matches!(plan.kind, JoinKind::Left | JoinKind::Full);
    let keep_right = matches!(plan.kind, JoinKind::Right | JoinKind::Full);
    let mut right_matched = vec![false; fixed_right.as_ref().map_or(0, Vec::len)];
    let mut joined = Vec::new();
    for left_row in &left_rows {
        let lateral_rows;
        let right_rows = match &fixed_right {
            Some(rows) => rows,
            None => {
                let inner = context.with_outer(left_row);
                lateral_rows = source(&plan.right, &inner)?.collect::<Result<Vec<Row>>>()?;
                &lateral_rows
            }
        };
        let every_row: Vec<usize>;
        let candidates: &[usize] = match &hashed {
            Some(table) => match key_values(&left_keys, left_row, context)? {
                Some(values) => table.get(&values).map_or(&[], Vec::as_slice),
                None => &[],
            },
            None => {
                every_row = (0..right_rows.len()).collect();
                &every_row
            }
        };
        let mut matched = false;
        for &right_idx in candidates {
            let mut row = Vec::with_capacity(plan.left_width + plan.right_width);
            row.extend_from_slice(left_row);
            row.extend_from_slice(&right_rows[right_idx]);
            let pass = match &plan.condition {
                Some(condition) => passes(condition, &row, context)?,
                None => true,
            };
            if pass {
                matched = true;
                // Only a fixed right side is NULL-extended (a lateral one cannot be).
                if let Some(flag) = right_matched.get_mut(right_idx) {
                    *flag = true;
                }
                joined.push(row);
            }
        }
        if !matched && keep_left {
            let mut row = left_row.clone();
            row.resize(plan.left_width + plan.right_width, Datum::Null);
            joined.push(row);
        }
    }
    if keep_right {
        if let Some(rows) = &fixed_right {
            for (row, _) in rows.iter().zip(&right_matched).filter(|(_, m)| !**m) {
                let mut extended = vec![Datum::Null; plan.left_width];
                extended.extend_from_slice(row);
                joined.push(extended);
            }
        }
    }
    if plan.merged.is_empty() {
        return Ok(joined);
    }
    Ok(joined
        .into_iter()
        .map(|row| {
            let mut out = Vec::with_capacity(plan.merged.len() + row.len());
            for &(left, right) in &plan.merged {
                let value = match &row[left] {
                    Datum::Null => row[right].clone(),
                    value => value.clone(),
                };
                out.push(value);
            }
            out.extend(row);
            out
        })
        .collect())
}
