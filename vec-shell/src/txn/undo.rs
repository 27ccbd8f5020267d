//! The undo log of a transaction block: how to put the in-memory catalog back as it was
//! at `BEGIN` when the block rolls back. Rows need no undo: they live in the store, whose
//! transaction simply never commits. What lives in memory does: the index entries of the
//! row versions the block wrote (removed before the storage transaction is dropped, so
//! that no entry outlives its row and points at a slot reused later), and the schema
//! changes, which keep what they replaced (a dropped table, a table's heap and index
//! structures before `TRUNCATE`, dropped index structures) so that rolling back restores
//! those very objects. Entries are replayed newest first.

use crate::catalog::{Catalog, Column, Constraint, Index, RowIndexes, Table, VectorIndexEntry};
use crate::storage::{Row, RowId};

/// A table's heap and index structures, as `TRUNCATE` found them.
pub struct SavedRows {
    /// The vector indexes' structures.
    pub vector_indexes: Vec<VectorIndexEntry>,
    /// The btree and primary key structures.
    pub row_indexes: RowIndexes,
    /// The heap.
    pub heap: u32,
}

/// One change to undo.
pub enum Undo {
    /// Row versions were written: their index entries go.
    Inserted {
        /// The table.
        table: String,
        /// The versions' ids and values.
        rows: Vec<(RowId, Row)>,
    },
    /// `CREATE EXTENSION`: whether it was installed before.
    Extension(bool),
    /// A table was created.
    CreatedTable(String),
    /// A schema was created.
    CreatedSchema(String),
    /// A schema was dropped: its name and catalog entry.
    DroppedSchema(String, Option<u64>),
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
    /// A constraint was added or dropped (`ALTER TABLE … ADD | DROP CONSTRAINT`).
    Constraints {
        /// The table.
        table: String,
        /// Its constraints, indexes and primary key before.
        before: Box<(Vec<Constraint>, Vec<Index>, Vec<usize>)>,
    },
}

/// Undoes `log` (oldest first) on `catalog`.
pub fn replay(catalog: &mut Catalog, log: Vec<Undo>) {
    for entry in log.into_iter().rev() {
        undo(catalog, entry);
    }
}

/// Removes the index entries of row versions that will never exist (`ids[i]` holding
/// `rows[i]`).
pub fn forget_versions(table: &Table, ids: &[RowId], rows: &[Row]) {
    for entry in &table.vector_indexes {
        let mut index = entry.index.write();
        for id in ids {
            index.delete(*id);
        }
        index.vacuum();
    }
    if let Some(mut built) = table.row_indexes.lock_if_built() {
        for (id, row) in ids.iter().zip(rows) {
            built.remove(*id, row);
        }
    }
}

fn undo(catalog: &mut Catalog, entry: Undo) {
    match entry {
        Undo::Inserted { table, rows } => {
            if let Some(table) = catalog.table(&table) {
                let (ids, rows): (Vec<RowId>, Vec<Row>) = rows.into_iter().unzip();
                forget_versions(table, &ids, &rows);
            }
        }
        Undo::Extension(installed) => catalog.extension_installed = installed,
        Undo::CreatedTable(name) => {
            catalog.drop_table(&name);
        }
        Undo::DroppedTable(table) => catalog.add_table(*table),
        Undo::CreatedSchema(name) => {
            catalog.drop_schema(&name);
        }
        Undo::DroppedSchema(name, row) => catalog.add_schema(name, row),
        Undo::Truncated { table, saved } => {
            if let Some(table) = catalog.table_mut(&table) {
                table.vector_indexes = saved.vector_indexes;
                table.row_indexes = saved.row_indexes;
                table.heap = saved.heap;
            }
        }
        Undo::CreatedIndex { table, index } => {
            if let Some(table) = catalog.table_mut(&table) {
                table.indexes.retain(|i| i.name != index);
                table.vector_indexes.retain(|v| v.name != index);
                table.row_indexes.invalidate();
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
                table.row_indexes.invalidate();
            }
        }
        Undo::AddedColumn { table, columns } => {
            if let Some(table) = catalog.table_mut(&table) {
                table.columns = columns;
                table.row_indexes.invalidate();
            }
        }
        Undo::Constraints { table, before } => {
            if let Some(table) = catalog.table_mut(&table) {
                (table.constraints, table.indexes, table.primary_key) = *before;
                table.row_indexes.invalidate();
            }
        }
    }
}
