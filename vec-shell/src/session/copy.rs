//! `COPY table TO file | STDOUT`, `COPY (query) TO file | STDOUT` and `COPY table FROM
//! file | STDIN` (text, CSV and binary formats, read and written by `exec::copy`). A file inside the database's own
//! directory is refused, whichever name (relative, through a symbolic or hard link) it
//! is given by, so that `COPY` can neither overwrite nor read the database's pages.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::Session;
use crate::catalog::{Catalog, Table};
use crate::error::{EngineError, Result};
use crate::exec::{self, ExecContext, IndexGuards, StatementResult};
use crate::plan::Returning;
use crate::progress::Monitor;
use crate::storage::Row;
use crate::value::SqlType;

impl Session {
    pub(super) fn copy(
        &mut self,
        copy: &crate::sql::ast::Copy,
        stdin: Option<Stdin<'_>>,
    ) -> Result<StatementResult> {
        use crate::exec::copy::{
            read_rows, read_rows_from, write_rows, CopyFormat, CopyTarget, PIECE,
        };
        let format = CopyFormat::from_options(&copy.options)?;
        let shared = Arc::clone(&self.database.shared);
        if let (Some(path), false) = (&copy.file, shared.durable.is_in_memory()) {
            refuse_database_file(Path::new(path), shared.durable.store().dir())?;
        }
        if let Some(query) = &copy.query {
            // `COPY (query) TO …`: the query's rows, under its column names.
            let result = self.query(query)?;
            let set = result
                .rows
                .ok_or_else(|| EngineError::internal("a query without rows"))?;
            let names: Vec<String> = set.columns.iter().map(|c| c.name.clone()).collect();
            let bytes = write_rows(&set.rows, &names, &format)?;
            let mut result = StatementResult::tag(format!("COPY {}", set.rows.len()));
            match &copy.file {
                Some(path) => write_file(path, &bytes)?,
                None => result.copy_data = Some(bytes),
            }
            return Ok(result);
        }
        if !copy.from {
            let source = self.txn.read_source(&shared.durable);
            let view = source.view();
            let catalog = shared.catalog.read();
            let table = find_table(&catalog, copy)?;
            table.check_damage()?;
            let targets = crate::analyze::defaults::copy_targets(table, &copy.columns)?;
            let mut rows: Vec<Row> = Vec::new();
            for (n, found) in view.scan(table.heap)?.enumerate() {
                if n % crate::cancel::CHECK_EVERY == 0 {
                    self.cancel.check()?;
                }
                let (_, row) = found?;
                rows.push(targets.iter().map(|&i| row[i].clone()).collect());
            }
            let names: Vec<String> = targets
                .iter()
                .map(|&i| table.columns[i].name.clone())
                .collect();
            let bytes = write_rows(&rows, &names, &format)?;
            let mut result = StatementResult::tag(format!("COPY {}", rows.len()));
            match &copy.file {
                Some(path) => write_file(path, &bytes)?,
                None => result.copy_data = Some(bytes),
            }
            return Ok(result);
        }
        let writes = self.txn.writes(
            &shared.durable,
            &shared.write_lock,
            &self.settings,
            "COPY FROM",
        )?;
        let catalog = shared.catalog.read();
        let table = find_table(&catalog, copy)?;
        table.check_damage()?;
        let targets = crate::analyze::defaults::copy_targets(table, &copy.columns)?;
        let source = match (&copy.file, stdin) {
            (Some(path), _) => Source::File(open_file(path)?),
            (None, Some(Stdin::Data(data))) => Source::Data(data),
            (None, Some(Stdin::Reader(reader))) => Source::Reader(reader),
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
            build_memory: vec_hnsw::DEFAULT_MAINTENANCE_WORK_MEM,
        };
        let names: Vec<String> = targets
            .iter()
            .map(|&i| table.columns[i].name.clone())
            .collect();
        let target = CopyTarget {
            table: &copy.table,
            names: &names,
            columns: &types,
        };
        let copied = match source {
            Source::Data(data) => read_rows(data, &format, &target, monitor)?,
            Source::File((mut file, length)) => read_rows_from(
                &mut file,
                (length, false),
                PIECE,
                &|e| {
                    EngineError::new(
                        "58030",
                        format!("could not read from COPY file: {}", os_text(&e)),
                    )
                },
                (&format, &target),
                monitor,
            )?,
            // Read to its end even past `\.`, so that a client's failure after it still
            // fails the statement before anything is written. Its length is not known.
            Source::Reader(reader) => read_rows_from(
                reader,
                (0, true),
                PIECE,
                &|e| EngineError::new("08P01", format!("could not read COPY data: {e}")),
                (&format, &target),
                monitor,
            )?,
        };
        let spill = super::spill_config(&self.settings, self.database.durable());
        let mut copied = copied;
        let rows = std::mem::take(&mut copied.rows);
        let origin = |row: usize, with_text: bool| copied.context(&copy.table, row, with_text);
        let outcome = insert_computed_rows(
            &catalog,
            &writes,
            (spill, &self.cancel),
            &copy.table,
            &targets,
            (rows, Some(&origin)),
        )?;
        let count = outcome.count;
        crate::txn::apply(&catalog, &writes, outcome.changes)?;
        Ok(StatementResult::tag(format!("COPY {count}")))
    }
}

