//! `INSERT`, `UPDATE` and `DELETE`. Each statement first computes every new or changed
//! row and checks the constraints (`NOT NULL`, `CHECK`, the primary key and unique
//! constraints, in `constraints`) without touching the
//! table; `txn::apply` then commits the changes to the durable store (when there is
//! one) in one transaction (or adds them to the open block's) and only afterwards to the
//! in-memory rows, so a failing statement leaves the table as it was.

use std::collections::HashSet;

use super::query::run_query;
use super::ExecContext;
use crate::cancel::CHECK_EVERY;
use crate::catalog::stats::CountedScan;
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
            .with_detail(format!(
                "Failing row contains ({}).",
                super::constraints::row_text(row)
            )));
        }
    }
    Ok(())
}

/// Checks the primary key and unique constraints of `rows` (see
/// [`super::constraints::first_key_violation`]); `skip` are the row versions being
/// replaced.
fn check_keys(
    table: &Table,
    rows: &[Row],
    skip: &HashSet<RowId>,
    context: &ExecContext<'_>,
) -> Result<()> {
    match super::constraints::first_key_violation(table, rows, skip, context)? {
        Some((_, error)) => Err(error),
        None => Ok(()),
    }
}

/// Moves the table's sequences on to `sequences` (the values a failed statement drew:
/// as in PostgreSQL, a sequence's values are consumed even when the statement fails).
fn consume_sequences(table: &Table, sequences: &[Option<i64>]) {
    for (column, next) in table.columns.iter().zip(sequences) {
        if let (Some(sequence), Some(next)) = (&column.sequence, next) {
            if *next > sequence.get() {
                sequence.set(*next);
            }
        }
    }
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
        origin: None,
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
    insert_rows_from(context, table_name, targets, new_rows, returning, None)
}

/// Where proposed rows came from: the `CONTEXT:` line of an error about the row at an
/// index (`COPY t, line 3: "…"`), with the row's text when asked (not for a key
/// violation, as PostgreSQL's).
pub type RowOrigin<'a> = &'a dyn Fn(usize, bool) -> String;

