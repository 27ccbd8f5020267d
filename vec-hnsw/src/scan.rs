//! The resumable scan cursor behind `ORDER BY … LIMIT` with a filter, as pgvector's
//! `hnswgettuple` runs it. The first batch is SEARCH-LAYER on layer 0 with `ef_search`,
//! keeping every candidate it evaluated but did not keep in a "discarded" min-heap. With
//! iterative scans on, each later batch restarts SEARCH-LAYER from the `ef_search` nearest
//! discarded candidates (the visited set is kept, so no element is evaluated twice), until
//! `max_scan_tuples` elements were evaluated or the scan's memory reaches its budget; then
//! it only drains the discarded heap in order.

use crate::error::HnswError;
use crate::estimate::{Estimator, Exact};
use crate::index::{unpack_entry, Hit, Hnsw, FREE};
use crate::metric::{Metric, VectorBuf, VectorRef};
use crate::options::{IterativeScan, SearchOptions};
use crate::quant::{CodeEstimator, PreparedQuery};
use crate::rerank::RerankQueue;
use crate::search::{Candidate, Scratch};
use crate::store::VectorStore;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::atomic::Ordering;

/// A cursor over an index's rows in (approximately) ascending distance from a query.
/// Dropping it ends the scan.
pub struct Scan<'a, M: Metric> {
    index: &'a Hnsw<M>,
    query: Option<VectorBuf<M>>,
    /// The query prepared for the codes of a quantized index.
    prepared: Option<PreparedQuery>,
    options: SearchOptions,
    scratch: Option<Scratch>,
    discarded: BinaryHeap<Reverse<Candidate>>,
    batch: Vec<Candidate>,
    /// A quantized index's candidates, re-ranked as they are needed.
    queue: RerankQueue,
    rows: Vec<u64>,
    row_distance: f32,
    previous_distance: f32,
    tuples: u64,
    started: bool,
}

impl<M: Metric> Hnsw<M> {
    /// Opens a scan cursor. A zero query under cosine yields nothing.
    pub fn scan(
        &self,
        query: VectorRef<'_, M>,
        options: &SearchOptions,
    ) -> Result<Scan<'_, M>, HnswError> {
        options.validate()?;
        let query = self.prepare(query)?;
        let prepared = query
            .as_ref()
            .and_then(|query| self.prepare_codes(M::Store::view(query)));
        Ok(Scan {
            index: self,
            query,
            prepared,
            options: options.clone(),
            scratch: None,
            discarded: BinaryHeap::new(),
            batch: Vec::new(),
            queue: RerankQueue::default(),
            rows: Vec::new(),
            row_distance: 0.0,
            previous_distance: f32::NEG_INFINITY,
            tuples: 0,
            started: false,
        })
    }

    /// The first `k` rows, nearest first, for which `filter(row_id)` holds. With iterative
    /// scans on, the search continues past `ef_search` candidates to find them.
    pub fn search_filtered(
        &self,
        query: VectorRef<'_, M>,
        k: usize,
        options: &SearchOptions,
        mut filter: impl FnMut(u64) -> bool,
    ) -> Result<Vec<Hit>, HnswError> {
        Ok(self
            .scan(query, options)?
            .filter(|hit| filter(hit.row_id))
            .take(k)
            .collect())
    }
}