/// The table `COPY` names, or PostgreSQL's error.
fn find_table<'c>(catalog: &'c Catalog, copy: &crate::sql::ast::Copy) -> Result<&'c Table> {
    catalog.table(&copy.table).ok_or_else(|| {
        EngineError::new(
            "42P01",
            format!("relation \"{}\" does not exist", copy.table),
        )
        .at(copy.table_pos.0)
    })
}

/// An I/O error's text as `strerror` gives it, without Rust's `(os error N)`.
fn os_text(error: &std::io::Error) -> String {
    let text = error.to_string();
    match text.rfind(" (os error ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

/// Writes `COPY … TO 'path'`'s output. A failed write (the disk is full, the file-size
/// limit is reached) is PostgreSQL's `could not write to COPY file`.
fn write_file(path: &str, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut file = std::fs::File::create(path).map_err(|e| {
        EngineError::new(
            "58030",
            format!(
                "could not open file \"{path}\" for writing: {}",
                os_text(&e)
            ),
        )
    })?;
    file.write_all(bytes)
        .and_then(|()| file.flush())
        .map_err(|e| {
            EngineError::new(
                "58030",
                format!("could not write to COPY file: {}", os_text(&e)),
            )
        })
}

/// The data of a `COPY … FROM STDIN`: all of it, or a reader of it as it comes.
pub(crate) enum Stdin<'a> {
    /// The whole data.
    Data(&'a [u8]),
    /// The data as it comes.
    Reader(&'a mut dyn std::io::Read),
}

/// Where `COPY … FROM` reads: the data a client sent (whole, or as it comes), or a file
/// (and its length), read a piece at a time.
enum Source<'a> {
    Data(&'a [u8]),
    Reader(&'a mut dyn std::io::Read),
    File((std::fs::File, u64)),
}

/// Opens `COPY … FROM 'path'`'s file, with its length.
fn open_file(path: &str) -> Result<(std::fs::File, u64)> {
    let open_error = |e: std::io::Error| {
        EngineError::new(
            "58030",
            format!(
                "could not open file \"{path}\" for reading: {}",
                os_text(&e)
            ),
        )
    };
    let file = std::fs::File::open(path).map_err(open_error)?;
    let length = file.metadata().map_err(open_error)?.len();
    Ok((file, length))
}

/// Refuses a `COPY` file that is, or would be created, inside the database directory
/// `database`: compared by canonical path (which resolves `..` and symbolic links) and,
/// for a file that exists, by device and inode (which catches hard links).
fn refuse_database_file(path: &Path, database: &Path) -> Result<()> {
    let Ok(root) = std::fs::canonicalize(database) else {
        return Ok(());
    };
    let resolved: Option<PathBuf> = std::fs::canonicalize(path).ok().or_else(|| {
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let parent = std::fs::canonicalize(parent).ok()?;
        Some(parent.join(path.file_name()?))
    });
    let inside =
        resolved.as_deref().is_some_and(|p| p.starts_with(&root)) || same_file_inside(path, &root);
    if inside {
        return Err(EngineError::new(
            "42501",
            format!(
                "cannot use file \"{}\" in COPY: it is inside the database directory",
                path.display()
            ),
        )
        .with_detail(format!(
            "The database directory is \"{}\"; COPY must not read or write its files.",
            root.display()
        )));
    }
    Ok(())
}

/// Whether an existing `path` is (by device and inode) one of the files under `root`.
#[cfg(unix)]
fn same_file_inside(path: &Path, root: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let Ok(target) = std::fs::metadata(path) else {
        return false;
    };
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(meta) = entry.metadata() else {
                continue;
            };
            if meta.is_dir() {
                pending.push(entry.path());
            } else if meta.dev() == target.dev() && meta.ino() == target.ino() {
                return true;
            }
        }
    }
    false
}

#[cfg(not(unix))]
fn same_file_inside(_path: &Path, _root: &Path) -> bool {
    false
}

/// Inserts rows computed outside a plan (`COPY FROM`, `CREATE TABLE … AS`) into `table`'s
/// columns `targets` through the statement's writes; returns the changes to apply.
/// `origin` says where each row came from, for an error's `CONTEXT:` line.
pub(super) fn insert_computed_rows(
    catalog: &Catalog,
    writes: &crate::txn::StoreWrites<'_>,
    (spill, cancel): (
        crate::exec::spill::SpillConfig,
        &crate::cancel::CancelHandle,
    ),
    table: &str,
    targets: &[usize],
    (rows, origin): (Vec<Row>, Option<exec::dml::RowOrigin<'_>>),
) -> Result<exec::dml::DmlOutcome> {
    let source = writes.read_source();
    let guards = IndexGuards::none();
    let context = ExecContext::new(catalog, source.view(), &guards)
        .with_spill(spill)
        .with_cancel(cancel);
    let returning = Returning::default();
    exec::dml::insert_rows_from(&context, table, targets, rows, &returning, origin)
}
