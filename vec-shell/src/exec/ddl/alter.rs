//! Changing existing relations: `ALTER TABLE … ADD COLUMN`, `ALTER TABLE … ALTER COLUMN …
//! SET STORAGE` and `DROP INDEX`, with
//! PostgreSQL's messages and `IF [NOT] EXISTS` notices. The table's catalog row (which
//! lists its columns and indexes) and any rewritten rows change in the durable store in
//! one transaction before the in-memory catalog changes.

use crate::analyze::defaults::{bind_default, bind_generated};
use crate::analyze::types::resolve_type_name;
use crate::catalog::schema::encode_table;
use crate::catalog::{Catalog, Column, ColumnStorage, Table};
use crate::error::{EngineError, Result};
use crate::exec::StatementResult;
use crate::exec::{ExecContext, IndexGuards};
use crate::sql::ast::ColumnDef;
use crate::storage::codec::encode_row;
use crate::storage::durable::{StoreOp, CATALOG_HEAP};
use crate::storage::{Row, RowId};
use crate::txn::undo::Undo;
use crate::txn::StoreWrites;
use crate::value::{Datum, SqlType};

/// `ALTER TABLE table ADD COLUMN [IF NOT EXISTS] column`: existing rows get the
/// column's default, its generated value or NULL (and are rewritten with it); `NOT
/// NULL` fails if that leaves a NULL.
pub fn add_column(
    catalog: &mut Catalog,
    writes: &StoreWrites<'_>,
    table_name: &str,
    def: &ColumnDef,
    if_not_exists: bool,
) -> Result<StatementResult> {
    let Some(table) = catalog.table_mut(table_name) else {
        return Err(EngineError::new(
            "42P01",
            format!("relation \"{table_name}\" does not exist"),
        ));
    };
    let mut result = StatementResult::tag("ALTER TABLE");
    if table.columns.iter().any(|c| c.name == def.name) {
        if if_not_exists {
            result.notices.push(EngineError::notice(
                "42701",
                format!(
                    "column \"{}\" of relation \"{table_name}\" already exists, skipping",
                    def.name
                ),
            ));
            return Ok(result);
        }
        return Err(EngineError::new(
            "42701",
            format!(
                "column \"{}\" of relation \"{table_name}\" already exists",
                def.name
            ),
        ));
    }
    let serial = matches!(
        def.type_name.name.as_str(),
        "serial" | "serial4" | "bigserial" | "serial8"
    );
    if serial || def.identity || def.primary_key {
        return Err(EngineError::unsupported(
            "ADD COLUMN supports no identity, serial or key columns",
        ));
    }
    if !def.constraints.is_empty() {
        return Err(EngineError::unsupported(
            "ADD COLUMN supports no UNIQUE or CHECK constraint on the new column",
        )
        .with_hint("Add the column, then the constraint with ALTER TABLE … ADD CONSTRAINT."));
    }
    crate::exec::ddl::check_column_clauses(def, table_name)?;
    let (ty, typmod) = resolve_type_name(&def.type_name)?;
    // `bit` without a length is `bit(1)` in a column definition.
    let typmod = if ty == SqlType::Bit && typmod < 0 {
        1
    } else {
        typmod
    };
    table.columns.push(Column {
        name: def.name.clone(),
        ty,
        typmod,
        not_null: def.not_null,
        sequence: None,
        identity_always: false,
        storage: None,
        statistics_target: None,
        default: def.default.as_ref().map(ToString::to_string),
        generated: def
            .generated
            .as_ref()
            .map(|e| super::with_regconfig(e).to_string()),
    });
    // Existing rows get the default (evaluated per row, as PostgreSQL does for a
    // volatile one) or the generated value, else NULL: each gets a new version.
    let rows = match existing_rows_with_column(table, def, writes) {
        Ok(rows) => rows,
        Err(error) => {
            table.columns.pop();
            return Err(error);
        }
    };
    if let Err(error) = rewrite_rows(table, writes, rows) {
        table.columns.pop();
        return Err(error);
    }
    Ok(result)
}

