//! SEARCH-LAYER (Algorithm 2 of Malkov & Yashunin) and the greedy descent through the upper
//! layers, over a pooled scratch space: an epoch-stamped visited set (clearing it is one
//! increment) and two binary heaps whose buffers are kept between searches, so a search
//! allocates nothing once its scratch has warmed up.

use crate::estimate::Estimator;
use crate::index::Hnsw;
use crate::metric::{Metric, VectorRef};
use crate::store::VectorStore;
use parking_lot::Mutex;
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

/// An element and its distance to the query.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Candidate {
    /// Distance to the query, as the metric orders it.
    pub(crate) distance: f32,
    /// The element's slot.
    pub(crate) slot: u32,
}

impl Eq for Candidate {}

impl Ord for Candidate {
    fn cmp(&self, other: &Self) -> Ordering {
        self.distance
            .total_cmp(&other.distance)
            .then(self.slot.cmp(&other.slot))
    }
}

impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A visited set over slots that is cleared in O(1) by bumping an epoch. Marks are 16 bits
/// (as hnswlib's), so the set of a 100,000-element index fits in a core's L2 cache; every
/// 65,535 clears it is zeroed once.
#[derive(Default)]
pub(crate) struct Visited {
    marks: Vec<u16>,
    epoch: u16,
    /// Slots marked since the last clear.
    pub(crate) count: usize,
}

impl Visited {
    /// Forgets every mark and makes room for `slots` slots.
    pub(crate) fn clear(&mut self, slots: usize) {
        if self.marks.len() < slots {
            self.marks.resize(slots, 0);
        }
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 {
            self.marks.fill(0);
            self.epoch = 1;
        }
        self.count = 0;
    }

    /// Marks `slot`; true if it was not marked yet. Slots beyond the cleared size count as
    /// visited, so an element added during the search is never followed.
    #[inline]
    pub(crate) fn insert(&mut self, slot: u32) -> bool {
        match self.marks.get_mut(slot as usize) {
            Some(mark) if *mark != self.epoch => {
                *mark = self.epoch;
                self.count += 1;
                true
            }
            _ => false,
        }
    }
}

/// Reusable buffers of one search or insert.
#[derive(Default)]
pub(crate) struct Scratch {
    pub(crate) visited: Visited,
    /// Candidates still to expand, nearest first (C in the paper).
    pub(crate) nearest: BinaryHeap<Reverse<Candidate>>,
    /// The best elements found, furthest first (W in the paper).
    pub(crate) results: BinaryHeap<Candidate>,
    pub(crate) neighbours: Vec<u32>,
    pub(crate) unvisited: Vec<u32>,
    pub(crate) found: Vec<Candidate>,
    pub(crate) layers: Vec<Vec<Candidate>>,
    pub(crate) pruned: crate::select::Prune,
    pub(crate) rescored: Vec<Candidate>,
}

impl Scratch {
    /// Starts a new layer search over `slots` slots.
    pub(crate) fn begin(&mut self, slots: usize) {
        self.visited.clear(slots);
        self.nearest.clear();
        self.results.clear();
    }

    /// Adds an entry point: marks it visited and puts it in both heaps.
    pub(crate) fn seed(&mut self, candidate: Candidate) {
        self.visited.insert(candidate.slot);
        self.nearest.push(Reverse(candidate));
        self.results.push(candidate);
    }

    /// Moves the results into `out`, nearest first.
    pub(crate) fn drain_sorted(&mut self, out: &mut Vec<Candidate>) {
        out.clear();
        out.extend(self.results.drain());
        out.sort_unstable();
    }
}

/// A pool of scratch spaces shared by concurrent searches.
#[derive(Default)]
pub(crate) struct ScratchPool(Mutex<Vec<Scratch>>);

impl ScratchPool {
    /// Takes a scratch space (a fresh one if the pool is empty).
    pub(crate) fn take(&self) -> Scratch {
        self.0.lock().pop().unwrap_or_default()
    }

    /// Returns a scratch space for reuse.
    pub(crate) fn give(&self, scratch: Scratch) {
        let mut pool = self.0.lock();
        if pool.len() < 64 {
            pool.push(scratch);
        }
    }
}

