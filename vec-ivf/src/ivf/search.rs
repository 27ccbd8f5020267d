//! Search: rank the centers, then stream the `probes` nearest lists through a top-k heap, as
//! pgvector's `GetScanLists` and `GetScanItems` do. [`ScanCursor`] is the resumable form for
//! filtered queries: with `iterative_scan = relaxed_order` it probes `probes` more lists each
//! time a batch runs out, up to `max_probes` (rows are in order within each batch).

use std::collections::HashSet;

use super::{prepared_row, IvfIndex};
use crate::element::Element;
use crate::error::IvfError;
use crate::metric::Metric;
use crate::options::SearchOptions;
use crate::topk::{sort_neighbors, Neighbor, TopK};

/// Rows per batched distance call in a list scan: 64 rows of 384 `f32` are 96 KiB, streamed
/// once, with their distances kept in a 256-byte stack buffer.
const BLOCK: usize = 64;

impl<E: Element, M: Metric<E>> IvfIndex<E, M> {
    /// The `k` nearest rows to `query` among the `probes` nearest lists, nearest first.
    /// With `probes` equal to the number of lists the result is exact.
    pub fn search(
        &self,
        query: &[E],
        k: usize,
        options: &SearchOptions,
    ) -> Result<Vec<Neighbor>, IvfError> {
        options.validate()?;
        self.check_row(query)?;
        let query = self.prepare_query(query);
        let (probes, _) = options.effective(self.lists.len());
        let mut top = TopK::new(k);
        if k > 0 {
            for list_idx in self.nearest_lists(&query, probes) {
                self.scan_list_into(list_idx, &query, &mut top);
            }
        }
        Ok(top.into_sorted())
    }

    /// The `k` nearest rows that pass `filter`, pulled from a [`ScanCursor`]: with
    /// `iterative_scan = relaxed_order` more lists are probed until `k` rows pass or
    /// `max_probes` lists have been probed.
    pub fn search_filtered(
        &self,
        query: &[E],
        k: usize,
        options: &SearchOptions,
        mut filter: impl FnMut(u64) -> bool,
    ) -> Result<Vec<Neighbor>, IvfError> {
        let cursor = self.scan(query, options)?;
        Ok(cursor
            .filter(|neighbor| filter(neighbor.id))
            .take(k)
            .collect())
    }

    /// A resumable scan that yields rows nearest first within each batch of probed lists.
    pub fn scan(
        &self,
        query: &[E],
        options: &SearchOptions,
    ) -> Result<ScanCursor<'_, E, M>, IvfError> {
        options.validate()?;
        self.check_row(query)?;
        let query = self.prepare_query(query);
        let (probes, max_probes) = options.effective(self.lists.len());
        let list_order = self.nearest_lists(&query, max_probes);
        Ok(ScanCursor {
            index: self,
            query,
            list_order,
            next_list: 0,
            probes,
            batch: Vec::new(),
        })
    }

    /// The query as rows are stored: normalized for cosine. A zero query stays zero, so every
    /// distance is equal (pgvector returns the rows in no particular order then).
    pub(crate) fn prepare_query(&self, query: &[E]) -> Vec<E> {
        let mut scratch = vec![E::default(); self.stride];
        match prepared_row::<E, M>(query, &mut scratch) {
            Some(row) => row.to_vec(),
            None => query.to_vec(),
        }
    }

    /// The `count` lists whose centers are nearest to `query`, nearest first.
    pub(crate) fn nearest_lists(&self, query: &[E], count: usize) -> Vec<usize> {
        super::rank_centers::<E, M>(self.centers.as_slice(), self.stride, query, count)
    }

    /// Streams one list through `top`: one pass over contiguous rows, [`BLOCK`] rows at a
    /// time. Each block's distances come from one batched kernel call into a stack buffer;
    /// a row reaches the heap only when it beats the current k-th distance.
    #[inline]
    fn scan_list_into(&self, list_idx: usize, query: &[E], top: &mut TopK) {
        let deleted = &self.deleted;
        self.for_each_block(list_idx, query, |ids, distances| {
            if deleted.is_empty() {
                for (&id, &distance) in ids.iter().zip(distances) {
                    top.push(id, distance);
                }
            } else {
                for (&id, &distance) in ids.iter().zip(distances) {
                    if !deleted.contains(&id) {
                        top.push(id, distance);
                    }
                }
            }
        });
    }

    fn scan_list_all(
        &self,
        list_idx: usize,
        query: &[E],
        deleted: &HashSet<u64>,
        out: &mut Vec<Neighbor>,
    ) {
        self.for_each_block(list_idx, query, |ids, distances| {
            for (&id, &distance) in ids.iter().zip(distances) {
                if !deleted.contains(&id) {
                    out.push(Neighbor { id, distance });
                }
            }
        });
    }

    /// Calls `visit` with each block of at most [`BLOCK`] ids of a list and their order
    /// distances to `query`, in list order.
    #[inline]
    fn for_each_block(&self, list_idx: usize, query: &[E], mut visit: impl FnMut(&[u64], &[f32])) {
        let list = &self.lists[list_idx];
        let mut distances = [0.0f32; BLOCK];
        let ids = list.ids.as_slice().chunks(BLOCK);
        let rows = list.rows.as_slice().chunks(BLOCK * self.stride);
        for (ids, rows) in ids.zip(rows) {
            let distances = &mut distances[..ids.len()];
            M::distances(query, rows, distances);
            visit(ids, distances);
        }
    }
}

/// A resumable index scan (pgvector's `ivfflatgettuple`): an iterator of [`Neighbor`]s,
/// nearest first within each batch of `probes` lists.
#[derive(Debug)]
pub struct ScanCursor<'a, E: Element, M: Metric<E>> {
    index: &'a IvfIndex<E, M>,
    query: Vec<E>,
    list_order: Vec<usize>,
    next_list: usize,
    probes: usize,
    /// The current batch, farthest first, so that `pop` yields the nearest.
    batch: Vec<Neighbor>,
}

impl<E: Element, M: Metric<E>> ScanCursor<'_, E, M> {
    /// Lists probed so far.
    pub fn lists_probed(&self) -> usize {
        self.next_list
    }

    fn load_batch(&mut self) -> bool {
        let end = (self.next_list + self.probes).min(self.list_order.len());
        if self.next_list >= end {
            return false;
        }
        for &list_idx in &self.list_order[self.next_list..end] {
            self.index
                .scan_list_all(list_idx, &self.query, &self.index.deleted, &mut self.batch);
        }
        self.next_list = end;
        sort_neighbors(&mut self.batch);
        self.batch.reverse();
        true
    }
}

impl<E: Element, M: Metric<E>> Iterator for ScanCursor<'_, E, M> {
    type Item = Neighbor;

    fn next(&mut self) -> Option<Neighbor> {
        loop {
            if let Some(neighbor) = self.batch.pop() {
                return Some(neighbor);
            }
            if !self.load_batch() {
                return None;
            }
        }
    }
}
