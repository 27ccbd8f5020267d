//! `DISTINCT` and the set operations, over rows of the projected query: rows are equal
//! when every compared column is, NULLs equal to each other and values compared by their
//! text (so vectors compare element by element; numerics without trailing fraction
//! zeros), as `GROUP BY` compares its keys.
//! `UNION ALL` streams both operands; `UNION` and `DISTINCT` stream too, keeping the
//! keys seen; `INTERSECT` and `EXCEPT` count the right operand's rows first and then
//! stream the left one's. The keys and counts are held in memory (no spill).

use std::collections::{HashMap, HashSet};

use super::query::{stream_query, RowStream};
use super::ExecContext;
use crate::error::Result;
use crate::plan::SetOperationPlan;
use crate::sql::ast::SetOperator;
use crate::storage::Row;
use crate::value::Datum;

/// A row's identity for `DISTINCT` and set operations: each compared column's
/// [`Datum::group_key`] (`None` for NULL).
pub(super) type Fingerprint = Vec<Option<String>>;

pub(super) fn fingerprint(row: &Row, columns: &[usize]) -> Fingerprint {
    columns
        .iter()
        .map(|&column| row.get(column).and_then(Datum::group_key))
        .collect()
}

/// The first row of each set of rows equal in `columns`, in the order they come.
pub(super) fn distinct<'a>(rows: RowStream<'a>, columns: &'a [usize]) -> RowStream<'a> {
    let mut seen: HashSet<Fingerprint> = HashSet::new();
    Box::new(rows.filter(move |row| match row {
        Ok(row) => seen.insert(fingerprint(row, columns)),
        Err(_) => true,
    }))
}

/// The rows of a set operation.
pub(super) fn set_operation<'a>(
    operation: &'a SetOperationPlan,
    context: &'a ExecContext<'a>,
) -> Result<RowStream<'a>> {
    let width = operation.left.columns.len();
    let all_columns: Vec<usize> = (0..width).collect();
    let left = stream_query(&operation.left, context)?;
    if operation.operator == SetOperator::Union {
        let right = stream_query(&operation.right, context)?;
        let both: RowStream<'a> = Box::new(left.chain(right));
        if operation.all {
            return Ok(both);
        }
        let mut seen: HashSet<Fingerprint> = HashSet::new();
        return Ok(Box::new(both.filter(move |row| match row {
            Ok(row) => seen.insert(fingerprint(row, &all_columns)),
            Err(_) => true,
        })));
    }
    let mut counts: HashMap<Fingerprint, usize> = HashMap::new();
    for row in stream_query(&operation.right, context)? {
        *counts.entry(fingerprint(&row?, &all_columns)).or_default() += 1;
    }
    let intersect = operation.operator == SetOperator::Intersect;
    let all = operation.all;
    // Without ALL, each distinct left row is emitted at most once.
    let mut emitted: HashSet<Fingerprint> = HashSet::new();
    Ok(Box::new(left.filter(move |row| {
        let Ok(row) = row else {
            return true;
        };
        let key = fingerprint(row, &all_columns);
        let in_right = counts.get(&key).copied().unwrap_or(0);
        if all {
            // INTERSECT ALL keeps min(m, n) copies, EXCEPT ALL max(m - n, 0): each
            // left row uses up one right row.
            if in_right > 0 {
                counts.insert(key, in_right - 1);
            }
            return (in_right > 0) == intersect;
        }
        (in_right > 0) == intersect && emitted.insert(key)
    })))
}
