//! Transaction blocks: `BEGIN` … `COMMIT` / `ROLLBACK`, with PostgreSQL's behaviour and
//! messages. Outside a block every statement commits on its own; inside one, the first
//! writing statement takes the write lock and opens the block's storage transaction
//! ([`Writing`]), kept until the block ends.
//!
//! An error aborts the block: its changes are undone at once (and the write lock
//! released), and every later statement fails with `25P02` until `ROLLBACK` (or `COMMIT`,
//! which then reports `ROLLBACK`). Settings follow PostgreSQL: `SET` inside a block is
//! undone by `ROLLBACK`, `SET LOCAL` lasts until the block ends. Identity and serial
//! counters are not rolled back, as PostgreSQL's sequences are not.

use parking_lot::RwLock;

use crate::catalog::Catalog;
use crate::error::{EngineError, Result};
use crate::exec::StatementResult;
use crate::settings::Settings;
use crate::sql::ast::{SetValue, TransactionCommand};
use crate::storage::durable::Durable;
use crate::txn::{synchronous_commit, StoreWrites, WriteLock, Writing};

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
                            writing.roll_back(ending.catalog);
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
            let synchronous = synchronous_commit(ending.settings);
            if let Err(error) = writing.commit(ending.catalog, synchronous) {
                // Nothing of the block is durable; its changes were undone in memory.
                *ending.settings = block.settings_at_begin;
                return Err(error);
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
                writing.roll_back(catalog);
            }
        }
    }

    /// Ends the session: an open block is rolled back.
    pub fn close(&mut self, catalog: &RwLock<Catalog>) {
        if let Some(block) = self.block.take() {
            if let Some(writing) = block.writing {
                writing.roll_back(catalog);
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
            return StoreWrites::for_statement(durable, lock, settings);
        };
        if block.writing.is_none() {
            block.writing = Some(Writing::begin(durable, lock, settings)?);
        }
        match &block.writing {
            Some(writing) => Ok(StoreWrites::for_block(durable, writing)),
            None => Err(EngineError::internal("the block has no writes")),
        }
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
