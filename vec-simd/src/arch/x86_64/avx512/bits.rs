//! AVX-512 bit kernels: 64 bytes at a time, one `vpopcntq` per 8 bytes
//! (AVX512_VPOPCNTDQ); the last `len % 64` bytes go through 64-bit `popcnt`.

use core::arch::x86_64::*;

use crate::arch::x86_64::avx2::bits::{hamming_words, jaccard_counts_words};
use crate::bits::JaccardCounts;

/// Loads 64 bytes (unaligned) as eight 64-bit lanes.
#[inline]
#[target_feature(enable = "avx512f")]
fn load_u64x8(bytes: &[u8; 64]) -> __m512i {
    // SAFETY: `bytes` refers to 64 initialized bytes, exactly what the load reads; `loadu`
    // has no alignment requirement.
    unsafe { _mm512_loadu_epi64(bytes.as_ptr().cast::<i64>()) }
}

/// The sum of the eight 64-bit lanes.
#[inline]
#[target_feature(enable = "avx512f")]
fn reduce_add_u64x8(v: __m512i) -> u64 {
    _mm512_reduce_add_epi64(v) as u64
}

/// Number of differing bits.
///
/// # Safety
///
/// The CPU must support AVX-512F, AVX512_VPOPCNTDQ and POPCNT, and `a` and `b` must have the
/// same length.
#[target_feature(enable = "avx512f,avx512vpopcntdq,popcnt")]
pub(crate) unsafe fn hamming_avx512(a: &[u8], b: &[u8]) -> u64 {
    debug_assert_eq!(a.len(), b.len());
    let (a_blocks, a_rest) = a.as_chunks::<64>();
    let (b_blocks, b_rest) = b.as_chunks::<64>();
    let mut total = _mm512_setzero_si512();
    for (x, y) in a_blocks.iter().zip(b_blocks) {
        let differing = _mm512_xor_si512(load_u64x8(x), load_u64x8(y));
        total = _mm512_add_epi64(total, _mm512_popcnt_epi64(differing));
    }
    reduce_add_u64x8(total) + hamming_words(a_rest, b_rest)
}

/// The three counts of a Jaccard distance.
///
/// # Safety
///
/// The CPU must support AVX-512F, AVX512_VPOPCNTDQ and POPCNT, and `a` and `b` must have the
/// same length.
#[target_feature(enable = "avx512f,avx512vpopcntdq,popcnt")]
pub(crate) unsafe fn jaccard_counts_avx512(a: &[u8], b: &[u8]) -> JaccardCounts {
    debug_assert_eq!(a.len(), b.len());
    let (a_blocks, a_rest) = a.as_chunks::<64>();
    let (b_blocks, b_rest) = b.as_chunks::<64>();
    let (mut intersection, mut union) = (_mm512_setzero_si512(), _mm512_setzero_si512());
    for (x, y) in a_blocks.iter().zip(b_blocks) {
        let (x, y) = (load_u64x8(x), load_u64x8(y));
        intersection = _mm512_add_epi64(intersection, _mm512_popcnt_epi64(_mm512_and_si512(x, y)));
        union = _mm512_add_epi64(union, _mm512_popcnt_epi64(_mm512_or_si512(x, y)));
    }
    let rest = jaccard_counts_words(a_rest, b_rest);
    JaccardCounts {
        intersection: reduce_add_u64x8(intersection) + rest.intersection,
        union: reduce_add_u64x8(union) + rest.union,
    }
}
