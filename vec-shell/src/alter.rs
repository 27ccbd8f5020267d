//! Changing existing relations: `ALTER TABLE … ADD COLUMN` and `DROP INDEX`, with
//! PostgreSQL's messages and `IF [NOT] EXISTS` notices. The table's catalog row (which
//! lists its columns and indexes) and any rewritten rows change in the durable store in
//! one transaction before the in-memory catalog changes.

use crate::catalog::{Catalog, Column};
use crate::error::{EngineError, Result};
use crate::session::StatementResult;
use crate::sql::ast::ColumnDef;
use crate::storage::codec::encode_row;
use crate::storage::durable::{Durable, StoreOp, CATALOG_HEAP};
use crate::storage::schema::encode_table;
use crate::value::types::resolve_type_name;
use crate::value::{Datum, SqlType};

/// `ALTER TABLE table ADD COLUMN [IF NOT EXISTS] column`: existing rows get NULL in the
/// new column (and are rewritten with it), so `NOT NULL` needs an empty table.
pub fn add_column(
    catalog: &mut Catalog,
    durable: Option<&Durable>,
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
    if serial || def.identity || def.primary_key || def.default.is_some() {
        return Err(EngineError::unsupported(
            "ADD COLUMN supports only plain columns (no default, identity or key)",
        ));
    }
    let (ty, typmod) = resolve_type_name(&def.type_name)?;
    // `bit` without a length is `bit(1)` in a column definition.
    let typmod = if ty == SqlType::Bit && typmod < 0 {
        1
    } else {
        typmod
    };
    if def.not_null && !table.store.is_empty() {
        return Err(EngineError::new(
            "23502",
            format!(
                "column \"{}\" of relation \"{table_name}\" contains null values",
                def.name
            ),
        ));
    }
    let rows: Vec<(u64, Vec<Datum>)> = table
        .store
        .scan()
        .map(|(id, row)| {
            let mut row = row.clone();
            row.push(Datum::Null);
            (id, row)
        })
        .collect();
    table.columns.push(Column {
        name: def.name.clone(),
        ty,
        typmod,
        not_null: def.not_null,
        sequence: None,
    });
    if let (Some(durable), Some(heap), Some(catalog_row)) = (durable, table.heap, table.catalog_row)
    {
        let mut ops: Vec<StoreOp> = rows
            .iter()
            .map(|(id, row)| StoreOp::Update(heap, *id, encode_row(row)))
            .collect();
        ops.push(StoreOp::Update(
            CATALOG_HEAP.0,
            catalog_row,
            encode_table(table),
        ));
        if let Err(error) = durable.commit(ops) {
            table.columns.pop();
            return Err(error);
        }
    }
    for (id, row) in rows {
        table.store.update(id, row)?;
    }
    Ok(result)
}

/// `DROP INDEX [IF EXISTS] name, …`: every name is checked before any index goes, and
/// all the tables' catalog rows change in one durable transaction.
pub fn drop_index(
    catalog: &mut Catalog,
    durable: Option<&Durable>,
    names: &[String],
    if_exists: bool,
) -> Result<StatementResult> {
    let mut result = StatementResult::tag("DROP INDEX");
    let mut found = Vec::new();
    for name in names {
        let owner = catalog
            .tables()
            .find(|t| t.indexes.iter().any(|i| &i.name == name))
            .map(|t| t.name.clone());
        match owner {
            Some(table) => found.push((table, name.clone())),
            None if catalog.table(name).is_some() => {
                return Err(EngineError::new(
                    "42809",
                    format!("\"{name}\" is not an index"),
                ));
            }
            None if if_exists => result.notices.push(EngineError::notice(
                "00000",
                format!("index \"{name}\" does not exist, skipping"),
            )),
            None => {
                return Err(EngineError::new(
                    "42704",
                    format!("index \"{name}\" does not exist"),
                ));
            }
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
        table
            .indexes
            .retain(|i| !found.iter().any(|(_, name)| name == &i.name));
        ops.push(StoreOp::Update(CATALOG_HEAP.0, row, encode_table(table)));
        table.indexes = kept;
    }
    if let Some(durable) = durable {
        if !ops.is_empty() {
            durable.commit(ops)?;
        }
    }
    for (table_name, index_name) in &found {
        if let Some(table) = catalog.table_mut(table_name) {
            table.indexes.retain(|i| &i.name != index_name);
            table.vector_indexes.retain(|v| &v.name != index_name);
            table.store.drop_btree(index_name);
        }
    }
    Ok(result)
}
