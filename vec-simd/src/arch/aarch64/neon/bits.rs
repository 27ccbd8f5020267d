//! NEON bit kernels: 16 bytes at a time, per-byte counts with `cnt`, summed across the
//! vector with `uaddlv`; scalar tail.

use core::arch::aarch64::*;

use crate::bits::JaccardCounts;

/// Loads 16 bytes.
#[inline]
#[target_feature(enable = "neon")]
fn load_u8x16(bytes: &[u8; 16]) -> uint8x16_t {
    // SAFETY: `bytes` refers to 16 initialized bytes, exactly what `vld1q_u8` reads.
    unsafe { vld1q_u8(bytes.as_ptr()) }
}

/// The number of set bits in `v`.
#[inline]
#[target_feature(enable = "neon")]
fn popcount_u8x16(v: uint8x16_t) -> u64 {
    u64::from(vaddlvq_u8(vcntq_u8(v)))
}

/// Number of differing bits.
///
/// # Safety
///
/// The CPU must support NEON, and `a` and `b` must have the same length.
#[target_feature(enable = "neon")]
pub(crate) unsafe fn hamming_neon(a: &[u8], b: &[u8]) -> u64 {
    debug_assert_eq!(a.len(), b.len());
    let (a_blocks, a_tail) = a.as_chunks::<16>();
    let (b_blocks, b_tail) = b.as_chunks::<16>();
    let mut count = 0u64;
    for (x, y) in a_blocks.iter().zip(b_blocks) {
        count += popcount_u8x16(veorq_u8(load_u8x16(x), load_u8x16(y)));
    }
    for (x, y) in a_tail.iter().zip(b_tail) {
        count += u64::from((x ^ y).count_ones());
    }
    count
}

/// The three counts of a Jaccard distance.
///
/// # Safety
///
/// The CPU must support NEON, and `a` and `b` must have the same length.
#[target_feature(enable = "neon")]
pub(crate) unsafe fn jaccard_counts_neon(a: &[u8], b: &[u8]) -> JaccardCounts {
    debug_assert_eq!(a.len(), b.len());
    let (a_blocks, a_tail) = a.as_chunks::<16>();
    let (b_blocks, b_tail) = b.as_chunks::<16>();
    let mut counts = JaccardCounts::default();
    for (x, y) in a_blocks.iter().zip(b_blocks) {
        let (x, y) = (load_u8x16(x), load_u8x16(y));
        counts.intersection += popcount_u8x16(vandq_u8(x, y));
        counts.union += popcount_u8x16(vorrq_u8(x, y));
    }
    for (x, y) in a_tail.iter().zip(b_tail) {
        counts.intersection += u64::from((x & y).count_ones());
        counts.union += u64::from((x | y).count_ones());
    }
    counts
}
