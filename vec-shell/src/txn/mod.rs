//! How writing statements change the database: the database-wide write lock, the
//! storage transaction a statement or a transaction block writes through
//! ([`StoreWrites`]), applying a statement's row changes to the store, the in-memory
//! rows and the indexes at once ([`apply`]), and the undo log that puts the in-memory
//! catalog back when a block rolls back ([`undo`]). The block's state machine (`BEGIN`,
//! `COMMIT`, `ROLLBACK`, aborted blocks) is the session's.
//!
//! Outside a block every statement commits on its own. Inside one, the first
//! writing statement takes the database's write lock and (for a database on disk) opens
//! one `vec-storage` transaction ([`Durable::begin_block`]) that stays open until the
//! block ends, so that inserted rows get their real row ids at once and `COMMIT` makes
//! the whole block durable atomically. Every change is applied to the in-memory tables
//! and indexes immediately, so later statements of the block see it (seq scans and
//! vector index scans alike), and is recorded in an undo log ([`undo`]); `ROLLBACK`
//! drops the storage transaction and replays the log backwards. Identity and serial
//! counters are not rolled back, as PostgreSQL's sequences are not.
//!
//! An error aborts the block: its changes are undone at once (and the write lock
//! released), and every later statement fails with `25P02` until `ROLLBACK` (or `COMMIT`,
//! which then reports `ROLLBACK`). Settings follow PostgreSQL: `SET` inside a block is
//! undone by `ROLLBACK`, `SET LOCAL` lasts until the block ends.
//!
//! Isolation is not provided: other sessions of the same database read a block's rows
//! before it commits. They cannot write while a block that has written is open: their
//! writes wait up to `lock_timeout` (or [`DEFAULT_LOCK_WAIT`] when it is 0) and then
//! fail with `55P03`. Waiting for another session's single statement has no limit
//! unless `lock_timeout` sets one, as in PostgreSQL.

mod apply;
pub mod undo;
mod writes;

pub use apply::{apply, TableChanges};
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
    pub fn begin(
        durable: Option<&Durable>,
        lock: &WriteLock,
        settings: &Settings,
    ) -> Result<Writing> {
        let guard = acquire(lock, settings)?;
        lock.block_holds.store(true, Ordering::Release);
        let hold = BlockHold {
            _guard: guard,
            block_holds: Arc::clone(&lock.block_holds),
        };
        Ok(Writing {
            txn: RefCell::new(durable.map(Durable::begin_block)),
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
