//! Re-ranking a quantized search's candidates lazily: each candidate carries a lower bound
//! on its exact distance (its estimate less what the code can be off by), and the full
//! vector of a candidate is read only while that bound is below the nearest exact distance
//! not yet handed out. Candidates come out nearest first by exact distance, exactly as if
//! every one had been re-ranked, but a `LIMIT 10` over `ef_search` 80 candidates reads
//! about a fifth of the full vectors. Where the codes give no bound (RaBitQ), every bound
//! is minus infinity and all candidates are re-ranked before the first comes out.

use crate::index::Hnsw;
use crate::metric::{Metric, VectorRef};
use crate::quant::{Codes, PreparedQuery};
use crate::search::Candidate;
use crate::store::VectorStore;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// How many candidates ahead re-ranking prefetches full vectors.
const PREFETCH_AHEAD: usize = 4;

/// A candidate not yet re-ranked: its estimate and the bound below its exact distance.
#[derive(Clone, Copy, Debug)]
struct Bounded {
    lower: f32,
    estimate: Candidate,
}

/// Candidates waiting to be re-ranked and those re-ranked but not yet handed out.
#[derive(Debug, Default)]
pub(crate) struct RerankQueue {
    /// Not yet re-ranked, by lower bound, the smallest last.
    pending: Vec<Bounded>,
    /// Re-ranked, by exact distance.
    ready: BinaryHeap<Reverse<Candidate>>,
    /// The most by which a re-ranked candidate's estimate exceeded its exact distance.
    overestimate: f32,
    /// Full vectors read so far.
    reranked: usize,
    /// Whether the first pending candidates' full vectors were prefetched since the
    /// pending ones were last sorted.
    primed: bool,
}

impl RerankQueue {
    /// Adds candidates whose distances are the codes' estimates for `query` (with no
    /// prepared query, nothing bounds them: all are re-ranked before one is handed out).
    pub(crate) fn add(
        &mut self,
        codes: &Codes,
        query: Option<&PreparedQuery>,
        candidates: impl IntoIterator<Item = Candidate>,
    ) {
        self.pending
            .extend(candidates.into_iter().map(|estimate| Bounded {
                lower: query.map_or(f32::NEG_INFINITY, |query| {
                    codes.lower_bound(query, estimate)
                }),
                estimate,
            }));
        self.pending.sort_unstable_by(|a, b| {
            b.lower
                .total_cmp(&a.lower)
                .then_with(|| b.estimate.cmp(&a.estimate))
        });
        self.primed = false;
    }

    /// The nearest candidate by exact distance, re-ranking as many as it takes to know it.
    pub(crate) fn peek<M: Metric>(
        &mut self,
        index: &Hnsw<M>,
        query: VectorRef<'_, M>,
    ) -> Option<Candidate> {
        loop {
            let nearest = self.ready.peek().map(|Reverse(c)| *c);
            let settled = match (nearest, self.pending.last()) {
                (Some(nearest), Some(next)) => next.lower >= nearest.distance,
                (nearest, None) => return nearest,
                (None, Some(_)) => false,
            };
            if settled {
                return nearest;
            }
            self.rerank_next(index, query);
        }
    }

    /// Takes the candidate [`RerankQueue::peek`] returned.
    pub(crate) fn pop(&mut self) -> Option<Candidate> {
        self.ready.pop().map(|Reverse(c)| c)
    }

    /// [`RerankQueue::peek`] then [`RerankQueue::pop`].
    pub(crate) fn next<M: Metric>(
        &mut self,
        index: &Hnsw<M>,
        query: VectorRef<'_, M>,
    ) -> Option<Candidate> {
        self.peek(index, query)?;
        self.pop()
    }

    /// The most by which a re-ranked candidate's estimate exceeded its exact distance
    /// (0 when none did).
    pub(crate) fn overestimate(&self) -> f32 {
        self.overestimate
    }

    /// Full vectors read so far.
    #[cfg(test)]
    pub(crate) fn reranked(&self) -> usize {
        self.reranked
    }

