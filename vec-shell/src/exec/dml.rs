//! `INSERT`, `UPDATE` and `DELETE`. Each statement first computes every new or changed
//! row and checks the constraints (`NOT NULL`, the primary key) without touching the
//! table; `txn::apply` then commits the changes to the durable store (when there is
//! one) in one transaction (or adds them to the open block's) and only afterwards to the
//! in-memory rows, so a failing statement leaves the table as it was.

use std::collections::HashSet;

use super::query::run_query;
use super::ExecContext;
use crate::cancel::CHECK_EVERY;
use crate::catalog::Table;
use crate::error::{EngineError, Result};
use crate::expr::{eval, passes};
use crate::plan::{DeletePlan, InsertPlan, InsertRows, Returning, UpdatePlan};
use crate::storage::{Row, RowId};
use crate::txn::TableChanges;
use crate::value::Datum;

/// What a DML statement will do: the number of rows, the `RETURNING` rows and the
/// changes still to [`apply`].
pub struct DmlOutcome {
    /// Rows inserted, updated or deleted.
    pub count: usize,
    /// The `RETURNING` rows.
    pub returned: Vec<Row>,
    /// The changes.
    pub changes: TableChanges,
}

fn missing(name: &str) -> EngineError {
    EngineError::new("42P01", format!("relation \"{name}\" does not exist"))
}

fn row_text(row: &Row) -> String {
    let values: Vec<String> = row
        .iter()
        .map(|d| d.to_text().unwrap_or_else(|| "null".to_string()))
        .collect();
    values.join(", ")
}

pub(super) fn check_not_null(table: &Table, row: &Row) -> Result<()> {
    for (column, value) in table.columns.iter().zip(row) {
        if column.not_null && value.is_null() {
            return Err(EngineError::new(
                "23502",
                format!(
                    "null value in column \"{}\" of relation \"{}\" violates not-null constraint",
                    column.name, table.name
                ),
            )
            .with_detail(format!("Failing row contains ({}).", row_text(row))));
        }
    }
    Ok(())
}

/// Checks the primary key of `rows` against the table's current rows (the latest
/// committed ones and the statement's block's own, whatever its snapshot, as
/// PostgreSQL's unique checks read) and against each other; `skip` are the row versions
/// being replaced.
fn check_primary_key(
    table: &Table,
    rows: &[Row],
    skip: &HashSet<RowId>,
    context: &ExecContext<'_>,
) -> Result<()> {
    if table.primary_key.is_empty() {
        return Ok(());
    }
    let indexes = super::row_indexes(table, context)?;
    let mut new_keys = HashSet::new();
    for row in rows {
        let key = table.key_of(row);
        let mut taken = !new_keys.insert(key.clone());
        for &id in indexes.with_key(&key) {
            if taken {
                break;
            }
            if !skip.contains(&id) && context.rows.fetch_current(table.heap, id)?.is_some() {
                taken = true;
            }
        }
        if taken {
            let names: Vec<&str> = table
                .primary_key
                .iter()
                .map(|&i| table.columns[i].name.as_str())
                .collect();
            let values: Vec<String> = key.into_iter().map(|k| k.unwrap_or_default()).collect();
            return Err(EngineError::new(
                "23505",
                format!(
                    "duplicate key value violates unique constraint \"{}_pkey\"",
                    table.name
                ),
            )
            .with_detail(format!(
                "Key ({})=({}) already exists.",
                names.join(", "),
                values.join(", ")
            )));
        }
    }
    Ok(())
}

fn project(returning: &Returning, rows: &[Row], context: &ExecContext<'_>) -> Result<Vec<Row>> {
    if returning.exprs.is_empty() {
        return Ok(Vec::new());
    }
    rows.iter()
        .map(|row| {
            returning
                .exprs
                .iter()
                .map(|e| eval(e, row, context))
                .collect()
        })
        .collect()
}

