//! [`StoreWrites`]: what a writing statement changes the database through. Outside a
//! block, its store operations commit at once (one `vec-storage` transaction per call,
//! as each statement always did); inside one, they join the block's open transaction
//! and the statement records how to undo its in-memory changes.

use super::undo::Undo;
use super::{WriteGuard, Writing};
use crate::error::{EngineError, Result};
use crate::storage::durable::{Durable, StoreOp};

/// A writing statement's access to the durable store and to the open block.
pub struct StoreWrites<'a> {
    durable: Option<&'a Durable>,
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
        durable: Option<&'a Durable>,
        lock: &super::WriteLock,
        settings: &crate::settings::Settings,
    ) -> crate::error::Result<StoreWrites<'a>> {
        let guard = super::acquire(lock, settings)?;
        let synchronous = super::synchronous_commit(settings);
        Ok(StoreWrites::new(durable, None, Some(guard), synchronous))
    }

    /// The writes of a statement inside a block that holds `writing`: they join the
    /// block's storage transaction and record how to undo them.
    pub fn for_block(durable: Option<&'a Durable>, writing: &'a Writing) -> StoreWrites<'a> {
        StoreWrites::new(durable, Some(writing), None, true)
    }

    fn new(
        durable: Option<&'a Durable>,
        block: Option<&'a Writing>,
        guard: Option<WriteGuard>,
        synchronous: bool,
    ) -> StoreWrites<'a> {
        StoreWrites {
            durable,
            block,
            _guard: guard,
            synchronous,
        }
    }

    /// `Some(self)` when the database has a durable store (for code that writes to it
    /// only then).
    pub fn durable(&self) -> Option<&Self> {
        self.durable.map(|_| self)
    }

    /// Whether the statement runs inside a transaction block.
    pub fn in_block(&self) -> bool {
        self.block.is_some()
    }

    /// Applies store operations: committed now outside a block, added to the block's
    /// transaction inside one. Returns the ids of inserted rows in order (none without
    /// a durable store).
    pub fn commit(&self, ops: Vec<StoreOp>) -> Result<Vec<u64>> {
        let Some(durable) = self.durable else {
            return Ok(Vec::new());
        };
        match self.block {
            None => durable.commit(ops, self.synchronous),
            Some(writing) => match writing.txn.borrow_mut().as_mut() {
                Some(txn) => {
                    durable.note_changes(&ops);
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
        if let Some(durable) = self.durable {
            durable.snapshot_state().changed_heaps.insert(heap);
        }
    }

    /// A new index id (see [`Durable::new_index_id`]); 0 without a durable store.
    pub fn new_index_id(&self) -> u64 {
        self.durable.map_or(0, Durable::new_index_id)
    }

    /// Checkpoints, writing the changed vector indexes' snapshots. Skipped inside a
    /// block: its storage transaction holds the store's writer, and its rows are not
    /// committed. Outside one this statement holds the write lock, so no block is open.
    pub fn checkpoint(&self, catalog: &crate::catalog::Catalog) -> Result<()> {
        match (self.durable, self.block) {
            (Some(durable), None) => crate::catalog::snapshots::checkpoint(durable, catalog),
            _ => Ok(()),
        }
    }

    /// Checkpoints when the log has grown past the threshold (see
    /// [`crate::catalog::snapshots::maybe_checkpoint`]); skipped inside a block, as [`Self::checkpoint`] is.
    pub fn maybe_checkpoint(&self, catalog: &crate::catalog::Catalog) {
        if let (Some(durable), None) = (self.durable, self.block) {
            crate::catalog::snapshots::maybe_checkpoint(durable, catalog);
        }
    }

    /// A heap id that no table uses, counting heaps created earlier in the block.
    pub fn next_heap(&self) -> u32 {
        let Some(durable) = self.durable else {
            return 0;
        };
        match self
            .block
            .and_then(|w| w.txn.borrow().as_ref().map(|txn| durable.next_heap_in(txn)))
        {
            Some(heap) => heap,
            None => durable.next_heap(),
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
