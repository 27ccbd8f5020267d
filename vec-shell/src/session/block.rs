//! Transaction blocks: `BEGIN` … `COMMIT` / `ROLLBACK`, savepoints, isolation levels and
//! read-only transactions, with PostgreSQL's behaviour and messages. Outside a block
//! every statement commits on its own; inside one, the first writing statement takes the
//! write lock and opens the block's storage transaction ([`Writing`]), kept until the
//! block ends.
//!
//! Reads see a snapshot: under `READ COMMITTED` (the default) each statement takes its
//! own; under `REPEATABLE READ` (and `SERIALIZABLE`, which vecsh runs as `REPEATABLE
//! READ`) the block takes one at its first statement and keeps it. A block that has
//! written reads through its storage transaction, which adds its own changes.
//!
//! An error aborts the block: every later statement fails with `25P02` until `ROLLBACK`,
//! `ROLLBACK TO SAVEPOINT` (which undoes what followed the savepoint and resumes the
//! block) or `COMMIT` (which then reports `ROLLBACK`). Without a savepoint to return to,
//! the block's changes are undone at once and the write lock released. Settings follow
//! PostgreSQL: `SET` inside a block is undone by `ROLLBACK` (and by `ROLLBACK TO` a
//! savepoint set before it), `SET LOCAL` lasts until the block ends.

use parking_lot::RwLock;
use vec_storage::Snapshot;

use crate::catalog::Catalog;
use crate::error::{EngineError, Result};
use crate::exec::StatementResult;
use crate::settings::{self, Settings};
use crate::sql::ast::{IsolationLevel, SetValue, TransactionCommand, TransactionModes};
use crate::storage::durable::Durable;
use crate::storage::view::ReadSource;
use crate::txn::{synchronous_commit, StoreWrites, WriteLock, Writing, WritingMark};

/// A savepoint of the open block.
struct Mark {
    name: String,
    /// The block's writes at the savepoint (`None` if it had not written yet).
    writes: Option<WritingMark>,
    settings: Settings,
}

/// An open block.
struct Block {
    /// Set when a statement failed: only `COMMIT`, `ROLLBACK` and `ROLLBACK TO` are
    /// accepted.
    failed: bool,
    /// The settings at `BEGIN`, which `ROLLBACK` restores.
    settings_at_begin: Settings,
    /// The settings `COMMIT` leaves: plain `SET`s, not `SET LOCAL`s.
    settings_after_commit: Settings,
    /// Present once the block has written.
    writing: Option<Writing>,
    isolation: IsolationLevel,
    read_only: bool,
    /// The block's snapshot (`REPEATABLE READ`), taken at its first statement.
    snapshot: Option<Snapshot>,
    /// Whether a statement other than transaction control has run.
    started: bool,
    savepoints: Vec<Mark>,
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

fn default_isolation(settings: &Settings) -> IsolationLevel {
    IsolationLevel::from_name(settings.word(&settings::DEFAULT_TRANSACTION_ISOLATION))
        .unwrap_or(IsolationLevel::ReadCommitted)
}

fn keeps_snapshot(level: IsolationLevel) -> bool {
    matches!(
        level,
        IsolationLevel::RepeatableRead | IsolationLevel::Serializable
    )
}

impl TxnState {
    /// Whether a block is open (aborted or not).
    pub fn in_block(&self) -> bool {
        self.block.is_some()
    }

    /// Whether the open block is aborted (a statement failed; only `COMMIT`, `ROLLBACK`
    /// and `ROLLBACK TO` are accepted until then).
    pub fn is_aborted(&self) -> bool {
        self.block.as_ref().is_some_and(|block| block.failed)
    }

    /// Fails with `25P02` when the open block is aborted.
    pub fn check_not_aborted(&self) -> Result<()> {
        match &self.block {
            Some(block) if block.failed => Err(aborted()),
            _ => Ok(()),
        }
    }

    /// The isolation level a statement runs at now (`SHOW transaction_isolation`).
    pub fn isolation(&self, settings: &Settings) -> IsolationLevel {
        match &self.block {
            Some(block) => block.isolation,
            None => default_isolation(settings),
        }
    }

    /// Whether a statement runs read-only now (`SHOW transaction_read_only`).
    pub fn read_only(&self, settings: &Settings) -> bool {
        match &self.block {
            Some(block) => block.read_only,
            None => settings.bool(&settings::DEFAULT_TRANSACTION_READ_ONLY),
        }
    }