    /// Re-ranks the pending candidate with the smallest bound.
    fn rerank_next<M: Metric>(&mut self, index: &Hnsw<M>, query: VectorRef<'_, M>) {
        let Some(next) = self.pending.pop() else {
            return;
        };
        if !self.primed {
            self.primed = true;
            for ahead in self.pending.iter().rev().take(PREFETCH_AHEAD - 1) {
                index.store.prefetch(ahead.estimate.slot);
            }
        } else if let Some(ahead) = self
            .pending
            .len()
            .checked_sub(PREFETCH_AHEAD)
            .and_then(|at| self.pending.get(at))
        {
            index.store.prefetch(ahead.estimate.slot);
        }
        let exact = index.distance_to(query, next.estimate.slot);
        self.reranked += 1;
        self.overestimate = self.overestimate.max(next.estimate.distance - exact);
        self.ready.push(Reverse(Candidate {
            distance: exact,
            slot: next.estimate.slot,
        }));
    }
}

/// The elements a layer-0 search found, nearest first by exact distance
/// ([`Hnsw::nearest`]).
pub(crate) struct Nearest<'a, M: Metric> {
    index: &'a Hnsw<M>,
    query: VectorRef<'a, M>,
    /// Unquantized: the search's results, the furthest first.
    exact: Vec<Candidate>,
    /// Quantized: the candidates still to be handed out.
    queue: RerankQueue,
}

impl<'a, M: Metric> Nearest<'a, M> {
    /// Hands out `exact` (furthest first) or, when it is empty, `queue`'s candidates.
    pub(crate) fn new(
        index: &'a Hnsw<M>,
        query: VectorRef<'a, M>,
        exact: Vec<Candidate>,
        queue: RerankQueue,
    ) -> Nearest<'a, M> {
        Nearest {
            index,
            query,
            exact,
            queue,
        }
    }
}

impl<M: Metric> Iterator for Nearest<'_, M> {
    type Item = Candidate;

    fn next(&mut self) -> Option<Candidate> {
        match self.exact.pop() {
            Some(candidate) => Some(candidate),
            None => self.queue.next(self.index, self.query),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Cosine, Hnsw, HnswOptions, InnerProduct, Metric, Quantization, L2};

    /// Uniform values in `[-1, 1)` from a xorshift generator.
    fn vectors(seed: u64, n: usize, dims: usize) -> Vec<Vec<f32>> {
        let mut state = seed | 1;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 40) as f32 / (1u64 << 23) as f32 - 1.0
        };
        (0..n)
            .map(|_| (0..dims).map(|_| next()).collect())
            .collect()
    }

    /// Lazy re-ranking hands the candidates out in exact order (so every bound held),
    /// the first ten are those of re-ranking them all, and taking ten reads fewer full
    /// vectors than there are candidates.
    fn check<M: Metric<Store = crate::store::DenseStore<f32>>>() {
        let dims = 48;
        let rows = vectors(7, 2000, dims);
        let options = HnswOptions {
            quantization: Quantization::Sq8,
            ..HnswOptions::default()
        };
        let index = Hnsw::<M>::build(
            dims,
            options,
            rows.iter().enumerate().map(|(i, v)| (i as u64, &v[..])),
        )
        .unwrap();
        let (mut read, mut candidates) = (0, 0);
        // Queries beyond the trained ranges too (clamped codes).
        for (number, query) in vectors(99, 20, dims).iter().enumerate() {
            let scale = if number % 2 == 0 { 1.0 } else { 1.7 };
            let query: Vec<f32> = query.iter().map(|v| v * scale).collect();
            let Some(query) = index.prepare(&query).unwrap() else {
                continue;
            };
            let all: Vec<_> = index.nearest(&query, 80, None).collect();
            assert!(all.len() >= 40);
            assert!(all.windows(2).all(|w| w[0] <= w[1]), "out of exact order");
            for candidate in &all {
                assert_eq!(
                    candidate.distance,
                    index.distance_to(&query, candidate.slot)
                );
            }
            let mut nearest = index.nearest(&query, 80, None);
            let first: Vec<_> = nearest.by_ref().take(10).collect();
            assert_eq!(first, all[..10]);
            read += nearest.queue.reranked();
            candidates += all.len();
        }
        assert!(read < candidates / 2, "{read} of {candidates} re-ranked");
        // A query with a NaN (the library does not refuse one) gives answers, not a panic.
        let mut odd = vec![0.5f32; dims];
        odd[3] = f32::NAN;
        let options = crate::SearchOptions::default();
        assert!(index.search(&odd, 10, &options).is_ok());
        assert!(index.scan(&odd, &options).unwrap().take(10).count() <= 10);
    }

    #[test]
    fn lazy_rerank_is_exact_and_reads_less() {
        check::<L2<f32>>();
        check::<InnerProduct<f32>>();
        check::<Cosine<f32>>();
    }
}
