//! The library API: a [`Database`] (shared catalog and tables) and [`Session`]s that
//! execute SQL text and return typed results.

mod block;
mod open;

use std::path::Path;
use std::sync::Arc;

use parking_lot::RwLock;

use crate::analyze;
use crate::cancel::CancelHandle;
use crate::catalog::snapshots::RecoveryReport;
use crate::catalog::Catalog;
use crate::error::{EngineError, Result};
use crate::exec::{self, ExecContext, RowSet, StatementResult};
use crate::plan::{self, OutputColumn, PlanContext, Returning};
use crate::progress::{Monitor, ProgressObserver};
use crate::settings::Settings;
use crate::sql::ast::Statement;
use crate::storage::durable::Durable;
use crate::storage::Row;
use crate::txn::{StoreWrites, WriteLock};
use crate::value::SqlType;
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
    ///     ["CREATE INDEX hnsw: initializing", "CREATE INDEX hnsw: loading tuples"]
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

    fn run_statement(&mut self, statement: &Statement) -> Result<StatementResult> {
        self.cancel.reset();
        match statement {
            Statement::Select(select) => {
                let catalog = self.database.shared.catalog.read();
                let bound = analyze::bind_query(&catalog, select, false)?;
                let planned = plan::plan_query(
                    bound,
                    PlanContext {
                        catalog: &catalog,
                        settings: &self.settings,
                    },
                );
                let context = ExecContext::new(&catalog)
                    .with_cancel(&self.cancel)
                    .with_subqueries(&planned.subqueries);
                let rows = exec::run_query(&planned.plan, &context)?;
                Ok(StatementResult {
                    tag: format!("SELECT {}", rows.len()),
                    rows: Some(RowSet {
                        columns: planned.plan.columns,
                        rows,
                    }),
                    notices: Vec::new(),
                    copy_data: None,
                })
            }
            Statement::Insert(insert) => {
                let shared = Arc::clone(&self.database.shared);
                let writes =
                    self.txn
                        .writes(shared.durable.as_ref(), &shared.write_lock, &self.settings)?;
                let mut catalog = shared.catalog.write();
                let bound = analyze::bind_insert(&catalog, insert)?;
                let planned = plan::plan_insert(
                    bound,
                    PlanContext {
                        catalog: &catalog,
                        settings: &self.settings,
                    },
                );
                let context = ExecContext::new(&catalog)
                    .with_cancel(&self.cancel)
                    .with_subqueries(&planned.subqueries);
                let outcome = exec::dml::insert(&context, &planned.plan)?;
                drop(context);
                let outcome = apply(&mut catalog, &writes, outcome)?;
                Ok(dml_result(
                    format!("INSERT 0 {}", outcome.count),
                    &planned.plan.returning,
                    outcome,
                ))
            }
            Statement::Update(update) => {
                let shared = Arc::clone(&self.database.shared);
                let writes =
                    self.txn
                        .writes(shared.durable.as_ref(), &shared.write_lock, &self.settings)?;
                let mut catalog = shared.catalog.write();
                let bound = analyze::bind_update(&catalog, update)?;
                let planned = plan::plan_update(
                    bound,
                    PlanContext {
                        catalog: &catalog,
                        settings: &self.settings,
                    },
                );
                let context = ExecContext::new(&catalog)
                    .with_cancel(&self.cancel)
                    .with_subqueries(&planned.subqueries);
                let outcome = exec::dml::update(&context, &planned.plan)?;
                drop(context);
                let outcome = apply(&mut catalog, &writes, outcome)?;
                Ok(dml_result(
                    format!("UPDATE {}", outcome.count),
                    &planned.plan.returning,
                    outcome,
                ))
            }
            Statement::Delete(delete) => {
                let shared = Arc::clone(&self.database.shared);
                let writes =
                    self.txn
                        .writes(shared.durable.as_ref(), &shared.write_lock, &self.settings)?;
                let mut catalog = shared.catalog.write();
                let bound = analyze::bind_delete(&catalog, delete)?;
                let planned = plan::plan_delete(
                    bound,
                    PlanContext {
                        catalog: &catalog,
                        settings: &self.settings,
                    },
                );
                let context = ExecContext::new(&catalog)
                    .with_cancel(&self.cancel)
                    .with_subqueries(&planned.subqueries);
                let outcome = exec::dml::delete(&context, &planned.plan)?;
                drop(context);
                let outcome = apply(&mut catalog, &writes, outcome)?;
                Ok(dml_result(
                    format!("DELETE {}", outcome.count),
                    &planned.plan.returning,
                    outcome,
                ))
            }
            Statement::Copy(copy) => self.copy(copy, None),
            Statement::Explain { analyze, query } => self.explain(*analyze, query),
            Statement::Set { name, value, local } => {
                self.txn
                    .set(&mut self.settings, name, value.as_ref(), *local)
            }
            Statement::Reset { name } => self.txn.reset(&mut self.settings, name),
            Statement::Show { name } => {
                let value = self.settings.show(name)?;
                Ok(StatementResult {
                    tag: "SHOW".to_string(),
                    rows: Some(RowSet {
                        columns: vec![OutputColumn {
                            name: name.clone(),
                            ty: SqlType::Text,
                            typmod: -1,
                        }],
                        rows: vec![vec![crate::value::Datum::Text(value)]],
                    }),
                    notices: Vec::new(),
                    copy_data: None,
                })
            }
            Statement::Transaction(_) => Err(EngineError::internal(
                "transaction control runs before the statement",
            )),
            ddl_statement => {
                let shared = Arc::clone(&self.database.shared);
                let writes =
                    self.txn
                        .writes(shared.durable.as_ref(), &shared.write_lock, &self.settings)?;
                let mut catalog = shared.catalog.write();
                let workers = self
                    .settings
                    .int(&crate::settings::MAX_PARALLEL_MAINTENANCE_WORKERS);
                let monitor = Monitor {
                    cancel: &self.cancel,
                    observer: self.observer.as_ref(),
                    threads: crate::progress::build_threads(workers),
                };
                crate::exec::ddl::block::execute(&mut catalog, &writes, ddl_statement, monitor)
            }
        }
    }

    fn explain(
        &mut self,
        analyze: bool,
        select: &crate::sql::ast::Select,
    ) -> Result<StatementResult> {
        let catalog = self.database.shared.catalog.read();
        let bound = analyze::bind_query(&catalog, select, true)?;
        let planned = plan::plan_query(
            bound,
            PlanContext {
                catalog: &catalog,
                settings: &self.settings,
            },
        );
        let mut lines = crate::plan::explain::explain(&planned.plan);
        if analyze {
            let started = std::time::Instant::now();
            let context = ExecContext::new(&catalog)
                .with_cancel(&self.cancel)
                .with_subqueries(&planned.subqueries);
            let rows = exec::run_query(&planned.plan, &context)?;
            let elapsed = started.elapsed().as_secs_f64() * 1000.0;
            if let Some(first) = lines.first_mut() {
                first.push_str(&format!(" (actual rows={} loops=1)", rows.len()));
            }
            lines.push(format!("Execution Time: {elapsed:.3} ms"));
        }
        let rows = lines
            .into_iter()
            .map(|line| vec![crate::value::Datum::Text(line)])
            .collect();
        Ok(StatementResult {
            tag: "EXPLAIN".to_string(),
            rows: Some(RowSet {
                columns: vec![OutputColumn {
                    name: "QUERY PLAN".to_string(),
                    ty: SqlType::Text,
                    typmod: -1,
                }],
                rows,
            }),
            notices: Vec::new(),
            copy_data: None,
        })
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

    fn copy(
        &mut self,
        copy: &crate::sql::ast::Copy,
        stdin: Option<&[u8]>,
    ) -> Result<StatementResult> {
        use crate::exec::copy::{read_rows, write_rows, CopyFormat};
        let format = CopyFormat::from_options(&copy.options)?;
        let shared = Arc::clone(&self.database.shared);
        let writes = if copy.from {
            Some(
                self.txn
                    .writes(shared.durable.as_ref(), &shared.write_lock, &self.settings)?,
            )
        } else {
            None
        };
        let mut catalog = shared.catalog.write();
        let table = catalog.table(&copy.table).ok_or_else(|| {
            EngineError::new(
                "42P01",
                format!("relation \"{}\" does not exist", copy.table),
            )
            .at(copy.table_pos.0)
        })?;
        let targets = crate::analyze::defaults::copy_targets(table, &copy.columns)?;
        if !copy.from {
            let rows: Vec<Row> = table
                .store
                .scan()
                .map(|(_, row)| targets.iter().map(|&i| row[i].clone()).collect())
                .collect();
            let names: Vec<String> = targets
                .iter()
                .map(|&i| table.columns[i].name.clone())
                .collect();
            let bytes = write_rows(&rows, &names, &format)?;
            let mut result = StatementResult::tag(format!("COPY {}", rows.len()));
            match &copy.file {
                Some(path) => std::fs::write(path, &bytes).map_err(|e| {
                    EngineError::new(
                        "58030",
                        format!("could not open file \"{path}\" for writing: {e}"),
                    )
                })?,
                None => result.copy_data = Some(bytes),
            }
            return Ok(result);
        }
        let data = match (&copy.file, stdin) {
            (Some(path), _) => std::fs::read(path).map_err(|e| {
                EngineError::new(
                    "58030",
                    format!("could not open file \"{path}\" for reading: {e}"),
                )
            })?,
            (None, Some(data)) => data.to_vec(),
            (None, None) => return Err(EngineError::unsupported(
                "COPY FROM STDIN needs its data from the client (use vecsh or Session::copy_in)",
            )),
        };
        let types: Vec<(SqlType, crate::value::TypeMod)> = targets
            .iter()
            .map(|&i| (table.columns[i].ty.clone(), table.columns[i].typmod))
            .collect();
        let monitor = Monitor {
            cancel: &self.cancel,
            observer: self.observer.as_ref(),
            threads: 1,
        };
        let rows = read_rows(&data, &format, &types, monitor, &copy.table)?;
        let context = ExecContext::new(&catalog).with_cancel(&self.cancel);
        let outcome =
            exec::dml::insert_rows(&context, &copy.table, &targets, rows, &Returning::default())?;
        drop(context);
        let count = outcome.count;
        let writes = writes.ok_or_else(|| EngineError::internal("COPY FROM without writes"))?;
        apply(&mut catalog, &writes, outcome)?;
        Ok(StatementResult::tag(format!("COPY {count}")))
    }
}

/// Applies a DML statement's changes, returning the outcome for its result.
fn apply(
    catalog: &mut Catalog,
    writes: &StoreWrites<'_>,
    mut outcome: exec::dml::DmlOutcome,
) -> Result<exec::dml::DmlOutcome> {
    let changes = std::mem::take(&mut outcome.changes);
    crate::txn::apply(catalog, writes, changes)?;
    Ok(outcome)
}

fn dml_result(
    tag: String,
    returning: &Returning,
    outcome: exec::dml::DmlOutcome,
) -> StatementResult {
    let rows = (!returning.exprs.is_empty()).then(|| RowSet {
        columns: returning.columns.clone(),
        rows: outcome.returned,
    });
    StatementResult {
        tag,
        rows,
        notices: Vec::new(),
        copy_data: None,
    }
}
