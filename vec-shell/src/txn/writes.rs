//! [`StoreWrites`]: what a writing statement changes the database through. Outside a
//! block, its store operations commit at once (one `vec-storage` transaction per call,
//! as each statement always did); inside one, they join the block's open transaction
//! and the statement records how to undo its in-memory changes.

use std::cell::Ref;

use vec_storage::Txn;

use super::undo::Undo;
use super::{WriteGuard, Writing};
use crate::catalog::Table;
use crate::error::{EngineError, Result};
use crate::storage::durable::{Durable, StoreOp};
use crate::storage::view::{ReadSource, Versions};

/// A writing statement's access to the store and to the open block.
pub struct StoreWrites<'a> {
    durable: &'a Durable,
    block: Option<&'a Writing>,
    /// The write lock, held for this statement when it runs outside a block.
    _guard: Option<WriteGuard>,
    /// Whether a commit outside a block waits for its WAL fsync (`synchronous_commit`).
    synchronous: bool,
}

impl<'a> StoreWrites<'a> {
    /// The writes of a statement outside a block: takes the write lock (see
    /// [`super::acquire`]'s waits) for the statement's duration; each
    /// [`StoreWrites::commit`] commits at once.
    pub fn for_statement(
        durable: &'a Durable,
        lock: &super::WriteLock,
        settings: &crate::settings::Settings,
    ) -> Result<StoreWrites<'a>> {
        let guard = super::acquire(lock, settings)?;
        let synchronous = super::synchronous_commit(settings);
        Ok(StoreWrites {
            durable,
            block: None,
            _guard: Some(guard),
            synchronous,
        })
    }

    /// The writes of a statement inside a block that holds `writing`: they join the
    /// block's storage transaction and record how to undo them.
    pub fn for_block(durable: &'a Durable, writing: &'a Writing) -> StoreWrites<'a> {
        StoreWrites {
            durable,
            block: Some(writing),
            _guard: None,
            synchronous: true,
        }
    }

    /// The store.
    pub fn durable(&self) -> &'a Durable {
        self.durable
    }

    /// Whether the statement runs inside a transaction block.
    pub fn in_block(&self) -> bool {
        self.block.is_some()
    }

    /// The block's storage transaction, for reading what the block sees (its own
    /// changes included); `None` outside a block.
    pub fn block_txn(&self) -> Option<Ref<'a, Txn<'static>>> {
        let writing = self.block?;
        Ref::filter_map(writing.txn.borrow(), Option::as_ref).ok()
    }

    /// Applies store operations: committed now outside a block, added to the block's
    /// transaction inside one. Returns the ids of the rows inserted and of the new
    /// versions of updated rows, in order.
    pub fn commit(&self, ops: Vec<StoreOp>) -> Result<Vec<u64>> {
        match self.block {
            None => self.durable.commit(ops, self.synchronous),
            Some(writing) => match writing.txn.borrow_mut().as_mut() {
                Some(txn) => {
                    self.durable.note_changes(&ops);
                    Durable::stage(txn, ops)
                }
                None => Err(EngineError::internal(
                    "the transaction block has no storage transaction",
                )),
            },
        }
    }

    /// Marks heap `heap`'s index snapshots out of date (an index changed without a row
    /// changing, as `ANALYZE` recalibrating it), so the next checkpoint writes them again.
    pub fn note_index_changed(&self, heap: u32) {
        self.durable.snapshot_state().changed_heaps.insert(heap);
    }

    /// Applies store operations as [`StoreWrites::commit`] does, with `index` run on the
    /// new versions' ids after they are staged and before they commit, so that no
    /// snapshot can see a committed version its indexes lack. If indexing or the commit
    /// fails, `unindex` takes the entries out again.
    pub fn commit_indexed(
        &self,
        ops: Vec<StoreOp>,
        index: impl FnOnce(&[u64]) -> Result<()>,
        unindex: impl FnOnce(&[u64]),
    ) -> Result<Vec<u64>> {
        self.durable.note_changes(&ops);
        let Some(writing) = self.block else {
            let mut txn = self.durable.store().begin();
            txn.set_synchronous_commit(self.synchronous);
            let ids = Durable::stage(&mut txn, ops)?;
            if let Err(error) = index(&ids) {
                unindex(&ids);
                return Err(error);
            }
            if let Err(error) = txn.commit() {
                unindex(&ids);
                return Err(crate::storage::durable::storage_error(error));
            }
            return Ok(ids);
        };
        let mut txn = writing.txn.borrow_mut();
        let txn = txn.as_mut().ok_or_else(|| {
            EngineError::internal("the transaction block has no storage transaction")
        })?;
        let ids = Durable::stage(txn, ops)?;
        if let Err(error) = index(&ids) {
            unindex(&ids);
            return Err(error);
        }
        Ok(ids)
    }

    /// Where the writer reads rows: its block's transaction, or outside a block a
    /// snapshot taken now (the write lock is held, so nothing commits meanwhile). Drop
    /// it before committing.
    pub fn read_source(&self) -> ReadSource<'a> {
        match self.block.and_then(Writing::read_txn) {
            Some(txn) => ReadSource::Txn(txn),
            None => ReadSource::Snapshot(self.durable, self.durable.snapshot()),
        }
    }

    /// Runs `f` with the source of every stored version the writer's transaction holds
    /// (its own uncommitted ones included; the committed heap outside a block).
    pub fn with_versions<T>(&self, f: impl FnOnce(Versions<'_>) -> Result<T>) -> Result<T> {
        match self.block_txn() {
            Some(txn) => f(Versions::Txn(&txn)),
            None => f(Versions::Committed(self.durable)),
        }
    }

    /// Builds `table`'s row indexes if they are not built yet, from every version the
    /// writer's transaction holds: a writer builds them before it writes, so that nobody
    /// builds them later without its rows.
    pub fn build_row_indexes(&self, table: &Table) -> Result<()> {
        if table.row_indexes.is_built() {
            return Ok(());
        }
        self.with_versions(|versions| table.lock_row_indexes(versions).map(drop))
    }

    /// Removes the versions of `heap` that no snapshot sees any more, committing at once;
    /// returns their ids. Refused inside a block (`VACUUM` cannot run in one).
    pub fn vacuum(&self, heap: u32) -> Result<Vec<u64>> {
        if self.block.is_some() {
            return Err(EngineError::new(
                "25001",
                "VACUUM cannot run inside a transaction block",
            ));
        }
        self.durable.vacuum(heap, self.synchronous)
    }

    /// A new index id (see [`Durable::new_index_id`]).
    pub fn new_index_id(&self) -> u64 {
        self.durable.new_index_id()
    }

    /// Checkpoints, writing the changed vector indexes' snapshots. Skipped inside a
    /// block: its storage transaction holds the store's writer, and its rows are not
    /// committed. Outside one this statement holds the write lock, so no block is open.
    pub fn checkpoint(&self, catalog: &crate::catalog::Catalog) -> Result<()> {
        match self.block {
            None => crate::catalog::snapshots::checkpoint(self.durable, catalog),
            Some(_) => Ok(()),
        }
    }

    /// Checkpoints when the log has grown past the threshold (see
    /// [`crate::catalog::snapshots::maybe_checkpoint`]); skipped inside a block, as
    /// [`Self::checkpoint`] is.
    pub fn maybe_checkpoint(&self, catalog: &crate::catalog::Catalog) {
        if self.block.is_none() {
            crate::catalog::snapshots::maybe_checkpoint(self.durable, catalog);
        }
    }

    /// A heap id that no table uses, counting heaps created earlier in the block.
    pub fn next_heap(&self) -> u32 {
        match self.block_txn() {
            Some(txn) => self.durable.next_heap_in(&txn),
            None => self.durable.next_heap(),
        }
    }

    /// Records how to undo an in-memory change (inside a block; outside one the change
    /// is already committed and nothing is kept).
    pub fn record(&self, undo: Undo) {
        if let Some(writing) = self.block {
            writing.undo.borrow_mut().push(undo);
        }
    }
}
