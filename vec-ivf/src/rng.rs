//! A small seeded random generator (SplitMix64), so that builds are deterministic for a seed
//! without a dependency.

/// SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators").
#[derive(Debug, Clone)]
pub(crate) struct Rng {
    state: u64,
}

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Rng {
            state: seed ^ 0x5DEE_CE66_D1CE_4E5B,
        }
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform `f64` in `[0, 1)`.
    pub(crate) fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A uniform index below `bound` (which must be positive).
    pub(crate) fn below(&mut self, bound: usize) -> usize {
        ((self.next_u64() as u128 * bound as u128) >> 64) as usize
    }

    /// `count` distinct indexes below `n`, in increasing order (Floyd's algorithm + sort).
    pub(crate) fn sample_indexes(&mut self, n: usize, count: usize) -> Vec<usize> {
        if count >= n {
            return (0..n).collect();
        }
        let mut chosen = std::collections::HashSet::with_capacity(count);
        for upper in (n - count)..n {
            let candidate = self.below(upper + 1);
            if !chosen.insert(candidate) {
                chosen.insert(upper);
            }
        }
        let mut indexes: Vec<usize> = chosen.into_iter().collect();
        indexes.sort_unstable();
        indexes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_are_distinct_and_deterministic() {
        let first = Rng::new(7).sample_indexes(1000, 100);
        let second = Rng::new(7).sample_indexes(1000, 100);
        assert_eq!(first, second);
        assert_eq!(first.len(), 100);
        assert!(first.windows(2).all(|pair| pair[0] < pair[1]));
        assert_eq!(Rng::new(1).sample_indexes(5, 10), vec![0, 1, 2, 3, 4]);
    }
}
