//! What SEARCH-LAYER evaluates for each element it reaches: [`Estimator`], a distance from
//! the query to a slot and a prefetch hint for it. [`Exact`] computes the metric on the
//! full vectors (builds, inserts, vacuum, and searches of unquantized indexes);
//! `quant::CodeEstimator` estimates from codes. The search loops are monomorphized over it.

use crate::metric::{Metric, VectorRef};
use crate::store::VectorStore;

/// Distances from one query to elements, by slot.
pub(crate) trait Estimator {
    /// The distance (as the metric orders it) from the query to `slot`'s element.
    fn distance(&self, slot: u32) -> f32;
    /// Hints the CPU to load what [`Estimator::distance`] will read for `slot`.
    fn prefetch(&self, slot: u32);
    /// How many elements ahead of the one being evaluated a search prefetches.
    fn prefetch_ahead(&self) -> usize {
        crate::prefetch::PREFETCH_AHEAD
    }
}

/// Exact distances on the full vectors.
pub(crate) struct Exact<'q, 's, M: Metric> {
    query: VectorRef<'q, M>,
    store: &'s M::Store,
}

impl<'q, 's, M: Metric> Exact<'q, 's, M> {
    /// Exact distances from `query` to the vectors of `store`.
    pub(crate) fn new(query: VectorRef<'q, M>, store: &'s M::Store) -> Self {
        Exact { query, store }
    }
}

impl<M: Metric> Estimator for Exact<'_, '_, M> {
    #[inline]
    fn distance(&self, slot: u32) -> f32 {
        M::distance(self.query, self.store.get(slot))
    }

    #[inline]
    fn prefetch(&self, slot: u32) {
        self.store.prefetch(slot);
    }
}

/// Another estimator's distances, with one slot (if any) infinitely far: greedy descents
/// never move to it and searches never keep it.
pub(crate) struct Excluding<'e, E>(pub(crate) &'e E, pub(crate) Option<u32>);

impl<E: Estimator> Estimator for Excluding<'_, E> {
    #[inline]
    fn distance(&self, slot: u32) -> f32 {
        if Some(slot) == self.1 {
            f32::INFINITY
        } else {
            self.0.distance(slot)
        }
    }

    #[inline]
    fn prefetch(&self, slot: u32) {
        self.0.prefetch(slot);
    }

    #[inline]
    fn prefetch_ahead(&self) -> usize {
        self.0.prefetch_ahead()
    }
}
