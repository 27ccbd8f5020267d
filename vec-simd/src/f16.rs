//! Distances between `half::f16` slices, accumulated in `f32`.

use half::f16;

fn check_lengths(a: &[f16], b: &[f16]) {
    assert_eq!(a.len(), b.len(), "vec_simd::f16: slices differ in length");
}

/// Squared Euclidean distance. Panics when the lengths differ.
pub fn l2_squared(a: &[f16], b: &[f16]) -> f32 {
    check_lengths(a, b);
    a.iter()
        .zip(b)
        .map(|(x, y)| {
            let d = x.to_f32() - y.to_f32();
            d * d
        })
        .sum()
}

/// Inner product. Panics when the lengths differ.
pub fn dot(a: &[f16], b: &[f16]) -> f32 {
    check_lengths(a, b);
    a.iter().zip(b).map(|(x, y)| x.to_f32() * y.to_f32()).sum()
}

/// Cosine distance `1 - cos(a, b)`, NaN when either vector is zero. Panics when the lengths differ.
pub fn cosine_distance(a: &[f16], b: &[f16]) -> f32 {
    check_lengths(a, b);
    let (mut ab, mut aa, mut bb) = (0.0f32, 0.0f32, 0.0f32);
    for (x, y) in a.iter().zip(b) {
        let (x, y) = (x.to_f32(), y.to_f32());
        ab += x * y;
        aa += x * x;
        bb += y * y;
    }
    let similarity = (ab as f64) / ((aa as f64) * (bb as f64)).sqrt();
    (1.0 - similarity.clamp(-1.0, 1.0)) as f32
}

/// Manhattan (taxicab) distance. Panics when the lengths differ.
pub fn l1(a: &[f16], b: &[f16]) -> f32 {
    check_lengths(a, b);
    a.iter()
        .zip(b)
        .map(|(x, y)| (x.to_f32() - y.to_f32()).abs())
        .sum()
}
