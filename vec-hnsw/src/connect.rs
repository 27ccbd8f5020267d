//! Back-links: after INSERT links a new element to its neighbours, each neighbour gets a
//! link back, and a neighbour whose list is full shrinks it with the neighbour heuristic
//! (Algorithm 4 of Malkov & Yashunin; pgvector's `HnswUpdateConnection`).
//!
//! This is where a build spends most of its distance computations when lists are kept
//! full (`keep_pruned`): every back-link into a full list reruns the heuristic over the
//! list and the new element. While a build runs, the layer-0 lists carry their members'
//! distances to the owner and the heuristic's last flags ([`crate::link_cache`]), so the
//! heuristic runs incrementally and no owner distance is recomputed. Without the cache
//! (upper layers, inserts after the build) the distances are computed and the heuristic
//! runs in full; both ways give the same list. A shrunk list is written nearest first.

use crate::index::Hnsw;
use crate::metric::Metric;
use crate::search::{Candidate, Scratch};
use crate::select::Member;
use crate::store::VectorStore;

impl<M: Metric> Hnsw<M> {
    /// Adds the back-link `new` (distance to `target`, slot of the new element) to
    /// `target`'s list at `layer`, shrinking a full list with the heuristic.
    pub(crate) fn connect(&self, target: u32, new: Candidate, layer: usize, scratch: &mut Scratch) {
        let capacity = self.graph.capacity(layer);
        let cached = layer == 0 && self.link_cache.covers(target);
        let _guard = self.graph.lock(target);
        self.graph.read(target, layer, &mut scratch.neighbours);
        if scratch.neighbours.contains(&new.slot) {
            return;
        }
        if scratch.neighbours.len() < capacity {
            scratch.neighbours.push(new.slot);
            self.graph.write(target, layer, &scratch.neighbours);
            if cached {
                let position = scratch.neighbours.len() - 1;
                self.link_cache.append(target, position, new.distance);
            }
            return;
        }
        let work = &mut scratch.pruned;
        work.members.clear();
        let known = if cached {
            self.link_cache
                .load(target, &scratch.neighbours, &mut work.members)
        } else {
            None
        };
        let flags_known = match known {
            Some(flags) => flags,
            None => {
                work.members.clear();
                let target_vector = self.store.get(target);
                work.members
                    .extend(scratch.neighbours.iter().map(|&neighbour| Member {
                        candidate: Candidate {
                            distance: M::distance(target_vector, self.store.get(neighbour)),
                            slot: neighbour,
                        },
                        closer: false,
                        fresh: false,
                        chosen: false,
                    }));
                false
            }
        };
        work.members.push(Member {
            candidate: new,
            closer: false,
            fresh: true,
            chosen: false,
        });
        work.members.sort_unstable_by_key(|member| member.candidate);
        let defer = layer == 0 && self.fill.covers(target);
        self.run_heuristic(work, capacity, !flags_known, defer);
        if defer {
            self.pool_pruned(target, work);
        }
        scratch.neighbours.clear();
        let chosen = work.members.iter().filter(|m| m.chosen);
        scratch.neighbours.extend(chosen.map(|m| m.candidate.slot));
        self.graph.write(target, layer, &scratch.neighbours);
        if cached {
            let chosen = work.members.iter().filter(|m| m.chosen).copied();
            self.link_cache.store(target, chosen, true);
        }
    }
}
