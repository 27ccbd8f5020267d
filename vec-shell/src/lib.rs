//! The vecsh SQL engine and the psql-like shell.
//!
//! A query travels `sql` (lexer and parser to a syntax tree) → `analyze` (names, types,
//! casts and overloads bound against the `catalog`: a bound query) → `plan` (the planner
//! chooses exact, vector-index or btree scans and join strategies: a plan) → `exec`
//! (pull-based operators over the tables' rows in `storage`, expressions evaluated by
//! `expr`), with values as `value::Datum`. A data-changing statement computes its new
//! rows in `exec` and hands them to `txn`, which commits them to the durable store and
//! applies them to the rows and indexes. Vector indexes (`index`) are trait objects of
//! the `vec-index` interface, made by `vec-hnsw` and `vec-ivf` through one table of
//! access methods and operator classes. `session` runs statements and transaction
//! blocks over a `Database`; `format` prints results and errors exactly as psql does;
//! `repl` and the `vecsh` binary are the shell. The crate's README draws the layers with
//! where each concept lives and how a query and an `INSERT` flow through them.
//!
//! Invariant: the top library crate. It may depend on every `vec-*` crate; only it and
//! `xtask` print to a terminal.
//!
//! ## Layers
//!
//! Inside the crate, modules depend one way only: a module uses only the modules on the
//! lines below its own (never one on its own line or above). `cargo xtask tidy` checks
//! this from the `use` paths.
//!
//! ```text
//! fuzzing: the fuzz targets' entry points (front end)
//! repl, server: the shell and the wire-protocol server (front ends)
//! format: psql's output of results and errors (front end)
//! session: Database, Session, transaction blocks, opening a database
//! exec: operators, DML, COPY, DDL
//! txn: write lock, storage transaction, applying changes, undo log
//! plan: the planner and EXPLAIN
//! analyze: binding statements against the catalog
//! catalog: tables (definitions, rows, indexes) and their durable form
//! index: vector indexes behind one interface
//! storage: rows, btree indexes, the row codec, the durable store
//! expr: bound expressions, functions and operators, evaluation
//! settings: run-time parameters
//! value: SQL types, datums, casts
//! sql: lexer, parser, syntax tree
//! progress: progress reports of long statements
//! cancel: cancelling a running statement
//! error: the engine's error type
//! ```
//!
//! ```
//! use vec_shell::{Database, Datum};
//!
//! let database = Database::in_memory();
//! let mut session = database.session();
//! session.execute("CREATE TABLE items (id bigserial PRIMARY KEY, embedding vector(3))")?;
//! session.execute("INSERT INTO items (embedding) VALUES ('[1,2,3]'), ('[4,5,6]')")?;
//! let results =
//!     session.execute("SELECT id, embedding <-> '[3,1,2]' AS d FROM items ORDER BY d LIMIT 1")?;
//! let rows = results[0].rows.as_ref().unwrap();
//! assert_eq!(rows.columns[1].name, "d");
//! assert_eq!(rows.rows[0][0], Datum::Int8(1));
//!
//! let error = session.execute("SELECT '[1,2'::vector").unwrap_err();
//! assert_eq!(error.message, "invalid input syntax for type vector: \"[1,2\"");
//! assert_eq!(error.position, Some(7));
//! # Ok::<(), vec_shell::EngineError>(())
//! ```

pub mod analyze;
pub mod cancel;
pub mod catalog;
pub mod error;
pub mod exec;
pub mod expr;
pub mod format;
pub mod fuzzing;
pub mod index;
pub mod plan;
pub mod progress;
pub mod repl;
pub mod server;
pub mod session;
pub mod settings;
pub mod sql;
pub mod storage;
pub mod txn;
pub mod value;

pub use cancel::CancelHandle;
pub use error::{EngineError, Severity};
pub use exec::{RowSet, StatementResult};
pub use progress::{Command, Progress, ProgressObserver};
pub use session::{Database, Session};
pub use value::{Datum, SqlType};
