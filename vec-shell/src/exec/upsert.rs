//! `INSERT … ON CONFLICT`: proposed rows whose primary key is already taken are
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
    // Where each key column's value sits among the proposed values. A key filled from
    // a sequence is new by construction, so such rows never conflict.
    let key_slots: Option<Vec<usize>> = table
        .primary_key
        .iter()
        .map(|column| plan.targets.iter().position(|t| t == column))
        .collect();
    let Some(key_slots) = key_slots else {
        return insert_rows(
            context,
            &plan.table,
            &plan.targets,
            new_rows,
            &plan.returning,
        );
    };
    // The row holding a key now (committed, or the statement's block's own), found
    // through the primary key index, as PostgreSQL's conflict check reads.
    let existing = |key: &KeyText| -> Result<Option<(RowId, Row)>> {
        let ids = super::row_indexes(table, context)?.with_key(key).to_vec();
        for id in ids {
            if let Some(row) = context.rows.fetch_current(table.heap, id)? {
                return Ok(Some((id, row)));
            }
        }
        Ok(None)
    };
    let fill = crate::analyze::defaults::ColumnFill::of(catalog, table)?;
    let mut proposed_keys = HashSet::new();
    let mut updated_ids = HashSet::new();
    let mut inserts = Vec::new();
    let mut updates: Vec<(RowId, Row)> = Vec::new();
    for values in new_rows {
        let key: Vec<Option<String>> = key_slots
            .iter()
            .map(|&slot| values.get(slot).and_then(Datum::to_text))
            .collect();
        let first_time = proposed_keys.insert(key.clone());
        match (&conflict.update, existing(&key)?) {
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
