//! `COPY table TO file | STDOUT` and `COPY table FROM file | STDIN` (text, CSV and binary
//! formats, read and written by `exec::copy`).

use std::sync::Arc;

use super::Session;
use crate::error::{EngineError, Result};
use crate::exec::{self, ExecContext, StatementResult};
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
        crate::txn::apply(&mut catalog, &writes, outcome.changes)?;
        Ok(StatementResult::tag(format!("COPY {count}")))
    }
}
