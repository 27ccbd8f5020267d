//! The library API: a [`Database`] (shared catalog and tables) and [`Session`]s that
//! execute SQL text and return typed results. Statements run in `statement` (queries,
//! data changes, `EXPLAIN`, settings, schema statements) and `copy`; transaction blocks
//! are `block`'s; opening a database from its directory is `open`'s.

mod block;
mod copy;
mod open;
mod statement;

use std::path::Path;
use std::sync::Arc;

use parking_lot::RwLock;

use crate::cancel::CancelHandle;
use crate::catalog::snapshots::RecoveryReport;
use crate::catalog::Catalog;
use crate::error::{EngineError, Result};
use crate::exec::StatementResult;
use crate::progress::ProgressObserver;
use crate::settings::Settings;
use crate::sql::ast::Statement;
use crate::storage::durable::Durable;
use crate::txn::WriteLock;
use block::{Ending, TxnState};

/// What every handle of a database shares.
struct Shared {
    catalog: RwLock<Catalog>,
    durable: Option<Durable>,
    /// What opening the database did with its vector indexes.
    recovery: RecoveryReport,
    /// Serializes writing statements and transaction blocks that have written.
    write_lock: WriteLock,
}

impl Drop for Shared {
    fn drop(&mut self) {
        // A checkpoint on close (with the index snapshots) means the next open has
        // nothing to replay or rebuild; if it fails, recovery replays the log instead, so
        // the error can be ignored here.
        if let Some(durable) = self.durable.take() {
            let _ = crate::catalog::snapshots::checkpoint(&durable, self.catalog.get_mut());
            let _ = durable.close();
        }
    }
}

/// A database: its catalog and tables, shared by every session opened on it.
#[derive(Clone)]
pub struct Database {
    shared: Arc<Shared>,
}

impl Database {
    /// A new, empty database held in memory; it disappears with the last handle.
    pub fn in_memory() -> Database {
        Database {
            shared: Arc::new(Shared {
                catalog: RwLock::new(Catalog::default()),
                durable: None,
                recovery: RecoveryReport::default(),
                write_lock: WriteLock::default(),
            }),
        }
    }

    /// Opens (or creates) a database directory. Every statement that succeeds is
    /// durable; the directory is locked against other processes while open.
    pub fn open(path: impl AsRef<Path>) -> Result<Database> {
        let opened = open::open(path.as_ref())?;
        Ok(Database {
            shared: Arc::new(Shared {
                catalog: RwLock::new(opened.catalog),
                durable: Some(opened.durable),
                recovery: opened.recovery,
                write_lock: WriteLock::default(),
            }),
        })
    }

    /// A new session on this database.
    pub fn session(&self) -> Session {
        Session {
            database: self.clone(),
            settings: Settings::default(),
            txn: TxnState::default(),
            cancel: CancelHandle::new(),
            observer: None,
        }
    }

    /// Whether the database lives only in memory.
    pub fn is_in_memory(&self) -> bool {
        self.shared.durable.is_none()
    }

    /// What opening the database did with each vector index: opened from its snapshot
    /// (and how many rows changed after it were replayed) or rebuilt from the rows, and
    /// why. Empty for a database in memory.
    pub fn recovery_report(&self) -> RecoveryReport {
        self.shared.recovery.clone()
    }

    /// Sets how much log a database on disk writes after a checkpoint before a
    /// statement's commit runs the next one (default
    /// [`crate::storage::durable::CHECKPOINT_WAL_BYTES`]); no effect in memory.
    pub fn set_checkpoint_wal_bytes(&self, bytes: u64) {
        if let Some(durable) = &self.shared.durable {
            durable.set_checkpoint_wal_bytes(bytes);
        }
    }

    /// Reads the catalog (for `\d`-style descriptions).
    pub fn with_catalog<T>(&self, f: impl FnOnce(&Catalog) -> T) -> T {
        f(&self.shared.catalog.read())
    }
}

/// A connection-like session: parameter settings, transaction blocks and statement
/// execution. Dropping a session inside a block rolls the block back.
pub struct Session {
    database: Database,
    settings: Settings,
    txn: TxnState,
    cancel: CancelHandle,
    observer: Option<ProgressObserver>,
}

impl Drop for Session {
    fn drop(&mut self) {
        self.txn.close(&self.database.shared.catalog);
    }
}

