//! The library API: a [`Database`] (shared catalog and tables) and [`Session`]s that
//! execute SQL text and return typed results. Statements run in `statement` (queries,
//! data changes, `EXPLAIN`, settings, schema statements) and `copy`; transaction blocks
//! are `block`'s; prepared statements and `$n` parameters are `prepared`'s; opening a
//! database from its directory is `open`'s.

mod autoanalyze;
mod block;
mod copy;
mod create_as;
mod custom_plan;
mod explain;
mod index_progress;
mod open;
mod prepared;
mod shape_cache;
mod statement;
mod tracking;

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::AtomicU64;
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
pub use prepared::{Description, PreparedStatement};

/// The process id of a database's first session (the ones after it count up).
const FIRST_PID: i32 = 1000;

/// What every handle of a database shares.
struct Shared {
    catalog: RwLock<Catalog>,
    durable: Durable,
    /// What opening the database did with its vector indexes.
    recovery: RecoveryReport,
    /// Warnings and notices about the open (damage found, log discarded).
    warnings: Vec<EngineError>,
    /// Serializes writing statements and transaction blocks that have written.
    write_lock: WriteLock,
    /// Changes whenever the schema may have changed (see `prepared`).
    schema_version: AtomicU64,
    /// The database directory's absolute path (`SHOW data_directory`); empty for a
    /// database in memory.
    data_directory: String,
    /// The process id the next session gets.
    next_pid: std::sync::atomic::AtomicI32,
    /// When automatic `ANALYZE` looks next.
    autoanalyze: autoanalyze::AutoAnalyze,
}

impl Drop for Shared {
    fn drop(&mut self) {
        // A checkpoint on close (with the index snapshots) means the next open has
        // nothing to replay or rebuild; if it fails, recovery replays the log instead, so
        // the error can be ignored here.
        if !self.durable.is_in_memory() {
            let _ = crate::catalog::snapshots::checkpoint(&self.durable, self.catalog.get_mut());
            let _ = self.durable.close();
        }
    }
}

/// How a database directory is opened.
#[derive(Clone, Debug)]
pub struct OpenOptions {
    /// The buffer pool's size in bytes (`shared_buffers`; default 128 MB, as
    /// PostgreSQL's).
    pub shared_buffers: usize,
    /// Open although the log is damaged in its middle, discarding it from the damage on
    /// (see [`Database::open_truncating_damaged_wal`]).
    pub truncate_damaged_wal: bool,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            shared_buffers: 128 * 1024 * 1024,
            truncate_damaged_wal: false,
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
        Database::in_memory_with_options(&OpenOptions::default())
    }

    /// A new, empty database held in memory with `options` (the buffer pool's size; the
    /// log of a database in memory is never damaged, so the rest does not apply).
    pub fn in_memory_with_options(options: &OpenOptions) -> Database {
        let opened = open::in_memory(options.shared_buffers);
        Database {
            shared: Arc::new(Shared {
                catalog: RwLock::new(opened.catalog),
                durable: opened.durable,
                recovery: RecoveryReport::default(),
                warnings: Vec::new(),
                write_lock: WriteLock::default(),
                schema_version: AtomicU64::new(0),
                data_directory: String::new(),
                next_pid: FIRST_PID.into(),
                autoanalyze: autoanalyze::AutoAnalyze::default(),
            }),
        }
    }

    /// Opens (or creates) a database directory. Every statement that succeeds is
    /// durable; the directory is locked against other processes while open.
    pub fn open(path: impl AsRef<Path>) -> Result<Database> {
        Database::open_with_options(path, &OpenOptions::default())
    }

    /// Opens (or creates) a database directory with `options` (the buffer pool's size).
    pub fn open_with_options(path: impl AsRef<Path>, options: &OpenOptions) -> Result<Database> {
        let wal_recovery = if options.truncate_damaged_wal {
            vec_storage::WalRecovery::TruncateAtCorruption
        } else {
            vec_storage::WalRecovery::Strict
        };
        Database::open_with(path, wal_recovery, options.shared_buffers)
    }

    /// Opens a database directory whose log is damaged in its middle, discarding the
    /// log from the damage on (the transactions committed after it are lost; the
    /// warnings of [`Database::open_warnings`] say how many). Without such damage it
    /// opens as [`Database::open`] does.
    pub fn open_truncating_damaged_wal(path: impl AsRef<Path>) -> Result<Database> {
        let options = OpenOptions {
            truncate_damaged_wal: true,
            ..OpenOptions::default()
        };
        Database::open_with_options(path, &options)
    }

    fn open_with(
        path: impl AsRef<Path>,
        wal_recovery: vec_storage::WalRecovery,
        shared_buffers: usize,
    ) -> Result<Database> {
        let opened = open::open(path.as_ref(), wal_recovery, shared_buffers)?;
        let directory = std::fs::canonicalize(path.as_ref()).unwrap_or(path.as_ref().to_path_buf());
        Ok(Database {
            shared: Arc::new(Shared {
                catalog: RwLock::new(opened.catalog),
                durable: opened.durable,
                recovery: opened.recovery,
                warnings: opened.warnings,
                write_lock: WriteLock::default(),
                schema_version: AtomicU64::new(0),
                data_directory: directory.display().to_string(),
                next_pid: FIRST_PID.into(),
                autoanalyze: autoanalyze::AutoAnalyze::default(),
            }),
        })
    }

    /// What opening the database found that a user should hear about, as warnings and
    /// notices: damaged pages and tables, log discarded after damage, pages restored
    /// after a torn write, vector indexes rebuilt because their snapshots were damaged.
    /// Empty after a clean open (or a crash that left only a torn log tail).
    pub fn open_warnings(&self) -> Vec<EngineError> {
        self.shared.warnings.clone()
    }

    /// A new session on this database.
    pub fn session(&self) -> Session {
        let mut settings = Settings::default();
        let kb = (self.durable().buffer_pool_bytes() / 1024).max(16 * 8);
        // Always in range: at least the minimum, and the pool's size fits the maximum.
        let _ = settings.set_at_open(&crate::settings::SHARED_BUFFERS, &format!("{kb}kB"));
        let directory = &self.shared.data_directory;
        let _ = settings.set_at_open(&crate::settings::DATA_DIRECTORY, directory);
        let pid = self
            .shared
            .next_pid
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Session {
            pid,
            database: self.clone(),
            settings,
            txn: TxnState::default(),
            cancel: CancelHandle::new(),
            observer: None,
            prepared: HashMap::new(),
            shapes: shape_cache::ShapeCache::default(),
            search_path: (String::new(), Arc::new([])),
        }
    }

    /// Whether the database lives only in memory.
    pub fn is_in_memory(&self) -> bool {
        self.durable().is_in_memory()
    }

    /// The store holding the rows.
    pub(crate) fn durable(&self) -> &Durable {
        &self.shared.durable
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
        self.durable().set_checkpoint_wal_bytes(bytes);
    }

    /// Reads the catalog (for `\d`-style descriptions).
    pub fn with_catalog<T>(&self, f: impl FnOnce(&Catalog) -> T) -> T {
        f(&self.shared.catalog.read())
    }
}

