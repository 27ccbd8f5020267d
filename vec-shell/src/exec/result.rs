//! What a statement produces: [`StatementResult`] (the command tag psql prints, rows,
//! notices, `COPY … TO STDOUT` data) and the [`RowSet`] of a query.

use crate::error::EngineError;
use crate::plan::OutputColumn;
use crate::storage::Row;

/// Rows returned by a statement.
#[derive(Clone, Debug)]
pub struct RowSet {
    /// The columns' labels and types.
    pub columns: Vec<OutputColumn>,
    /// The rows.
    pub rows: Vec<Row>,
}

/// What one statement produced.
#[derive(Clone, Debug)]
pub struct StatementResult {
    /// The command tag psql would print without `-q` (`CREATE TABLE`, `INSERT 0 2`, `SELECT 3`).
    pub tag: String,
    /// Rows, for queries, `SHOW` and `RETURNING`.
    pub rows: Option<RowSet>,
    /// Notices raised while running it (`NOTICE:  table "t" does not exist, skipping`).
    pub notices: Vec<EngineError>,
    /// The data of `COPY … TO STDOUT`.
    pub copy_data: Option<Vec<u8>>,
}

impl StatementResult {
    /// A result that is only a command tag.
    pub fn tag(tag: impl Into<String>) -> StatementResult {
        StatementResult {
            tag: tag.into(),
            rows: None,
            notices: Vec::new(),
            copy_data: None,
        }
    }
}
