//! Target recall for IVFFlat: [`IvfIndex::calibrate`] measures the recall@10 that each
//! `probes` value reaches on sample queries drawn from the index's own rows (each sample
//! searched for one more row, its own row left out of both its answers and its exact
//! neighbours), against exact neighbours found by a brute-force pass over every live row,
//! in cache-sized blocks split over threads.

use vec_index::calibration::{measure, sample_positions, CALIBRATION_K, CALIBRATION_QUERIES};
use vec_index::Knob;

use super::IvfIndex;
use crate::element::Element;
use crate::error::IvfError;
use crate::metric::Metric;
use crate::options::SearchOptions;
use crate::topk::TopK;

/// The `probes` values a calibration measures, in order (those up to the list count, and
/// the list count itself, where the search is exact).
pub const PROBES_GRID: &[u32] = &[
    1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 32, 40, 48, 64, 96, 128, 192, 256, 384, 512, 768,
    1024, 2048, 4096, 8192, 16384, 32768,
];

/// Rows per block of the brute-force pass.
const EXACT_BLOCK: usize = 256;

/// Seed of the sample positions.
const SAMPLE_SEED: u64 = 0x1f_2e3d;

impl<E: Element, M: Metric<E>> IvfIndex<E, M> {
    /// Measures the recall of each `probes` value (see the module's documentation) on
    /// `threads` threads and keeps the result as the index's calibration. Stops with
    /// [`IvfError::Cancelled`] once `should_stop` says so, keeping the previous one.
    pub fn calibrate(
        &mut self,
        threads: usize,
        should_stop: &(dyn Fn() -> bool + Sync),
    ) -> Result<(), IvfError> {
        let rows: Vec<(u64, &[E])> = self
            .lists
            .iter()
            .flat_map(|list| {
                let ids = list.ids.as_slice().iter().copied();
                ids.zip(list.rows.as_slice().chunks_exact(self.stride.max(1)))
            })
            .filter(|(id, _)| !self.deleted.contains(id))
            .collect();
        let samples: Vec<usize> = if rows.len() < 2 {
            Vec::new()
        } else {
            sample_positions(rows.len(), CALIBRATION_QUERIES, SAMPLE_SEED)
        };
        let threads = threads.clamp(1, 256);
        let exact = exact_neighbours::<E, M>(&rows, &samples, threads, should_stop)
            .ok_or(IvfError::Cancelled)?;
        let lists = self.lists.len() as u32;
        let mut knobs: Vec<u32> = PROBES_GRID.iter().copied().filter(|&p| p < lists).collect();
        knobs.push(lists);
        let search = |query: usize, probes: u32| -> Vec<u64> {
            let (own_id, row) = rows[samples[query]];
            let options = SearchOptions {
                probes,
                ..SearchOptions::default()
            };
            self.search(row, CALIBRATION_K + 1, &options)
                .map(|found| {
                    found
                        .iter()
                        .map(|n| n.id)
                        .filter(|&id| id != own_id)
                        .collect()
                })
                .unwrap_or_default()
        };
        let calibration = measure(
            Knob::Probes,
            &knobs,
            CALIBRATION_K,
            &exact,
            &search,
            should_stop,
            threads,
        )
        .ok_or(IvfError::Cancelled)?;
        self.calibration = Some(calibration);
        Ok(())
    }

    /// The latest calibration, if the index has one.
    pub fn calibration(&self) -> Option<&vec_index::Calibration> {
        self.calibration.as_ref()
    }
}

/// The exact `CALIBRATION_K` nearest rows of each sample (its own row left out), as ids,
/// nearest first; `None` once `should_stop` says so.
fn exact_neighbours<E: Element, M: Metric<E>>(
    rows: &[(u64, &[E])],
    samples: &[usize],
    threads: usize,
    should_stop: &(dyn Fn() -> bool + Sync),
) -> Option<Vec<Vec<u64>>> {
    let part = rows.len().div_ceil(threads).max(EXACT_BLOCK);
    let parts: Vec<Option<Vec<TopK>>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..rows.len().div_ceil(part))
            .map(|index| {
                let start = index * part;
                let end = (start + part).min(rows.len());
                scope.spawn(move || {
                    let mut tops: Vec<TopK> =
                        samples.iter().map(|_| TopK::new(CALIBRATION_K)).collect();
                    for block_start in (start..end).step_by(EXACT_BLOCK) {
                        if should_stop() {
                            return None;
                        }
                        let block = block_start..(block_start + EXACT_BLOCK).min(end);
                        for (top, &sample) in tops.iter_mut().zip(samples) {
                            let query = rows[sample].1;
                            for position in block.clone() {
                                if position != sample {
                                    let (id, row) = rows[position];
                                    top.push(id, M::distance(query, row));
                                }
                            }
                        }
                    }
                    Some(tops)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| worker.join().unwrap_or(None))
            .collect()
    });
    let mut merged: Vec<TopK> = samples.iter().map(|_| TopK::new(CALIBRATION_K)).collect();
    for part in parts {
        for (target, top) in merged.iter_mut().zip(part?) {
            for neighbor in top.into_sorted() {
                target.push(neighbor.id, neighbor.distance);
            }
        }
    }
    Some(
        merged
            .into_iter()
            .map(|top| top.into_sorted().into_iter().map(|n| n.id).collect())
            .collect(),
    )
}