impl<M: Metric> Hnsw<M> {
    /// Distance from `query` to the vector in `slot`.
    #[inline]
    pub(crate) fn distance_to(&self, query: VectorRef<'_, M>, slot: u32) -> f32 {
        M::distance(query, self.store.get(slot))
    }

    /// Greedy descent on one upper layer: SEARCH-LAYER with `ef = 1`, moving to the closest
    /// neighbour while it improves.
    pub(crate) fn greedy<E: Estimator>(
        &self,
        estimator: &E,
        mut current: Candidate,
        level: usize,
        scratch: &mut Scratch,
    ) -> Candidate {
        loop {
            let mut changed = false;
            self.graph
                .read(current.slot, level, &mut scratch.neighbours);
            for &neighbour in &scratch.neighbours {
                let distance = estimator.distance(neighbour);
                if distance < current.distance {
                    current = Candidate {
                        distance,
                        slot: neighbour,
                    };
                    changed = true;
                }
            }
            if !changed {
                return current;
            }
        }
    }

    /// SEARCH-LAYER: from the entry points already seeded into `scratch`, finds the `ef`
    /// nearest elements of `level` by `estimator`'s distances, left in `scratch.results`.
    /// Every candidate that is evaluated but not kept goes to `discarded` when given
    /// (iterative scans resume from them). `tuples` counts the elements evaluated.
    pub(crate) fn search_layer<E: Estimator>(
        &self,
        estimator: &E,
        level: usize,
        ef: usize,
        scratch: &mut Scratch,
        mut discarded: Option<&mut BinaryHeap<Reverse<Candidate>>>,
        tuples: &mut u64,
    ) {
        let Scratch {
            visited,
            nearest,
            results,
            neighbours,
            unvisited,
            ..
        } = scratch;
        while let Some(Reverse(candidate)) = nearest.pop() {
            let furthest = results.peek().map_or(f32::INFINITY, |c| c.distance);
            if candidate.distance > furthest {
                break;
            }
            // The list expanded next is likely the nearest remaining candidate's.
            if level == 0 {
                if let Some(Reverse(next)) = nearest.peek() {
                    self.graph.prefetch_layer0(next.slot);
                }
            }
            self.graph.read(candidate.slot, level, neighbours);
            unvisited.clear();
            for &neighbour in neighbours.iter() {
                if visited.insert(neighbour) {
                    unvisited.push(neighbour);
                }
            }
            *tuples += unvisited.len() as u64;
            let prefetch_ahead = estimator.prefetch_ahead();
            for &slot in unvisited.iter().take(prefetch_ahead) {
                estimator.prefetch(slot);
            }
            for index in 0..unvisited.len() {
                if let Some(&ahead) = unvisited.get(index + prefetch_ahead) {
                    estimator.prefetch(ahead);
                }
                let slot = unvisited[index];
                let distance = estimator.distance(slot);
                let found = Candidate { distance, slot };
                let furthest = results.peek().map_or(f32::INFINITY, |c| c.distance);
                if results.len() < ef || distance < furthest {
                    nearest.push(Reverse(found));
                    results.push(found);
                    if results.len() > ef {
                        if let (Some(evicted), Some(d)) = (results.pop(), discarded.as_deref_mut())
                        {
                            d.push(Reverse(evicted));
                        }
                    }
                } else if let Some(d) = discarded.as_deref_mut() {
                    d.push(Reverse(found));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visited_epochs() {
        let mut v = Visited::default();
        v.clear(4);
        assert!(v.insert(1));
        assert!(!v.insert(1));
        assert!(!v.insert(9));
        v.clear(4);
        assert!(v.insert(1));
        assert_eq!(v.count, 1);
    }

    #[test]
    fn candidate_order() {
        let a = Candidate {
            distance: 1.0,
            slot: 3,
        };
        let b = Candidate {
            distance: 0.5,
            slot: 7,
        };
        let mut heap = BinaryHeap::from(vec![a, b]);
        assert_eq!(heap.pop(), Some(a));
    }
}
