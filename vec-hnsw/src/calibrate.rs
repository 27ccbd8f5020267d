//! Target recall for HNSW: [`Hnsw::calibrate`] measures the recall@10 that each `ef_search`
//! of [`EF_SEARCH_GRID`] reaches on sample queries drawn from the index's own elements,
//! through the same search path as queries, quantized re-ranking included. Each sample is
//! searched as if its element were not in the graph (never evaluated, followed or
//! returned), and left out of its exact neighbours: an element's own list holds its
//! nearest neighbours, so letting the search reach it would measure a recall no unseen
//! query gets (0.95 instead of 0.80 at `ef_search` 10 on 384-d MiniLM embeddings). Exact neighbours come from a brute-force pass over every live
//! element, in blocks that stay in cache, split over the build's threads.

use std::collections::BinaryHeap;

use vec_index::calibration::{measure, sample_positions, CALIBRATION_K, CALIBRATION_QUERIES};
use vec_index::{Calibration, Knob};

use crate::error::HnswError;
use crate::index::{Hnsw, DEAD, FREE};
use crate::metric::Metric;
use crate::options::MAX_EF_SEARCH;
use crate::search::Candidate;
use crate::store::VectorStore;

/// The `ef_search` values a calibration measures, in order.
pub const EF_SEARCH_GRID: &[u32] = &[
    10, 15, 20, 25, 30, 40, 50, 60, 70, 80, 100, 120, 150, 200, 250, 300, 400, 500, 600, 800, 1000,
];

/// Elements per block of the brute-force pass: 256 rows of 1,536 bytes (384 floats) are
/// 384 KiB, well inside a core's L2 cache while every sample query runs over them.
const EXACT_BLOCK: usize = 256;

impl<M: Metric> Hnsw<M> {
    /// Measures the recall of each `ef_search` (see the module's documentation) and keeps
    /// the result as the index's calibration. An index of fewer than two elements gets an
    /// empty calibration. Stops with [`HnswError::Cancelled`] once `should_stop` says so,
    /// keeping the previous calibration.
    pub fn calibrate(&mut self, should_stop: &(dyn Fn() -> bool + Sync)) -> Result<(), HnswError> {
        let live: Vec<u32> = (0..self.graph.len() as u32)
            .filter(|&slot| self.flag(slot) & (FREE | DEAD) == 0)
            .collect();
        let samples: Vec<u32> = if live.len() < 2 {
            Vec::new()
        } else {
            sample_positions(live.len(), CALIBRATION_QUERIES, self.options.seed)
                .into_iter()
                .map(|position| live[position])
                .collect()
        };
        let exact = self.exact_neighbours(&samples, &live, should_stop)?;
        let knobs: Vec<u32> = EF_SEARCH_GRID
            .iter()
            .copied()
            .filter(|&ef| ef as usize <= MAX_EF_SEARCH)
            .collect();
        let search = |query: usize, ef: u32| -> Vec<u64> {
            let slot = samples[query];
            self.nearest(self.store.get(slot), ef as usize, Some(slot))
                .filter(|c| self.flag(c.slot) & (FREE | DEAD) == 0)
                .take(CALIBRATION_K)
                .map(|c| u64::from(c.slot))
                .collect()
        };
        let calibration = measure(
            Knob::EfSearch,
            &knobs,
            CALIBRATION_K,
            &exact,
            &search,
            should_stop,
            self.options.threads,
        )
        .ok_or(HnswError::Cancelled)?;
        self.calibration = Some(calibration);
        Ok(())
    }

    /// The latest calibration, if the index has one.
    pub fn calibration(&self) -> Option<&Calibration> {
        self.calibration.as_ref()
    }

    /// The exact `CALIBRATION_K` nearest live elements of each sample (itself left out),
    /// nearest first, by brute force on the build's threads.
    fn exact_neighbours(
        &self,
        samples: &[u32],
        live: &[u32],
        should_stop: &(dyn Fn() -> bool + Sync),
    ) -> Result<Vec<Vec<u64>>, HnswError> {
        let threads = self.options.threads.clamp(1, 256);
        let part = live.len().div_ceil(threads).max(EXACT_BLOCK);
        let heaps: Vec<Option<Vec<BinaryHeap<Candidate>>>> = crossbeam::scope(|scope| {
            let workers: Vec<_> = live
                .chunks(part)
                .map(|rows| scope.spawn(move |_| self.exact_part(samples, rows, should_stop)))
                .collect();
            workers
                .into_iter()
                .map(|worker| worker.join().unwrap_or(None))
                .collect()
        })
        .unwrap_or_default();
        let mut merged: Vec<BinaryHeap<Candidate>> = vec![BinaryHeap::new(); samples.len()];
        for part in heaps {
            for (target, heap) in merged.iter_mut().zip(part.ok_or(HnswError::Cancelled)?) {
                for candidate in heap {
                    push_bounded(target, candidate);
                }
            }
        }
        Ok(merged
            .into_iter()
            .map(|heap| {
                heap.into_sorted_vec()
                    .into_iter()
                    .map(|c| u64::from(c.slot))
                    .collect()
            })
            .collect())
    }

    /// One thread's share of the brute-force pass: per sample, the best of `rows`.
    fn exact_part(
        &self,
        samples: &[u32],
        rows: &[u32],
        should_stop: &(dyn Fn() -> bool + Sync),
    ) -> Option<Vec<BinaryHeap<Candidate>>> {
        let mut heaps = vec![BinaryHeap::with_capacity(CALIBRATION_K + 1); samples.len()];
        for block in rows.chunks(EXACT_BLOCK) {
            if should_stop() {
                return None;
            }
            for (heap, &sample) in heaps.iter_mut().zip(samples) {
                let query = self.store.get(sample);
                for &slot in block {
                    if slot != sample {
                        let distance = M::distance(query, self.store.get(slot));
                        push_bounded(heap, Candidate { distance, slot });
                    }
                }
            }
        }
        Some(heaps)
    }
}

/// Keeps the `CALIBRATION_K` smallest candidates in a max-heap.
fn push_bounded(heap: &mut BinaryHeap<Candidate>, candidate: Candidate) {
    if heap.len() < CALIBRATION_K {
        heap.push(candidate);
    } else if heap.peek().is_some_and(|worst| candidate < *worst) {
        heap.pop();
        heap.push(candidate);
    }
}
