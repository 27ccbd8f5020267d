//! Exact search over a dataset's rows: the `exact` target, the ground truth when a dataset
//! has none, and the exact answer of filtered queries.
//!
//! Distances come from the `vec_types::simd` kernels (chosen once for the CPU); a bounded
//! max-heap keeps the `k` best rows, so a query never sorts the whole table. Ties go to the
//! lower row id, as in the pypi-minilm ground truth. Batches of queries are split over
//! threads, one contiguous share each.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use vec_types::simd;

/// The distance a benchmark ranks by (pgvector's operators).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricName {
    /// `<->`, ranked by squared Euclidean distance.
    L2,
    /// `<=>`, cosine distance.
    Cosine,
    /// `<#>`, negative inner product.
    InnerProduct,
}

impl MetricName {
    /// Parses `l2`, `cosine` or `ip`.
    pub fn parse(text: &str) -> Option<MetricName> {
        match text {
            "l2" => Some(MetricName::L2),
            "cosine" => Some(MetricName::Cosine),
            "ip" | "inner_product" => Some(MetricName::InnerProduct),
            _ => None,
        }
    }

    /// The short name used in file names and reports.
    pub fn name(self) -> &'static str {
        match self {
            MetricName::L2 => "l2",
            MetricName::Cosine => "cosine",
            MetricName::InnerProduct => "ip",
        }
    }

    /// The pgvector operator.
    pub fn operator(self) -> &'static str {
        match self {
            MetricName::L2 => "<->",
            MetricName::Cosine => "<=>",
            MetricName::InnerProduct => "<#>",
        }
    }
}

/// Rows prepared for exact scans: for cosine, each row's inverse norm is kept so that a
/// distance is one dot product.
pub struct ExactScanner<'a> {
    metric: MetricName,
    dims: usize,
    rows: &'a [f32],
    inverse_norms: Vec<f32>,
}

#[derive(Clone, Copy, PartialEq)]
struct Candidate {
    distance: f32,
    row_idx: u32,
}

impl Eq for Candidate {}

impl Ord for Candidate {
    fn cmp(&self, other: &Self) -> Ordering {
        self.distance
            .total_cmp(&other.distance)
            .then(self.row_idx.cmp(&other.row_idx))
    }
}

impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<'a> ExactScanner<'a> {
    /// Prepares `rows` (row-major, `dims` per row) for scans under `metric`.
    pub fn new(metric: MetricName, dims: usize, rows: &'a [f32]) -> Self {
        let inverse_norms = if metric == MetricName::Cosine {
            rows.chunks_exact(dims).map(inverse_norm).collect()
        } else {
            Vec::new()
        };
        ExactScanner {
            metric,
            dims,
            rows,
            inverse_norms,
        }
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.rows.len() / self.dims
    }

    /// The order distance between `query` (with `query_inverse_norm` for cosine) and a row.
    #[inline]
    fn distance(&self, query: &[f32], query_inverse_norm: f32, row_idx: usize) -> f32 {
        let row = &self.rows[row_idx * self.dims..(row_idx + 1) * self.dims];
        match self.metric {
            MetricName::L2 => simd::f32::l2_squared(query, row),
            MetricName::InnerProduct => -simd::f32::dot(query, row),
            MetricName::Cosine => {
                1.0 - simd::f32::dot(query, row) * query_inverse_norm * self.inverse_norms[row_idx]
            }
        }
    }

    /// The row indexes of the `k` nearest rows that `keep` accepts, nearest first.
    pub fn search(
        &self,
        query: &[f32],
        k: usize,
        keep: Option<&dyn Fn(usize) -> bool>,
    ) -> Vec<u32> {
        let query_inverse_norm = inverse_norm(query);
        let mut heap: BinaryHeap<Candidate> = BinaryHeap::with_capacity(k + 1);
        if k == 0 {
            return Vec::new();
        }
        for row_idx in 0..self.len() {
            if let Some(keep) = keep {
                if !keep(row_idx) {
                    continue;
                }
            }
            let candidate = Candidate {
                distance: self.distance(query, query_inverse_norm, row_idx),
                row_idx: row_idx as u32,
            };
            if heap.len() < k {
                heap.push(candidate);
            } else if candidate < *heap.peek().expect("heap holds k rows") {
                heap.pop();
                heap.push(candidate);
            }
        }
        heap.into_sorted_vec()
            .into_iter()
            .map(|candidate| candidate.row_idx)
            .collect()
    }

    /// [`ExactScanner::search`] for every query (row-major, `dims` per query), on `threads`
    /// threads; `progress` is called with the number of queries done so far.
    pub fn search_batch(
        &self,
        queries: &[f32],
        k: usize,
        threads: usize,
        keep: Option<&(dyn Fn(usize) -> bool + Sync)>,
        progress: &(dyn Fn(usize) + Sync),
    ) -> Vec<Vec<u32>> {
        let queries: Vec<&[f32]> = queries.chunks_exact(self.dims).collect();
        let done = std::sync::atomic::AtomicUsize::new(0);
        let share = queries.len().div_ceil(threads.max(1)).max(1);
        std::thread::scope(|scope| {
            let workers: Vec<_> = queries
                .chunks(share)
                .map(|chunk| {
                    let done = &done;
                    scope.spawn(move || {
                        let keep = keep.map(|keep| keep as &dyn Fn(usize) -> bool);
                        chunk
                            .iter()
                            .map(|query| {
                                let result = self.search(query, k, keep);
                                let total = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                                progress(total + 1);
                                result
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            workers
                .into_iter()
                .flat_map(|worker| worker.join().expect("exact scan thread panicked"))
                .collect()
        })
    }
}

fn inverse_norm(row: &[f32]) -> f32 {
    let norm = simd::f32::dot(row, row).sqrt();
    if norm > 0.0 {
        1.0 / norm
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_first_with_ties_to_the_lower_id() {
        // Rows 1 and 3 are identical; row 2 is farther.
        let rows = [0.0, 0.0, 1.0, 1.0, 3.0, 3.0, 1.0, 1.0];
        let scanner = ExactScanner::new(MetricName::L2, 2, &rows);
        assert_eq!(scanner.search(&[1.1, 1.0], 3, None), vec![1, 3, 0]);
        let odd = |row_idx: usize| row_idx % 2 == 1;
        assert_eq!(scanner.search(&[1.1, 1.0], 5, Some(&odd)), vec![1, 3]);
        assert!(scanner.search(&[1.1, 1.0], 0, None).is_empty());
    }

    #[test]
    fn cosine_and_inner_product_rank_by_angle_and_length() {
        let rows = [1.0, 0.0, 10.0, 1.0, 0.0, 1.0];
        let cosine = ExactScanner::new(MetricName::Cosine, 2, &rows);
        assert_eq!(cosine.search(&[1.0, 0.02], 3, None), vec![0, 1, 2]);
        let inner = ExactScanner::new(MetricName::InnerProduct, 2, &rows);
        assert_eq!(inner.search(&[1.0, 0.02], 3, None), vec![1, 0, 2]);
    }

    #[test]
    fn batches_match_single_queries() {
        let rows: Vec<f32> = (0..400).map(|value| ((value * 37) % 101) as f32).collect();
        let queries: Vec<f32> = (0..40).map(|value| ((value * 13) % 17) as f32).collect();
        let scanner = ExactScanner::new(MetricName::L2, 4, &rows);
        let batch = scanner.search_batch(&queries, 5, 3, None, &|_| {});
        assert_eq!(batch.len(), 10);
        for (query, result) in queries.chunks_exact(4).zip(&batch) {
            assert_eq!(&scanner.search(query, 5, None), result);
        }
    }
}
