//! The durable side of a database opened from a directory: a `vec-storage` store holding
//! one heap per table and a catalog heap describing the tables. Each statement's changes
//! reach the store in one transaction, committed before the statement reports success;
//! opening the directory reads the catalog and loads every table, opening vector indexes
//! from their snapshots (`snapshots`) where it can.

use std::ops::ControlFlow;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;
use vec_storage::{HeapId, RowId as StoreRowId, Store, StoreOptions, Txn};

use super::codec::{decode_row, encode_row};
use super::schema::{decode_entry, encode_table, CatalogEntry};
use super::snapshots::{self, RecoveryReport, Snapshots, CHECKPOINT_WAL_BYTES};
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
    snapshots: Mutex<Snapshots>,
    recovery: RecoveryReport,
    checkpoint_wal_bytes: AtomicU64,
    last_index_id: AtomicU64,
}

impl Durable {
    /// Opens (or creates) the directory and loads its tables into `catalog`.
    pub fn open(path: &Path, catalog: &mut Catalog) -> Result<Durable> {
        let store = Store::open(path, StoreOptions::default()).map_err(storage_error)?;
        let mut durable = Durable {
            store: Arc::new(store),
            snapshots: Mutex::new(Snapshots::default()),
            recovery: RecoveryReport::default(),
            checkpoint_wal_bytes: AtomicU64::new(CHECKPOINT_WAL_BYTES),
            last_index_id: AtomicU64::new(0),
        };
        if !durable.store.heap_exists(CATALOG_HEAP) {
            durable.commit(vec![StoreOp::CreateHeap(CATALOG_HEAP.0)], true)?;
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
        // The rows each transaction after the checkpoint changed, for the snapshots.
        let changed = if durable.store.side_files().is_empty() {
            Some(Default::default())
        } else {
            snapshots::changed_rows(&durable.store, durable.store.checkpoint_lsn()).ok()
        };
        for (catalog_row, entry) in entries {
            match entry {
                CatalogEntry::Extension => catalog.extension_installed = true,
                CatalogEntry::Table(mut table) => {
                    table.catalog_row = Some(catalog_row);
                    load_rows(&durable.store, &mut table)?;
                    durable.give_index_ids(&mut table)?;
                    let report = snapshots::restore_indexes(
                        &durable.store,
                        &mut table,
                        changed.as_ref(),
                        durable.snapshots.get_mut(),
                    )?;
                    durable.recovery.indexes.extend(report);
                    table.rebuild_primary_keys();
                    catalog.add_table(table);
                }
            }
        }
        Ok(durable)
    }

    /// Gives an id to each vector index of a table written before indexes had ids, and
    /// stores the table's entry again.
    fn give_index_ids(&self, table: &mut crate::catalog::Table) -> Result<()> {
        let mut missing = table
            .indexes
            .iter_mut()
            .filter(|i| i.method != "btree" && i.id == 0)
            .peekable();
        if missing.peek().is_none() {
            return Ok(());
        }
        for index in missing {
            index.id = self.new_index_id();
        }
        if let Some(row) = table.catalog_row {
            self.commit(
                vec![StoreOp::Update(CATALOG_HEAP.0, row, encode_table(table))],
                true,
            )?;
        }
        Ok(())
    }

    /// An index id never given before in this database: above every log position
    /// reached so far (an index's creation is logged, so later ids are larger).
    pub fn new_index_id(&self) -> u64 {
        let floor = self.store.wal_end().0.max(1);
        let previous = self
            .last_index_id
            .fetch_max(floor, Ordering::SeqCst)
            .max(floor);
        let id = previous + 1;
        self.last_index_id.fetch_max(id, Ordering::SeqCst);
        id
    }

    /// What opening the database did with its vector indexes.
    pub fn recovery_report(&self) -> &RecoveryReport {
        &self.recovery
    }

    /// Sets the log size since the last checkpoint after which a commit checkpoints
    /// ([`CHECKPOINT_WAL_BYTES`] by default).
    pub fn set_checkpoint_wal_bytes(&self, bytes: u64) {
        self.checkpoint_wal_bytes.store(bytes, Ordering::Relaxed);
    }

    /// Runs a checkpoint that also writes the snapshots of the vector indexes changed
    /// since their last one.
    pub fn checkpoint(&self, catalog: &Catalog) -> Result<()> {
        self.snapshots
            .lock()
            .checkpoint(&self.store, catalog)
            .map(|_| ())
            .map_err(storage_error)
    }

    /// Checkpoints if the log written since the last checkpoint passed the threshold.
    /// A failure is not the statement's: the log still holds everything, so it is
    /// ignored here (the next commit tries again).
    pub fn maybe_checkpoint(&self, catalog: &Catalog) {
        let written = self
            .store
            .wal_end()
            .0
            .saturating_sub(self.store.checkpoint_lsn().0);
        if written >= self.checkpoint_wal_bytes.load(Ordering::Relaxed) {
            let _ = self.checkpoint(catalog);
        }
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
    /// order. Without `synchronous` (`synchronous_commit = off`) it returns before the
    /// WAL fsync: a crash may then lose the commit, but never applies it in part.
    pub fn commit(&self, ops: Vec<StoreOp>, synchronous: bool) -> Result<Vec<u64>> {
        self.note_changes(&ops);
        let mut txn = self.store.begin();
        txn.set_synchronous_commit(synchronous);
        let inserted = Durable::stage(&mut txn, ops)?;
        txn.commit().map_err(storage_error)?;
        Ok(inserted)
    }

    /// Marks the tables `ops` change, so that the next checkpoint rewrites their index
    /// snapshots (also for operations staged in a block, which may still roll back:
    /// rewriting a snapshot is never wrong).
    pub fn note_changes(&self, ops: &[StoreOp]) {
        let mut snapshots = self.snapshots.lock();
        for op in ops {
            match op {
                StoreOp::Insert(heap, _)
                | StoreOp::Update(heap, _, _)
                | StoreOp::Delete(heap, _) => snapshots.note_change(*heap),
                StoreOp::CreateHeap(_) | StoreOp::DropHeap(_) => {}
            }
        }
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

    /// Commits a transaction opened by [`Durable::begin_block`], waiting for the WAL
    /// fsync when `synchronous` (see [`Durable::commit`]).
    pub fn finish(mut txn: Txn<'_>, synchronous: bool) -> Result<()> {
        txn.set_synchronous_commit(synchronous);
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

    /// Checkpoints and closes the store (without writing index snapshots: see
    /// [`Durable::close_with`]).
    pub fn close(self) -> Result<()> {
        match Arc::try_unwrap(self.store) {
            Ok(store) => store.close().map_err(storage_error),
            // An open block's transaction still shares the store (and holds its writer
            // mutex, which a checkpoint would wait for): leave it to recovery.
            Err(_) => Ok(()),
        }
    }

    /// Checkpoints, writing the snapshots of changed vector indexes, and closes the
    /// store, so that the next open neither replays the log nor rebuilds indexes.
    pub fn close_with(self, catalog: &Catalog) -> Result<()> {
        self.checkpoint(catalog)?;
        self.close()
    }
}

/// Rows read from the store, handed from the reading thread to the decoding one.
type RawRows = Vec<(u64, Vec<u8>)>;

/// Loads a table's rows from its heap: one thread reads the pages while this one decodes
/// the rows, so that opening a large table takes the longer of the two, not their sum.
fn load_rows(store: &Store, table: &mut crate::catalog::Table) -> Result<()> {
    const BATCH: usize = 512;
    let heap = HeapId(table.heap.unwrap_or(0));
    let (send, receive) = std::sync::mpsc::sync_channel::<RawRows>(8);
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || {
            let mut batch = Vec::with_capacity(BATCH);
            store.scan(heap, |row, bytes| {
                batch.push((row.0, bytes.to_vec()));
                if batch.len() < BATCH {
                    return ControlFlow::Continue(());
                }
                // The decoder hung up: it met a bad row.
                match send.send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH))) {
                    Ok(()) => ControlFlow::Continue(()),
                    Err(_) => ControlFlow::Break(()),
                }
            })?;
            if !batch.is_empty() {
                let _ = send.send(batch);
            }
            Ok(())
        });
        let mut failure = None;
        for batch in receive.iter() {
            for (row, bytes) in batch {
                match decode_row(&bytes) {
                    Ok(values) => table.store.insert_at(row, values),
                    Err(error) => failure = Some(error),
                }
            }
            if failure.is_some() {
                break;
            }
        }
        drop(receive);
        let read: vec_storage::Result<()> = reader.join().unwrap_or_else(|_| {
            Err(vec_storage::Error::InvalidArgument {
                reason: "the row reader stopped".to_string(),
            })
        });
        read.map_err(storage_error)?;
        failure.map_or(Ok(()), Err)
    })
}

/// A table row's bytes (re-exported for the engine).
pub fn row_bytes(row: &[crate::value::Datum]) -> Vec<u8> {
    encode_row(row)
}
