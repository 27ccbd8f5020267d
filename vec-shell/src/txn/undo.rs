//! The undo log of a transaction block: how to put the in-memory catalog back as it was
//! at `BEGIN`. Entries are replayed newest first. Runs of row changes are replayed
//! together per table: each touched row goes back to its state before the run (its
//! oldest entry), its vector index entries are removed and re-added with one vacuum per
//! index, and the primary-key set is recomputed. Schema changes keep what they replaced
//! (a dropped table, a table's rows and index structures before `TRUNCATE`, dropped
//! index structures), so that rolling back restores those very objects.

use std::collections::{BTreeMap, HashSet};

use crate::catalog::{Catalog, Column, Index, Table, VectorIndexEntry};
use crate::storage::{Row, RowId, TableStore};

/// A table's rows and derived structures, as `TRUNCATE` found them.
pub struct SavedRows {
    /// The rows.
    pub store: Box<dyn TableStore>,
    /// The vector indexes' structures.
    pub vector_indexes: Vec<VectorIndexEntry>,
    /// The primary-key set.
    pub primary_keys: HashSet<Vec<Option<String>>>,
    /// The durable heap.
    pub heap: Option<u32>,
}

/// One change to undo.
pub enum Undo {
    /// A row was inserted (`old` is `None`), updated or deleted (`old` is its previous
    /// value).
    Row {
        /// The table.
        table: String,
        /// The row.
        id: RowId,
        /// The row before the change.
        old: Option<Row>,
    },
    /// `CREATE EXTENSION`: whether it was installed before.
    Extension(bool),
    /// A table was created.
    CreatedTable(String),
    /// A table was dropped.
    DroppedTable(Box<Table>),
    /// A table was truncated.
    Truncated {
        /// The table.
        table: String,
        /// What it held.
        saved: SavedRows,
    },
    /// An index was created.
    CreatedIndex {
        /// The table.
        table: String,
        /// The index.
        index: String,
    },
    /// Indexes of a table were dropped.
    DroppedIndexes {
        /// The table.
        table: String,
        /// The table's index definitions before.
        indexes: Vec<Index>,
        /// The dropped structures, with their positions in the table's list.
        entries: Vec<(usize, VectorIndexEntry)>,
    },
    /// A column was added.
    AddedColumn {
        /// The table.
        table: String,
        /// The columns before.
        columns: Vec<Column>,
    },
}

/// Undoes `log` (oldest first) on `catalog`.
pub fn replay(catalog: &mut Catalog, log: Vec<Undo>) {
    let mut rows = Vec::new();
    for entry in log.into_iter().rev() {
        match entry {
            Undo::Row { table, id, old } => rows.push((table, id, old)),
            other => {
                restore_rows(catalog, std::mem::take(&mut rows));
                undo_schema(catalog, other);
            }
        }
    }
    restore_rows(catalog, rows);
}

/// Puts rows back; `entries` are newest first, so the last entry of a row holds its
/// state before all of them.
fn restore_rows(catalog: &mut Catalog, entries: Vec<(String, RowId, Option<Row>)>) {
    let mut by_table: BTreeMap<String, BTreeMap<RowId, Option<Row>>> = BTreeMap::new();
    for (table, id, old) in entries {
        by_table.entry(table).or_default().insert(id, old);
    }
    for (name, rows) in by_table {
        let Some(table) = catalog.table_mut(&name) else {
            continue;
        };
        for entry in &mut table.vector_indexes {
            for id in rows.keys() {
                entry.index.delete(*id);
            }
            entry.index.vacuum();
        }
        for (id, old) in &rows {
            match old {
                Some(row) => table.store.insert_at(*id, row.clone()),
                None => {
                    let _ = table.store.delete(*id);
                }
            }
        }
        for (id, old) in &rows {
            let Some(row) = old else { continue };
            for entry in &mut table.vector_indexes {
                // The value was indexed before, so the index accepts it again.
                if let Ok(value) = entry.key_value(row) {
                    let _ = entry.index.insert(*id, &value);
                }
            }
        }
        table.rebuild_primary_keys();
    }
}

fn undo_schema(catalog: &mut Catalog, entry: Undo) {
    match entry {
        Undo::Row { .. } => {}
        Undo::Extension(installed) => catalog.extension_installed = installed,
        Undo::CreatedTable(name) => {
            catalog.drop_table(&name);
        }
        Undo::DroppedTable(table) => catalog.add_table(*table),
        Undo::Truncated { table, saved } => {
            if let Some(table) = catalog.table_mut(&table) {
                table.store = saved.store;
                table.vector_indexes = saved.vector_indexes;
                table.primary_keys = saved.primary_keys;
                table.heap = saved.heap;
            }
        }
        Undo::CreatedIndex { table, index } => {
            if let Some(table) = catalog.table_mut(&table) {
                table.indexes.retain(|i| i.name != index);
                table.vector_indexes.retain(|v| v.name != index);
            }
        }
        Undo::DroppedIndexes {
            table,
            indexes,
            entries,
        } => {
            if let Some(table) = catalog.table_mut(&table) {
                table.indexes = indexes;
                for (position, entry) in entries {
                    let position = position.min(table.vector_indexes.len());
                    table.vector_indexes.insert(position, entry);
                }
            }
        }
        Undo::AddedColumn { table, columns } => {
            if let Some(table) = catalog.table_mut(&table) {
                let width = columns.len();
                table.columns = columns;
                let ids: Vec<RowId> = table.store.scan().map(|(id, _)| id).collect();
                for id in ids {
                    if let Some(mut row) = table.store.get(id).cloned() {
                        row.truncate(width);
                        table.store.insert_at(id, row);
                    }
                }
            }
        }
    }
}
