//! k-means on a sample with Elkan's triangle-inequality pruning (Elkan, "Using the Triangle
//! Inequality to Accelerate k-Means", ICML 2003), following pgvector's `ElkanKmeans` step by
//! step: k-means++ seeding, then per iteration (1) half the center-to-center distances and
//! `s(c)`, (2)–(3) the bound tests and the few exact distances they leave, (4) new means,
//! (5)–(6) bound updates by how far each center moved, (7) the move itself.
//!
//! Spherical metrics (inner product, cosine) run on unit samples, renormalize every center and
//! bound with the angle between unit vectors, a true metric. Steps 2–3 and 5 run on scoped
//! threads over contiguous blocks of samples; every sum is taken in sample order, so the
//! result is the same for any thread count.
//!
//! One departure from pgvector: a center that loses all its samples restarts at a random
//! sample rather than at a random point of the unit cube.

mod init;

pub(crate) use init::{random_center, Samples};

use crate::element::{normalize_into, Element};
use crate::metric::Metric;
use crate::parallel;
use crate::rng::Rng;

/// What a k-means run needs besides the samples.
pub(crate) struct KmeansParams {
    pub(crate) n_centers: usize,
    pub(crate) iterations: u32,
    pub(crate) least_iterations: u32,
    pub(crate) threads: usize,
}

/// Per-sample state: Elkan's upper bound `u(x)` and the assigned center `c(x)`.
#[derive(Clone, Copy, Default)]
struct SampleState {
    upper: f32,
    center: u32,
}

/// Bytes of k-means state beyond the samples (pgvector's estimate in `ElkanKmeans`).
pub(crate) fn state_bytes(
    n_samples: usize,
    n_centers: usize,
    row_bytes: usize,
    dims: usize,
) -> usize {
    let floats = n_samples
        .saturating_mul(n_centers)
        .saturating_add(n_centers.saturating_mul(n_centers))
        .saturating_add(n_centers.saturating_mul(dims))
        .saturating_add(n_samples * 2 + n_centers * 3);
    floats
        .saturating_mul(4)
        .saturating_add(n_centers.saturating_mul(row_bytes) * 2)
}

/// Runs k-means and returns `n_centers` centers, `stride` elements each. `report` gets
/// `(iterations done, iteration limit)` after each iteration and returns whether to go on;
/// when it says stop, the centers so far are returned at once.
pub(crate) fn kmeans<E: Element, M: Metric<E>>(
    samples: &Samples<'_, E>,
    params: &KmeansParams,
    rng: &mut Rng,
    report: &mut dyn FnMut(u64, u64) -> bool,
) -> Vec<E> {
    let n_centers = params.n_centers;
    let n_samples = samples.len();
    let stride = samples.stride;
    if n_samples == 0 {
        let mut centers = Vec::with_capacity(n_centers * stride);
        for _ in 0..n_centers {
            centers.extend(random_center::<E, M>(samples.dimensions, stride, rng));
        }
        return centers;
    }

    let threads = params.threads;
    let mut lower = vec![0.0f32; n_samples * n_centers];
    let mut centers = init::kmeans_plus_plus::<E, M>(samples, n_centers, &mut lower, rng, threads);

    // Assign each sample to its closest initial center; seeding left exact distances.
    let mut states: Vec<SampleState> = lower
        .chunks_exact(n_centers)
        .map(|row| {
            let (center, upper) = row
                .iter()
                .enumerate()
                .fold(
                    (0, f32::MAX),
                    |best, (idx, &d)| if d < best.1 { (idx, d) } else { best },
                );
            SampleState {
                upper,
                center: center as u32,
            }
        })
        .collect();

    let mut half_center_distance = vec![0.0f32; n_centers * n_centers];
    let mut s = vec![0.0f32; n_centers];
    let mut new_centers = vec![E::default(); n_centers * stride];
    let mut sums = vec![0.0f32; n_centers * samples.dimensions];
    let mut counts = vec![0usize; n_centers];
    let mut moved = vec![0.0f32; n_centers];
    let center_row = |idx: usize| -> std::ops::Range<usize> { idx * stride..(idx + 1) * stride };

    for iteration in 0..params.iterations {
        // Step 1: half distances between centers, and s(c).
        for a in 0..n_centers {
            for b in a + 1..n_centers {
                let distance =
                    0.5 * M::kmeans_distance(&centers[center_row(a)], &centers[center_row(b)]);
                half_center_distance[a * n_centers + b] = distance;
                half_center_distance[b * n_centers + a] = distance;
            }
        }
        for (a, s_a) in s.iter_mut().enumerate() {
            let row = &half_center_distance[a * n_centers..(a + 1) * n_centers];
            *s_a = row
                .iter()
                .enumerate()
                .filter(|&(b, _)| b != a)
                .fold(f32::MAX, |min, (_, &d)| min.min(d));
        }

        // Steps 2 and 3, over blocks of samples.
        let reset_upper = iteration != 0;
        let centers_ref = &centers;
        let (half_ref, s_ref) = (&half_center_distance, &s);
        let changes: usize = parallel::for_each_block_mut(
            threads,
            &mut lower,
            n_centers,
            &mut states,
            |first, lower_block, state_block| {
                let mut changes = 0;
                for (offset, state) in state_block.iter_mut().enumerate() {
                    let lower_row = &mut lower_block[offset * n_centers..(offset + 1) * n_centers];
                    let sample = samples.row(first + offset);
                    changes += elkan_sample::<E, M>(
                        sample,
                        state,
                        lower_row,
                        centers_ref,
                        stride,
                        half_ref,
                        s_ref,
                        reset_upper,
                    );
                }
                changes
            },
        )
        .into_iter()
        .sum();

        // Step 4: new means.
        sums.fill(0.0);
        counts.fill(0);
        let dims = samples.dimensions;
        for (sample_idx, state) in states.iter().enumerate() {
            let center = state.center as usize;
            E::add_to(
                samples.row(sample_idx),
                &mut sums[center * dims..(center + 1) * dims],
            );
            counts[center] += 1;
        }
        for center_idx in 0..n_centers {
            let target = &mut new_centers[center_row(center_idx)];
            if counts[center_idx] == 0 {
                target.copy_from_slice(samples.row(rng.below(n_samples)));
                continue;
            }
            let mean = &mut sums[center_idx * dims..(center_idx + 1) * dims];
            let count = counts[center_idx] as f32;
            for value in mean.iter_mut() {
                *value = value.clamp(-f32::MAX, f32::MAX) / count;
            }
            E::store_mean(mean, target);
            if M::SPHERICAL {
                let raw = target.to_vec();
                normalize_into(&raw, target);
            }
        }

        // Steps 5 and 6: loosen the bounds by how far each center moved.
        for (center_idx, distance) in moved.iter_mut().enumerate() {
            let range = center_row(center_idx);
            *distance = M::kmeans_distance(&centers[range.clone()], &new_centers[range]);
        }
        let moved_ref = &moved;
        parallel::for_each_block_mut(
            threads,
            &mut lower,
            n_centers,
            &mut states,
            |_, lower_block, state_block| {
                for (row, state) in lower_block
                    .chunks_exact_mut(n_centers)
                    .zip(state_block.iter_mut())
                {
                    for (bound, &shift) in row.iter_mut().zip(moved_ref) {
                        *bound = (*bound - shift).max(0.0);
                    }
                    state.upper += moved_ref[state.center as usize];
                }
            },
        );

        // Step 7.
        std::mem::swap(&mut centers, &mut new_centers);
        if !report(iteration as u64 + 1, params.iterations as u64) {
            break;
        }
        if changes == 0 && iteration != 0 && iteration + 1 >= params.least_iterations {
            break;
        }
    }
    centers
}