/// A connection-like session: parameter settings, transaction blocks and statement
/// execution. Dropping a session inside a block rolls the block back.
pub struct Session {
    /// The session's process id, as `pg_stat_progress_create_index` shows it.
    pid: i32,
    database: Database,
    settings: Settings,
    txn: TxnState,
    cancel: CancelHandle,
    observer: Option<ProgressObserver>,
    /// Prepared statements by name (`""` is the wire protocol's unnamed one).
    prepared: HashMap<String, PreparedStatement>,
    /// Plans of repeated statement shapes (see `shape_cache`).
    shapes: shape_cache::ShapeCache,
    /// The `search_path` value last seen and its schemas, parsed once while it holds.
    search_path: (String, Arc<[String]>),
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

    /// The session's process id (each session of a database has its own), as
    /// `pg_stat_progress_create_index` shows it.
    pub fn backend_pid(&self) -> i32 {
        self.pid
    }

    /// The database this session works on.
    pub fn database(&self) -> &Database {
        &self.database
    }

    /// Parses and runs every statement in `sql`, in order. Statements before a failing
    /// one keep their effect (outside a transaction block; inside one, the error aborts
    /// the block); the error's position is a byte offset into `sql`.
    pub fn execute(&mut self, sql: &str) -> Result<Vec<StatementResult>> {
        if let Some(result) = self.execute_shape(sql) {
            return result.map(|result| vec![result]);
        }
        let statements = match crate::sql::parse_with_spans(sql) {
            Ok(statements) => statements,
            Err(error) => {
                // As in PostgreSQL, even a syntax error aborts an open block.
                self.abort_block();
                return Err(error);
            }
        };
        let mut results = Vec::with_capacity(statements.len());
        for (statement, span) in &statements {
            let text = sql.get(span.clone()).unwrap_or_default();
            results.push(self.execute_statement_text(statement, text)?);
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
            let result = self.txn.control(command, ending);
            // A block's end may undo schema changes: prepared plans are made again.
            self.database.schema_changed();
            return result;
        }
        self.txn.check_not_aborted()?;
        let result = self.with_search_path(|session| session.run_statement(statement));
        match result.is_err() {
            true => self.abort_block(),
            false => self.auto_analyze(),
        }
        result
    }

