//! `CREATE SCHEMA` and `DROP SCHEMA [CASCADE]`, with PostgreSQL's messages; inside a
//! transaction block, what to undo is recorded.

use crate::catalog::schema::encode_schema;
use crate::catalog::{namespace, Catalog, Table};
use crate::error::{EngineError, Result};
use crate::exec::StatementResult;
use crate::sql::ast::SchemaCommand;
use crate::storage::durable::{StoreOp, CATALOG_HEAP};
use crate::txn::undo::Undo;
use crate::txn::StoreWrites;

/// Runs `CREATE SCHEMA` or `DROP SCHEMA`.
pub fn execute(
    catalog: &mut Catalog,
    writes: &StoreWrites<'_>,
    command: &SchemaCommand,
) -> Result<StatementResult> {
    match command {
        SchemaCommand::Create {
            name,
            if_not_exists,
        } => create(catalog, writes, name, *if_not_exists),
        SchemaCommand::Drop {
            names,
            if_exists,
            cascade,
        } => drop(catalog, writes, names, *if_exists, *cascade),
    }
}

fn exists(catalog: &Catalog, name: &str) -> bool {
    catalog.schema_exists(name) || namespace::SYSTEM_SCHEMAS.contains(&name)
}

fn create(
    catalog: &mut Catalog,
    writes: &StoreWrites<'_>,
    name: &str,
    if_not_exists: bool,
) -> Result<StatementResult> {
    let mut result = StatementResult::tag("CREATE SCHEMA");
    if exists(catalog, name) {
        if if_not_exists {
            result.notices.push(EngineError::notice(
                "42P06",
                format!("schema \"{name}\" already exists, skipping"),
            ));
            return Ok(result);
        }
        return Err(EngineError::new(
            "42P06",
            format!("schema \"{name}\" already exists"),
        ));
    }
    if name.starts_with("pg_") {
        return Err(
            EngineError::new("42939", format!("unacceptable schema name \"{name}\""))
                .with_detail("The prefix \"pg_\" is reserved for system schemas."),
        );
    }
    let ids = writes.commit(vec![StoreOp::Insert(CATALOG_HEAP.0, encode_schema(name))])?;
    catalog.add_schema(name.to_string(), ids.first().copied());
    if writes.in_block() {
        writes.record(Undo::CreatedSchema(name.to_string()));
    }
    Ok(result)
}

fn drop(
    catalog: &mut Catalog,
    writes: &StoreWrites<'_>,
    names: &[String],
    if_exists: bool,
    cascade: bool,
) -> Result<StatementResult> {
    let mut result = StatementResult::tag("DROP SCHEMA");
    let mut dropping = Vec::new();
    for name in names {
        if namespace::SYSTEM_SCHEMAS.contains(&name.as_str()) {
            return Err(EngineError::new(
                "2BP01",
                format!("cannot drop schema {name} because it is required by the database system"),
            ));
        }
        if name == namespace::PUBLIC {
            return Err(EngineError::unsupported(
                "schema \"public\" cannot be dropped in vecsh",
            ));
        }
        if !catalog.schema_exists(name) {
            super::missing(
                if_exists,
                &mut result,
                "3F000",
                &format!("schema \"{name}\""),
            )?;
            continue;
        }
        if !dropping.contains(name) {
            dropping.push(name.clone());
        }
    }
    let tables: Vec<&Table> = dropping
        .iter()
        .flat_map(|schema| catalog.tables_in(schema))
        .collect();
    if !tables.is_empty() {
        let lines: Vec<String> = tables
            .iter()
            .map(|t| {
                if cascade {
                    format!("drop cascades to table {}", t.key())
                } else {
                    format!("table {} depends on schema {}", t.key(), t.schema)
                }
            })
            .collect();
        if !cascade {
            return Err(EngineError::new(
                "2BP01",
                format!(
                    "cannot drop schema {} because other objects depend on it",
                    dropping[0]
                ),
            )
            .with_detail(lines.join("\n"))
            .with_hint("Use DROP ... CASCADE to drop the dependent objects too."));
        }
        result.notices.push(if lines.len() == 1 {
            EngineError::notice("00000", lines[0].clone())
        } else {
            EngineError::notice(
                "00000",
                format!("drop cascades to {} other objects", lines.len()),
            )
            .with_detail(lines.join("\n"))
        });
    }
    let keys: Vec<String> = tables.iter().map(|t| t.key()).collect();
    let mut ops = Vec::new();
    for table in &tables {
        ops.push(StoreOp::DropHeap(table.heap));
        if let Some(row) = table.catalog_row {
            ops.push(StoreOp::Remove(CATALOG_HEAP.0, row));
        }
    }
    for schema in &dropping {
        if let Some(Some(row)) = catalog
            .schemas()
            .find(|(s, _)| *s == schema)
            .map(|(_, r)| r)
        {
            ops.push(StoreOp::Remove(CATALOG_HEAP.0, row));
        }
    }
    writes.commit(ops)?;
    if writes.in_block() {
        catalog.keep_dropped_tables();
    }
    for key in &keys {
        catalog.drop_table(key);
    }
    if writes.in_block() {
        for table in catalog.take_dropped_tables() {
            writes.record(Undo::DroppedTable(Box::new(table)));
        }
    }
    for schema in dropping {
        if let Some(row) = catalog.drop_schema(&schema) {
            if writes.in_block() {
                writes.record(Undo::DroppedSchema(schema, row));
            }
        }
    }
    Ok(result)
}