/// [`insert_rows`] of rows that came from somewhere (`COPY`): an error about one of them
/// says where, in its `CONTEXT:` line.
pub fn insert_rows_from(
    context: &ExecContext<'_>,
    table_name: &str,
    targets: &[usize],
    new_rows: Vec<Vec<Datum>>,
    returning: &Returning,
    origin: Option<RowOrigin<'_>>,
) -> Result<DmlOutcome> {
    let rows = RowsToInsert {
        targets,
        values: new_rows,
        defaulted: &[],
        origin,
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
    /// Where the rows came from, for errors about one of them.
    origin: Option<RowOrigin<'a>>,
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
    let starts: Vec<Option<i64>> = table
        .columns
        .iter()
        .map(|c| c.sequence.as_ref().map(crate::catalog::Sequence::get))
        .collect();
    let mut sequences = starts.clone();
    let (targets, defaulted, origin) = (rows.targets, rows.defaulted, rows.origin);
    let full_rows = match fill_rows(context, table, rows, &mut sequences) {
        Ok(full_rows) => full_rows,
        Err(error) => {
            consume_sequences(table, &sequences);
            return Err(error);
        }
    };
    let violation =
        super::constraints::first_key_violation(table, &full_rows, &HashSet::new(), context)?;
    if let Some((failed, error)) = violation {
        // PostgreSQL inserts row by row: the rows up to the failing one drew values.
        let mut consumed = starts;
        for row_idx in 0..=failed {
            for (index, next) in consumed.iter_mut().enumerate() {
                if let Some(next) = next.as_mut() {
                    if draws_from_sequence(targets, defaulted, index, row_idx) {
                        *next += 1;
                    }
                }
            }
        }
        consume_sequences(table, &consumed);
        return Err(match origin {
            Some(origin) => error.with_context(origin(failed, false)),
            None => error,
        });
    }
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

/// Whether row `row_idx` leaves column `index` to its default (for a column with a
/// sequence: draws the sequence's next value).
fn draws_from_sequence(
    targets: &[usize],
    defaulted: &[Vec<usize>],
    index: usize,
    row_idx: usize,
) -> bool {
    let defaulted = defaulted.get(row_idx).map_or(&[][..], Vec::as_slice);
    let slot = targets.iter().position(|&t| t == index);
    !slot.is_some_and(|slot| !defaulted.contains(&slot))
}

/// The full rows of an `INSERT` (sequences, defaults and generated columns filled in,
/// `NOT NULL` checked); `sequences` holds the next values and moves on as rows draw.
fn fill_rows(
    context: &ExecContext<'_>,
    table: &Table,
    rows: RowsToInsert<'_>,
    sequences: &mut [Option<i64>],
) -> Result<Vec<Row>> {
    let fill = crate::analyze::defaults::ColumnFill::of(context.catalog, table)?;
    let checks = super::constraints::RowChecks::of(context, table)?;
    let targets = rows.targets;
    let mut full_rows = Vec::with_capacity(rows.values.len());
    for (row_idx, values) in rows.values.into_iter().enumerate() {
        if row_idx % CHECK_EVERY == CHECK_EVERY - 1 {
            context.cancel.check()?;
        }
        let row = fill_row(
            context,
            (table, &fill, &checks),
            &rows.defaulted,
            targets,
            sequences,
            (row_idx, values),
        );
        full_rows.push(match (row, rows.origin) {
            (Ok(row), _) => row,
            (Err(error), Some(origin)) => return Err(error.with_context(origin(row_idx, true))),
            (Err(error), None) => return Err(error),
        });
    }
    Ok(full_rows)
}

/// One full row of an `INSERT` (see [`fill_rows`]).
fn fill_row(
    context: &ExecContext<'_>,
    (table, fill, checks): (
        &Table,
        &crate::analyze::defaults::ColumnFill,
        &super::constraints::RowChecks,
    ),
    all_defaulted: &[Vec<usize>],
    targets: &[usize],
    sequences: &mut [Option<i64>],
    (row_idx, values): (usize, Vec<Datum>),
) -> Result<Row> {
    {
        let mut row = vec![Datum::Null; table.columns.len()];
        for (index, column) in table.columns.iter().enumerate() {
            if !draws_from_sequence(targets, all_defaulted, index, row_idx) {
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
        let defaulted = all_defaulted.get(row_idx).map_or(&[][..], Vec::as_slice);
        for (slot, (&index, value)) in targets.iter().zip(values).enumerate() {
            if !defaulted.contains(&slot) {
                row[index] = value;
            }
        }
        fill.compute_generated(&mut row, context)?;
        check_not_null(table, &row)?;
        checks.check(table, &row, context)?;
        Ok(row)
    }
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

/// The columns some index of the table reads (`None`: an expression index, which may
/// read any).
fn indexed_columns(table: &Table) -> Option<Vec<usize>> {
    let mut columns = table.primary_key.clone();
    for index in &table.indexes {
        if index.expression.is_some() || index.predicate.is_some() {
            return None;
        }
        columns.extend(&index.columns);
    }
    Some(columns)
}

/// Whether an update changes no indexed column, so that PostgreSQL would make it a
/// heap-only (HOT) update.
fn heap_only(indexed: &Option<Vec<usize>>, old: &[Datum], new: &[Datum]) -> bool {
    match indexed {
        Some(columns) => columns.iter().all(|&c| old.get(c) == new.get(c)),
        None => old == new,
    }
}

/// Computes an `UPDATE`.
pub fn update(context: &ExecContext<'_>, plan: &UpdatePlan) -> Result<DmlOutcome> {
    let (catalog, cancel) = (context.catalog, context.cancel);
    let table = catalog
        .table(&plan.table)
        .ok_or_else(|| missing(&plan.table))?;
    let fill = crate::analyze::defaults::ColumnFill::of(catalog, table)?;
    let checks = super::constraints::RowChecks::of(context, table)?;
    let mut sequences: Vec<Option<i64>> = table
        .columns
        .iter()
        .map(|c| c.sequence.as_ref().map(crate::catalog::Sequence::get))
        .collect();
    let mut changes = Vec::new();
    let indexed = indexed_columns(table);
    let mut hot_updates = 0;
    let scan = context.rows.scan(table.heap)?;
    let scan = CountedScan::new(scan, &catalog.table_stats, table.key(), None);
    for (row_idx, found) in scan.enumerate() {
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
        checks.check(table, &new_row, context)?;
        if heap_only(&indexed, &row, &new_row) {
            hot_updates += 1;
        }
        changes.push((id, new_row));
    }
    // A version another transaction replaced after this statement's snapshot (a
    // `REPEATABLE READ` block's: a `READ COMMITTED` statement reads the latest commits)
    // cannot be updated; found before the key check, which would see the newer version.
    for (id, _) in &changes {
        if context.rows.fetch_current(table.heap, *id)?.is_none() {
            return Err(EngineError::new(
                "40001",
                "could not serialize access due to concurrent update",
            ));
        }
    }
    let ids: HashSet<RowId> = changes.iter().map(|(id, _)| *id).collect();
    let rows: Vec<Row> = changes.iter().map(|(_, r)| r.clone()).collect();
    check_keys(table, &rows, &ids, context)?;
    Ok(DmlOutcome {
        count: rows.len(),
        returned: project(&plan.returning, &rows, context)?,
        changes: TableChanges {
            table: plan.table.clone(),
            updates: changes,
            sequences: moved_sequences(table, &sequences),
            hot_updates,
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
    let scan = context.rows.scan(table.heap)?;
    let scan = CountedScan::new(scan, &catalog.table_stats, table.key(), None);
    for (row_idx, found) in scan.enumerate() {
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