/// Computes an `INSERT`.
pub fn insert(context: &ExecContext<'_>, plan: &InsertPlan) -> Result<DmlOutcome> {
    let new_rows: Vec<Vec<Datum>> = match &plan.rows {
        InsertRows::Values(rows) => rows
            .iter()
            .map(|row| {
                row.iter()
                    .map(|e| eval(e, &[], context))
                    .collect::<Result<Vec<_>>>()
            })
            .collect::<Result<_>>()?,
        InsertRows::Query(query, converters) => run_query(query, context)?
            .into_iter()
            .map(|row| {
                converters
                    .iter()
                    .map(|e| eval(e, &row, context))
                    .collect::<Result<Vec<_>>>()
            })
            .collect::<Result<_>>()?,
    };
    if let Some(conflict) = &plan.on_conflict {
        let new_rows = with_defaults(context, plan, new_rows)?;
        return super::upsert::upsert(context, plan, conflict, new_rows);
    }
    let rows = RowsToInsert {
        targets: &plan.targets,
        values: new_rows,
        defaulted: &plan.defaulted,
    };
    insert_filled(context, &plan.table, rows, &plan.returning)
}

/// Replaces the values written as `DEFAULT` with the columns' defaults, for `ON
/// CONFLICT`, which compares proposed rows before they are filled.
fn with_defaults(
    context: &ExecContext<'_>,
    plan: &InsertPlan,
    mut new_rows: Vec<Vec<Datum>>,
) -> Result<Vec<Vec<Datum>>> {
    if plan.defaulted.iter().all(Vec::is_empty) {
        return Ok(new_rows);
    }
    let catalog = context.catalog;
    let table = catalog
        .table(&plan.table)
        .ok_or_else(|| missing(&plan.table))?;
    let fill = crate::analyze::defaults::ColumnFill::of(catalog, table)?;
    for (row, slots) in new_rows.iter_mut().zip(&plan.defaulted) {
        for &slot in slots {
            if let (Some(value), Some(&column)) = (row.get_mut(slot), plan.targets.get(slot)) {
                *value = fill.default_value(column, context)?;
            }
        }
    }
    Ok(new_rows)
}

/// Computes the insertion of `new_rows`, whose values go to the `targets` columns
/// (others get their sequence's next value, their default or NULL; generated columns
/// are computed); checks the constraints.
pub fn insert_rows(
    context: &ExecContext<'_>,
    table_name: &str,
    targets: &[usize],
    new_rows: Vec<Vec<Datum>>,
    returning: &Returning,
) -> Result<DmlOutcome> {
    let rows = RowsToInsert {
        targets,
        values: new_rows,
        defaulted: &[],
    };
    insert_filled(context, table_name, rows, returning)
}

/// Proposed rows: values for the target columns, some of them written as `DEFAULT`.
struct RowsToInsert<'a> {
    /// The columns the values go to.
    targets: &'a [usize],
    /// The values, one row per proposed row.
    values: Vec<Vec<Datum>>,
    /// Per row (when given), the slots of `targets` written as `DEFAULT`.
    defaulted: &'a [Vec<usize>],
}

fn insert_filled(
    context: &ExecContext<'_>,
    table_name: &str,
    rows: RowsToInsert<'_>,
    returning: &Returning,
) -> Result<DmlOutcome> {
    let catalog = context.catalog;
    let table = catalog
        .table(table_name)
        .ok_or_else(|| missing(table_name))?;
    let fill = crate::analyze::defaults::ColumnFill::of(catalog, table)?;
    let targets = rows.targets;
    let mut sequences: Vec<Option<i64>> = table
        .columns
        .iter()
        .map(|c| c.sequence.as_ref().map(crate::catalog::Sequence::get))
        .collect();
    let mut full_rows = Vec::with_capacity(rows.values.len());
    for (row_idx, values) in rows.values.into_iter().enumerate() {
        let defaulted = rows.defaulted.get(row_idx).map_or(&[][..], Vec::as_slice);
        if row_idx % CHECK_EVERY == CHECK_EVERY - 1 {
            context.cancel.check()?;
        }
        let mut row = vec![Datum::Null; table.columns.len()];
        for (index, column) in table.columns.iter().enumerate() {
            let slot = targets.iter().position(|&t| t == index);
            if slot.is_some_and(|slot| !defaulted.contains(&slot)) {
                continue;
            }
            if column.generated.is_some() {
                continue;
            }
            if column.sequence.is_none() {
                row[index] = fill.default_value(index, context)?;
                continue;
            }
            if let Some(next) = sequences[index].as_mut() {
                row[index] = next_value(column, next)?;
            }
        }
        for (slot, (&index, value)) in targets.iter().zip(values).enumerate() {
            if !defaulted.contains(&slot) {
                row[index] = value;
            }
        }
        fill.compute_generated(&mut row, context)?;
        check_not_null(table, &row)?;
        full_rows.push(row);
    }
    check_primary_key(table, &full_rows, &HashSet::new(), context)?;
    let returned = project(returning, &full_rows, context)?;
    let moved = moved_sequences(table, &sequences);
    Ok(DmlOutcome {
        count: full_rows.len(),
        returned,
        changes: TableChanges {
            table: table_name.to_string(),
            inserts: full_rows,
            sequences: moved,
            ..TableChanges::default()
        },
    })
}