/// Replaces every row with its new version (`rows`: old id and new value) and the
/// table's catalog entry, in one transaction; the new versions enter the indexes.
fn rewrite_rows(table: &Table, writes: &StoreWrites<'_>, rows: Vec<(RowId, Row)>) -> Result<()> {
    let heap = table.heap;
    let mut ops: Vec<StoreOp> = rows
        .iter()
        .map(|(id, row)| StoreOp::Update(heap, *id, encode_row(row)))
        .collect();
    if let Some(catalog_row) = table.catalog_row {
        ops.push(StoreOp::Overwrite(
            CATALOG_HEAP.0,
            catalog_row,
            encode_table(table),
        ));
    }
    let rows: Vec<Row> = rows.into_iter().map(|(_, row)| row).collect();
    let keys = crate::txn::index_keys(table, rows.iter())?;
    writes.build_row_indexes(table)?;
    let ids = writes.commit_indexed(
        ops,
        |ids| crate::txn::index_versions(table, ids, &rows, &keys),
        |ids| crate::txn::undo::forget_versions(table, ids, &rows),
    )?;
    if writes.in_block() && !ids.is_empty() {
        writes.record(Undo::Inserted {
            table: table.key(),
            rows: ids.into_iter().zip(rows).collect(),
        });
    }
    Ok(())
}

/// The table's rows (as the writer sees them) with a value for the column just added
/// (the table's last).
fn existing_rows_with_column(
    table: &Table,
    def: &ColumnDef,
    writes: &StoreWrites<'_>,
) -> Result<Vec<(RowId, Row)>> {
    // Default and generation expressions name no other relation, so they bind against
    // an empty catalog while the table is borrowed from the real one.
    let empty = Catalog::default();
    let column = table
        .columns
        .last()
        .ok_or_else(|| EngineError::internal("no column added"))?;
    let default = match &def.default {
        Some(expr) => Some(bind_default(&empty, column, expr)?),
        None => None,
    };
    let generated = match &def.generated {
        Some(expr) => Some(bind_generated(&empty, table, column, expr)?),
        None => None,
    };
    let source = writes.read_source();
    let view = source.view();
    let guards = IndexGuards::none();
    let context = ExecContext::new(&empty, view, &guards);
    let mut rows = Vec::new();
    for found in view.scan(table.heap)? {
        let (id, mut row) = found?;
        row.push(Datum::Null);
        let value = match (&default, &generated) {
            (_, Some(expr)) | (Some(expr), None) => crate::expr::eval(expr, &row, &context)?,
            (None, None) => Datum::Null,
        };
        if column.not_null && value.is_null() {
            return Err(EngineError::new(
                "23502",
                format!(
                    "column \"{}\" of relation \"{}\" contains null values",
                    column.name, table.name
                ),
            ));
        }
        if let Some(slot) = row.last_mut() {
            *slot = value;
        }
        rows.push((id, row));
    }
    Ok(rows)
}

/// `ALTER TABLE table ALTER [COLUMN] column SET STORAGE mode`: the mode `\d+` shows and
/// whether the column's long values may leave the row (`PLAIN`: never; see
/// [`ColumnStorage`]). Only the table's catalog entry changes.
pub fn set_storage(
    catalog: &mut Catalog,
    writes: &StoreWrites<'_>,
    table_name: &str,
    column_name: &str,
    storage: &str,
) -> Result<StatementResult> {
    change_column(catalog, writes, table_name, column_name, |column| {
        column.storage = Some(ColumnStorage::parse(storage, &column.ty)?);
        Ok(())
    })?;
    Ok(StatementResult::tag("ALTER TABLE"))
}

/// The largest statistics target (PostgreSQL's `MAX_STATISTICS_TARGET`).
const MAX_STATISTICS_TARGET: i64 = 10_000;

