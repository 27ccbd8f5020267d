//! Btree index scans: the rows whose key lies in the planner's range, fetched in
//! storage order so that the rows come out as a sequential scan would give them (the
//! query's filter then runs on them as usual), or in key order for `ORDER BY`. The index
//! holds every row version; the statement reads the ones its view sees. The index is
//! locked only while a batch of row ids is taken from it, so a scan in key order with
//! `LIMIT` reads no more of it than it needs.

use std::ops::Bound;

use super::query::RowStream;
use super::ExecContext;
use crate::error::{EngineError, Result};
use crate::plan::btree::KeyRange;
use crate::storage::btree::{BtreeIndex, Key};
use crate::storage::RowId;

/// Row ids taken from the index at a time by a scan in key order.
const BATCH: usize = 256;

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
    let heap = table.heap;
    let rows = context.rows;
    let fetch = move |id: RowId| rows.fetch(heap, id).transpose();
    let indexes = super::row_indexes(table, context)?;
    if indexes.btree(index).is_none() {
        return Err(EngineError::internal(format!(
            "index \"{index}\" is missing"
        )));
    }
    drop(indexes);
    let index = index.to_string();
    if let Some((descending, nulls_first)) = order {
        let everything = matches!(
            (&range.lower, &range.upper, range.empty),
            (Bound::Unbounded, Bound::Unbounded, false)
        );
        let mut cursor = KeyCursor {
            range: range.clone(),
            descending,
            nulls: if everything {
                Some(NullsAt::from(nulls_first))
            } else {
                None
            },
            done: range.empty && !everything,
            after: None,
            nulls_done: false,
        };
        let mut pending: std::collections::VecDeque<RowId> = Default::default();
        return Ok(Box::new(std::iter::from_fn(move || loop {
            if let Some(id) = pending.pop_front() {
                match fetch(id) {
                    Some(row) => return Some(row),
                    None => continue,
                }
            }
            let built = match super::row_indexes(table, context) {
                Ok(built) => built,
                Err(error) => return Some(Err(error)),
            };
            let batch = cursor.next_batch(built.btree(&index)?);
            drop(built);
            if batch.is_empty() {
                return None;
            }
            pending.extend(batch);
        })));
    }
    let built = super::row_indexes(table, context)?;
    let btree = built
        .btree(&index)
        .ok_or_else(|| EngineError::internal("btree index is missing"))?;
    let mut ids: Vec<RowId> = if range.empty {
        Vec::new()
    } else {
        btree.range(&range.lower, &range.upper).collect()
    };
    drop(built);
    ids.sort_unstable();
    Ok(Box::new(ids.into_iter().filter_map(fetch)))
}

/// Where the NULL keys of a full scan in key order go.
#[derive(Clone, Copy, PartialEq, Eq)]
enum NullsAt {
    First,
    Last,
}

impl From<bool> for NullsAt {
    fn from(first: bool) -> NullsAt {
        if first {
            NullsAt::First
        } else {
            NullsAt::Last
        }
    }
}

/// A position in a btree scan in key order: batches of row ids follow the last key
/// taken, so the index can change (and be unlocked) between batches.
struct KeyCursor {
    range: KeyRange,
    descending: bool,
    nulls: Option<NullsAt>,
    done: bool,
    /// The last key whose ids were all taken.
    after: Option<Key>,
    nulls_done: bool,
}

impl KeyCursor {
    fn next_batch(&mut self, btree: &BtreeIndex) -> Vec<RowId> {
        if self.nulls == Some(NullsAt::First) && !self.nulls_done {
            self.nulls_done = true;
            let nulls: Vec<RowId> = btree.nulls().collect();
            if !nulls.is_empty() {
                return nulls;
            }
        }
        if !self.done {
            let (lower, upper) = match (&self.after, self.descending) {
                (None, _) => (self.range.lower.clone(), self.range.upper.clone()),
                (Some(key), false) => (Bound::Excluded(key.clone()), self.range.upper.clone()),
                (Some(key), true) => (self.range.lower.clone(), Bound::Excluded(key.clone())),
            };
            let mut batch = Vec::new();
            for (key, ids) in btree.keys(&lower, &upper, self.descending) {
                batch.extend_from_slice(ids);
                self.after = Some(key.clone());
                if batch.len() >= BATCH {
                    return batch;
                }
            }
            self.done = true;
            if !batch.is_empty() {
                return batch;
            }
        }
        if self.nulls == Some(NullsAt::Last) && !self.nulls_done {
            self.nulls_done = true;
            return btree.nulls().collect();
        }
        Vec::new()
    }
}