impl<M: Metric> Scan<'_, M> {
    /// Elements evaluated so far (pgvector's `tuples` for `max_scan_tuples`).
    pub fn tuples(&self) -> u64 {
        self.tuples
    }

    fn iterative(&self) -> bool {
        self.options.iterative_scan != IterativeScan::Off
    }

    fn memory_used(&self) -> usize {
        let visited = self.scratch.as_ref().map_or(0, |s| s.visited.count);
        self.discarded.len() * std::mem::size_of::<Candidate>() + visited * 8
    }

    /// Runs the first search; fills `batch` (furthest first, so `pop` yields nearest).
    fn start(&mut self) {
        self.started = true;
        let index = self.index;
        let Some(query) = self.query.take() else {
            return;
        };
        let prepared = self.prepare_estimates();
        match (&index.codes, &prepared) {
            (Some(codes), Some(prepared)) => {
                self.start_with(&CodeEstimator::new(codes, prepared));
            }
            _ => self.start_with(&Exact::<M>::new(M::Store::view(&query), &index.store)),
        }
        self.batch.reverse();
        self.prepared = prepared;
        self.query = Some(query);
        self.rerank_batch();
    }

    /// The prepared query, taken out of the scan while a search borrows it.
    fn prepare_estimates(&mut self) -> Option<PreparedQuery> {
        self.prepared.take()
    }

    fn start_with<E: Estimator>(&mut self, estimator: &E) {
        let index = self.index;
        let Some((entry_slot, entry_level)) = unpack_entry(index.entry.load(Ordering::Acquire))
        else {
            return;
        };
        let mut scratch = index.scratch.take();
        let mut current = Candidate {
            distance: estimator.distance(entry_slot),
            slot: entry_slot,
        };
        for level in (1..=entry_level).rev() {
            current = index.greedy(estimator, current, level, &mut scratch);
        }
        scratch.begin(index.graph.len());
        scratch.seed(current);
        self.tuples += 1;
        let discarded = self.iterative().then_some(&mut self.discarded);
        index.search_layer(
            estimator,
            0,
            self.options.ef_search,
            &mut scratch,
            discarded,
            &mut self.tuples,
        );
        scratch.drain_sorted(&mut self.batch);
        self.scratch = Some(scratch);
    }

    /// Refills `batch` once it is empty; false when the scan is over.
    fn resume(&mut self) -> bool {
        if !self.iterative() || self.discarded.is_empty() {
            return false;
        }
        let over_budget = self.tuples >= self.options.max_scan_tuples
            || self.memory_used() > self.options.scan_memory;
        if over_budget {
            let Some(Reverse(next)) = self.discarded.pop() else {
                return false;
            };
            self.batch.push(next);
            self.rerank_batch();
            return true;
        }
        let index = self.index;
        let Some(query) = self.query.take() else {
            return false;
        };
        let prepared = self.prepare_estimates();
        match (&index.codes, &prepared) {
            (Some(codes), Some(prepared)) => {
                self.resume_with(&CodeEstimator::new(codes, prepared));
            }
            _ => self.resume_with(&Exact::<M>::new(M::Store::view(&query), &index.store)),
        }
        self.prepared = prepared;
        self.query = Some(query);
        self.batch.reverse();
        let found = !self.batch.is_empty();
        self.rerank_batch();
        found
    }

    /// In a quantized index, moves the batch's candidates into the re-ranking queue.
    fn rerank_batch(&mut self) {
        if let Some(codes) = &self.index.codes {
            self.queue
                .add(codes, self.prepared.as_ref(), self.batch.drain(..));
        }
    }

    /// The next candidate to yield. Unquantized: the batch's next, searching on when it is
    /// empty. Quantized: the nearest re-ranked candidate once no candidate still to be
    /// searched could be nearer: its estimate, less the largest over-estimate seen so far
    /// in this scan, is not below the candidate's exact distance (iterative scans search on
    /// until then), so that re-ranked rows come out in order across batches too. The
    /// queue re-ranks only the candidates whose bounds can still beat that one.
    fn next_candidate(&mut self) -> Option<Candidate> {
        if self.index.codes.is_none() {
            loop {
                if let Some(candidate) = self.batch.pop() {
                    return Some(candidate);
                }
                if !self.resume() {
                    return None;
                }
            }
        }
        loop {
            let top = match &self.query {
                Some(query) => self.queue.peek(self.index, M::Store::view(query)),
                None => None,
            };
            if let Some(top) = top {
                let frontier = self.discarded.peek().map(|Reverse(c)| c.distance);
                let settled = !self.iterative()
                    || frontier.is_none_or(|f| top.distance <= f - self.queue.overestimate());
                if settled || !self.resume() {
                    return self.queue.pop();
                }
            } else if !self.resume() {
                return None;
            }
        }
    }

    fn resume_with<E: Estimator>(&mut self, estimator: &E) {
        let Some(scratch) = self.scratch.as_mut() else {
            return;
        };
        scratch.nearest.clear();
        scratch.results.clear();
        for _ in 0..self.options.ef_search {
            let Some(Reverse(entry)) = self.discarded.pop() else {
                break;
            };
            scratch.nearest.push(Reverse(entry));
            scratch.results.push(entry);
        }
        self.index.search_layer(
            estimator,
            0,
            self.options.ef_search,
            scratch,
            Some(&mut self.discarded),
            &mut self.tuples,
        );
        scratch.drain_sorted(&mut self.batch);
    }
}

impl<M: Metric> Iterator for Scan<'_, M> {
    type Item = Hit;

    fn next(&mut self) -> Option<Hit> {
        if !self.started {
            self.start();
        }
        loop {
            if let Some(row_id) = self.rows.pop() {
                return Some(Hit {
                    row_id,
                    distance: M::report(self.row_distance),
                });
            }
            let candidate = self.next_candidate()?;
            if self.index.flag(candidate.slot) & FREE != 0 {
                continue;
            }
            if self.options.iterative_scan == IterativeScan::StrictOrder {
                if candidate.distance < self.previous_distance {
                    continue;
                }
                self.previous_distance = candidate.distance;
            }
            self.index.rows_of(candidate.slot, &mut self.rows);
            self.rows.reverse();
            self.row_distance = candidate.distance;
        }
    }
}

impl<M: Metric> Drop for Scan<'_, M> {
    fn drop(&mut self) {
        if let Some(scratch) = self.scratch.take() {
            self.index.scratch.give(scratch);
        }
    }
}
