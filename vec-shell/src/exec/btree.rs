//! Btree index scans: the rows whose key lies in the planner's range, fetched in
//! storage order so that the rows come out as a sequential scan would give them (the
//! query's filter then runs on them as usual), or in key order for `ORDER BY`.

use super::query::RowStream;
use super::ExecContext;
use crate::error::{EngineError, Result};
use crate::plan::btree::KeyRange;
use crate::storage::RowId;
use std::ops::Bound;

/// The rows of `table` whose key in btree index `index` lies in `range`.
pub fn scan<'a>(
    table: &str,
    index: &str,
    range: &KeyRange,
    order: Option<(bool, bool)>,
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
    if let Some((descending, nulls_first)) = order {
        // Key order, lazily, so that `LIMIT` stops the scan early; ties in storage order.
        let keys: Box<dyn Iterator<Item = RowId> + 'a> = if range.empty {
            Box::new(std::iter::empty())
        } else {
            btree.ordered(&range.lower, &range.upper, descending)
        };
        let everything = matches!(
            (&range.lower, &range.upper, range.empty),
            (Bound::Unbounded, Bound::Unbounded, false)
        );
        let nulls: Box<dyn Iterator<Item = RowId> + 'a> = if everything {
            Box::new(btree.nulls())
        } else {
            Box::new(std::iter::empty())
        };
        let ids: Box<dyn Iterator<Item = RowId> + 'a> = if nulls_first {
            Box::new(nulls.chain(keys))
        } else {
            Box::new(keys.chain(nulls))
        };
        return Ok(Box::new(
            ids.filter_map(move |id| table.store.get(id).cloned().map(Ok)),
        ));
    }
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
