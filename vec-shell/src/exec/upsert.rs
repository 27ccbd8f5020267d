//! `INSERT … ON CONFLICT`: proposed rows whose key (the primary key or a unique
//! constraint's: the clause's arbiters) is already taken are
//! skipped (`DO NOTHING`) or turned into updates of the existing row (`DO UPDATE`); the
//! rest are inserted as usual. All of it commits as one statement.

use std::collections::HashSet;

use super::dml::{check_not_null, insert_rows, DmlOutcome};
use super::ExecContext;
use crate::catalog::KeyText;
use crate::error::{EngineError, Result};
use crate::expr::eval;
use crate::plan::{InsertPlan, OnConflict as ConflictPlan};
use crate::storage::{Row, RowId};
use crate::value::Datum;

/// Computes an insert with `ON CONFLICT`; `new_rows` hold the target columns' values.
pub(super) fn upsert(
    context: &ExecContext<'_>,
    plan: &InsertPlan,
    conflict: &ConflictPlan,
    new_rows: Vec<Vec<Datum>>,
) -> Result<DmlOutcome> {
    let catalog = context.catalog;
    let table = catalog.table(&plan.table).ok_or_else(|| {
        EngineError::new(
            "42P01",
            format!("relation \"{}\" does not exist", plan.table),
        )
    })?;
    // Each arbiter's columns and where their values sit among the proposed values. A
    // key filled from a sequence or default is taken as new, so such an arbiter never
    // finds a conflict.
    let arbiters: Vec<(Option<usize>, Vec<usize>)> = conflict
        .arbiters
        .iter()
        .filter_map(|&arbiter| {
            let columns = match arbiter {
                None => &table.primary_key[..],
                Some(position) => table.unique_constraints().nth(position)?.1,
            };
            let slots: Option<Vec<usize>> = columns
                .iter()
                .map(|column| plan.targets.iter().position(|t| t == column))
                .collect();
            Some((arbiter, slots?))
        })
        .collect();
    if arbiters.is_empty() {
        return insert_rows(
            context,
            &plan.table,
            &plan.targets,
            new_rows,
            &plan.returning,
        );
    }
    // The row holding a key now (committed, or the statement's block's own), found
    // through the key's index, as PostgreSQL's conflict check reads.
    let existing = |arbiter: Option<usize>, key: &KeyText| -> Result<Option<(RowId, Row)>> {
        let indexes = super::row_indexes(table, context)?;
        let ids = match arbiter {
            None => indexes.with_key(key).to_vec(),
            Some(position) => indexes.with_unique_key(position, key).to_vec(),
        };
        drop(indexes);
        for id in ids {
            if let Some(row) = context.rows.fetch_current(table.heap, id)? {
                return Ok(Some((id, row)));
            }
        }
        Ok(None)
    };
    let fill = crate::analyze::defaults::ColumnFill::of(catalog, table)?;
    let checks = super::constraints::RowChecks::of(context, table)?;
    let mut proposed_keys = HashSet::new();
    let mut updated_ids = HashSet::new();
    let mut inserts = Vec::new();
    let mut updates: Vec<(RowId, Row)> = Vec::new();
    for values in new_rows {
        let mut first_time = true;
        let mut found = None;
        for (position, (arbiter, slots)) in arbiters.iter().enumerate() {
            let key: KeyText = slots
                .iter()
                .map(|&slot| values.get(slot).and_then(Datum::to_text))
                .collect();
            // A key with a NULL in it conflicts with nothing.
            if key.iter().any(Option::is_none) {
                continue;
            }
            first_time &= !proposed_keys.contains(&(position, key.clone()));
            proposed_keys.insert((position, key.clone()));
            if found.is_none() {
                found = existing(*arbiter, &key)?;
            }
        }
        match (&conflict.update, found) {
            (None, Some(_)) => {}
            (None, None) => {
                if first_time {
                    inserts.push(values);
                }
            }
            (Some(assignments), Some((id, row))) => {
                if !updated_ids.insert(id) {
                    return Err(second_time());
                }
                let mut combined: Row = row.clone();
                let mut excluded = vec![Datum::Null; table.columns.len()];
                for (slot, &column) in plan.targets.iter().enumerate() {
                    if let Some(value) = values.get(slot) {
                        excluded[column] = value.clone();
                    }
                }
                combined.extend(excluded);
                let mut new_row: Row = row;
                for (column, expr) in assignments {
                    new_row[*column] = eval(expr, &combined, context)?;
                }
                fill.compute_generated(&mut new_row, context)?;
                check_not_null(table, &new_row)?;
                checks.check(table, &new_row, context)?;
                updates.push((id, new_row));
            }
            (Some(_), None) => {
                if !first_time {
                    return Err(second_time());
                }
                inserts.push(values);
            }
        }
    }
    let mut outcome = insert_rows(
        context,
        &plan.table,
        &plan.targets,
        inserts,
        &plan.returning,
    )?;
    if !plan.returning.exprs.is_empty() {
        for (_, row) in &updates {
            let returned = plan
                .returning
                .exprs
                .iter()
                .map(|e| eval(e, row, context))
                .collect::<Result<Row>>()?;
            outcome.returned.push(returned);
        }
    }
    // The updated rows must keep every key unique too.
    let replaced: HashSet<RowId> = updates.iter().map(|(id, _)| *id).collect();
    let updated_rows: Vec<Row> = updates.iter().map(|(_, row)| row.clone()).collect();
    let violation =
        super::constraints::first_key_violation(table, &updated_rows, &replaced, context)?;
    if let Some((_, error)) = violation {
        return Err(error);
    }
    outcome.count += updates.len();
    outcome.changes.updates = updates;
    Ok(outcome)
}

fn second_time() -> EngineError {
    EngineError::new(
        "21000",
        "ON CONFLICT DO UPDATE command cannot affect row a second time",
    )
    .with_hint(
        "Ensure that no rows proposed for insertion within the same command have duplicate constrained values.",
    )
}
