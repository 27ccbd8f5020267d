//! Data definition inside a transaction block. Each statement the block can roll back
//! runs through `ddl::execute` as outside a block (its store operations join the block's
//! transaction), with what it replaces kept in the undo log: `CREATE EXTENSION`,
//! `CREATE TABLE`, `DROP TABLE`, `TRUNCATE`, `CREATE INDEX`, `DROP INDEX`,
//! `ALTER TABLE … ADD COLUMN`, `ALTER TABLE … ALTER COLUMN … SET STORAGE` and `ALTER TABLE … ADD | DROP CONSTRAINT`. Any other schema statement is refused inside a block
//! (`0A000`) rather than run half-undoable.

use crate::progress::Monitor;
use std::collections::HashSet;

use crate::catalog::{Catalog, Table};
use crate::error::{EngineError, Result};
use crate::exec::StatementResult;
use crate::sql::ast::Statement;
use crate::txn::undo::{SavedRows, Undo};
use crate::txn::StoreWrites;

/// Runs a schema statement; inside a block, records how to undo it. Undo entries are
/// recorded whether the statement succeeds or not, since a failure aborts the block and
/// rolls back whatever the statement had already changed.
pub fn execute(
    catalog: &mut Catalog,
    writes: &StoreWrites<'_>,
    statement: &Statement,
    monitor: Monitor<'_>,
) -> Result<StatementResult> {
    if !writes.in_block() {
        return super::execute(catalog, writes, statement, monitor);
    }
    match statement {
        Statement::CreateExtension { name, .. } if name != "pg_stat_statements" => {
            writes.record(Undo::Extension(catalog.extension_installed));
            super::execute(catalog, writes, statement, monitor)
        }
        Statement::CreateTable(create) => {
            let before = catalog.table(&create.name).map(Table::key);
            let result = super::execute(catalog, writes, statement, monitor);
            match catalog.table(&create.name).map(Table::key) {
                Some(created) if Some(&created) != before.as_ref() => {
                    writes.record(Undo::CreatedTable(created));
                }
                _ => {}
            }
            result
        }
        Statement::DropTable { .. } => {
            catalog.keep_dropped_tables();
            let result = super::execute(catalog, writes, statement, monitor);
            for table in catalog.take_dropped_tables() {
                writes.record(Undo::DroppedTable(Box::new(table)));
            }
            result
        }
        Statement::Truncate { names } => {
            // The undo log keeps the table's heap and index structures; the statement
            // gives it new ones.
            let mut seen = HashSet::new();
            for name in names {
                if !seen.insert(name) {
                    continue;
                }
                if let Some(table) = catalog.table_mut(name) {
                    let saved = SavedRows {
                        vector_indexes: std::mem::take(&mut table.vector_indexes),
                        row_indexes: std::mem::take(&mut table.row_indexes),
                        heap: table.heap,
                    };
                    writes.record(Undo::Truncated {
                        table: table.key(),
                        saved,
                    });
                }
            }
            super::execute(catalog, writes, statement, monitor)
        }
        Statement::CreateIndex(create) => {
            let before: HashSet<String> = catalog
                .table(&create.table)
                .map(|t| t.indexes.iter().map(|i| i.name.clone()).collect())
                .unwrap_or_default();
            let result = super::execute(catalog, writes, statement, monitor);
            if let Some(table) = catalog.table(&create.table) {
                for index in &table.indexes {
                    if !before.contains(&index.name) {
                        writes.record(Undo::CreatedIndex {
                            table: table.key(),
                            index: index.name.clone(),
                        });
                    }
                }
            }
            result
        }
        Statement::DropIndex { names, .. } => {
            // The structures leave their tables before the statement runs; the undo log
            // keeps them with their places.
            let mut owners: Vec<(String, Vec<String>)> = Vec::new();
            for name in names {
                let Some((table, position)) = catalog.find_index(name) else {
                    continue;
                };
                let index = table.indexes[position].name.clone();
                match owners.iter_mut().find(|(owner, _)| *owner == table.key()) {
                    Some((_, indexes)) => indexes.push(index),
                    None => owners.push((table.key(), vec![index])),
                }
            }
            for (owner, names) in owners {
                let Some(table) = catalog.table_mut(&owner) else {
                    continue;
                };
                let mut entries = Vec::new();
                let mut kept = Vec::new();
                for (position, entry) in std::mem::take(&mut table.vector_indexes)
                    .into_iter()
                    .enumerate()
                {
                    if names.contains(&entry.name) {
                        entries.push((position, entry));
                    } else {
                        kept.push(entry);
                    }
                }
                table.vector_indexes = kept;
                writes.record(Undo::DroppedIndexes {
                    table: owner,
                    indexes: table.indexes.clone(),
                    entries,
                });
            }
            super::execute(catalog, writes, statement, monitor)
        }
        Statement::AddColumn { table, .. }
        | Statement::SetStorage { table, .. }
        | Statement::SetStatistics { table, .. } => {
            if let Some(existing) = catalog.table(table) {
                writes.record(Undo::AddedColumn {
                    table: existing.key(),
                    columns: existing.columns.clone(),
                });
            }
            super::execute(catalog, writes, statement, monitor)
        }
        Statement::AddConstraint { table, .. } | Statement::DropConstraint { table, .. } => {
            if let Some(existing) = catalog.table(table) {
                writes.record(Undo::Constraints {
                    table: existing.key(),
                    before: Box::new((
                        existing.constraints.clone(),
                        existing.indexes.clone(),
                        existing.primary_key.clone(),
                    )),
                });
            }
            super::execute(catalog, writes, statement, monitor)
        }
        Statement::Maintenance(command) if command.vacuum => Err(EngineError::new(
            "25001",
            "VACUUM cannot run inside a transaction block",
        )),
        Statement::Maintenance(_) | Statement::Schema(_) => {
            super::execute(catalog, writes, statement, monitor)
        }
        other => Err(EngineError::unsupported(format!(
            "{} cannot run inside a transaction block in vecsh",
            command_name(other)
        ))
        .with_hint("Run it outside BEGIN … COMMIT.")),
    }
}

/// The statement's command (its first one or two upper-case words, `CREATE INDEX`), for
/// messages.
pub fn command_name(statement: &Statement) -> String {
    let text = statement.to_string();
    text.split_whitespace()
        .take_while(|w| w.chars().all(|c| c.is_ascii_uppercase()))
        .take(2)
        .collect::<Vec<_>>()
        .join(" ")
}
