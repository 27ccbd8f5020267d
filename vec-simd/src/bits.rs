//! Distances between packed bit strings (8 bits per byte, most significant bit first).

fn check_lengths(a: &[u8], b: &[u8]) {
    assert_eq!(a.len(), b.len(), "vec_simd::bits: slices differ in length");
}

/// Number of differing bits. Panics when the lengths differ.
pub fn hamming(a: &[u8], b: &[u8]) -> u32 {
    check_lengths(a, b);
    a.iter().zip(b).map(|(x, y)| (x ^ y).count_ones()).sum()
}

/// Jaccard distance `1 - |a ∧ b| / |a ∨ b|`, 1 when both are all zeros (as pgvector).
/// Panics when the lengths differ.
pub fn jaccard(a: &[u8], b: &[u8]) -> f64 {
    check_lengths(a, b);
    let (mut intersection, mut a_count, mut b_count) = (0u64, 0u64, 0u64);
    for (x, y) in a.iter().zip(b) {
        intersection += (x & y).count_ones() as u64;
        a_count += x.count_ones() as u64;
        b_count += y.count_ones() as u64;
    }
    if a_count == 0 && b_count == 0 {
        return 1.0;
    }
    1.0 - intersection as f64 / (a_count + b_count - intersection) as f64
}
