//! Transaction blocks: `BEGIN` … `COMMIT` / `ROLLBACK`, with PostgreSQL's behaviour and
//! messages.
//!
//! Outside a block every statement commits on its own, as before. Inside one, the first
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

pub mod ddl;
pub mod undo;
mod writes;

pub use writes::StoreWrites;

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::{ArcMutexGuard, Mutex, RawMutex, RwLock};
use vec_storage::Txn;

use crate::catalog::Catalog;
use crate::error::{EngineError, Result};
use crate::session::StatementResult;
use crate::settings::Settings;
use crate::sql::ast::{SetValue, TransactionCommand};
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

/// What a block that has written holds until it ends.
pub(crate) struct Writing {
    /// The storage transaction, for a database on disk.
    txn: RefCell<Option<Txn<'static>>>,
    /// How to undo the block's changes to the in-memory catalog, oldest first.
    undo: RefCell<Vec<Undo>>,
    _hold: BlockHold,
}

/// An open block.
struct Block {
    /// Set when a statement failed: only `COMMIT` and `ROLLBACK` are accepted.
    failed: bool,
    /// The settings at `BEGIN`, which `ROLLBACK` restores.
    settings_at_begin: Settings,
    /// The settings `COMMIT` leaves: plain `SET`s, not `SET LOCAL`s.
    settings_after_commit: Settings,
    /// Present once the block has written.
    writing: Option<Writing>,
}

/// A session's transaction state.
#[derive(Default)]
pub struct TxnState {
    block: Option<Block>,
}

/// What a block needs of the database to end.
pub struct Ending<'a> {
    /// The catalog, to undo changes in.
    pub catalog: &'a RwLock<Catalog>,
    /// The session's settings.
    pub settings: &'a mut Settings,
}

