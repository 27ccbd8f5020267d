//! Recursive `WITH` queries: the non-recursive term's rows, then the recursive term run
//! again and again over the rows the step before produced (its work table, kept in
//! [`ExecContext::work_tables`] under the query's number) until a step produces none.
//! The rows stream: each is handed on as soon as it is produced, so a `LIMIT` above
//! ends an endless recursion, and the steps run one after another in a loop (no
//! nesting, so any depth). `UNION` drops a row equal to one produced before (keeping
//! every row's key, as PostgreSQL's hash table does); `UNION ALL` holds only the step
//! being produced. The cancel flag is looked at before every step.

use std::collections::HashSet;
use std::sync::Arc;

use super::query::{stream_query, RowStream};
use super::setop::{fingerprint, Fingerprint};
use super::ExecContext;
use crate::error::{EngineError, Result};
use crate::plan::RecursiveUnionPlan;
use crate::storage::Row;

/// The rows of a recursive `WITH` query.
pub(super) fn recursive_union<'a>(
    plan: &'a RecursiveUnionPlan,
    context: &'a ExecContext<'a>,
) -> Result<RowStream<'a>> {
    let columns: Vec<usize> = (0..plan.non_recursive.columns.len()).collect();
    let mut seen: Option<HashSet<Fingerprint>> = (!plan.all).then(HashSet::new);
    let mut step: RowStream<'a> = stream_query(&plan.non_recursive, context)?;
    let mut produced: Vec<Row> = Vec::new();
    let mut done = false;
    Ok(Box::new(std::iter::from_fn(move || {
        while !done {
            match step.next() {
                Some(Ok(row)) => {
                    if let Some(seen) = &mut seen {
                        if !seen.insert(fingerprint(&row, &columns)) {
                            continue;
                        }
                    }
                    produced.push(row.clone());
                    return Some(Ok(row));
                }
                Some(Err(error)) => {
                    done = true;
                    return Some(Err(error));
                }
                None if produced.is_empty() => done = true,
                None => {
                    let rows = Arc::new(std::mem::take(&mut produced));
                    context.work_tables.lock().insert(plan.work_table, rows);
                    match context
                        .cancel
                        .check()
                        .and_then(|()| stream_query(&plan.recursive, context))
                    {
                        Ok(next) => step = next,
                        Err(error) => {
                            done = true;
                            return Some(Err(error));
                        }
                    }
                }
            }
        }
        context.work_tables.lock().remove(&plan.work_table);
        None
    })))
}

/// The rows of work table `id`, as the last finished step left them.
pub(super) fn work_table<'a>(id: usize, context: &ExecContext<'_>) -> Result<RowStream<'a>> {
    let rows = context
        .work_tables
        .lock()
        .get(&id)
        .cloned()
        .ok_or_else(|| EngineError::internal("a work table read before its query ran"))?;
    Ok(Box::new(
        (0..rows.len()).map(move |index| Ok(rows[index].clone())),
    ))
}
