//! Counting statements for `pg_stat_statements`: each statement a client sends (a
//! shell's or a simple query's statement, an extended-protocol execution, a `COPY …
//! FROM STDIN`) is timed, and when it succeeds while the extension is installed it is
//! counted under its text with the rows it returned or changed.

use std::time::Instant;

use super::Session;
use crate::error::Result;
use crate::exec::StatementResult;
use crate::sql::ast::Statement;

impl Session {
    /// Runs one parsed statement written as `text` (see [`Session::execute_statement`]),
    /// counting it in `pg_stat_statements` when that extension is installed.
    pub fn execute_statement_text(
        &mut self,
        statement: &Statement,
        text: &str,
    ) -> Result<StatementResult> {
        let started = Instant::now();
        let result = self.execute_statement(statement);
        if let Ok(result) = &result {
            self.count_statement(text, started, result);
        }
        result
    }

    /// Counts a statement that ran from `started` and gave `result`.
    pub(super) fn count_statement(&self, text: &str, started: Instant, result: &StatementResult) {
        let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
        let catalog = self.database.shared.catalog.read();
        if catalog.stat_statements.is_some() {
            catalog
                .statements
                .record(text, elapsed_ms, result_rows(result));
        }
    }
}

/// The rows a statement returned (a query) or changed (its command tag's count), as
/// `pg_stat_statements` counts them; 0 for other statements.
fn result_rows(result: &StatementResult) -> i64 {
    let mut words = result.tag.split_whitespace();
    let counted = matches!(
        words.next(),
        Some("SELECT" | "INSERT" | "UPDATE" | "DELETE" | "COPY" | "FETCH" | "MERGE")
    );
    match (&result.rows, counted) {
        (Some(rows), true) if result.tag.starts_with("SELECT") => rows.rows.len() as i64,
        (_, true) => words.last().and_then(|n| n.parse().ok()).unwrap_or(0),
        _ => 0,
    }
}
