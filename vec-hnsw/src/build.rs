//! Bulk build: every vector is first copied into the index (one pass over the input, with
//! the memory budget checked as it grows), then the elements are linked by INSERT on `N`
//! threads that share the index (crossbeam scoped threads; each list is written under its
//! element's lock). With one thread the graph depends only on the seed and the input order.

use crate::error::HnswError;
use crate::index::{Hnsw, FREE};
use crate::link_cache::LinkCache;
use crate::metric::{Metric, VectorRef};
use crate::options::HnswOptions;
use crate::store::VectorStore;
use std::sync::atomic::{AtomicUsize, Ordering};

/// How far a build has come, for a progress bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BuildProgress {
    /// Tuples linked into the graph so far.
    pub tuples_done: u64,
    /// Tuples to link in all.
    pub tuples_total: u64,
}

/// How often (in tuples) a build reports progress.
const PROGRESS_EVERY: usize = 1024;

impl<M: Metric> Hnsw<M> {
    /// Builds an index from `(row id, vector)` pairs.
    pub fn build<'a, I>(
        dimensions: usize,
        options: HnswOptions,
        items: I,
    ) -> Result<Self, HnswError>
    where
        I: IntoIterator<Item = (u64, VectorRef<'a, M>)>,
    {
        Self::build_with_progress(dimensions, options, items, &|_| {})
    }

    /// Builds an index from `(row id, vector)` pairs, calling `progress` from time to time
    /// (from any build thread).
    pub fn build_with_progress<'a, I>(
        dimensions: usize,
        options: HnswOptions,
        items: I,
        progress: &(dyn Fn(BuildProgress) + Sync),
    ) -> Result<Self, HnswError>
    where
        I: IntoIterator<Item = (u64, VectorRef<'a, M>)>,
    {
        let mut index = Self::new(dimensions, options)?;
        let items = items.into_iter();
        let expected = items.size_hint().0;
        index.store.reserve(expected);
        index.graph.reserve(expected);
        index.rows.reserve(expected);
        index.flags.reserve(expected);
        let mut buf = Default::default();
        let budget = index.options.maintenance_work_mem;
        for (row_id, vector) in items {
            index.store.check(vector)?;
            if !M::prepare(vector, &mut buf) {
                continue;
            }
            index.stage(row_id, M::Store::view(&buf))?;
            if index.used_bytes() > budget {
                return Err(HnswError::MemoryBudgetExceeded {
                    tuples: index.graph.len() as u64,
                    budget,
                });
            }
        }
        index.link_all(progress);
        Ok(index)
    }

    /// Bytes the build has filled so far (lengths, not capacities).
    fn used_bytes(&self) -> usize {
        let slots = self.graph.len();
        let per_slot = (1 + 2 * self.options.m) * 4 + 8 + 1 + 1 + 4;
        self.store.used_bytes() + slots * per_slot
    }

    fn link_all(&mut self, progress: &(dyn Fn(BuildProgress) + Sync)) {
        let total = self.graph.len();
        // More threads than elements, or than any machine has cores, would only wait.
        let threads = self.options.threads.clamp(1, 256).min(total.max(1));
        let next = AtomicUsize::new(0);
        let done = AtomicUsize::new(0);
        let report = |finished: usize| {
            // PROGRESS_EVERY is a power of two.
            if finished & (PROGRESS_EVERY - 1) == 0 || finished == total {
                progress(BuildProgress {
                    tuples_done: finished as u64,
                    tuples_total: total as u64,
                });
            }
        };
        // The back-link cache speeds the linking up; it is used only if it fits the budget.
        let cache_bytes = LinkCache::bytes_for(total, self.graph.capacity(0));
        if self.used_bytes() + cache_bytes <= self.options.maintenance_work_mem {
            self.link_cache = LinkCache::new(total, self.graph.capacity(0));
        }
        let this = &*self;
        let worker = || {
            let mut scratch = this.scratch.take();
            loop {
                let slot = next.fetch_add(1, Ordering::Relaxed);
                if slot >= total {
                    break;
                }
                this.link(slot as u32, &mut scratch);
                report(done.fetch_add(1, Ordering::Relaxed) + 1);
            }
            this.scratch.give(scratch);
        };
        if threads == 1 {
            worker();
        } else {
            crossbeam::scope(|scope| {
                for _ in 1..threads {
                    scope.spawn(|_| worker());
                }
                worker();
            })
            .unwrap_or(());
        }
        self.link_cache = LinkCache::default();
        if total == 0 {
            report(0);
        }
        let freed: Vec<u32> = (0..total as u32)
            .filter(|&slot| self.flag(slot) & FREE != 0)
            .collect();
        self.free.get_mut().extend(freed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metric::L2;

    fn build(budget: usize) -> Hnsw<L2<f32>> {
        let mut state = 7u64;
        let vectors: Vec<[f32; 4]> = (0..3000)
            .map(|_| {
                [0; 4].map(|_| {
                    state = state
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    (state >> 40) as f32 / (1u64 << 24) as f32
                })
            })
            .collect();
        let options = HnswOptions {
            maintenance_work_mem: budget,
            ..HnswOptions::default()
        };
        let items = vectors.iter().enumerate().map(|(i, v)| (i as u64, &v[..]));
        Hnsw::build(4, options, items).expect("build")
    }

    /// The incremental shrinking of the build cache gives the same graph as the full one.
    #[test]
    fn link_cache_keeps_the_graph() {
        let cached = build(1 << 30);
        let stride = cached.graph.capacity(0);
        // Room for the vectors and lists, not for the cache.
        let budget = cached.used_bytes() + LinkCache::bytes_for(cached.graph.len(), stride) - 1;
        let plain = build(budget);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for slot in 0..cached.graph.len() as u32 {
            for level in 0..=cached.graph.level(slot) {
                cached.graph.read(slot, level, &mut a);
                plain.graph.read(slot, level, &mut b);
                assert_eq!(a, b, "slot {slot} level {level}");
            }
        }
    }
}
