//! SELECT-NEIGHBORS-HEURISTIC (Algorithm 4 of Malkov & Yashunin), as pgvector and hnswlib
//! use it: walk the candidates from nearest to furthest and keep one only if it is closer to
//! the base element than to every neighbour kept so far, which spreads the connections over
//! directions instead of one tight cluster.
//!
//! Like pgvector (`keepPrunedConnections`), the lists can be topped up with the pruned
//! candidates so they stay full (`HnswOptions::keep_pruned`). Unlike pgvector, candidates pruned because they are exact
//! duplicates (distance 0) of a kept neighbour come last: otherwise an element among many
//! identical vectors would link only to its copies and the copies would form a closed
//! clique that searches cannot leave.

use crate::index::Hnsw;
use crate::metric::Metric;
use crate::search::Candidate;
use crate::store::VectorStore;

impl<M: Metric> Hnsw<M> {
    /// Chooses at most `limit` neighbours from `candidates` (sorted nearest first, distances
    /// to the base element) into `selected`. `pruned` is scratch space.
    pub(crate) fn select_neighbors(
        &self,
        candidates: &[Candidate],
        limit: usize,
        selected: &mut Vec<Candidate>,
        pruned: &mut Vec<(Candidate, bool)>,
    ) {
        selected.clear();
        pruned.clear();
        if candidates.len() <= limit {
            selected.extend_from_slice(candidates);
            return;
        }
        for &candidate in candidates {
            if selected.len() >= limit {
                break;
            }
            let vector = self.store.get(candidate.slot);
            let mut keep = true;
            let mut duplicate = false;
            for kept in selected.iter() {
                let between = M::distance(vector, self.store.get(kept.slot));
                if between <= candidate.distance {
                    keep = false;
                    duplicate = <M::Store as VectorStore>::same(vector, self.store.get(kept.slot));
                    break;
                }
            }
            if keep {
                selected.push(candidate);
            } else {
                pruned.push((candidate, duplicate));
            }
        }
        if self.options.keep_pruned {
            for pass_duplicates in [false, true] {
                for &(candidate, duplicate) in pruned.iter() {
                    if selected.len() >= limit {
                        return;
                    }
                    if duplicate == pass_duplicates {
                        selected.push(candidate);
                    }
                }
            }
        }
    }
}
