//! A bounded max-heap that keeps the `k` nearest candidates seen so far, and the result type.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// One search result: a row id and its order distance to the query.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Neighbor {
    /// The row id given at build or insert.
    pub id: u64,
    /// The metric's order distance (squared L2, negative inner product, cosine distance or
    /// Hamming distance); smaller is nearer.
    pub distance: f32,
}

#[derive(Clone, Copy)]
struct Entry(Neighbor);

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0
            .distance
            .total_cmp(&other.0.distance)
            .then(self.0.id.cmp(&other.0.id))
    }
}

/// Keeps the `k` smallest distances.
pub(crate) struct TopK {
    k: usize,
    heap: BinaryHeap<Entry>,
    worst: f32,
}

impl TopK {
    pub(crate) fn new(k: usize) -> Self {
        TopK {
            k,
            heap: BinaryHeap::with_capacity(k + 1),
            // With `k = 0` nothing may enter: no distance is below negative infinity.
            worst: if k == 0 {
                f32::NEG_INFINITY
            } else {
                f32::INFINITY
            },
        }
    }

    /// Offers a candidate. The check against the current k-th distance is inlined into the
    /// scan loop; only candidates that enter the heap pay for the heap operations.
    #[inline(always)]
    pub(crate) fn push(&mut self, id: u64, distance: f32) {
        if distance < self.worst || self.heap.len() < self.k {
            self.insert(id, distance);
        }
    }

    #[inline(never)]
    fn insert(&mut self, id: u64, distance: f32) {
        self.heap.push(Entry(Neighbor { id, distance }));
        if self.heap.len() > self.k {
            self.heap.pop();
        }
        if self.heap.len() == self.k {
            self.worst = self
                .heap
                .peek()
                .map_or(f32::INFINITY, |entry| entry.0.distance);
        }
    }

    /// The candidates, nearest first.
    pub(crate) fn into_sorted(self) -> Vec<Neighbor> {
        self.heap
            .into_sorted_vec()
            .into_iter()
            .map(|entry| entry.0)
            .collect()
    }
}

/// Sorts neighbors nearest first (ties by id), NaN last.
pub(crate) fn sort_neighbors(neighbors: &mut [Neighbor]) {
    neighbors.sort_unstable_by(|a, b| a.distance.total_cmp(&b.distance).then(a.id.cmp(&b.id)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_k_nearest() {
        let mut top = TopK::new(3);
        for (id, distance) in [(1, 5.0), (2, 1.0), (3, 4.0), (4, 0.5), (5, 9.0)] {
            top.push(id, distance);
        }
        let ids: Vec<u64> = top.into_sorted().iter().map(|n| n.id).collect();
        assert_eq!(ids, vec![4, 2, 3]);
    }

    #[test]
    fn k_zero_keeps_nothing() {
        let mut top = TopK::new(0);
        for (id, distance) in [(1, 5.0), (2, f32::NEG_INFINITY), (3, f32::NAN)] {
            top.push(id, distance);
        }
        assert!(top.into_sorted().is_empty());
    }
}
