//! Bulk build: every vector is first copied into the index (one pass over the input, with
//! the memory budget checked as it grows), a quantized index then trains its quantizer
//! and encodes every vector, then the elements are linked by INSERT on `N` threads that
//! share the index (crossbeam scoped threads; each list is written under its element's
//! lock). With one thread the graph depends only on the seed and the input order. A
//! quantized index moves its full vectors to disk once linked (they stay on huge pages
//! while the build reads them). A build can be stopped early through
//! [`BuildHooks::should_stop`], checked between elements; it then returns
//! [`HnswError::Cancelled`] and the partial graph is dropped.

use crate::error::HnswError;
use crate::fill::FillPool;
use crate::index::{Hnsw, FREE};
use crate::link_cache::LinkCache;
use crate::metric::{Metric, VectorRef};
use crate::options::HnswOptions;
use crate::store::VectorStore;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

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

/// Callbacks a build makes while it runs: progress reports and a stop check. Both may be
/// called from any build thread.
///
/// ```
/// use std::sync::atomic::{AtomicBool, Ordering};
/// use vec_hnsw::{BuildHooks, Hnsw, HnswError, HnswOptions, L2};
///
/// let rows: Vec<(u64, [f32; 2])> = (0..5000).map(|i| (i, [i as f32, 1.0])).collect();
/// let stop = AtomicBool::new(false);
/// let hooks = BuildHooks {
///     // Ask the build to stop once a thousand tuples are linked.
///     progress: &|p| if p.tuples_done >= 1000 { stop.store(true, Ordering::Relaxed) },
///     should_stop: &|| stop.load(Ordering::Relaxed),
/// };
/// let items = rows.iter().map(|(id, v)| (*id, &v[..]));
/// let result = Hnsw::<L2<f32>>::build_with_hooks(2, HnswOptions::default(), items, &hooks);
/// assert!(matches!(result, Err(HnswError::Cancelled)));
/// ```
#[derive(Clone, Copy)]
pub struct BuildHooks<'a> {
    /// Called with the tuples linked so far, every 1024 tuples and at the end.
    pub progress: &'a (dyn Fn(BuildProgress) + Sync),
    /// Polled between tuples; once it returns `true` the build stops with
    /// [`HnswError::Cancelled`].
    pub should_stop: &'a (dyn Fn() -> bool + Sync),
}

