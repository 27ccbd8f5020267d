//! `COPY table TO file | STDOUT` and `COPY table FROM file | STDIN` (text, CSV and binary
//! formats, read and written by `exec::copy`).

use std::sync::Arc;

use super::Session;
use crate::error::{EngineError, Result};
use crate::catalog::{Catalog, Table};
use crate::exec::{self, ExecContext, IndexGuards, StatementResult};
use crate::plan::Returning;
use crate::progress::Monitor;
use crate::storage::Row;
use crate::value::SqlType;

impl Session {
    pub(super) fn copy(
        &mut self,
        copy: &crate::sql::ast::Copy,
        stdin: Option<&[u8]>,
    ) -> Result<StatementResult> {
        use crate::exec::copy::{read_rows, write_rows, CopyFormat};
        let format = CopyFormat::from_options(&copy.options)?;
        let shared = Arc::clone(&self.database.shared);
        if !copy.from {
            let source = self.txn.read_source(&shared.durable);
            let view = source.view();
            let catalog = shared.catalog.read();
            let table = find_table(&catalog, copy)?;
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
        let writes = self
            .txn
            .writes(&shared.durable, &shared.write_lock, &self.settings, "COPY FROM")?;
        let catalog = shared.catalog.read();
        let table = find_table(&catalog, copy)?;
        let targets = crate::analyze::defaults::copy_targets(table, &copy.columns)?;
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
        let outcome = {
            let source = writes.read_source();
            let guards = IndexGuards::none();
            let context = ExecContext::new(&catalog, source.view(), &guards).with_cancel(&self.cancel);
            exec::dml::insert_rows(&context, &copy.table, &targets, rows, &Returning::default())?
        };
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
