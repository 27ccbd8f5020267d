//! Applying a data-changing statement's changes to one table: first to the durable
//! store (committed at once, or added to the open block's transaction), then to the
//! in-memory rows, primary keys and vector indexes (inside a block, recording how to
//! undo them).

use super::undo::Undo;
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
    /// Replaced rows.
    pub updates: Vec<(RowId, Row)>,
    /// Removed rows.
    pub deletes: Vec<RowId>,
    /// Columns whose sequence moved on, with the next value.
    pub sequences: Vec<(usize, i64)>,
}

/// Applies a statement's changes: first to the durable store (committed at once, or
/// added to the open block's transaction), then to the in-memory rows, keys and vector
/// indexes (inside a block, recording how to undo them). Every vector index must accept
/// the new keys before anything is written, so that an index refusing a value (too many
/// non-zero elements, a wrong dimension) fails the statement cleanly.
pub fn apply(catalog: &mut Catalog, writes: &StoreWrites<'_>, changes: TableChanges) -> Result<()> {
    let table = catalog.table_mut(&changes.table).ok_or_else(|| {
        EngineError::new(
            "42P01",
            format!("relation \"{}\" does not exist", changes.table),
        )
    })?;
    for (column, next) in &changes.sequences {
        // Like PostgreSQL's sequences, these move on even if the statement fails later.
        table.columns[*column].sequence = Some(*next);
    }
    let update_keys = index_keys(table, changes.updates.iter().map(|(_, row)| row))?;
    let insert_keys = index_keys(table, changes.inserts.iter())?;
    let mut inserted_ids = None;
    if let (Some(durable), Some(heap)) = (writes.durable(), table.heap) {
        let mut ops = Vec::with_capacity(
            changes.inserts.len() + changes.updates.len() + changes.deletes.len() + 1,
        );
        ops.extend(
            changes
                .inserts
                .iter()
                .map(|row| StoreOp::Insert(heap, encode_row(row))),
        );
        ops.extend(
            changes
                .updates
                .iter()
                .map(|(id, row)| StoreOp::Update(heap, *id, encode_row(row))),
        );
        ops.extend(changes.deletes.iter().map(|id| StoreOp::Delete(heap, *id)));
        if let (false, Some(catalog_row)) = (changes.sequences.is_empty(), table.catalog_row) {
            ops.push(StoreOp::Update(
                CATALOG_HEAP.0,
                catalog_row,
                encode_table(table),
            ));
        }
        inserted_ids = Some(durable.commit(ops)?);
    }
    // Undo entries go in before each change, so that a rollback restores the row
    // whatever part of the change was made.
    let replaced = changes
        .deletes
        .iter()
        .chain(changes.updates.iter().map(|(id, _)| id));
    for id in replaced.filter(|_| writes.in_block()) {
        writes.record(Undo::Row {
            table: table.name.clone(),
            id: *id,
            old: table.store.get(*id).cloned(),
        });
    }
    // Rows leave the indexes first; a vacuum then lets their ids (updated rows keep
    // theirs, and the durable store may reuse a deleted one) be indexed again.
    let touched: Vec<RowId> = changes
        .deletes
        .iter()
        .copied()
        .chain(changes.updates.iter().map(|(id, _)| *id))
        .collect();
    if !touched.is_empty() {
        for entry in &mut table.vector_indexes {
            for id in &touched {
                entry.index.delete(*id);
            }
            entry.index.vacuum();
        }
    }
    for id in changes.deletes {
        if let Some(old) = table.store.get(id).cloned() {
            table.note_delete(&old);
        }
        table.store.delete(id)?;
    }
    // Old keys go before new ones arrive, so that rows may swap keys.
    for (id, _) in &changes.updates {
        if let Some(old) = table.store.get(*id).cloned() {
            table.note_delete(&old);
        }
    }
    for ((id, row), keys) in changes.updates.into_iter().zip(update_keys) {
        table.note_insert(&row);
        for (entry, value) in table.vector_indexes.iter_mut().zip(keys) {
            entry.index.insert(id, &value)?;
        }
        table.store.update(id, row)?;
    }
    let mut ids = inserted_ids.unwrap_or_default().into_iter();
    for (row, keys) in changes.inserts.into_iter().zip(insert_keys) {
        table.note_insert(&row);
        let id = match ids.next() {
            Some(id) => {
                table.store.insert_at(id, row);
                id
            }
            None => table.store.insert(row)?,
        };
        writes.record(Undo::Row {
            table: table.name.clone(),
            id,
            old: None,
        });
        for (entry, value) in table.vector_indexes.iter_mut().zip(keys) {
            entry.index.insert(id, &value)?;
        }
    }
    writes.maybe_checkpoint(catalog);
    Ok(())
}

/// The vector index keys of each row (one per index, in the table's order), each
/// checked against its index.
fn index_keys<'r>(table: &Table, rows: impl Iterator<Item = &'r Row>) -> Result<Vec<Vec<Datum>>> {
    if table.vector_indexes.is_empty() {
        return Ok(rows.map(|_| Vec::new()).collect());
    }
    rows.map(|row| {
        table
            .vector_indexes
            .iter()
            .map(|entry| {
                let value = entry.key_value(row)?;
                entry.index.check(&value)?;
                Ok(value)
            })
            .collect()
    })
    .collect()
}
