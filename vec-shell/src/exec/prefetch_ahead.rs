//! An index scan's rows fetched a few ahead of time. The winners of a vector search lie
//! on pages spread over the whole heap, so each fetch waits for memory twice: for the
//! page's slot directory, then for the row's bytes. [`PrefetchAhead`] pulls the next
//! row ids from the index while the current row is fetched, and asks for the directory
//! of the row three ahead and the bytes of the row two ahead, so that those waits
//! overlap the work on the rows before them (one row ahead was too close to gain).
//! It pulls no more ids than the query is known to take (its `LIMIT` plus `OFFSET`), so
//! an index never searches further on its account; past that budget ids pass straight
//! through.

use std::collections::VecDeque;

use vec_storage::{RowId as StoreRowId, RowPrefetch, RowPrefetcher};

use crate::storage::view::RowView;
use crate::storage::RowId;

/// Rows looked ahead: the directory of the furthest is asked for, the bytes of the one
/// after the next.
const WINDOW: usize = 4;

/// Row ids from an index scan, yielded in the same order, with their rows prefetched.
pub(super) struct PrefetchAhead<I> {
    ids: I,
    ahead: VecDeque<RowId>,
    /// Ids that may still be pulled ahead of being asked for.
    budget: usize,
    /// The index scan has ended.
    ended: bool,
    prefetcher: Option<RowPrefetcher>,
}

impl<I: Iterator<Item = RowId>> PrefetchAhead<I> {
    /// Looks ahead over `ids`, the rows of `heap` as `rows` reads them, pulling at most
    /// `budget` ids before they are asked for.
    pub(super) fn new(ids: I, rows: RowView<'_>, heap: u32, budget: usize) -> Self {
        let prefetcher = rows.row_prefetcher(heap);
        PrefetchAhead {
            ids,
            ahead: VecDeque::with_capacity(if prefetcher.is_some() { WINDOW } else { 0 }),
            budget: if prefetcher.is_some() { budget } else { 0 },
            ended: false,
            prefetcher,
        }
    }

    fn prefetch(&self, id: RowId, reach: RowPrefetch) {
        if let Some(prefetcher) = &self.prefetcher {
            prefetcher.prefetch(StoreRowId(id), reach);
        }
    }
}

impl<I: Iterator<Item = RowId>> Iterator for PrefetchAhead<I> {
    type Item = RowId;

    fn next(&mut self) -> Option<RowId> {
        while !self.ended && self.budget > 0 && self.ahead.len() < WINDOW {
            self.budget -= 1;
            match self.ids.next() {
                Some(id) => {
                    self.prefetch(id, RowPrefetch::Directory);
                    self.ahead.push_back(id);
                }
                None => self.ended = true,
            }
        }
        match self.ahead.pop_front() {
            Some(id) => {
                if let Some(&next) = self.ahead.get(1) {
                    self.prefetch(next, RowPrefetch::Row);
                }
                Some(id)
            }
            None if self.ended => None,
            None => self.ids.next(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::Database;

    /// The ids come out as they went in, whatever the budget, and no more than the
    /// budget are pulled before they are asked for.
    #[test]
    fn ids_pass_through_in_order_and_within_the_budget() {
        let database = Database::in_memory();
        let durable = database.durable();
        let snapshot = durable.snapshot();
        let rows = RowView::Snapshot {
            durable,
            snapshot: &snapshot,
        };
        for budget in [0, 1, 2, 5, 100] {
            let pulled = std::cell::Cell::new(0);
            let ids = (10..20).inspect(|_| pulled.set(pulled.get() + 1));
            let mut ahead = PrefetchAhead::new(ids, rows, 7, budget);
            let first = ahead.next();
            assert_eq!(first, Some(10));
            assert!(pulled.get() <= budget.clamp(1, WINDOW), "budget {budget}");
            let rest: Vec<RowId> = ahead.collect();
            assert_eq!(rest, (11..20).collect::<Vec<_>>(), "budget {budget}");
        }
    }
}