/// `ALTER TABLE table ALTER [COLUMN] column SET STATISTICS target`: how many most
/// common values and histogram buckets `ANALYZE` keeps for the column (0: none, the
/// column is not analyzed; -1: the default); a target above 10,000 is lowered to it
/// with PostgreSQL's warning.
pub fn set_statistics(
    catalog: &mut Catalog,
    writes: &StoreWrites<'_>,
    table_name: &str,
    column_name: &str,
    target: i64,
) -> Result<StatementResult> {
    if target < -1 {
        return Err(EngineError::new(
            "22023",
            format!("statistics target {target} is too low"),
        ));
    }
    let mut result = StatementResult::tag("ALTER TABLE");
    let target = if target > MAX_STATISTICS_TARGET {
        result.notices.push(EngineError::warning(
            "01000",
            format!("lowering statistics target to {MAX_STATISTICS_TARGET}"),
        ));
        MAX_STATISTICS_TARGET
    } else {
        target
    };
    change_column(catalog, writes, table_name, column_name, |column| {
        column.statistics_target = (target >= 0).then_some(target as i32);
        Ok(())
    })?;
    Ok(result)
}

/// Changes one column's catalog entry with `change` and stores the table's entry; the
/// column is left as it was if either fails.
fn change_column(
    catalog: &mut Catalog,
    writes: &StoreWrites<'_>,
    table_name: &str,
    column_name: &str,
    change: impl FnOnce(&mut Column) -> Result<()>,
) -> Result<()> {
    let Some(table) = catalog.table_mut(table_name) else {
        return Err(EngineError::new(
            "42P01",
            format!("relation \"{table_name}\" does not exist"),
        ));
    };
    let Some(position) = table.columns.iter().position(|c| c.name == column_name) else {
        return Err(EngineError::new(
            "42703",
            format!("column \"{column_name}\" of relation \"{table_name}\" does not exist"),
        ));
    };
    let before = table.columns[position].clone();
    change(&mut table.columns[position])?;
    if let Some(row) = table.catalog_row {
        let op = StoreOp::Overwrite(CATALOG_HEAP.0, row, encode_table(table));
        if let Err(error) = writes.commit(vec![op]) {
            table.columns[position] = before;
            return Err(error);
        }
    }
    Ok(())
}

/// `DROP INDEX [IF EXISTS] name, …`: every name is checked before any index goes, and
/// all the tables' catalog rows change in one durable transaction.
pub fn drop_index(
    catalog: &mut Catalog,
    writes: &StoreWrites<'_>,
    names: &[String],
    if_exists: bool,
) -> Result<StatementResult> {
    let mut result = StatementResult::tag("DROP INDEX");
    let mut found = Vec::new();
    for name in names {
        match catalog.find_index(name) {
            Some((table, position)) => {
                let index = table.indexes[position].name.clone();
                if let Some(error) = super::constraint::owned_index_error(table, &index) {
                    return Err(error);
                }
                found.push((table.key(), index));
            }
            None if catalog.table(name).is_some() => {
                return Err(EngineError::new(
                    "42809",
                    format!("\"{name}\" is not an index"),
                ));
            }
            None => super::missing(
                if_exists,
                &mut result,
                "42704",
                &format!("index \"{name}\""),
            )?,
        }
    }
    let mut ops = Vec::new();
    let mut touched: Vec<String> = found.iter().map(|(table, _)| table.clone()).collect();
    touched.sort_unstable();
    touched.dedup();
    for table_name in &touched {
        let Some(table) = catalog.table_mut(table_name) else {
            continue;
        };
        let Some(row) = table.catalog_row else {
            continue;
        };
        // Encode the table as it will be without the dropped indexes, then put them
        // back until the durable store has the change.
        let kept = table.indexes.clone();
        table.indexes.retain(|i| {
            !found
                .iter()
                .any(|(t, name)| t == table_name && name == &i.name)
        });
        ops.push(StoreOp::Overwrite(CATALOG_HEAP.0, row, encode_table(table)));
        table.indexes = kept;
    }
    if !ops.is_empty() {
        writes.commit(ops)?;
    }
    for (table_name, index_name) in &found {
        if let Some(table) = catalog.table_mut(table_name) {
            table.indexes.retain(|i| &i.name != index_name);
            table.vector_indexes.retain(|v| &v.name != index_name);
            table.row_indexes.drop_btree(index_name);
        }
    }
    Ok(result)
}
