//! The durable side of a database opened from a directory: a `vec-storage` store holding
//! one heap per table and a catalog heap describing the tables. Each statement's changes
//! reach the store in one transaction, committed before the statement reports success;
//! opening the directory reads the catalog and loads every table.

use std::ops::ControlFlow;
use std::path::Path;
use std::sync::Arc;

use vec_storage::{HeapId, RowId as StoreRowId, Store, StoreOptions, Txn};

use super::codec::{decode_row, encode_row};
use super::schema::{decode_entry, CatalogEntry};
use crate::catalog::Catalog;
use crate::error::{EngineError, Result};

/// The heap that holds catalog entries.
pub const CATALOG_HEAP: HeapId = HeapId(1);

/// One change inside a statement's transaction.
#[derive(Debug)]
pub enum StoreOp {
    /// A new heap for a table.
    CreateHeap(u32),
    /// A table's heap is dropped.
    DropHeap(u32),
    /// A row is added to a heap (its id is returned by [`Durable::commit`]).
    Insert(u32, Vec<u8>),
    /// A row is replaced.
    Update(u32, u64, Vec<u8>),
    /// A row is removed.
    Delete(u32, u64),
}

fn storage_error(error: vec_storage::Error) -> EngineError {
    let state = match error {
        vec_storage::Error::Locked { .. } => "55006",
        _ => "58030",
    };
    EngineError::new(state, error.to_string())
}

/// An open store.
pub struct Durable {
    store: Arc<Store>,
}

impl Durable {
    /// Opens (or creates) the directory and loads its tables into `catalog`.
    pub fn open(path: &Path, catalog: &mut Catalog) -> Result<Durable> {
        let store = Store::open(path, StoreOptions::default()).map_err(storage_error)?;
        let durable = Durable {
            store: Arc::new(store),
        };
        if !durable.store.heap_exists(CATALOG_HEAP) {
            durable.commit(vec![StoreOp::CreateHeap(CATALOG_HEAP.0)])?;
        }
        let mut entries = Vec::new();
        let mut failure = None;
        durable
            .store
            .scan(CATALOG_HEAP, |row, bytes| match decode_entry(bytes) {
                Ok(entry) => {
                    entries.push((row.0, entry));
                    ControlFlow::Continue(())
                }
                Err(error) => {
                    failure = Some(error);
                    ControlFlow::Break(())
                }
            })
            .map_err(storage_error)?;
        if let Some(error) = failure {
            return Err(error);
        }
        for (catalog_row, entry) in entries {
            match entry {
                CatalogEntry::Extension => catalog.extension_installed = true,
                CatalogEntry::Table(mut table) => {
                    table.catalog_row = Some(catalog_row);
                    let heap = table.heap.unwrap_or(0);
                    let mut failure = None;
                    durable
                        .store
                        .scan(HeapId(heap), |row, bytes| match decode_row(bytes) {
                            Ok(values) => {
                                table.store.insert_at(row.0, values);
                                ControlFlow::Continue(())
                            }
                            Err(error) => {
                                failure = Some(error);
                                ControlFlow::Break(())
                            }
                        })
                        .map_err(storage_error)?;
                    if let Some(error) = failure {
                        return Err(error);
                    }
                    // Vector indexes are rebuilt from the rows (no index snapshots yet).
                    table.rebuild_vector_indexes()?;
                    table.rebuild_primary_keys();
                    catalog.add_table(table);
                }
            }
        }
        Ok(durable)
    }

    /// A heap id no table uses.
    pub fn next_heap(&self) -> u32 {
        self.store
            .heaps()
            .iter()
            .map(|h| h.0)
            .max()
            .unwrap_or(1)
            .max(1)
            + 1
    }

    /// Commits the operations as one transaction; returns the ids of inserted rows in
    /// order.
    pub fn commit(&self, ops: Vec<StoreOp>) -> Result<Vec<u64>> {
        let mut txn = self.store.begin();
        let inserted = Durable::stage(&mut txn, ops)?;
        txn.commit().map_err(storage_error)?;
        Ok(inserted)
    }

    /// Starts a transaction that stays open across statements (a `BEGIN … COMMIT`
    /// block); the caller ends it with [`Durable::finish`] or by dropping it (rollback).
    pub fn begin_block(&self) -> Txn<'static> {
        self.store.begin_owned()
    }

    /// A heap id that neither the store nor the open transaction `txn` uses.
    pub fn next_heap_in(&self, txn: &Txn<'_>) -> u32 {
        let in_txn = txn.heaps().iter().map(|h| h.0).max().unwrap_or(1);
        self.next_heap().max(in_txn + 1)
    }

    /// Commits a transaction opened by [`Durable::begin_block`].
    pub fn finish(txn: Txn<'_>) -> Result<()> {
        txn.commit().map(drop).map_err(storage_error)
    }

    /// Applies the operations inside an open transaction; returns the ids of inserted
    /// rows in order.
    pub fn stage(txn: &mut Txn<'_>, ops: Vec<StoreOp>) -> Result<Vec<u64>> {
        let mut inserted = Vec::new();
        for op in ops {
            match op {
                StoreOp::CreateHeap(heap) => txn.create_heap(HeapId(heap)),
                StoreOp::DropHeap(heap) => txn.drop_heap(HeapId(heap)),
                StoreOp::Insert(heap, bytes) => txn
                    .insert(HeapId(heap), &bytes)
                    .map(|row| inserted.push(row.0)),
                StoreOp::Update(heap, row, bytes) => {
                    txn.update(HeapId(heap), StoreRowId(row), &bytes)
                }
                StoreOp::Delete(heap, row) => txn.delete(HeapId(heap), StoreRowId(row)),
            }
            .map_err(storage_error)?;
        }
        Ok(inserted)
    }

    /// Checkpoints and closes the store.
    pub fn close(self) -> Result<()> {
        match Arc::try_unwrap(self.store) {
            Ok(store) => store.close().map_err(storage_error),
            // An open block's transaction still shares the store (and holds its writer
            // mutex, which a checkpoint would wait for): leave it to recovery.
            Err(_) => Ok(()),
        }
    }
}

/// A table row's bytes (re-exported for the engine).
pub fn row_bytes(row: &[crate::value::Datum]) -> Vec<u8> {
    encode_row(row)
}
