//! One subspace codebook of a product quantizer: up to 256 centroids learned by Lloyd's
//! k-means (Lloyd, "Least squares quantization in PCM", 1982) with Forgy seeding (distinct
//! random samples), at most [`ITERATIONS`] rounds, stopping early when no assignment changes.
//!
//! Why not the crate's Elkan k-means: its per-sample lower bounds cost `n × k` floats of memory
//! and of upkeep every iteration, which for 256 centroids in 1 to 16 dimensions costs more than
//! the distances they save. Here the centroids are stored *transposed* (`[dimension][centroid]`,
//! 256 slots per dimension), so the distances from one point to all centroids are one loop
//! over 256 contiguous lanes per dimension, which the compiler vectorizes; the same routine
//! fills a query's lookup table.

use crate::rng::Rng;

/// Centroid slots per subspace: one byte of code.
pub(crate) const CENTROIDS: usize = 256;

/// The most Lloyd rounds per subspace (pgvecto.rs's product quantizer runs 25).
pub(crate) const ITERATIONS: usize = 25;

/// Squared L2 distances from `point` (`width` values) to every slot of the transposed
/// codebook `columns` (`width × 256`), written to `out`.
#[inline]
pub(crate) fn l2_to_all(point: &[f32], columns: &[f32], out: &mut [f32; CENTROIDS]) {
    out.fill(0.0);
    for (&value, column) in point.iter().zip(columns.chunks_exact(CENTROIDS)) {
        for (sum, &centroid) in out.iter_mut().zip(column) {
            let difference = value - centroid;
            *sum += difference * difference;
        }
    }
}

/// Inner products of `point` with every slot of the transposed codebook, written to `out`.
#[inline]
pub(crate) fn dot_to_all(point: &[f32], columns: &[f32], out: &mut [f32; CENTROIDS]) {
    out.fill(0.0);
    for (&value, column) in point.iter().zip(columns.chunks_exact(CENTROIDS)) {
        for (sum, &centroid) in out.iter_mut().zip(column) {
            *sum += value * centroid;
        }
    }
}

/// The index of the smallest of the first `used` distances (the first one on ties).
#[inline]
pub(crate) fn argmin(distances: &[f32; CENTROIDS], used: usize) -> usize {
    let mut best = (0, f32::INFINITY);
    for (idx, &distance) in distances[..used.min(CENTROIDS)].iter().enumerate() {
        if distance < best.1 {
            best = (idx, distance);
        }
    }
    best.0
}

/// For one-dimensional subspaces, the used centroids with their slots, sorted by value: the
/// nearest centroid is then a binary search away instead of 256 distances.
fn sorted_slots(values: &[f32], width: usize) -> Option<Vec<(f32, u8)>> {
    if width != 1 {
        return None;
    }
    let mut sorted: Vec<(f32, u8)> = values
        .iter()
        .enumerate()
        .map(|(slot, &value)| (value, slot as u8))
        .collect();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    Some(sorted)
}

/// The slot of the centroid nearest to `value` among `sorted` centroids (the lower one on
/// ties). `sorted` is not empty.
fn nearest_on_line(sorted: &[(f32, u8)], value: f32) -> u8 {
    let above = sorted.partition_point(|&(centroid, _)| centroid < value);
    match (
        above.checked_sub(1).map(|below| sorted[below]),
        sorted.get(above),
    ) {
        (Some(low), Some(high)) if high.0 - value < value - low.0 => high.1,
        (Some(low), _) => low.1,
        (None, Some(high)) => high.1,
        (None, None) => 0,
    }
}

/// Learns a codebook from `points` (`n × width` values, back to back). Returns the transposed
/// centroids (`width × 256`, unused slots zero) and the number of slots used: 256, or fewer
/// when there are fewer points; at least 1 (a zero centroid when there are no points).
pub(crate) fn train(points: &[f32], width: usize, rng: &mut Rng) -> (Vec<f32>, usize) {
    let n_points = points.len() / width.max(1);
    let mut columns = vec![0.0f32; width * CENTROIDS];
    if n_points == 0 {
        return (columns, 1);
    }
    let used = n_points.min(CENTROIDS);
    let point = |idx: usize| &points[idx * width..(idx + 1) * width];
    let set_centroid = |columns: &mut [f32], slot: usize, values: &[f32]| {
        for (dim, &value) in values.iter().enumerate() {
            columns[dim * CENTROIDS + slot] = value;
        }
    };
    for (slot, point_idx) in rng.sample_indexes(n_points, used).into_iter().enumerate() {
        set_centroid(&mut columns, slot, point(point_idx));
    }

    let mut assignment = vec![u8::MAX; n_points];
    let mut distances = [0.0f32; CENTROIDS];
    let mut sums = vec![0.0f64; width * CENTROIDS];
    let mut counts = [0usize; CENTROIDS];
    for iteration in 0..ITERATIONS {
        let mut changes = 0usize;
        let sorted = sorted_slots(&columns[..used], width);
        for (point_idx, assigned) in assignment.iter_mut().enumerate() {
            let nearest = if let Some(sorted) = &sorted {
                nearest_on_line(sorted, points[point_idx])
            } else {
                l2_to_all(point(point_idx), &columns, &mut distances);
                argmin(&distances, used) as u8
            };
            if nearest != *assigned {
                *assigned = nearest;
                changes += 1;
            }
        }
        if changes == 0 && iteration > 0 {
            break;
        }
        sums.fill(0.0);
        counts.fill(0);
        for (point_idx, &assigned) in assignment.iter().enumerate() {
            let slot = assigned as usize;
            counts[slot] += 1;
            for (dim, &value) in point(point_idx).iter().enumerate() {
                sums[dim * CENTROIDS + slot] += value as f64;
            }
        }
        for (slot, &count) in counts[..used].iter().enumerate() {
            if count == 0 {
                // An empty centroid restarts at a random point, as the crate's k-means does.
                set_centroid(&mut columns, slot, point(rng.below(n_points)));
                continue;
            }
            for dim in 0..width {
                let at = dim * CENTROIDS + slot;
                columns[at] = (sums[at] / count as f64) as f32;
            }
        }
    }
    (columns, used)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn few_distinct_values_are_reproduced_exactly() {
        // 1-d points taking 5 values: 5 of the centroids land on them.
        let points: Vec<f32> = (0..1000).map(|i| (i % 5) as f32).collect();
        let (columns, used) = train(&points, 1, &mut Rng::new(4));
        assert_eq!(used, 256);
        let mut distances = [0.0; CENTROIDS];
        for value in 0..5 {
            l2_to_all(&[value as f32], &columns, &mut distances);
            assert_eq!(distances[argmin(&distances, used)], 0.0);
        }
        let (_, used) = train(&points[..10], 1, &mut Rng::new(4));
        assert_eq!(used, 10);
        assert_eq!(train(&[], 2, &mut Rng::new(4)).1, 1);
    }

    #[test]
    fn binary_search_on_a_line_finds_the_nearest_centroid() {
        let mut rng = Rng::new(6);
        let mut columns = [0.0f32; CENTROIDS];
        for value in columns.iter_mut() {
            *value = rng.next_f64() as f32;
        }
        let sorted = sorted_slots(&columns[..200], 1).unwrap();
        let mut distances = [0.0; CENTROIDS];
        for _ in 0..1000 {
            let value = rng.next_f64() as f32 * 1.2 - 0.1;
            l2_to_all(&[value], &columns, &mut distances);
            let slot = nearest_on_line(&sorted, value) as usize;
            assert_eq!(distances[slot], distances[argmin(&distances, 200)]);
        }
    }
}
