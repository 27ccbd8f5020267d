//! Distances between `f32` slices.

fn check_lengths(a: &[f32], b: &[f32]) {
    assert_eq!(a.len(), b.len(), "vec_simd::f32: slices differ in length");
}

/// Squared Euclidean distance. Panics when the lengths differ.
pub fn l2_squared(a: &[f32], b: &[f32]) -> f32 {
    check_lengths(a, b);
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// Inner product. Panics when the lengths differ.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    check_lengths(a, b);
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Cosine distance `1 - cos(a, b)`, NaN when either vector is zero. Panics when the lengths differ.
pub fn cosine_distance(a: &[f32], b: &[f32]) -> f32 {
    check_lengths(a, b);
    let (mut ab, mut aa, mut bb) = (0.0f32, 0.0f32, 0.0f32);
    for (x, y) in a.iter().zip(b) {
        ab += x * y;
        aa += x * x;
        bb += y * y;
    }
    let similarity = (ab as f64) / ((aa as f64) * (bb as f64)).sqrt();
    (1.0 - similarity.clamp(-1.0, 1.0)) as f32
}

/// Manhattan (taxicab) distance. Panics when the lengths differ.
pub fn l1(a: &[f32], b: &[f32]) -> f32 {
    check_lengths(a, b);
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum()
}
