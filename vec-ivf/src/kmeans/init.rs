//! Initial centers: k-means++ seeding (Arthur and Vassilvitskii, "k-means++: The Advantages of
//! Careful Seeding", 2007), as pgvector's `InitCenters`, and random centers for an empty sample
//! (pgvector's `RandomCenters`).
//!
//! Seeding computes the distance of every sample to every chosen center anyway, so it also
//! fills Elkan's lower bounds exactly, which the first iteration then uses.

use crate::element::{normalize_into, Element};
use crate::metric::Metric;
use crate::parallel;
use crate::rng::Rng;

/// The samples k-means runs on: `n_samples` rows of `stride` elements.
pub(crate) struct Samples<'a, E> {
    pub(crate) rows: &'a [E],
    pub(crate) stride: usize,
    pub(crate) dimensions: usize,
}

impl<E: Element> Samples<'_, E> {
    pub(crate) fn len(&self) -> usize {
        self.rows.len() / self.stride.max(1)
    }

    pub(crate) fn row(&self, row_idx: usize) -> &[E] {
        &self.rows[row_idx * self.stride..(row_idx + 1) * self.stride]
    }
}

/// Chooses `n_centers` centers by k-means++ and writes `lower[j * n_centers + c]`, the
/// k-means distance of sample `j` to center `c`. `samples` must not be empty.
pub(crate) fn kmeans_plus_plus<E: Element, M: Metric<E>>(
    samples: &Samples<'_, E>,
    n_centers: usize,
    lower: &mut [f32],
    rng: &mut Rng,
    threads: usize,
) -> Vec<E> {
    let n_samples = samples.len();
    let stride = samples.stride;
    let mut centers = Vec::with_capacity(n_centers * stride);
    centers.extend_from_slice(samples.row(rng.below(n_samples)));
    let mut weight = vec![f32::MAX; n_samples];
    let mut distances = vec![0.0f32; n_samples];

    for center_idx in 0..n_centers {
        let center = centers[center_idx * stride..(center_idx + 1) * stride].to_vec();
        parallel::for_each_block_mut(threads, &mut distances, 1, &mut weight, |first, dist, w| {
            for (offset, (distance, weight)) in dist.iter_mut().zip(w.iter_mut()).enumerate() {
                *distance = M::kmeans_distance(samples.row(first + offset), &center);
                *weight = weight.min(*distance * *distance);
            }
        });
        for (sample_idx, &distance) in distances.iter().enumerate() {
            lower[sample_idx * n_centers + center_idx] = distance;
        }
        if center_idx + 1 == n_centers {
            break;
        }
        // Summed in sample order, so the choice does not depend on the thread count.
        let sum: f64 = weight.iter().map(|&w| w as f64).sum();
        let mut choice = sum * rng.next_f64();
        let mut chosen = n_samples - 1;
        for (sample_idx, &w) in weight.iter().enumerate().take(n_samples - 1) {
            choice -= w as f64;
            if choice <= 0.0 {
                chosen = sample_idx;
                break;
            }
        }
        centers.extend_from_slice(samples.row(chosen));
    }
    centers
}

/// Fills a center with uniform random values in `[0, 1)` per dimension (normalized for
/// spherical metrics), as pgvector does when it has no samples.
pub(crate) fn random_center<E: Element, M: Metric<E>>(
    dimensions: usize,
    stride: usize,
    rng: &mut Rng,
) -> Vec<E> {
    let mean: Vec<f32> = (0..dimensions).map(|_| rng.next_f64() as f32).collect();
    let mut center = vec![E::default(); stride];
    E::store_mean(&mean, &mut center);
    if M::SPHERICAL {
        let raw = center.clone();
        normalize_into(&raw, &mut center);
    }
    center
}