/// A sequence's next value for `column`, moving the sequence on.
fn next_value(column: &crate::catalog::Column, next: &mut i64) -> Result<Datum> {
    let value =
        if column.ty == crate::value::SqlType::Int8 {
            Datum::Int8(*next)
        } else {
            Datum::Int4(i32::try_from(*next).map_err(|_| {
                EngineError::new("2200H", "nextval: reached maximum value of sequence")
            })?)
        };
    *next += 1;
    Ok(value)
}

/// The sequences that moved on, with their next values.
fn moved_sequences(table: &Table, sequences: &[Option<i64>]) -> Vec<(usize, i64)> {
    table
        .columns
        .iter()
        .zip(sequences)
        .enumerate()
        .filter_map(
            |(i, (c, s))| match (c.sequence.as_ref().map(|s| s.get()), s) {
                (Some(old), Some(new)) if old != *new => Some((i, *new)),
                _ => None,
            },
        )
        .collect()
}

/// Computes an `UPDATE`.
pub fn update(context: &ExecContext<'_>, plan: &UpdatePlan) -> Result<DmlOutcome> {
    let (catalog, cancel) = (context.catalog, context.cancel);
    let table = catalog
        .table(&plan.table)
        .ok_or_else(|| missing(&plan.table))?;
    let fill = crate::analyze::defaults::ColumnFill::of(catalog, table)?;
    let mut sequences: Vec<Option<i64>> = table
        .columns
        .iter()
        .map(|c| c.sequence.as_ref().map(crate::catalog::Sequence::get))
        .collect();
    let mut changes = Vec::new();
    for (row_idx, found) in context.rows.scan(table.heap)?.enumerate() {
        if row_idx % CHECK_EVERY == CHECK_EVERY - 1 {
            cancel.check()?;
        }
        let (id, row) = found?;
        if let Some(filter) = &plan.filter {
            if !passes(filter, &row, context)? {
                continue;
            }
        }
        let mut new_row = row.clone();
        for (index, expr) in &plan.assignments {
            new_row[*index] = eval(expr, &row, context)?;
        }
        for &index in &plan.sequence_defaults {
            if let Some(next) = sequences[index].as_mut() {
                new_row[index] = next_value(&table.columns[index], next)?;
            }
        }
        fill.compute_generated(&mut new_row, context)?;
        check_not_null(table, &new_row)?;
        changes.push((id, new_row));
    }
    let ids: HashSet<RowId> = changes.iter().map(|(id, _)| *id).collect();
    let rows: Vec<Row> = changes.iter().map(|(_, r)| r.clone()).collect();
    check_primary_key(table, &rows, &ids, context)?;
    Ok(DmlOutcome {
        count: rows.len(),
        returned: project(&plan.returning, &rows, context)?,
        changes: TableChanges {
            table: plan.table.clone(),
            updates: changes,
            sequences: moved_sequences(table, &sequences),
            ..TableChanges::default()
        },
    })
}

/// Computes a `DELETE`.
pub fn delete(context: &ExecContext<'_>, plan: &DeletePlan) -> Result<DmlOutcome> {
    let (catalog, cancel) = (context.catalog, context.cancel);
    let table = catalog
        .table(&plan.table)
        .ok_or_else(|| missing(&plan.table))?;
    let mut ids = Vec::new();
    let mut rows = Vec::new();
    for (row_idx, found) in context.rows.scan(table.heap)?.enumerate() {
        if row_idx % CHECK_EVERY == CHECK_EVERY - 1 {
            cancel.check()?;
        }
        let (id, row) = found?;
        let keep = match &plan.filter {
            Some(filter) => !passes(filter, &row, context)?,
            None => false,
        };
        if !keep {
            ids.push(id);
            rows.push(row);
        }
    }
    Ok(DmlOutcome {
        count: rows.len(),
        returned: project(&plan.returning, &rows, context)?,
        changes: TableChanges {
            table: plan.table.clone(),
            deletes: ids,
            ..TableChanges::default()
        },
    })
}
