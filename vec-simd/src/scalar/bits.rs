//! Scalar bit kernels: one byte at a time, with `count_ones`.

use crate::bits::JaccardCounts;

/// Number of differing bits.
pub(crate) fn hamming_scalar(a: &[u8], b: &[u8]) -> u64 {
    debug_assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| u64::from((x ^ y).count_ones()))
        .sum()
}

/// The three counts of a Jaccard distance.
pub(crate) fn jaccard_counts_scalar(a: &[u8], b: &[u8]) -> JaccardCounts {
    debug_assert_eq!(a.len(), b.len());
    let mut counts = JaccardCounts::default();
    for (x, y) in a.iter().zip(b) {
        counts.intersection += u64::from((x & y).count_ones());
        counts.union += u64::from((x | y).count_ones());
    }
    counts
}
