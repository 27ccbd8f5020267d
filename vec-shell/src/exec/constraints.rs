//! Checking a statement's new rows against the table's constraints before anything is
//! written: `CHECK` expressions row by row, then the primary key and the unique
//! constraints against the table's current rows and against each other, with
//! PostgreSQL's errors (`23514`, `23505`).

use std::collections::HashSet;

use super::ExecContext;
use crate::catalog::{KeyText, Table};
use crate::error::{EngineError, Result};
use crate::expr::{eval, BoundExpr};
use crate::storage::{Row, RowId};
use crate::value::Datum;

/// A row's values as PostgreSQL's `Failing row contains (…)` lists them.
pub(super) fn row_text(row: &Row) -> String {
    // PostgreSQL cuts each value at 64 bytes.
    let values: Vec<String> = row
        .iter()
        .map(|d| crate::error::clipped(&d.to_text().unwrap_or_else(|| "null".to_string()), 64))
        .collect();
    values.join(", ")
}

/// A table's check constraints, bound for one statement.
pub(super) struct RowChecks {
    checks: Vec<(String, BoundExpr)>,
}

impl RowChecks {
    /// Binds the check constraints of `table`.
    pub(super) fn of(context: &ExecContext<'_>, table: &Table) -> Result<RowChecks> {
        Ok(RowChecks {
            checks: crate::analyze::constraint::bind_checks(context.catalog, table)?,
        })
    }

    /// Fails with PostgreSQL's error at the first check constraint (in name order, as
    /// PostgreSQL tries them) that `row` makes false; NULL passes.
    pub(super) fn check(&self, table: &Table, row: &Row, context: &ExecContext<'_>) -> Result<()> {
        let mut failed: Option<&str> = None;
        for (name, expr) in &self.checks {
            if failed.is_some_and(|f| f <= name.as_str()) {
                continue;
            }
            if eval(expr, row, context)? == Datum::Bool(false) {
                failed = Some(name);
            }
        }
        match failed {
            Some(name) => Err(EngineError::new(
                "23514",
                format!(
                    "new row for relation \"{}\" violates check constraint \"{name}\"",
                    table.name
                ),
            )
            .with_detail(format!("Failing row contains ({}).", row_text(row)))),
            None => Ok(()),
        }
    }
}

/// One key a row must not share: the primary key or a unique constraint.
struct UniqueKey<'t> {
    name: String,
    columns: &'t [usize],
    /// `None` for the primary key, else the unique constraint's position.
    position: Option<usize>,
}

fn unique_keys(table: &Table) -> Vec<UniqueKey<'_>> {
    let mut keys = Vec::new();
    if !table.primary_key.is_empty() {
        keys.push(UniqueKey {
            name: table.primary_key_name(),
            columns: &table.primary_key,
            position: None,
        });
    }
    for (position, (name, columns)) in table.unique_constraints().enumerate() {
        keys.push(UniqueKey {
            name: name.to_string(),
            columns,
            position: Some(position),
        });
    }
    keys
}

/// The first row of `rows` whose primary key or unique key is taken — by a current
/// row of the table (the latest committed ones and the statement's block's own,
/// whatever its snapshot, as PostgreSQL's unique checks read) other than the versions
/// in `skip`, or by an earlier row of `rows` — with PostgreSQL's error for it. A key
/// with a NULL in it is never taken.
pub(super) fn first_key_violation(
    table: &Table,
    rows: &[Row],
    skip: &HashSet<RowId>,
    context: &ExecContext<'_>,
) -> Result<Option<(usize, EngineError)>> {
    let keys = unique_keys(table);
    if keys.is_empty() {
        return Ok(None);
    }
    let indexes = super::row_indexes(table, context)?;
    let mut new_keys: Vec<HashSet<KeyText>> = vec![HashSet::new(); keys.len()];
    for (row_idx, row) in rows.iter().enumerate() {
        for (key, seen) in keys.iter().zip(&mut new_keys) {
            let value = crate::catalog::row_indexes::key_of(key.columns, row);
            if value.iter().any(Option::is_none) {
                continue;
            }
            let mut taken = !seen.insert(value.clone());
            let ids = match key.position {
                None => indexes.with_key(&value),
                Some(position) => indexes.with_unique_key(position, &value),
            };
            for &id in ids {
                if taken {
                    break;
                }
                if !skip.contains(&id) && context.rows.fetch_current(table.heap, id)?.is_some() {
                    taken = true;
                }
            }
            if taken {
                return Ok(Some((row_idx, duplicate_key_error(table, key, &value))));
            }
        }
    }
    Ok(None)
}

/// PostgreSQL's error for a key that is taken.
fn duplicate_key_error(table: &Table, key: &UniqueKey<'_>, value: &KeyText) -> EngineError {
    let names: Vec<&str> = key
        .columns
        .iter()
        .map(|&i| table.columns[i].name.as_str())
        .collect();
    let values: Vec<&str> = value.iter().map(|k| k.as_deref().unwrap_or("")).collect();
    EngineError::new(
        "23505",
        format!(
            "duplicate key value violates unique constraint \"{}\"",
            key.name
        ),
    )
    .with_detail(format!(
        "Key ({})=({}) already exists.",
        names.join(", "),
        values.join(", ")
    ))
}

/// The first two current rows (as the writer sees them) that share a value of
/// `columns` with no NULL in it, for `ALTER TABLE … ADD UNIQUE`: PostgreSQL's `could
/// not create unique index` error names the index and the duplicated key.
pub(super) fn check_unique_over_rows(
    table: &Table,
    rows: impl Iterator<Item = Result<Row>>,
    index_name: &str,
    columns: &[usize],
) -> Result<()> {
    let mut seen = HashSet::new();
    for row in rows {
        let row = row?;
        let value = crate::catalog::row_indexes::key_of(columns, &row);
        if value.iter().any(Option::is_none) {
            continue;
        }
        if !seen.insert(value.clone()) {
            let names: Vec<&str> = columns
                .iter()
                .map(|&i| table.columns[i].name.as_str())
                .collect();
            let values: Vec<&str> = value.iter().map(|k| k.as_deref().unwrap_or("")).collect();
            return Err(EngineError::new(
                "23505",
                format!("could not create unique index \"{index_name}\""),
            )
            .with_detail(format!(
                "Key ({})=({}) is duplicated.",
                names.join(", "),
                values.join(", ")
            )));
        }
    }
    Ok(())
}