    /// Runs `f` with this session's `search_path` in force for name lookups.
    pub(crate) fn with_search_path<T>(&mut self, f: impl FnOnce(&mut Session) -> T) -> T {
        let value = self.settings.text(&crate::settings::SEARCH_PATH);
        if value != self.search_path.0 {
            let path = crate::catalog::namespace::parse_search_path(
                value,
                crate::catalog::namespace::USER,
            );
            self.search_path = (value.to_string(), path.into());
        }
        let path = Arc::clone(&self.search_path.1);
        crate::catalog::namespace::with_search_path(path, || f(self))
    }

    /// Aborts an open transaction block, as a failed statement does (a client's
    /// failed `COPY`, a protocol error). Nothing happens outside a block.
    pub fn fail_block(&mut self) {
        self.abort_block();
    }

    /// Sets a run-time parameter (as `SET name = value`, outside any block's undo),
    /// for the parameters a client sends at connection start.
    pub fn set_parameter(&mut self, name: &str, value: &str) -> Result<()> {
        self.settings.set(name, Some(value))
    }

    /// A run-time parameter's value, as `SHOW` prints it.
    pub fn show_parameter(&self, name: &str) -> Result<String> {
        self.settings.show(name)
    }

    /// A statement failed: an open block is aborted (its changes undone).
    fn abort_block(&mut self) {
        if self.txn.in_block() {
            self.txn.fail(&self.database.shared.catalog);
            self.database.schema_changed();
        }
    }

    /// Runs `COPY … FROM STDIN` with the data that followed it (ending at `\.` or at the
    /// end of `data`).
    pub fn copy_in(&mut self, sql: &str, data: &[u8]) -> Result<StatementResult> {
        let statements = crate::sql::parse_with_spans(sql)?;
        match statements.as_slice() {
            [(statement, span)] => {
                let text = sql.get(span.clone()).unwrap_or_default();
                self.copy_in_statement_text(statement, data, text)
            }
            _ => Err(EngineError::new(
                "42601",
                "copy_in needs one COPY … FROM STDIN statement",
            )),
        }
    }

    /// Runs a parsed `COPY … FROM STDIN` with its data (counted in
    /// `pg_stat_statements` under the statement's deparsed text).
    pub fn copy_in_statement(
        &mut self,
        statement: &Statement,
        data: &[u8],
    ) -> Result<StatementResult> {
        self.copy_in_statement_text(statement, data, &statement.to_string())
    }

    /// Runs a parsed `COPY … FROM STDIN` whose data is read from `data` as it comes, a
    /// piece at a time, to its end (as the server reads the client's `CopyData`): no more
    /// of it is held than a piece. A failed read fails the statement before anything of it
    /// is written.
    pub fn copy_in_reader(
        &mut self,
        statement: &Statement,
        data: &mut dyn std::io::Read,
    ) -> Result<StatementResult> {
        let started = std::time::Instant::now();
        let result = self.copy_in_uncounted(statement, copy::Stdin::Reader(data))?;
        self.count_statement(&statement.to_string(), started, &result);
        Ok(result)
    }

    /// Runs a parsed `COPY … FROM STDIN` written as `text` with its data.
    pub fn copy_in_statement_text(
        &mut self,
        statement: &Statement,
        data: &[u8],
        text: &str,
    ) -> Result<StatementResult> {
        let started = std::time::Instant::now();
        let result = self.copy_in_uncounted(statement, copy::Stdin::Data(data))?;
        self.count_statement(text, started, &result);
        Ok(result)
    }

    fn copy_in_uncounted(
        &mut self,
        statement: &Statement,
        data: copy::Stdin<'_>,
    ) -> Result<StatementResult> {
        match statement {
            Statement::Copy(copy) if copy.from && copy.file.is_none() => {
                self.cancel.reset();
                self.txn.check_not_aborted()?;
                let result = self.with_search_path(|session| session.copy(copy, Some(data)));
                match result.is_err() {
                    true => self.abort_block(),
                    false => self.auto_analyze(),
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

/// Where a session's statements spill, past its `work_mem`.
pub(crate) fn spill_config(
    settings: &Settings,
    durable: &Durable,
) -> crate::exec::spill::SpillConfig {
    let work_mem = settings.int(&crate::settings::WORK_MEM) as usize * 1024;
    crate::exec::spill::SpillConfig::new(durable.temp_dir().to_path_buf(), work_mem)
}
