//! Applying a data-changing statement's changes to one table: first to the store
//! (committed at once, or added to the open block's transaction), as row versions —
//! an update deletes the old version and writes a new one with a new row id, and
//! older snapshots go on seeing the old one — then the new versions' entries go into the
//! table's indexes (inside a block, recording how to take them out again).

use super::undo::{self, Undo};
use super::StoreWrites;
use crate::catalog::schema::encode_table;
use crate::catalog::{Catalog, Table};
use crate::error::{EngineError, Result};
use crate::storage::codec::encode_row;
use crate::storage::durable::{StoreOp, CATALOG_HEAP};
use crate::storage::{Row, RowId};
use crate::value::Datum;

/// The changes a DML statement makes to one table.
#[derive(Debug, Default)]
pub struct TableChanges {
    /// The table.
    pub table: String,
    /// New rows.
    pub inserts: Vec<Row>,
    /// Replaced row versions, with their new values.
    pub updates: Vec<(RowId, Row)>,
    /// Deleted row versions.
    pub deletes: Vec<RowId>,
    /// Columns whose sequence moved on, with the next value.
    pub sequences: Vec<(usize, i64)>,
    /// How many of the updates changed no indexed column (heap-only updates, in
    /// PostgreSQL's terms), for the table's activity counters.
    pub hot_updates: usize,
}

/// Applies a statement's changes. Every vector index must accept the new keys before
/// anything is written, so that an index refusing a value (too many non-zero elements, a
/// wrong dimension) fails the statement cleanly.
pub fn apply(catalog: &Catalog, writes: &StoreWrites<'_>, changes: TableChanges) -> Result<()> {
    let table = catalog.table(&changes.table).ok_or_else(|| {
        EngineError::new(
            "42P01",
            format!("relation \"{}\" does not exist", changes.table),
        )
    })?;
    for (column, next) in &changes.sequences {
        // Like PostgreSQL's sequences, these move on even if the statement fails later.
        if let Some(sequence) = &table.columns[*column].sequence {
            sequence.set(*next);
        }
    }
    let (old_ids, new_rows): (Vec<RowId>, Vec<Row>) = changes.updates.into_iter().unzip();
    let keys = index_keys(table, new_rows.iter().chain(&changes.inserts))?;
    // The table's row indexes must exist before its rows change (see `row_indexes`).
    writes.build_row_indexes(table)?;
    let heap = table.heap;
    let mut ops =
        Vec::with_capacity(changes.deletes.len() + new_rows.len() + changes.inserts.len() + 1);
    ops.extend(changes.deletes.iter().map(|id| StoreOp::Delete(heap, *id)));
    let inline_only = keeps_rows_inline(table);
    let encoded = |row: &Row| -> Result<Vec<u8>> {
        let bytes = encode_row(row);
        if inline_only && bytes.len() > vec_storage::heap::MAX_INLINE_ROW {
            return Err(EngineError::new(
                "54000",
                format!(
                    "row is too big: size {}, maximum size {}",
                    bytes.len(),
                    vec_storage::heap::MAX_INLINE_ROW
                ),
            ));
        }
        Ok(bytes)
    };
    for (id, row) in old_ids.iter().zip(&new_rows) {
        ops.push(StoreOp::Update(heap, *id, encoded(row)?));
    }
    for row in &changes.inserts {
        ops.push(StoreOp::Insert(heap, encoded(row)?));
    }
    if let (false, Some(catalog_row)) = (changes.sequences.is_empty(), table.catalog_row) {
        ops.push(StoreOp::Overwrite(
            CATALOG_HEAP.0,
            catalog_row,
            encode_table(table),
        ));
    }
    let counted = crate::catalog::stats::RowChanges {
        inserted: changes.inserts.len() as i64,
        updated: new_rows.len() as i64,
        hot_updated: changes.hot_updates as i64,
        deleted: changes.deletes.len() as i64,
    };
    let rows: Vec<Row> = new_rows.into_iter().chain(changes.inserts).collect();
    let ids = writes.commit_indexed(
        ops,
        |ids| index_versions(table, ids, &rows, &keys),
        |ids| undo::forget_versions(table, ids, &rows),
    )?;
    catalog.table_stats.changed(&table.key(), counted);
    if writes.in_block() && !ids.is_empty() {
        writes.record(Undo::Inserted {
            table: table.key(),
            rows: ids.into_iter().zip(rows).collect(),
        });
    }
    writes.maybe_checkpoint(catalog);
    Ok(())
}

/// Adds new row versions (`ids[i]` holding `rows[i]`, whose vector index keys are
/// `keys[i]`) to the table's indexes.
pub fn index_versions(
    table: &Table,
    ids: &[RowId],
    rows: &[Row],
    keys: &[Vec<Datum>],
) -> Result<()> {
    if let Some(mut built) = table.row_indexes.lock_if_built() {
        for (id, row) in ids.iter().zip(rows) {
            built.insert(*id, row);
        }
    }
    for (position, entry) in table.vector_indexes.iter().enumerate() {
        let mut index = entry.index.write();
        for (id, values) in ids.iter().zip(keys) {
            index.insert(*id, &values[position])?;
        }
    }
    Ok(())
}

/// The vector index keys of each row (one per index, in the table's order), each
/// checked against its index.
pub fn index_keys<'r>(
    table: &Table,
    rows: impl Iterator<Item = &'r Row>,
) -> Result<Vec<Vec<Datum>>> {
    if table.vector_indexes.is_empty() {
        return Ok(rows.map(|_| Vec::new()).collect());
    }
    rows.map(|row| {
        table
            .vector_indexes
            .iter()
            .map(|entry| {
                let value = entry.key_value(row)?;
                entry.index.read().check(&value)?;
                Ok(value)
            })
            .collect()
    })
    .collect()
}

/// Whether the table's rows must stay on their pages: a variable-length column's
/// storage was set to `PLAIN` (its values may not leave the row, and a row that leaves
/// its page leaves whole).
fn keeps_rows_inline(table: &Table) -> bool {
    table.columns.iter().any(|c| {
        c.storage == Some(crate::catalog::ColumnStorage::Plain)
            && crate::catalog::ColumnStorage::default_for(&c.ty)
                != crate::catalog::ColumnStorage::Plain
    })
}
