//! AVX2 + FMA code kernels: bytes widened to 8 floats in the register (`vpmovzxbd` then
//! `vcvtdq2ps`); each bit-code byte expanded to an 8-lane mask by comparing it, broadcast,
//! with the lane's bit.

use core::arch::x86_64::*;

use super::{load_f32x8, reduce_add_f32x8};

/// Widens 8 bytes to 8 floats.
#[inline]
#[target_feature(enable = "avx2")]
fn load_u8x8(codes: &[u8; 8]) -> __m256 {
    let bytes = _mm_set_epi64x(0, i64::from_le_bytes(*codes));
    _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(bytes))
}

/// `Σ query_i · codes_i`.
///
/// # Safety
///
/// The CPU must support AVX2 and FMA, and `query` and `codes` must have the same length.
#[target_feature(enable = "avx2,fma")]
pub(crate) unsafe fn dot_u8_avx2(query: &[f32], codes: &[u8]) -> f32 {
    debug_assert_eq!(query.len(), codes.len());
    let (q_blocks, q_tail) = query.as_chunks::<8>();
    let (c_blocks, c_tail) = codes.as_chunks::<8>();
    let mut acc = [_mm256_setzero_ps(); 2];
    for (index, (q, c)) in q_blocks.iter().zip(c_blocks).enumerate() {
        let slot = index & 1;
        acc[slot] = _mm256_fmadd_ps(load_f32x8(q), load_u8x8(c), acc[slot]);
    }
    let mut sum = reduce_add_f32x8(acc);
    for (q, &c) in q_tail.iter().zip(c_tail) {
        sum += q * f32::from(c);
    }
    sum
}

/// `Σ (query_i - step_i · codes_i)²`.
///
/// # Safety
///
/// The CPU must support AVX2 and FMA, and the three slices must have the same length.
#[target_feature(enable = "avx2,fma")]
pub(crate) unsafe fn l2_squared_u8_avx2(query: &[f32], step: &[f32], codes: &[u8]) -> f32 {
    debug_assert!(query.len() == codes.len() && step.len() == codes.len());
    let (q_blocks, q_tail) = query.as_chunks::<8>();
    let (s_blocks, s_tail) = step.as_chunks::<8>();
    let (c_blocks, c_tail) = codes.as_chunks::<8>();
    let mut acc = [_mm256_setzero_ps(); 2];
    for (index, ((q, s), c)) in q_blocks.iter().zip(s_blocks).zip(c_blocks).enumerate() {
        let slot = index & 1;
        let diff = _mm256_fnmadd_ps(load_f32x8(s), load_u8x8(c), load_f32x8(q));
        acc[slot] = _mm256_fmadd_ps(diff, diff, acc[slot]);
    }
    let mut sum = reduce_add_f32x8(acc);
    for ((q, s), &c) in q_tail.iter().zip(s_tail).zip(c_tail) {
        let diff = q - s * f32::from(c);
        sum += diff * diff;
    }
    sum
}

/// `Σ values_i` over the set bits, 8 values per code byte.
///
/// # Safety
///
/// The CPU must support AVX2 and FMA, and `values.len()` must be `8 * bits.len()`.
#[target_feature(enable = "avx2,fma")]
pub(crate) unsafe fn masked_sum_avx2(values: &[f32], bits: &[u8]) -> f32 {
    debug_assert_eq!(values.len(), bits.len() * 8);
    let (v_blocks, _) = values.as_chunks::<8>();
    let lane_bits = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
    let mut acc = [_mm256_setzero_ps(); 2];
    for (index, (v, &byte)) in v_blocks.iter().zip(bits).enumerate() {
        let slot = index & 1;
        let selected = _mm256_and_si256(_mm256_set1_epi32(i32::from(byte)), lane_bits);
        let mask = _mm256_castsi256_ps(_mm256_cmpeq_epi32(selected, lane_bits));
        acc[slot] = _mm256_add_ps(acc[slot], _mm256_and_ps(mask, load_f32x8(v)));
    }
    reduce_add_f32x8(acc)
}

/// `Σ query_i · codes_i` in 32-bit integers: 16 bytes widened to 16-bit words
/// (`vpmovzxbw`), multiplied with the query's words and summed in pairs (`vpmaddwd`).
///
/// # Safety
///
/// The CPU must support AVX2, and `query` and `codes` must have the same length.
#[target_feature(enable = "avx2")]
pub(crate) unsafe fn dot_u8_i16_avx2(query: &[i16], codes: &[u8]) -> i32 {
    debug_assert_eq!(query.len(), codes.len());
    let (q_blocks, q_tail) = query.as_chunks::<16>();
    let (c_blocks, c_tail) = codes.as_chunks::<16>();
    let mut acc = _mm256_setzero_si256();
    for (q, c) in q_blocks.iter().zip(c_blocks) {
        // SAFETY: each load reads exactly the 16 words or 16 bytes of its block;
        // unaligned loads have no alignment requirement.
        let (words, bytes) = unsafe {
            (
                _mm256_loadu_si256(q.as_ptr().cast()),
                _mm_loadu_si128(c.as_ptr().cast()),
            )
        };
        acc = _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_cvtepu8_epi16(bytes), words));
    }
    let mut lanes = [0i32; 8];
    // SAFETY: `lanes` is 32 writable bytes, what the store writes.
    unsafe { _mm256_storeu_si256(lanes.as_mut_ptr().cast(), acc) };
    let tail = q_tail.iter().zip(c_tail).fold(0i32, |sum, (q, &c)| {
        sum.wrapping_add(i32::from(*q) * i32::from(c))
    });
    lanes.iter().fold(tail, |sum, lane| sum.wrapping_add(*lane))
}
