//! `UNIQUE` and `CHECK` constraints in `CREATE TABLE` and `ALTER TABLE … ADD [CONSTRAINT
//! name] …` / `DROP CONSTRAINT [IF EXISTS] name`, named as PostgreSQL names them. A
//! unique constraint brings its btree index of the same name; adding one to a table
//! with rows first checks that no two rows share a key, and adding a check constraint
//! that every row passes. The table's catalog row changes in the durable store before
//! the in-memory catalog does.

use crate::analyze::constraint::{bind_check, only_column};
use crate::catalog::constraint::{check_name, unique_name};
use crate::catalog::schema::encode_table;
use crate::catalog::{Catalog, Constraint, ConstraintRule, Index, Table};
use crate::error::{EngineError, Result};
use crate::exec::{ExecContext, IndexGuards, StatementResult};
use crate::sql::ast::{ConstraintKind, CreateTable, TableConstraint};
use crate::storage::durable::{StoreOp, CATALOG_HEAP};
use crate::txn::StoreWrites;
use crate::value::Datum;

/// The btree index a unique constraint brings.
fn unique_index(name: &str, columns: &[usize]) -> Index {
    Index::btree(name.to_string(), columns.to_vec())
}

/// Turns a constraint as written into the catalog's form for `table`: columns
/// resolved, the expression bound once (so that a bad one fails now) and kept as text,
/// a name chosen when none is given. `pending` are the names of constraints of the same
/// statement not yet in the table.
fn resolve(
    catalog: &Catalog,
    table: &Table,
    written: &TableConstraint,
    pending: &[String],
) -> Result<Constraint> {
    let taken = |name: &str| table.has_constraint(name) || pending.iter().any(|p| p == name);
    if let Some(name) = &written.name {
        if taken(name) {
            return Err(EngineError::new(
                "42710",
                format!(
                    "constraint \"{name}\" for relation \"{}\" already exists",
                    table.name
                ),
            ));
        }
    }
    match &written.kind {
        ConstraintKind::Unique(names) => {
            let mut columns = Vec::new();
            for name in names {
                let index = table.column_index(name).ok_or_else(|| {
                    EngineError::new(
                        "42703",
                        format!("column \"{name}\" named in key does not exist"),
                    )
                })?;
                if columns.contains(&index) {
                    return Err(EngineError::new(
                        "42701",
                        format!("column \"{name}\" appears twice in unique constraint"),
                    ));
                }
                columns.push(index);
            }
            let name = match &written.name {
                Some(name) => {
                    if catalog.relation_exists(name) || pending.iter().any(|p| p == name) {
                        return Err(EngineError::new(
                            "42P07",
                            format!("relation \"{name}\" already exists"),
                        ));
                    }
                    name.clone()
                }
                None => {
                    let names: Vec<&str> = names.iter().map(String::as_str).collect();
                    let mut also_taken = pending.to_vec();
                    also_taken.extend(table.indexes.iter().map(|i| i.name.clone()));
                    unique_name(catalog, &table.name, &names, &also_taken)
                }
            };
            Ok(Constraint {
                name,
                rule: ConstraintRule::Unique(columns),
            })
        }
        ConstraintKind::Check(expr) => {
            bind_check(catalog, table, expr)?;
            let name = match &written.name {
                Some(name) => name.clone(),
                None => check_name(&table.name, only_column(table, expr).as_deref(), &taken),
            };
            Ok(Constraint {
                name,
                rule: ConstraintRule::Check(expr.to_string()),
            })
        }
    }
}

/// Adds `CREATE TABLE`'s constraints (the columns' own, in column order, then the
/// table's) to the new `table`, with their indexes.
pub(super) fn add_to_new_table(
    catalog: &Catalog,
    table: &mut Table,
    create: &CreateTable,
) -> Result<()> {
    let written = create
        .columns
        .iter()
        .flat_map(|c| &c.constraints)
        .chain(&create.constraints);
    let mut constraints: Vec<Constraint> = Vec::new();
    for constraint in written {
        let pending: Vec<String> = constraints.iter().map(|c| c.name.clone()).collect();
        constraints.push(resolve(catalog, table, constraint, &pending)?);
    }
    for constraint in &constraints {
        if let Some(columns) = constraint.unique_columns() {
            table.indexes.push(unique_index(&constraint.name, columns));
        }
    }
    table.constraints = constraints;
    Ok(())
}

fn missing_table(name: &str) -> EngineError {
    EngineError::new("42P01", format!("relation \"{name}\" does not exist"))
}

