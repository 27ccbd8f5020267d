//! Keeping pruned connections (`keep_pruned`, pgvector's `keepPrunedConnections`) without
//! paying for them during a build.
//!
//! pgvector tops every list up with candidates the neighbour heuristic pruned, so lists
//! are always full: searches then reach a higher recall at a given `ef_search`, but while
//! a build runs every search follows twice the neighbours and every back-link into a full
//! list reruns the heuristic, which made builds about three times slower than hnswlib's.
//! Instead, while a build links, lists hold only what the heuristic keeps (as hnswlib's
//! do), and each element's pruned candidates, with their distances, go to a small pool
//! ([`FillPool`]): those its insert pruned and those a back-link shrink dropped. When every
//! element is linked, [`Hnsw::fill_from_pools`] tops each list up from its pool, nearest
//! first (exact duplicates of a kept neighbour last, as `select` orders them), without a
//! distance computation. Inserts after the build keep pruned connections as they go.
//!
//! The pool takes eight bytes per list entry while the build runs (counted against
//! `maintenance_work_mem`; without room for it the build keeps lists full as it links).
//! Every pool is read and written under its owner's lock.

use std::sync::atomic::{AtomicU32, AtomicU8, Ordering};

use crate::index::{Hnsw, DEAD, FREE};
use crate::metric::Metric;
use crate::search::Candidate;
use crate::select::{same_distance, Member};
use crate::store::VectorStore;

/// Pruned candidates per element, nearest first, while a build links.
#[derive(Default)]
pub(crate) struct FillPool {
    stride: usize,
    slots: Vec<AtomicU32>,
    distances: Vec<AtomicU32>,
    counts: Vec<AtomicU8>,
}

impl FillPool {
    /// Bytes a pool for `slots` elements of `stride` candidates takes.
    pub(crate) fn bytes_for(slots: usize, stride: usize) -> usize {
        slots * (stride * 8 + 1)
    }

    /// Empty pools for `slots` elements of `stride` (at most 255) candidates each.
    pub(crate) fn new(slots: usize, stride: usize) -> FillPool {
        let stride = stride.min(u8::MAX as usize);
        FillPool {
            stride,
            slots: (0..slots * stride).map(|_| AtomicU32::new(0)).collect(),
            distances: (0..slots * stride).map(|_| AtomicU32::new(0)).collect(),
            counts: (0..slots).map(|_| AtomicU8::new(0)).collect(),
        }
    }

    /// Whether pools are being kept for `slot` (a build is linking it).
    #[inline]
    pub(crate) fn covers(&self, slot: u32) -> bool {
        (slot as usize) < self.counts.len()
    }

    /// Offers a pruned candidate of `owner`'s list: kept if it is among the `stride`
    /// nearest offered (a candidate offered twice is kept once).
    pub(crate) fn offer(&self, owner: u32, candidate: Candidate) {
        let base = owner as usize * self.stride;
        let count = self.counts[owner as usize].load(Ordering::Relaxed) as usize;
        let distance_at =
            |i: usize| f32::from_bits(self.distances[base + i].load(Ordering::Relaxed));
        if (0..count).any(|i| self.slots[base + i].load(Ordering::Relaxed) == candidate.slot) {
            return;
        }
        let mut at = count;
        while at > 0 && distance_at(at - 1) > candidate.distance {
            at -= 1;
        }
        if at >= self.stride {
            return;
        }
        let end = count.min(self.stride - 1);
        for i in (at..end).rev() {
            let slot = self.slots[base + i].load(Ordering::Relaxed);
            let distance = self.distances[base + i].load(Ordering::Relaxed);
            self.slots[base + i + 1].store(slot, Ordering::Relaxed);
            self.distances[base + i + 1].store(distance, Ordering::Relaxed);
        }
        self.slots[base + at].store(candidate.slot, Ordering::Relaxed);
        self.distances[base + at].store(candidate.distance.to_bits(), Ordering::Relaxed);
        self.counts[owner as usize].store((end + 1) as u8, Ordering::Relaxed);
    }

    /// `owner`'s pooled candidates, nearest first, appended to `out`.
    fn pooled(&self, owner: u32, out: &mut Vec<Candidate>) {
        let base = owner as usize * self.stride;
        let count = self.counts[owner as usize].load(Ordering::Relaxed) as usize;
        out.extend((0..count).map(|i| Candidate {
            distance: f32::from_bits(self.distances[base + i].load(Ordering::Relaxed)),
            slot: self.slots[base + i].load(Ordering::Relaxed),
        }));
    }
}

impl<M: Metric> Hnsw<M> {
    /// Tops every layer-0 list up from its pool (see the module's documentation), then
    /// drops the pools. Runs while the link cache still holds the lists' distances.
    pub(crate) fn fill_from_pools(&mut self) {
        let pool = std::mem::take(&mut self.fill);
        let capacity = self.graph.capacity(0);
        let (mut ids, mut pooled, mut kept) = (Vec::new(), Vec::new(), Vec::new());
        let (mut others, mut duplicates) = (Vec::new(), Vec::new());
        for owner in 0..self.graph.len() as u32 {
            if !pool.covers(owner) || self.flag(owner) & (FREE | DEAD) != 0 {
                continue;
            }
            self.graph.read(owner, 0, &mut ids);
            if ids.len() >= capacity {
                continue;
            }
            pooled.clear();
            pool.pooled(owner, &mut pooled);
            pooled.retain(|c: &Candidate| {
                c.slot != owner && !ids.contains(&c.slot) && self.flag(c.slot) & (FREE | DEAD) == 0
            });
            if pooled.is_empty() {
                continue;
            }
            // The kept neighbours' distances (from the link cache, or computed), so that
            // exact duplicates of them are recognised by distance first.
            kept.clear();
            if self.link_cache.load(owner, &ids, &mut kept).is_none() {
                kept.clear();
                let vector = self.store.get(owner);
                kept.extend(ids.iter().map(|&slot| Member {
                    candidate: Candidate {
                        distance: M::distance(vector, self.store.get(slot)),
                        slot,
                    },
                    closer: true,
                    fresh: false,
                    chosen: true,
                }));
            }
            others.clear();
            duplicates.clear();
            for &candidate in &pooled {
                let vector = self.store.get(candidate.slot);
                let duplicate = kept.iter().any(|member| {
                    same_distance(member.candidate.distance, candidate.distance)
                        && M::Store::same(vector, self.store.get(member.candidate.slot))
                });
                if duplicate {
                    duplicates.push(candidate.slot);
                } else {
                    others.push(candidate.slot);
                }
            }
            let room = capacity - ids.len();
            ids.extend(others.iter().chain(&duplicates).take(room));
            self.graph.write(owner, 0, &ids);
        }
    }
}
