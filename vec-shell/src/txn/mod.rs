//! How writing statements change the database: the database-wide write lock, the
//! storage transaction a statement or a transaction block writes through
//! ([`StoreWrites`]), applying a statement's row changes to the store, the in-memory
//! rows and the indexes at once ([`apply`]), and the undo log that puts the in-memory
//! catalog back when a block rolls back ([`undo`]). The block's state machine (`BEGIN`,
//! `COMMIT`, `ROLLBACK`, aborted blocks) is the session's.
//!
//! Outside a block every statement commits on its own. Inside one, the first writing
//! statement takes the database's write lock and opens one `vec-storage` transaction
//! ([`Durable::begin_block`]) that stays open until the block ends, so that `COMMIT`
//! makes the whole block durable atomically. The block's row versions live on the
//! transaction's private pages: its own later statements read through the transaction
//! and see them, other sessions read through their snapshots and do not (no dirty
//! reads; readers never wait). The new versions' index entries go into the shared
//! indexes at once (readers skip entries whose rows they do not see) and are recorded
//! in an undo log ([`undo`]) with the schema changes; `ROLLBACK` replays the log
//! backwards and drops the storage transaction. Identity and serial counters are not
//! rolled back, as PostgreSQL's sequences are not.
//!
//! Writers take turns: while a block that has written is open, other sessions' writes
//! wait up to `lock_timeout` (or [`DEFAULT_LOCK_WAIT`] when it is 0) and then fail with
//! `55P03`; waiting for another session's single statement has no limit unless
//! `lock_timeout` sets one, as in PostgreSQL. A writer that waited and then changes a
//! row another transaction changed after its snapshot gets PostgreSQL's serialization
//! failure (`40001`) under `REPEATABLE READ`; under `READ COMMITTED` its statement takes
//! its snapshot after the wait and sees the other's change.

mod apply;
pub mod undo;
mod writes;

pub use apply::{apply, index_keys, index_versions, TableChanges};
pub use writes::StoreWrites;

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::{ArcMutexGuard, Mutex, RawMutex, RwLock};
use vec_storage::Txn;

use crate::catalog::Catalog;
use crate::error::{EngineError, Result};
use crate::settings::Settings;
use crate::storage::durable::Durable;
use undo::Undo;

/// How long a write waits for another session's open block when `lock_timeout` is 0
/// (PostgreSQL would wait for ever; two sessions driven by one thread would then hang).
pub const DEFAULT_LOCK_WAIT: Duration = Duration::from_secs(5);

/// The database-wide write lock: held by a writing statement outside a block for its
/// duration, and by a block from its first write to its end.
#[derive(Default)]
pub struct WriteLock {
    mutex: Arc<Mutex<()>>,
    /// Whether a block holds the mutex (waits for a block are limited).
    block_holds: Arc<AtomicBool>,
}

type WriteGuard = ArcMutexGuard<RawMutex, ()>;

/// The write lock held by a block; marks the lock as a block's while held.
struct BlockHold {
    _guard: WriteGuard,
    block_holds: Arc<AtomicBool>,
}

impl Drop for BlockHold {
    fn drop(&mut self) {
        // Cleared before the guard (a field) is released.
        self.block_holds.store(false, Ordering::Release);
    }
}

/// A point in a block's writes to roll back to (a savepoint).
pub struct WritingMark {
    storage: Option<vec_storage::Savepoint>,
    undo_len: usize,
}

/// What a transaction block that has written holds until it ends: the write lock, its
/// storage transaction and its undo log.
pub struct Writing {
    /// The storage transaction, for a database on disk.
    txn: RefCell<Option<Txn<'static>>>,
    /// How to undo the block's changes to the in-memory catalog, oldest first.
    undo: RefCell<Vec<Undo>>,
    _hold: BlockHold,
}

/// Whether commits wait for their WAL fsync: every `synchronous_commit` value but `off`
/// does on a server without standbys.
pub fn synchronous_commit(settings: &Settings) -> bool {
    settings.word(&crate::settings::SYNCHRONOUS_COMMIT) != "off"
}