/// Whether commits wait for their WAL fsync: every `synchronous_commit` value but `off`
/// does on a server without standbys.
fn synchronous_commit(settings: &Settings) -> bool {
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

impl TxnState {
    /// Whether a block is open (aborted or not).
    pub fn in_block(&self) -> bool {
        self.block.is_some()
    }

    /// Whether the open block is aborted (a statement failed; only `COMMIT` and
    /// `ROLLBACK` are accepted until it ends).
    pub fn is_aborted(&self) -> bool {
        self.block.as_ref().is_some_and(|block| block.failed)
    }

    /// Fails with `25P02` when the open block is aborted.
    pub fn check_not_aborted(&self) -> Result<()> {
        match &self.block {
            Some(block) if block.failed => Err(EngineError::new(
                "25P02",
                "current transaction is aborted, commands ignored until end of transaction block",
            )),
            _ => Ok(()),
        }
    }

    /// Runs `BEGIN`, `COMMIT` or `ROLLBACK` (or a synonym).
    pub fn control(
        &mut self,
        command: TransactionCommand,
        ending: Ending<'_>,
    ) -> Result<StatementResult> {
        match command {
            TransactionCommand::Begin | TransactionCommand::StartTransaction => {
                let tag = if command == TransactionCommand::Begin {
                    "BEGIN"
                } else {
                    "START TRANSACTION"
                };
                self.check_not_aborted()?;
                let mut result = StatementResult::tag(tag);
                if self.block.is_some() {
                    result.notices.push(EngineError::warning(
                        "25001",
                        "there is already a transaction in progress",
                    ));
                } else {
                    self.block = Some(Block {
                        failed: false,
                        settings_at_begin: ending.settings.clone(),
                        settings_after_commit: ending.settings.clone(),
                        writing: None,
                    });
                }
                Ok(result)
            }
            TransactionCommand::Commit => self.commit(ending),
            TransactionCommand::Rollback => {
                let mut result = StatementResult::tag("ROLLBACK");
                match self.block.take() {
                    Some(block) => {
                        if let Some(writing) = block.writing {
                            roll_back(writing, ending.catalog);
                        }
                        *ending.settings = block.settings_at_begin;
                    }
                    None => result.notices.push(no_transaction()),
                }
                Ok(result)
            }
        }
    }

    fn commit(&mut self, ending: Ending<'_>) -> Result<StatementResult> {
        let Some(block) = self.block.take() else {
            let mut result = StatementResult::tag("COMMIT");
            result.notices.push(no_transaction());
            return Ok(result);
        };
        if block.failed {
            *ending.settings = block.settings_at_begin;
            return Ok(StatementResult::tag("ROLLBACK"));
        }
        if let Some(writing) = block.writing {
            let txn = writing.txn.borrow_mut().take();
            if let Some(txn) = txn {
                let synchronous = synchronous_commit(ending.settings);
                if let Err(error) = Durable::finish(txn, synchronous) {
                    // Nothing of the block is durable: undo it in memory as well.
                    roll_back(writing, ending.catalog);
                    *ending.settings = block.settings_at_begin;
                    return Err(error);
                }
            }
        }
        *ending.settings = block.settings_after_commit;
        Ok(StatementResult::tag("COMMIT"))
    }

    /// A statement of the open block failed: its changes (and the earlier statements')
    /// are undone now and the block is marked aborted. Outside a block, nothing to do.
    pub fn fail(&mut self, catalog: &RwLock<Catalog>) {
        if let Some(block) = &mut self.block {
            block.failed = true;
            if let Some(writing) = block.writing.take() {
                roll_back(writing, catalog);
            }
        }
    }

    /// Ends the session: an open block is rolled back.
    pub fn close(&mut self, catalog: &RwLock<Catalog>) {
        if let Some(block) = self.block.take() {
            if let Some(writing) = block.writing {
                roll_back(writing, catalog);
            }
        }
    }

    /// Prepares a writing statement and returns its access to the store and the undo
    /// log. Inside a block, the first write takes the write lock and opens the storage
    /// transaction, kept until the block ends; outside one, the lock is held by the
    /// returned value for this statement only.
    pub fn writes<'a>(
        &'a mut self,
        durable: Option<&'a Durable>,
        lock: &WriteLock,
        settings: &Settings,
    ) -> Result<StoreWrites<'a>> {
        let Some(block) = &mut self.block else {
            let guard = acquire(lock, settings)?;
            let synchronous = synchronous_commit(settings);
            return Ok(StoreWrites::new(durable, None, Some(guard), synchronous));
        };
        if block.writing.is_none() {
            let guard = acquire(lock, settings)?;
            lock.block_holds.store(true, Ordering::Release);
            let hold = BlockHold {
                _guard: guard,
                block_holds: Arc::clone(&lock.block_holds),
            };
            block.writing = Some(Writing {
                txn: RefCell::new(durable.map(Durable::begin_block)),
                undo: RefCell::new(Vec::new()),
                _hold: hold,
            });
        }
        Ok(StoreWrites::new(
            durable,
            block.writing.as_ref(),
            None,
            true,
        ))
    }

    /// `SET [LOCAL] name = value`: inside a block a plain `SET` also survives `COMMIT` (and
    /// `ROLLBACK` undoes it), a `SET LOCAL` lasts until the block ends; outside a block,
    /// `SET LOCAL` only warns.
    pub fn set(
        &mut self,
        settings: &mut Settings,
        name: &str,
        value: Option<&SetValue>,
        local: bool,
    ) -> Result<StatementResult> {
        let mut result = StatementResult::tag("SET");
        match &mut self.block {
            None if local => {
                // Checked, then dropped: outside a block it has no effect.
                settings.clone().set(name, value.map(SetValue::as_str))?;
                result.notices.push(EngineError::warning(
                    "25P01",
                    "SET LOCAL can only be used in transaction blocks",
                ));
            }
            None => settings.set(name, value.map(SetValue::as_str))?,
            Some(block) => {
                settings.set(name, value.map(SetValue::as_str))?;
                if !local {
                    block
                        .settings_after_commit
                        .set(name, value.map(SetValue::as_str))?;
                }
            }
        }
        Ok(result)
    }

    /// `RESET name`: inside a block it also holds after `COMMIT`.
    pub fn reset(&mut self, settings: &mut Settings, name: &str) -> Result<StatementResult> {
        settings.reset(name)?;
        if let Some(block) = &mut self.block {
            block.settings_after_commit.reset(name)?;
        }
        Ok(StatementResult::tag("RESET"))
    }
}

fn no_transaction() -> EngineError {
    EngineError::warning("25P01", "there is no transaction in progress")
}

/// Undoes the block's changes in memory, then drops the storage transaction (nothing of
/// it reaches the store); the write lock goes last. The storage transaction holds the
/// store's writer mutex, which a checkpoint waits for, so no checkpoint can see the
/// in-memory state half undone.
fn roll_back(writing: Writing, catalog: &RwLock<Catalog>) {
    let Writing { txn, undo, _hold } = writing;
    undo::replay(&mut catalog.write(), undo.into_inner());
    if let Some(txn) = txn.into_inner() {
        txn.rollback();
    }
}
