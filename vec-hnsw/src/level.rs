//! Element levels. Each element's level is drawn from the exponential distribution of the
//! HNSW paper (`floor(-ln(U) · mL)`, `mL = 1 / ln(m)`), but `U` comes from a hash of the
//! index's seed and the row id instead of a random generator, so replaying the same inserts
//! rebuilds the same graph, in any order and on any thread.

/// pgvector's cap on levels: what fits on one 8 KiB page of neighbour item pointers, at
/// most 63.
pub(crate) fn max_level(m: usize) -> usize {
    // BLCKSZ - page header - page opaque - neighbour tuple header - item id, over the six
    // bytes of an item pointer.
    let per_page = (8192 - 24 - 8 - 4 - 4) / 6;
    (per_page / m).saturating_sub(2).min(63)
}

/// SplitMix64's finalizer: a fast hash whose output bits all depend on all input bits.
pub(crate) fn mix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// The level of the element for `row_id` in an index with this `seed` and `m`.
pub(crate) fn level_for(seed: u64, row_id: u64, m: usize) -> usize {
    let hash = mix64(seed ^ mix64(row_id));
    // A uniform number in (0, 1]: never zero, so the logarithm is finite.
    let uniform = ((hash >> 11) + 1) as f64 / (1u64 << 53) as f64;
    let ml = 1.0 / (m as f64).ln();
    let level = (-uniform.ln() * ml) as usize;
    level.min(max_level(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pgvector_caps() {
        assert_eq!(max_level(16), 63);
        assert_eq!(max_level(100), 11);
    }

    #[test]
    fn distribution_and_determinism() {
        let m = 16;
        let levels: Vec<usize> = (0..100_000).map(|row| level_for(7, row, m)).collect();
        let upper = levels.iter().filter(|&&l| l > 0).count();
        // P(level > 0) = 1/m.
        assert!((5_500..7_000).contains(&upper), "{upper}");
        assert_eq!(levels[123], level_for(7, 123, m));
        let other: Vec<usize> = (0..100).map(|row| level_for(8, row, m)).collect();
        assert!(other.iter().zip(&levels).any(|(a, b)| a != b) || upper > 0);
    }
}
