//! `gin` bitmap scans: the row versions the index gives for a full-text query, fetched
//! in storage order (the statement reads the ones its view sees, and checks its whole
//! `WHERE` on them). A query the index cannot narrow (one `!` alone satisfies) reads
//! the whole table.

use super::query::RowStream;
use super::ExecContext;
use crate::error::{EngineError, Result};
use crate::storage::RowId;
use crate::value::Datum;

/// The rows of `table` that can match `query` by `gin` index `index`.
pub fn scan<'a>(
    table: &str,
    index: &str,
    query: &Datum,
    context: &'a ExecContext<'a>,
) -> Result<RowStream<'a>> {
    let table = context
        .catalog
        .table(table)
        .ok_or_else(|| EngineError::new("42P01", format!("relation \"{table}\" does not exist")))?;
    let Datum::TsQuery(query) = query else {
        return Err(EngineError::internal("a gin scan needs a tsquery"));
    };
    let heap = table.heap;
    let rows = context.rows;
    let built = super::row_indexes(table, context)?;
    let gin = built
        .gin(index)
        .ok_or_else(|| EngineError::internal(format!("index \"{index}\" is missing")))?;
    let candidates: Option<Vec<RowId>> = gin.candidates(query);
    drop(built);
    match candidates {
        Some(ids) => Ok(Box::new(
            ids.into_iter()
                .filter_map(move |id| rows.fetch(heap, id).transpose()),
        )),
        None => Ok(Box::new(
            rows.scan(heap)?.map(|row| row.map(|(_, row)| row)),
        )),
    }
}
