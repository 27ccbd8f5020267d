//! The vecsh SQL engine and the psql-like shell.
//!
//! A statement travels `sql` (lexer and parser to a syntax tree) → `analyze` (names,
//! types, casts and overloads against the `catalog`) → `plan` (the pipeline the
//! executor runs) → `exec` (pull-based operators over the table `storage`), with values
//! as `value::Datum`. Tables live in memory (`storage::MemoryTable`) and, for a database
//! opened from a directory, also in a `vec-storage` store that every statement commits to
//! before it reports success. Vector indexes (`index`: HNSW from `vec-hnsw`, IVFFlat
//! from `vec-ivf`, and pgvecto.rs's `USING vectors` on either, in `index::vectors`) are
//! kept up to date by every change and chosen by `plan` when pgvector would use them. `format` prints results and errors exactly as psql does; `repl` and
//! the `vecsh` binary are the shell.
//!
//! Invariant: the top library crate. It may depend on every `vec-*` crate; only it and
//! `xtask` print to a terminal.
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
pub mod index;
pub mod plan;
pub mod progress;
pub mod repl;
pub mod session;
pub mod settings;
pub mod sql;
pub mod storage;
pub mod txn;
pub mod value;

pub use cancel::CancelHandle;
pub use error::{EngineError, Severity};
pub use progress::{Command, Progress, ProgressObserver};
pub use exec::{RowSet, StatementResult};
pub use session::{Database, Session};
pub use value::{Datum, SqlType};