/// Checks that the rows `table` holds now (as the writer sees them) satisfy
/// `constraint`, with PostgreSQL's errors.
fn check_existing_rows(
    catalog: &Catalog,
    writes: &StoreWrites<'_>,
    table: &Table,
    constraint: &Constraint,
) -> Result<()> {
    table.check_damage()?;
    let source = writes.read_source();
    let view = source.view();
    let rows = view
        .scan(table.heap)?
        .map(|found| found.map(|(_, row)| row));
    match &constraint.rule {
        ConstraintRule::Unique(columns) => super::super::constraints::check_unique_over_rows(
            table,
            rows,
            &constraint.name,
            columns,
        ),
        ConstraintRule::Check(text) => {
            let expr = crate::analyze::defaults::parse_stored(text)?;
            let check = bind_check(catalog, table, &expr)?;
            let guards = IndexGuards::none();
            let context = ExecContext::new(catalog, view, &guards);
            for row in rows {
                if crate::expr::eval(&check, &row?, &context)? == Datum::Bool(false) {
                    return Err(EngineError::new(
                        "23514",
                        format!(
                            "check constraint \"{}\" of relation \"{}\" is violated by some row",
                            constraint.name, table.name
                        ),
                    ));
                }
            }
            Ok(())
        }
    }
}

/// Writes `table`'s catalog row as `change` leaves it; the in-memory table changes only
/// once the store has the new row.
fn commit_change(
    table: &mut Table,
    writes: &StoreWrites<'_>,
    change: impl Fn(&mut Table),
) -> Result<()> {
    if let Some(row) = table.catalog_row {
        let (constraints, indexes, key) = (
            table.constraints.clone(),
            table.indexes.clone(),
            table.primary_key.clone(),
        );
        change(table);
        let bytes = encode_table(table);
        (table.constraints, table.indexes, table.primary_key) = (constraints, indexes, key);
        writes.commit(vec![StoreOp::Overwrite(CATALOG_HEAP.0, row, bytes)])?;
    }
    change(table);
    // The key maps take the new shape, built again through the writer's transaction.
    table.row_indexes.invalidate();
    writes.build_row_indexes(table)
}

/// `ALTER TABLE table ADD [CONSTRAINT name] UNIQUE (…) | CHECK (…)`.
pub fn add_constraint(
    catalog: &mut Catalog,
    writes: &StoreWrites<'_>,
    table_name: &str,
    written: &TableConstraint,
) -> Result<StatementResult> {
    let table = catalog
        .table(table_name)
        .ok_or_else(|| missing_table(table_name))?;
    let constraint = resolve(catalog, table, written, &[])?;
    check_existing_rows(catalog, writes, table, &constraint)?;
    let table = catalog
        .table_mut(table_name)
        .ok_or_else(|| missing_table(table_name))?;
    commit_change(table, writes, |table| {
        if let Some(columns) = constraint.unique_columns() {
            table.indexes.push(unique_index(&constraint.name, columns));
        }
        table.constraints.push(constraint.clone());
    })?;
    Ok(StatementResult::tag("ALTER TABLE"))
}

/// `ALTER TABLE table DROP CONSTRAINT [IF EXISTS] name`: a unique constraint takes its
/// index with it; dropping the primary key leaves its columns `NOT NULL`, as in
/// PostgreSQL 15.
pub fn drop_constraint(
    catalog: &mut Catalog,
    writes: &StoreWrites<'_>,
    table_name: &str,
    name: &str,
    if_exists: bool,
) -> Result<StatementResult> {
    let table = catalog
        .table_mut(table_name)
        .ok_or_else(|| missing_table(table_name))?;
    let mut result = StatementResult::tag("ALTER TABLE");
    if !table.has_constraint(name) {
        let message = format!("constraint \"{name}\" of relation \"{table_name}\" does not exist");
        if if_exists {
            result
                .notices
                .push(EngineError::notice("00000", format!("{message}, skipping")));
            return Ok(result);
        }
        return Err(EngineError::new("42704", message));
    }
    let primary = name == table.primary_key_name();
    commit_change(table, writes, |table| {
        if primary {
            table.primary_key.clear();
        }
        table.constraints.retain(|c| c.name != name);
        table.indexes.retain(|i| i.name != name);
    })?;
    table.row_indexes.drop_btree(name);
    Ok(result)
}

/// PostgreSQL's error for `DROP INDEX` of an index a constraint owns, if `index` is one.
pub(super) fn owned_index_error(table: &Table, index: &str) -> Option<EngineError> {
    let owned = (!table.primary_key.is_empty() && index == table.primary_key_name())
        || table.unique_constraints().any(|(name, _)| name == index);
    owned.then(|| {
        EngineError::new(
            "2BP01",
            format!(
                "cannot drop index {index} because constraint {index} on table {} requires it",
                table.name
            ),
        )
        .with_hint(format!(
            "You can drop constraint {index} on table {} instead.",
            table.name
        ))
    })
}