    /// The snapshot a statement that does not write reads through, when the block has
    /// no storage transaction to read through: the block's (`REPEATABLE READ`, taken now
    /// if this is its first statement) or a new one.
    pub fn statement_snapshot(&mut self, durable: &Durable) -> Snapshot {
        match &mut self.block {
            Some(block) => {
                block.started = true;
                if keeps_snapshot(block.isolation) {
                    return block
                        .snapshot
                        .get_or_insert_with(|| durable.snapshot())
                        .clone();
                }
                durable.snapshot()
            }
            None => durable.snapshot(),
        }
    }

    /// Where a statement that does not write reads: the block's storage transaction
    /// when it has written (its reads see its own changes), else the statement's
    /// snapshot (see [`TxnState::statement_snapshot`]).
    pub fn read_source<'a>(&'a mut self, durable: &'a Durable) -> ReadSource<'a> {
        if self.writing().is_none() {
            return ReadSource::Snapshot(durable, self.statement_snapshot(durable));
        }
        match self.writing().and_then(Writing::read_txn) {
            Some(txn) => ReadSource::Txn(txn),
            None => ReadSource::Snapshot(durable, durable.snapshot()),
        }
    }

    /// The block's storage transaction, when it has written (its reads see its own
    /// changes).
    pub fn writing(&self) -> Option<&Writing> {
        self.block.as_ref()?.writing.as_ref()
    }