impl Default for BuildHooks<'_> {
    /// No progress reports, never stops.
    fn default() -> Self {
        BuildHooks {
            progress: &|_| {},
            should_stop: &|| false,
        }
    }
}

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
        Self::build_with_hooks(dimensions, options, items, &BuildHooks::default())
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
        let hooks = BuildHooks {
            progress,
            ..BuildHooks::default()
        };
        Self::build_with_hooks(dimensions, options, items, &hooks)
    }

    /// Builds an index from `(row id, vector)` pairs with the given [`BuildHooks`]:
    /// progress reports, and a stop check that ends the build with
    /// [`HnswError::Cancelled`].
    pub fn build_with_hooks<'a, I>(
        dimensions: usize,
        options: HnswOptions,
        items: I,
        hooks: &BuildHooks<'_>,
    ) -> Result<Self, HnswError>
    where
        I: IntoIterator<Item = (u64, VectorRef<'a, M>)>,
    {
        let mut index = Self::new_in_memory(dimensions, options)?;
        let items = items.into_iter();
        let expected = items.size_hint().0;
        index.store.reserve(expected);
        index.graph.reserve(expected);
        index.rows.reserve(expected);
        index.flags.reserve(expected);
        let mut buf = Default::default();
        let budget = index.options.maintenance_work_mem;
        for (item_idx, (row_id, vector)) in items.enumerate() {
            if item_idx % PROGRESS_EVERY == PROGRESS_EVERY - 1 && (hooks.should_stop)() {
                return Err(HnswError::Cancelled);
            }
            index.store.check(vector)?;
            if !M::prepare(vector, &mut buf) {
                continue;
            }
            index.stage(row_id, M::Store::view(&buf))?;
            if index.outgrew_budget.is_none() && index.used_bytes() > budget {
                let tuples = index.graph.len() as u64;
                if !index.options.continue_past_budget {
                    return Err(HnswError::MemoryBudgetExceeded { tuples, budget });
                }
                index.outgrew_budget = Some(tuples);
            }
        }
        index.train_codes()?;
        index.link_all(hooks)?;
        index.spill_vectors()?;
        Ok(index)
    }

    /// Bytes of memory the build has filled so far (lengths, not capacities): the vectors
    /// (in memory while a build links, also for a quantized index), the codes they will
    /// have, and the graph.
    fn used_bytes(&self) -> usize {
        let slots = self.graph.len();
        let per_slot = (1 + 2 * self.options.m) * 4 + 8 + 1 + 1 + 4;
        let codes = self.codes.as_ref().map_or(0, |codes| slots * codes.stride);
        self.store.used_bytes() + codes + slots * per_slot
    }

    fn link_all(&mut self, hooks: &BuildHooks<'_>) -> Result<(), HnswError> {
        let progress = hooks.progress;
        let total = self.graph.len();
        // More threads than elements, or than any machine has cores, would only wait.
        let threads = self.options.threads.clamp(1, 256).min(total.max(1));
        let next = AtomicUsize::new(0);
        let done = AtomicUsize::new(0);
        let stopped = AtomicBool::new(false);
        let report = |finished: usize| {
            // PROGRESS_EVERY is a power of two.
            if finished & (PROGRESS_EVERY - 1) == 0 || finished == total {
                progress(BuildProgress {
                    tuples_done: finished as u64,
                    tuples_total: total as u64,
                });
            }
        };
        // The back-link cache and the fill pools speed the linking up; each is used only if
        // it fits the budget.
        let stride = self.graph.capacity(0);
        let cache_bytes = LinkCache::bytes_for(total, stride);
        let budget = self.options.maintenance_work_mem;
        if self.used_bytes() + cache_bytes <= budget {
            self.link_cache = LinkCache::new(total, stride);
            let pool_bytes = FillPool::bytes_for(total, stride);
            if self.options.keep_pruned
                && stride <= u8::MAX as usize
                && self.used_bytes() + cache_bytes + pool_bytes <= budget
            {
                self.fill = FillPool::new(total, stride);
            }
        }
        let this = &*self;
        let worker = || {
            let mut scratch = this.scratch.take();
            loop {
                let slot = next.fetch_add(1, Ordering::Relaxed);
                if slot >= total || stopped.load(Ordering::Relaxed) {
                    break;
                }
                if (hooks.should_stop)() {
                    stopped.store(true, Ordering::Relaxed);
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
        if stopped.into_inner() {
            self.link_cache = LinkCache::default();
            self.fill = FillPool::default();
            return Err(HnswError::Cancelled);
        }
        self.fill_from_pools();
        self.link_cache = LinkCache::default();
        if total == 0 {
            report(0);
        }
        let freed: Vec<u32> = (0..total as u32)
            .filter(|&slot| self.flag(slot) & FREE != 0)
            .collect();
        self.free.get_mut().extend(freed);
        Ok(())
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

    /// The incremental shrinking of the build cache gives the same graph as the full one
    /// (budgets with room for the cache but not for the fill pools, and for neither).
    #[test]
    fn link_cache_keeps_the_graph() {
        let sizes = build(1 << 30);
        let stride = sizes.graph.capacity(0);
        let cache = sizes.used_bytes() + LinkCache::bytes_for(sizes.graph.len(), stride);
        let cached = build(cache);
        let plain = build(cache - 1);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for slot in 0..cached.graph.len() as u32 {
            for level in 0..=cached.graph.level(slot) {
                cached.graph.read(slot, level, &mut a);
                plain.graph.read(slot, level, &mut b);
                assert_eq!(a, b, "slot {slot} level {level}");
            }
        }
    }

    /// With room for the fill pools, a build tops its lists up at the end: layer-0 lists
    /// end as full as when pruned connections are kept while linking, with the same recall.
    #[test]
    fn fill_pools_keep_lists_full() {
        let pooled = build(1 << 30);
        let stride = pooled.graph.capacity(0);
        let cache = pooled.used_bytes() + LinkCache::bytes_for(pooled.graph.len(), stride);
        let linked_full = build(cache);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        let (mut total_pooled, mut total_full) = (0, 0);
        for slot in 0..pooled.graph.len() as u32 {
            pooled.graph.read(slot, 0, &mut a);
            linked_full.graph.read(slot, 0, &mut b);
            assert!(!a.contains(&slot));
            let mut unique = a.clone();
            unique.sort_unstable();
            unique.dedup();
            assert_eq!(unique.len(), a.len(), "slot {slot}: {a:?}");
            total_pooled += a.len();
            total_full += b.len();
        }
        assert!(
            total_pooled * 100 >= total_full * 95,
            "{total_pooled} {total_full}"
        );
    }

    /// When the vectors' memory cannot grow, a build and an insert fail with
    /// `OutOfMemory` and the index keeps one vector per graph node.
    #[test]
    fn out_of_memory_is_an_error_and_loses_nothing() {
        use crate::store::aligned::tests::limit_maps;
        limit_maps(4096);
        let items = vectors(3000);
        let built = Hnsw::<L2<f32>>::build(
            4,
            HnswOptions::default(),
            items.iter().enumerate().map(|(i, v)| (i as u64, &v[..])),
        );
        assert!(matches!(built, Err(HnswError::OutOfMemory { .. })));
        limit_maps(usize::MAX);

        let mut index = Hnsw::<L2<f32>>::new(4, HnswOptions::default()).unwrap();
        let mut inserted = 0;
        limit_maps(16 * 16);
        for (i, v) in items.iter().enumerate().take(100) {
            match index.insert(i as u64, &v[..]) {
                Ok(_) => inserted += 1,
                Err(error) => {
                    assert!(
                        matches!(error, HnswError::OutOfMemory { bytes: 272 }),
                        "{error}"
                    );
                    break;
                }
            }
        }
        assert_eq!(inserted, 16);
        assert_eq!(index.len(), 16);
        limit_maps(usize::MAX);
        for (i, v) in items.iter().enumerate().take(100).skip(16) {
            index.insert(i as u64, &v[..]).unwrap();
        }
        assert_eq!(index.len(), 100);
        let found = index
            .search(&items[57][..], 1, &crate::SearchOptions::default())
            .unwrap();
        assert_eq!(found[0].row_id, 57);
    }

    fn vectors(n: usize) -> Vec<[f32; 4]> {
        (0..n)
            .map(|i| [i as f32, (i % 7) as f32, (i % 13) as f32, 1.0])
            .collect()
    }

    /// A stop request during linking ends every build thread and returns `Cancelled`;
    /// progress reports stop growing after it.
    #[test]
    fn should_stop_cancels_the_linking() {
        let vectors = vectors(4000);
        for threads in [1, 4] {
            let stop = std::sync::atomic::AtomicBool::new(false);
            let furthest = AtomicUsize::new(0);
            let hooks = BuildHooks {
                progress: &|p| {
                    furthest.fetch_max(p.tuples_done as usize, Ordering::Relaxed);
                    if p.tuples_done >= 1024 {
                        stop.store(true, Ordering::Relaxed);
                    }
                },
                should_stop: &|| stop.load(Ordering::Relaxed),
            };
            let options = HnswOptions {
                threads,
                ..HnswOptions::default()
            };
            let items = vectors.iter().enumerate().map(|(i, v)| (i as u64, &v[..]));
            let result = Hnsw::<L2<f32>>::build_with_hooks(4, options, items, &hooks);
            assert!(
                matches!(result, Err(HnswError::Cancelled)),
                "threads {threads}"
            );
            assert!(furthest.load(Ordering::Relaxed) < vectors.len());
        }
    }

    /// A stop request before the build starts ends it while the vectors are copied in.
    #[test]
    fn should_stop_cancels_the_loading() {
        let vectors = vectors(3000);
        let linked = AtomicUsize::new(0);
        let hooks = BuildHooks {
            progress: &|_| {
                linked.fetch_add(1, Ordering::Relaxed);
            },
            should_stop: &|| true,
        };
        let items = vectors.iter().enumerate().map(|(i, v)| (i as u64, &v[..]));
        let result = Hnsw::<L2<f32>>::build_with_hooks(4, HnswOptions::default(), items, &hooks);
        assert!(matches!(result, Err(HnswError::Cancelled)));
        assert_eq!(linked.load(Ordering::Relaxed), 0);
        assert_eq!(
            HnswError::Cancelled.to_string(),
            "canceling statement due to user request"
        );
    }

    /// Hooks that never stop give the same graph as a plain build, and the last report
    /// counts every tuple.
    #[test]
    fn hooks_that_never_stop_change_nothing() {
        let vectors = vectors(2000);
        let options = HnswOptions {
            threads: 1,
            ..HnswOptions::default()
        };
        let items = || vectors.iter().enumerate().map(|(i, v)| (i as u64, &v[..]));
        let last = AtomicUsize::new(0);
        let hooks = BuildHooks {
            progress: &|p| {
                assert_eq!(p.tuples_total, 2000);
                last.store(p.tuples_done as usize, Ordering::Relaxed);
            },
            should_stop: &|| false,
        };
        let hooked =
            Hnsw::<L2<f32>>::build_with_hooks(4, options.clone(), items(), &hooks).expect("build");
        let plain = Hnsw::<L2<f32>>::build(4, options, items()).expect("build");
        assert_eq!(last.load(Ordering::Relaxed), 2000);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for slot in 0..plain.graph.len() as u32 {
            hooked.graph.read(slot, 0, &mut a);
            plain.graph.read(slot, 0, &mut b);
            assert_eq!(a, b, "slot {slot}");
        }
    }
}