impl Session {
    /// A handle that cancels the statement this session is running, from another thread
    /// or a signal handler: the statement fails with `canceling statement due to user
    /// request` (SQLSTATE 57014) and changes nothing. A request made while no statement
    /// runs is dropped when the next one starts.
    pub fn cancel_handle(&self) -> CancelHandle {
        self.cancel.clone()
    }

    /// Installs (or, with `None`, removes) the observer that `CREATE INDEX` and `COPY`
    /// report their progress to.
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use vec_shell::{Database, Progress};
    ///
    /// let mut session = Database::in_memory().session();
    /// session.execute("CREATE TABLE items (embedding vector(2))")?;
    /// session.execute("INSERT INTO items SELECT ARRAY[i, 1]::vector FROM generate_series(1, 3000) i")?;
    /// let phases = Arc::new(Mutex::new(Vec::new()));
    /// let sink = phases.clone();
    /// session.set_progress_observer(Some(Arc::new(move |p: &Progress<'_>| {
    ///     if p.done == p.total {
    ///         sink.lock().unwrap().push(format!("{} {}: {}", p.command.name(), p.target, p.phase));
    ///     }
    /// })));
    /// session.execute("CREATE INDEX ON items USING hnsw (embedding vector_l2_ops)")?;
    /// assert_eq!(
    ///     *phases.lock().unwrap(),
    ///     [
    ///         "CREATE INDEX hnsw: initializing",
    ///         "CREATE INDEX hnsw: loading tuples",
    ///         "CREATE INDEX hnsw: calibrating",
    ///     ]
    /// );
    /// # Ok::<(), vec_shell::EngineError>(())
    /// ```
    pub fn set_progress_observer(&mut self, observer: Option<ProgressObserver>) {
        self.observer = observer;
    }

    /// The database this session works on.
    pub fn database(&self) -> &Database {
        &self.database
    }

    /// Parses and runs every statement in `sql`, in order. Statements before a failing
    /// one keep their effect (outside a transaction block; inside one, the error aborts
    /// the block); the error's position is a byte offset into `sql`.
    pub fn execute(&mut self, sql: &str) -> Result<Vec<StatementResult>> {
        let statements = match crate::sql::parse(sql) {
            Ok(statements) => statements,
            Err(error) => {
                // As in PostgreSQL, even a syntax error aborts an open block.
                self.txn.fail(&self.database.shared.catalog);
                return Err(error);
            }
        };
        let mut results = Vec::with_capacity(statements.len());
        for statement in &statements {
            results.push(self.execute_statement(statement)?);
        }
        Ok(results)
    }

    /// Whether a transaction block is open (`BEGIN` ran, and no `COMMIT` or `ROLLBACK`
    /// yet).
    pub fn in_transaction_block(&self) -> bool {
        self.txn.in_block()
    }

    /// Whether the open transaction block is aborted: a statement in it failed, and
    /// commands are ignored until `COMMIT` or `ROLLBACK`.
    pub fn in_aborted_block(&self) -> bool {
        self.txn.is_aborted()
    }

    /// Runs one parsed statement. Inside a transaction block, an error aborts the block.
    pub fn execute_statement(&mut self, statement: &Statement) -> Result<StatementResult> {
        if let Statement::Transaction(command) = statement {
            let ending = Ending {
                catalog: &self.database.shared.catalog,
                settings: &mut self.settings,
            };
            return self.txn.control(*command, ending);
        }
        self.txn.check_not_aborted()?;
        let result = self.run_statement(statement);
        if result.is_err() {
            self.txn.fail(&self.database.shared.catalog);
        }
        result
    }

    /// Runs `COPY … FROM STDIN` with the data that followed it (ending at `\.` or at the
    /// end of `data`).
    pub fn copy_in(&mut self, sql: &str, data: &[u8]) -> Result<StatementResult> {
        let statements = crate::sql::parse(sql)?;
        match statements.as_slice() {
            [Statement::Copy(copy)] if copy.from && copy.file.is_none() => {
                self.cancel.reset();
                self.txn.check_not_aborted()?;
                let result = self.copy(copy, Some(data));
                if result.is_err() {
                    self.txn.fail(&self.database.shared.catalog);
                }
                result
            }
            _ => Err(EngineError::new(
                "42601",
                "copy_in needs one COPY … FROM STDIN statement",
            )),
        }
    }
}