    /// Runs a transaction-control statement.
    pub fn control(
        &mut self,
        command: &TransactionCommand,
        ending: Ending<'_>,
    ) -> Result<StatementResult> {
        match command {
            TransactionCommand::Begin(modes) => self.begin("BEGIN", *modes, ending),
            TransactionCommand::StartTransaction(modes) => {
                self.begin("START TRANSACTION", *modes, ending)
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
            TransactionCommand::Savepoint(name) => {
                let block = self.block_for("SAVEPOINT")?;
                if block.failed {
                    return Err(aborted());
                }
                block.savepoints.push(Mark {
                    name: name.clone(),
                    writes: block.writing.as_ref().map(Writing::mark),
                    settings: ending.settings.clone(),
                });
                Ok(StatementResult::tag("SAVEPOINT"))
            }
            TransactionCommand::RollbackTo(name) => {
                let block = self.block_for("ROLLBACK TO SAVEPOINT")?;
                let position = find_savepoint(block, name)?;
                block.savepoints.truncate(position + 1);
                let mark = &block.savepoints[position];
                match (&mark.writes, block.writing.take()) {
                    (Some(writes), Some(writing)) => {
                        writing.rollback_to(writes, ending.catalog);
                        block.writing = Some(writing);
                    }
                    // The block wrote only after the savepoint: all of it goes.
                    (None, Some(writing)) => writing.roll_back(ending.catalog),
                    (_, None) => {}
                }
                *ending.settings = mark.settings.clone();
                block.failed = false;
                Ok(StatementResult::tag("ROLLBACK"))
            }
            TransactionCommand::Release(name) => {
                let block = self.block_for("RELEASE SAVEPOINT")?;
                if block.failed {
                    return Err(aborted());
                }
                let position = find_savepoint(block, name)?;
                block.savepoints.truncate(position);
                Ok(StatementResult::tag("RELEASE"))
            }
            TransactionCommand::SetTransaction(modes) => {
                let mut result = StatementResult::tag("SET");
                match &mut self.block {
                    None => result.notices.push(EngineError::warning(
                        "25P01",
                        "SET TRANSACTION can only be used in transaction blocks",
                    )),
                    Some(block) => {
                        if block.failed {
                            return Err(aborted());
                        }
                        if let Some(level) = modes.isolation {
                            if block.started && level != block.isolation {
                                return Err(EngineError::new(
                                    "25001",
                                    "SET TRANSACTION ISOLATION LEVEL must be called before any query",
                                ));
                            }
                            block.isolation = level;
                        }
                        if let Some(read_only) = modes.read_only {
                            if !read_only && block.read_only && block.started {
                                return Err(EngineError::new(
                                    "25001",
                                    "transaction read-write mode must be set before any query",
                                ));
                            }
                            block.read_only = read_only;
                        }
                    }
                }
                Ok(result)
            }
            TransactionCommand::SetSessionCharacteristics(modes) => {
                self.check_not_aborted()?;
                if let Some(level) = modes.isolation {
                    ending.settings.set(
                        settings::DEFAULT_TRANSACTION_ISOLATION.name,
                        Some(level.name()),
                    )?;
                }
                if let Some(read_only) = modes.read_only {
                    let value = if read_only { "on" } else { "off" };
                    ending
                        .settings
                        .set(settings::DEFAULT_TRANSACTION_READ_ONLY.name, Some(value))?;
                }
                Ok(StatementResult::tag("SET"))
            }
        }
    }

    fn begin(
        &mut self,
        tag: &str,
        modes: TransactionModes,
        ending: Ending<'_>,
    ) -> Result<StatementResult> {
        self.check_not_aborted()?;
        let mut result = StatementResult::tag(tag);
        if self.block.is_some() {
            result.notices.push(EngineError::warning(
                "25001",
                "there is already a transaction in progress",
            ));
            return Ok(result);
        }
        self.block = Some(Block {
            failed: false,
            settings_at_begin: ending.settings.clone(),
            settings_after_commit: ending.settings.clone(),
            writing: None,
            isolation: modes
                .isolation
                .unwrap_or_else(|| default_isolation(ending.settings)),
            read_only: modes.read_only.unwrap_or_else(|| {
                ending
                    .settings
                    .bool(&settings::DEFAULT_TRANSACTION_READ_ONLY)
            }),
            snapshot: None,
            started: false,
            savepoints: Vec::new(),
        });
        Ok(result)
    }

    /// The open block, or PostgreSQL's error for `what` outside one.
    fn block_for(&mut self, what: &str) -> Result<&mut Block> {
        self.block.as_mut().ok_or_else(|| {
            EngineError::new(
                "25P01",
                format!("{what} can only be used in transaction blocks"),
            )
        })
    }

    fn commit(&mut self, ending: Ending<'_>) -> Result<StatementResult> {
        let Some(block) = self.block.take() else {
            let mut result = StatementResult::tag("COMMIT");
            result.notices.push(no_transaction());
            return Ok(result);
        };
        if block.failed {
            if let Some(writing) = block.writing {
                writing.roll_back(ending.catalog);
            }
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

    /// A statement of the open block failed: the block is marked aborted. Without a
    /// savepoint to return to, its changes are undone now (and the write lock released);
    /// with one, they wait for `ROLLBACK TO` or `ROLLBACK`. Outside a block, nothing to
    /// do.
    pub fn fail(&mut self, catalog: &RwLock<Catalog>) {
        if let Some(block) = &mut self.block {
            block.failed = true;
            if block.savepoints.is_empty() {
                if let Some(writing) = block.writing.take() {
                    writing.roll_back(catalog);
                }
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

    /// Prepares a writing statement (`command` names it in the read-only error) and
    /// returns its access to the store and the undo log. Inside a block, the first write
    /// takes the write lock and opens the storage transaction, kept until the block ends;
    /// outside one, the lock is held by the returned value for this statement only. The
    /// storage transaction sees others' commits as the statement's snapshot does: the
    /// block's under `REPEATABLE READ`, the latest otherwise (taken after the wait for
    /// the lock).
    pub fn writes<'a>(
        &'a mut self,
        durable: &'a Durable,
        lock: &WriteLock,
        settings: &Settings,
        command: &str,
    ) -> Result<StoreWrites<'a>> {
        if self.read_only(settings) {
            return Err(EngineError::new(
                "25006",
                format!("cannot execute {command} in a read-only transaction"),
            ));
        }
        let Some(block) = &mut self.block else {
            return StoreWrites::for_statement(durable, lock, settings);
        };
        block.started = true;
        if block.writing.is_none() {
            let writing = Writing::begin(durable, lock, settings)?;
            if keeps_snapshot(block.isolation) {
                let snapshot = block.snapshot.get_or_insert_with(|| durable.snapshot());
                writing.set_snapshot(snapshot);
            }
            block.writing = Some(writing);
        } else if !keeps_snapshot(block.isolation) {
            if let Some(writing) = &block.writing {
                writing.set_snapshot(&durable.snapshot());
            }
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
                } else {
                    block.settings_after_commit.define_placeholder(name);
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

/// The most recent savepoint of this name.
fn find_savepoint(block: &Block, name: &str) -> Result<usize> {
    block
        .savepoints
        .iter()
        .rposition(|mark| mark.name == name)
        .ok_or_else(|| EngineError::new("3B001", format!("savepoint \"{name}\" does not exist")))
}

fn aborted() -> EngineError {
    EngineError::new(
        "25P02",
        "current transaction is aborted, commands ignored until end of transaction block",
    )
}

fn no_transaction() -> EngineError {
    EngineError::warning("25P01", "there is no transaction in progress")
}
