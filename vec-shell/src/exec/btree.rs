//! Btree index scans: the rows whose key lies in the planner's range, fetched in
//! storage order so that the rows come out as a sequential scan would give them (the
//! query's filter then runs on them as usual).

use super::eval::ExecContext;
use super::query::RowStream;
use crate::error::{EngineError, Result};
use crate::plan::btree::KeyRange;
use crate::storage::RowId;

/// The rows of `table` whose key in btree index `index` lies in `range`.
pub fn scan<'a>(
    table: &str,
    index: &str,
    range: &KeyRange,
    context: &'a ExecContext<'a>,
) -> Result<RowStream<'a>> {
    let table = context
        .catalog
        .table(table)
        .ok_or_else(|| EngineError::new("42P01", format!("relation \"{table}\" does not exist")))?;
    let btree = table
        .store
        .btree(index)
        .ok_or_else(|| EngineError::internal(format!("index \"{index}\" is missing")))?;
    let mut ids: Vec<RowId> = if range.empty {
        Vec::new()
    } else {
        btree.range(&range.lower, &range.upper).collect()
    };
    ids.sort_unstable();
    Ok(Box::new(ids.into_iter().filter_map(move |id| {
        table.store.get(id).cloned().map(Ok)
    })))
}