/// Elkan's steps 2 and 3 for one sample; returns 1 if its center changed.
#[allow(clippy::too_many_arguments)]
#[inline]
fn elkan_sample<E: Element, M: Metric<E>>(
    sample: &[E],
    state: &mut SampleState,
    lower_row: &mut [f32],
    centers: &[E],
    stride: usize,
    half_center_distance: &[f32],
    s: &[f32],
    reset_upper: bool,
) -> usize {
    let n_centers = lower_row.len();
    if state.upper <= s[state.center as usize] {
        return 0;
    }
    let mut upper_is_stale = reset_upper;
    let mut changed = 0;
    for candidate in 0..n_centers {
        let current = state.center as usize;
        if candidate == current
            || state.upper <= lower_row[candidate]
            || state.upper <= half_center_distance[current * n_centers + candidate]
        {
            continue;
        }
        let distance_to_current = if upper_is_stale {
            let exact =
                M::kmeans_distance(sample, &centers[current * stride..(current + 1) * stride]);
            lower_row[current] = exact;
            state.upper = exact;
            upper_is_stale = false;
            exact
        } else {
            state.upper
        };
        if distance_to_current > lower_row[candidate]
            || distance_to_current > half_center_distance[current * n_centers + candidate]
        {
            let distance = M::kmeans_distance(
                sample,
                &centers[candidate * stride..(candidate + 1) * stride],
            );
            lower_row[candidate] = distance;
            if distance < distance_to_current {
                state.center = candidate as u32;
                state.upper = distance;
                changed = 1;
            }
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metric::L2;

    #[test]
    fn finds_separated_clusters() {
        let mut rng = Rng::new(3);
        let mut rows = Vec::new();
        for cluster in 0..4 {
            for _ in 0..50 {
                rows.push(cluster as f32 * 100.0 + rng.next_f64() as f32);
                rows.push(rng.next_f64() as f32);
            }
        }
        let samples = Samples {
            rows: &rows,
            stride: 2,
            dimensions: 2,
        };
        let params = KmeansParams {
            n_centers: 4,
            iterations: 50,
            least_iterations: 1,
            threads: 2,
        };
        let mut centers = kmeans::<f32, L2>(&samples, &params, &mut Rng::new(1), &mut |_, _| true);
        let mut firsts: Vec<i32> = centers
            .chunks_mut(2)
            .map(|c| (c[0] / 100.0).round() as i32)
            .collect();
        firsts.sort();
        assert_eq!(firsts, vec![0, 1, 2, 3]);
    }
}
