//! SELECT-NEIGHBORS-HEURISTIC (Algorithm 4 of Malkov & Yashunin), as pgvector and hnswlib
//! use it: walk the candidates from nearest to furthest and keep one only if it is closer to
//! the base element than to every neighbour kept so far, which spreads the connections over
//! directions instead of one tight cluster.
//!
//! Like pgvector (`keepPrunedConnections`), the lists can be topped up with the pruned
//! candidates so they stay full (`HnswOptions::keep_pruned`). Unlike pgvector, pruned
//! candidates that are exact duplicates of a kept neighbour come last: otherwise an element
//! among many identical vectors would link only to its copies and the copies would form a
//! closed clique that searches cannot leave. Identical vectors are at the same distance
//! from the base element, so finding them costs no distance computation.
//!
//! The heuristic can also run incrementally, as pgvector's `SelectNeighbors` does when it
//! shrinks a full list: each member remembers whether it passed ("closer") the last time
//! the list was pruned, so when one new candidate arrives only the comparisons that its
//! arrival can change are made — the new candidate against the kept members before it, the
//! kept members after it against the candidates newly kept, and, only if one of those was
//! dropped, the pruned ones after that against all kept members. The outcome is the same as
//! a full run.

use crate::index::Hnsw;
use crate::metric::Metric;
use crate::search::Candidate;
use crate::store::VectorStore;

/// A candidate of a heuristic run, with what the run decided about it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Member {
    /// The candidate and its distance to the base element.
    pub(crate) candidate: Candidate,
    /// Passed the heuristic (valid for every member when the run began with known flags,
    /// and for every member the run reached afterwards).
    pub(crate) closer: bool,
    /// The candidate just arriving, whose flag is not known yet.
    pub(crate) fresh: bool,
    /// Chosen by the run.
    pub(crate) chosen: bool,
}

/// Reusable buffers of the heuristic.
#[derive(Default)]
pub(crate) struct Prune {
    /// The candidates, nearest first.
    pub(crate) members: Vec<Member>,
    /// Indexes into `members` that passed, in order.
    kept: Vec<usize>,
    /// Indexes that passed in this run but had not before (incremental runs only).
    added: Vec<usize>,
}

/// Whether two distances to the base element may belong to identical vectors (the metric
/// may round the two argument orders differently in the last bit).
pub(crate) fn same_distance(a: f32, b: f32) -> bool {
    a == b || (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1e-30)
}

impl<M: Metric> Hnsw<M> {
    /// Chooses at most `limit` neighbours from `candidates` (sorted nearest first, distances
    /// to the base element) into `selected`: those that pass first, then (with
    /// `keep_pruned`) the pruned ones. `work` is scratch space.
    ///
    /// While a build keeps pools for `owner`'s layer-0 list (`defer_to`), the pruned
    /// candidates go to its pool instead of the list (see `fill`).
    pub(crate) fn select_neighbors(
        &self,
        candidates: &[Candidate],
        limit: usize,
        selected: &mut Vec<Candidate>,
        work: &mut Prune,
        defer_to: Option<u32>,
    ) {
        selected.clear();
        if candidates.len() <= limit {
            selected.extend_from_slice(candidates);
            return;
        }
        work.members.clear();
        work.members
            .extend(candidates.iter().map(|&candidate| Member {
                candidate,
                closer: false,
                fresh: false,
                chosen: false,
            }));
        self.run_heuristic(work, limit, true, defer_to.is_some());
        if let Some(owner) = defer_to {
            self.pool_pruned(owner, work);
        }
        selected.extend(work.kept.iter().map(|&i| work.members[i].candidate));
        let pruned = work.members.iter().filter(|m| m.chosen && !m.closer);
        selected.extend(pruned.map(|m| m.candidate));
    }

    /// Offers the members of the last run that were not chosen to `owner`'s fill pool.
    pub(crate) fn pool_pruned(&self, owner: u32, work: &Prune) {
        for member in work.members.iter().filter(|m| !m.chosen) {
            self.fill.offer(owner, member.candidate);
        }
    }

    /// Runs the heuristic over `work.members` (sorted nearest first) and marks the at most
    /// `limit` members chosen. With `must_calculate` every flag is computed; otherwise the
    /// members' `closer` flags are those of the last run over the same members without the
    /// one `fresh` member, and only what the fresh member can change is computed. With
    /// `defer_fill`, pruned members are not chosen to top the list up, even when pruned
    /// connections are kept (a build tops lists up at its end, from `fill`'s pools).
    pub(crate) fn run_heuristic(
        &self,
        work: &mut Prune,
        limit: usize,
        must_calculate: bool,
        defer_fill: bool,
    ) {
        let Prune {
            members,
            kept,
            added,
        } = work;
        kept.clear();
        added.clear();
        let mut removed_any = false;
        let mut reached = 0;
        for index in 0..members.len() {
            if kept.len() >= limit {
                break;
            }
            reached = index + 1;
            let member = members[index];
            let closer = if must_calculate {
                self.passes(members, index, kept)
            } else if member.fresh {
                let closer = self.passes(members, index, kept);
                if closer {
                    added.push(index);
                }
                closer
            } else if added.is_empty() {
                member.closer
            } else if member.closer {
                // Only a candidate kept in this run can prune a member that passed before.
                let closer = self.passes(members, index, added);
                removed_any |= !closer;
                closer
            } else if removed_any {
                // A member that was pruned may pass now that one that pruned it is gone.
                let closer = self.passes(members, index, kept);
                if closer {
                    added.push(index);
                }
                closer
            } else {
                false
            };
            members[index].closer = closer;
            members[index].fresh = false;
            if closer {
                kept.push(index);
            }
        }
        for member in members.iter_mut() {
            member.chosen = false;
        }
        for &index in kept.iter() {
            members[index].chosen = true;
        }
        if !self.options.keep_pruned || defer_fill {
            return;
        }
        let mut room = limit - kept.len();
        for duplicates in [false, true] {
            for index in 0..reached {
                if room == 0 {
                    return;
                }
                if !members[index].closer && self.duplicate(members, index, kept) == duplicates {
                    members[index].chosen = true;
                    room -= 1;
                }
            }
        }
    }

    /// Whether `members[index]` is closer to the base element than to each of `others`.
    fn passes(&self, members: &[Member], index: usize, others: &[usize]) -> bool {
        let candidate = members[index].candidate;
        let vector = self.store.get(candidate.slot);
        others.iter().all(|&other| {
            let between = M::distance(vector, self.store.get(members[other].candidate.slot));
            between > candidate.distance
        })
    }

    /// Whether the pruned `members[index]` holds the same vector as a kept member. Such a
    /// member is at the same distance from the base element, so only the kept members just
    /// before it in distance order are compared.
    fn duplicate(&self, members: &[Member], index: usize, kept: &[usize]) -> bool {
        let candidate = members[index].candidate;
        let vector = self.store.get(candidate.slot);
        kept.iter()
            .rev()
            .skip_while(|&&other| other > index)
            .take_while(|&&other| {
                same_distance(members[other].candidate.distance, candidate.distance)
            })
            .any(|&other| M::Store::same(vector, self.store.get(members[other].candidate.slot)))
    }
}
