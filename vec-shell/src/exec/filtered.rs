//! Running a filter-aware vector index scan (the planner's choice is explained in
//! `plan::filtered`): walk the index iteratively, check the query's filter on each row
//! it yields, and stop once `LIMIT + OFFSET` rows passed and a further `ef_search` rows
//! (passing or not) came no nearer than the furthest of the best of them (rows outside
//! the btree range of the filter, when one serves it, are skipped without a fetch); the
//! query's exact sort then orders what was kept. A walk that ends with too few rows (its
//! `max_scan_tuples` budget spent, or an index holding fewer matches than asked) gives
//! way to an exact scan of the table, so the `LIMIT` is filled whenever the table holds
//! enough matching rows.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::query::RowStream;
use super::ExecContext;
use crate::error::{EngineError, Result};
use crate::expr::{eval, passes, BoundExpr};
use crate::storage::Row;

/// What a filter-aware scan reads.
pub(super) struct FilteredScan<'p> {
    /// The table.
    pub table: &'p str,
    /// The vector index.
    pub index: &'p str,
    /// The query vector.
    pub query: &'p BoundExpr,
    /// The scan options (iterative).
    pub options: &'p vec_index::ScanOptions,
    /// The query's filter.
    pub filter: &'p BoundExpr,
    /// The rows wanted (`LIMIT + OFFSET`); `None` for a `LIMIT` of NULL, which reads
    /// every row.
    pub wanted: Option<usize>,
    /// A btree range holding every row the filter can pass, if one serves it.
    pub prefilter: Option<&'p crate::plan::filtered::Prefilter>,
    /// Rows read past the furthest of the best ones before the walk stops.
    pub patience: usize,
}

/// A distance ordered for a max-heap (NaN last).
#[derive(Clone, Copy, PartialEq)]
struct Distance(f32);

impl Eq for Distance {}

impl PartialOrd for Distance {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Distance {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// The rows of a filter-aware scan: a superset of the query's answer, in no particular
/// order (the query's sort follows).
pub(super) fn scan<'a>(
    scan: FilteredScan<'a>,
    context: &'a ExecContext<'a>,
) -> Result<RowStream<'a>> {
    let table = context.catalog.table(scan.table).ok_or_else(|| {
        EngineError::new(
            "42P01",
            format!("relation \"{}\" does not exist", scan.table),
        )
    })?;
    let exact = || -> Result<RowStream<'a>> {
        Ok(Box::new(
            context
                .rows
                .scan(table.heap)?
                .map(|row| row.map(|(_, row)| row)),
        ))
    };
    let Some(wanted) = scan.wanted else {
        return exact();
    };
    if wanted == 0 {
        return Ok(Box::new(std::iter::empty()));
    }
    let entry = table
        .vector_indexes
        .iter()
        .find(|e| e.name == scan.index)
        .ok_or_else(|| EngineError::internal(format!("index \"{}\" is missing", scan.index)))?;
    let query = eval(scan.query, &[], context)?;
    if !entry.opclass.indexes(&query) {
        // A NULL (or zero, under cosine) query orders nothing: every row qualifies in no
        // particular order, which the exact scan gives.
        return exact();
    }
    let locked = context.indexes.get(scan.table, scan.index).ok_or_else(|| {
        EngineError::internal(format!(
            "index \"{}\" was not locked for the scan",
            scan.index
        ))
    })?;
    let (heap, rows) = (table.heap, context.rows);
    let lookup = Box::new(move |id| {
        rows.fetch(heap, id)
            .ok()
            .flatten()
            .and_then(|row| entry.key_value(&row).ok())
    });
    let candidates = match scan.prefilter {
        Some(prefilter) => Some(prefilter_ids(table, prefilter, context)?),
        None => None,
    };
    let hits = locked.scan_with_distances(&query, scan.options, lookup)?;
    // The distances of the best `wanted` passing rows (the furthest on top).
    let mut best: BinaryHeap<Distance> = BinaryHeap::with_capacity(wanted + 1);
    let mut kept: Vec<Row> = Vec::new();
    let mut further = 0usize;
    let patience = scan.patience.max(wanted);
    for (row_id, distance) in hits {
        context.cancel.check()?;
        let full = best.len() >= wanted;
        if full && best.peek().is_some_and(|&f| Distance(distance) >= f) {
            further += 1;
            if further >= patience {
                return Ok(Box::new(kept.into_iter().map(Ok)));
            }
            continue;
        }
        if candidates
            .as_ref()
            .is_some_and(|ids| ids.binary_search(&row_id).is_err())
        {
            continue;
        }
        let Some(row) = rows.fetch(heap, row_id)? else {
            continue;
        };
        if !passes(scan.filter, &row, context)? {
            continue;
        }
        further = 0;
        kept.push(row);
        best.push(Distance(distance));
        if best.len() > wanted {
            best.pop();
        }
    }
    if best.len() >= wanted {
        return Ok(Box::new(kept.into_iter().map(Ok)));
    }
    exact()
}

/// The ids of the rows in a btree range, sorted for lookups.
fn prefilter_ids(
    table: &crate::catalog::Table,
    prefilter: &crate::plan::filtered::Prefilter,
    context: &ExecContext<'_>,
) -> Result<Vec<crate::storage::RowId>> {
    let range = &prefilter.range;
    if range.empty {
        return Ok(Vec::new());
    }
    let built = super::row_indexes(table, context)?;
    let btree = built
        .btree(&prefilter.index)
        .ok_or_else(|| EngineError::internal("btree index is missing"))?;
    let mut ids: Vec<crate::storage::RowId> = btree.range(&range.lower, &range.upper).collect();
    drop(built);
    ids.sort_unstable();
    Ok(ids)
}