/// Takes the write lock. With `lock_timeout` set, waits at most that long; with 0 (the
/// default), waits for statements without limit but for an open block at most
/// [`DEFAULT_LOCK_WAIT`].
fn acquire(lock: &WriteLock, settings: &Settings) -> Result<WriteGuard> {
    let limit = match settings.int(&crate::settings::LOCK_TIMEOUT) {
        ms if ms > 0 => Some(Duration::from_millis(ms as u64)),
        _ => None,
    };
    let step = limit
        .unwrap_or(DEFAULT_LOCK_WAIT)
        .min(Duration::from_millis(20));
    let mut waited = Duration::ZERO;
    let mut waited_on_block = Duration::ZERO;
    loop {
        if let Some(guard) = lock.mutex.try_lock_arc_for(step) {
            return Ok(guard);
        }
        waited += step;
        if lock.block_holds.load(Ordering::Acquire) {
            waited_on_block += step;
        }
        let timed_out = match limit {
            Some(limit) => waited >= limit,
            None => waited_on_block >= DEFAULT_LOCK_WAIT,
        };
        if timed_out {
            return Err(
                EngineError::new("55P03", "canceling statement due to lock timeout").with_detail(
                    "Another session is writing, or has an open transaction block that has written.",
                ),
            );
        }
    }
}

impl Writing {
    /// Takes the write lock for a block (see [`acquire`]'s waits) and, for a database on
    /// disk, opens the block's storage transaction.
    pub fn begin(durable: &Durable, lock: &WriteLock, settings: &Settings) -> Result<Writing> {
        let guard = acquire(lock, settings)?;
        lock.block_holds.store(true, Ordering::Release);
        let hold = BlockHold {
            _guard: guard,
            block_holds: Arc::clone(&lock.block_holds),
        };
        Ok(Writing {
            txn: RefCell::new(Some(durable.begin_block())),
            undo: RefCell::new(Vec::new()),
            _hold: hold,
        })
    }

    /// Commits the block's storage transaction, waiting for the WAL fsync when
    /// `synchronous`; if that fails nothing of the block is durable, so its in-memory
    /// changes are undone as well.
    pub fn commit(self, catalog: &RwLock<Catalog>, synchronous: bool) -> Result<()> {
        let txn = self.txn.borrow_mut().take();
        if let Some(txn) = txn {
            if let Err(error) = Durable::finish(txn, synchronous) {
                self.roll_back(catalog);
                return Err(error);
            }
        }
        Ok(())
    }

    /// The block's state now, to return to with [`Writing::rollback_to`] (a savepoint).
    pub fn mark(&self) -> WritingMark {
        WritingMark {
            storage: self.txn.borrow().as_ref().map(Txn::savepoint),
            undo_len: self.undo.borrow().len(),
        }
    }

    /// Undoes what the block did after `mark`: the in-memory changes (newest first), then
    /// the storage transaction's.
    pub fn rollback_to(&self, mark: &WritingMark, catalog: &RwLock<Catalog>) {
        let undone = {
            let mut undo = self.undo.borrow_mut();
            let keep = mark.undo_len.min(undo.len());
            undo.split_off(keep)
        };
        undo::replay(&mut catalog.write(), undone);
        if let (Some(txn), Some(storage)) = (self.txn.borrow_mut().as_mut(), &mark.storage) {
            txn.rollback_to(storage);
        }
        // Row indexes the undo left unbuilt are built again now, through the block's
        // transaction: a reader building them from the committed rows alone would miss
        // the rows the block wrote before the savepoint.
        if let Some(txn) = self.read_txn() {
            let catalog = catalog.read();
            for table in catalog.tables().filter(|t| !t.row_indexes.is_built()) {
                // A failure leaves them unbuilt; the block's next write builds them.
                let _ = table.lock_row_indexes(crate::storage::view::Versions::Txn(&txn));
            }
        }
    }

    /// The block's storage transaction, for reading what the block sees (its own
    /// changes included).
    pub fn read_txn(&self) -> Option<std::cell::Ref<'_, Txn<'static>>> {
        std::cell::Ref::filter_map(self.txn.borrow(), Option::as_ref).ok()
    }

    /// Makes the block's storage transaction see others' commits as `snapshot` does.
    pub fn set_snapshot(&self, snapshot: &vec_storage::Snapshot) {
        if let Some(txn) = self.txn.borrow_mut().as_mut() {
            txn.set_snapshot(snapshot);
        }
    }

    /// Undoes the block's changes in memory, then drops the storage transaction
    /// (nothing of it reaches the store); the write lock goes last. The storage
    /// transaction holds the store's writer mutex, which a checkpoint waits for, so no
    /// checkpoint can see the in-memory state half undone.
    pub fn roll_back(self, catalog: &RwLock<Catalog>) {
        let Writing { txn, undo, _hold } = self;
        undo::replay(&mut catalog.write(), undo.into_inner());
        if let Some(txn) = txn.into_inner() {
            txn.rollback();
        }
    }
}
