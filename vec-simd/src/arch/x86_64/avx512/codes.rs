//! AVX-512F code kernels: bytes widened to 16 floats in the register (`vpmovzxbd` then
//! `vcvtdq2ps`), two accumulators; bit codes used directly as 16-lane masks of a masked add.

use core::arch::x86_64::*;

use super::{load_f32x16, load_f32x16_partial, reduce_add_f32x16};

/// Widens 16 bytes to 16 floats.
#[inline]
#[target_feature(enable = "avx512f")]
fn load_u8x16(codes: &[u8; 16]) -> __m512 {
    // SAFETY: `codes` refers to 16 initialized bytes, exactly what the load reads; `loadu`
    // has no alignment requirement.
    let bytes = unsafe { _mm_loadu_si128(codes.as_ptr().cast::<__m128i>()) };
    _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(bytes))
}

/// Widens the fewer than 16 bytes of `tail` to floats in the low lanes, zeros elsewhere.
#[inline]
#[target_feature(enable = "avx512f")]
fn load_u8x16_partial(tail: &[u8]) -> __m512 {
    let mut buffer = [0u8; 16];
    buffer[..tail.len()].copy_from_slice(tail);
    load_u8x16(&buffer)
}

/// `Σ query_i · codes_i`.
///
/// # Safety
///
/// The CPU must support AVX-512F, and `query` and `codes` must have the same length.
#[target_feature(enable = "avx512f")]
pub(crate) unsafe fn dot_u8_avx512(query: &[f32], codes: &[u8]) -> f32 {
    debug_assert_eq!(query.len(), codes.len());
    let (q_blocks, q_tail) = query.as_chunks::<16>();
    let (c_blocks, c_tail) = codes.as_chunks::<16>();
    let mut acc = [_mm512_setzero_ps(); 2];
    for (index, (q, c)) in q_blocks.iter().zip(c_blocks).enumerate() {
        let slot = index & 1;
        acc[slot] = _mm512_fmadd_ps(load_f32x16(q), load_u8x16(c), acc[slot]);
    }
    acc[0] = _mm512_fmadd_ps(
        load_f32x16_partial(q_tail),
        load_u8x16_partial(c_tail),
        acc[0],
    );
    reduce_add_f32x16(acc)
}

/// `Σ (query_i - step_i · codes_i)²`.
///
/// # Safety
///
/// The CPU must support AVX-512F, and the three slices must have the same length.
#[target_feature(enable = "avx512f")]
pub(crate) unsafe fn l2_squared_u8_avx512(query: &[f32], step: &[f32], codes: &[u8]) -> f32 {
    debug_assert!(query.len() == codes.len() && step.len() == codes.len());
    let (q_blocks, q_tail) = query.as_chunks::<16>();
    let (s_blocks, s_tail) = step.as_chunks::<16>();
    let (c_blocks, c_tail) = codes.as_chunks::<16>();
    let mut acc = [_mm512_setzero_ps(); 2];
    for (index, ((q, s), c)) in q_blocks.iter().zip(s_blocks).zip(c_blocks).enumerate() {
        let slot = index & 1;
        let diff = _mm512_fnmadd_ps(load_f32x16(s), load_u8x16(c), load_f32x16(q));
        acc[slot] = _mm512_fmadd_ps(diff, diff, acc[slot]);
    }
    let diff = _mm512_fnmadd_ps(
        load_f32x16_partial(s_tail),
        load_u8x16_partial(c_tail),
        load_f32x16_partial(q_tail),
    );
    acc[0] = _mm512_fmadd_ps(diff, diff, acc[0]);
    reduce_add_f32x16(acc)
}

/// `Σ values_i` over the set bits: each pair of code bytes is the mask of a masked add of
/// 16 values.
///
/// # Safety
///
/// The CPU must support AVX-512F, and `values.len()` must be `8 * bits.len()`.
#[target_feature(enable = "avx512f")]
pub(crate) unsafe fn masked_sum_avx512(values: &[f32], bits: &[u8]) -> f32 {
    debug_assert_eq!(values.len(), bits.len() * 8);
    let (v_blocks, v_tail) = values.as_chunks::<16>();
    let (b_pairs, b_tail) = bits.as_chunks::<2>();
    let mut acc = [_mm512_setzero_ps(); 2];
    for (index, (v, pair)) in v_blocks.iter().zip(b_pairs).enumerate() {
        let slot = index & 1;
        let mask: __mmask16 = u16::from_le_bytes(*pair);
        acc[slot] = _mm512_mask_add_ps(acc[slot], mask, acc[slot], load_f32x16(v));
    }
    // An odd number of bytes leaves 8 values and one byte.
    if let Some(&byte) = b_tail.first() {
        let mask: __mmask16 = __mmask16::from(byte);
        acc[0] = _mm512_mask_add_ps(acc[0], mask, acc[0], load_f32x16_partial(v_tail));
    }
    reduce_add_f32x16(acc)
}

/// `Σ query_i · codes_i` in 32-bit integers: 32 bytes widened to 16-bit words
/// (`vpmovzxbw`), multiplied with the query's words and summed in pairs (`vpmaddwd`); the
/// tail through masked loads.
///
/// # Safety
///
/// The CPU must support AVX-512F and AVX-512BW, and `query` and `codes` must have the same
/// length.
#[target_feature(enable = "avx512f,avx512bw")]
pub(crate) unsafe fn dot_u8_i16_avx512(query: &[i16], codes: &[u8]) -> i32 {
    debug_assert_eq!(query.len(), codes.len());
    let (q_blocks, q_tail) = query.as_chunks::<32>();
    let (c_blocks, c_tail) = codes.as_chunks::<32>();
    let mut acc = [_mm512_setzero_si512(); 2];
    for (index, (q, c)) in q_blocks.iter().zip(c_blocks).enumerate() {
        // SAFETY: each load reads exactly the 32 words or 32 bytes of its block;
        // unaligned loads have no alignment requirement.
        let (words, bytes) = unsafe {
            (
                _mm512_loadu_si512(q.as_ptr().cast()),
                _mm256_loadu_si256(c.as_ptr().cast()),
            )
        };
        let slot = index & 1;
        acc[slot] = _mm512_add_epi32(
            acc[slot],
            _mm512_madd_epi16(_mm512_cvtepu8_epi16(bytes), words),
        );
    }
    if !c_tail.is_empty() {
        let mask: __mmask32 = (1u32 << c_tail.len()) - 1;
        // SAFETY: masked loads touch only the lanes whose mask bit is set, the tails'
        // elements.
        let (words, bytes) = unsafe {
            (
                _mm512_maskz_loadu_epi16(mask, q_tail.as_ptr()),
                _mm256_maskz_loadu_epi8(mask, c_tail.as_ptr().cast()),
            )
        };
        acc[0] = _mm512_add_epi32(
            acc[0],
            _mm512_madd_epi16(_mm512_cvtepu8_epi16(bytes), words),
        );
    }
    _mm512_reduce_add_epi32(_mm512_add_epi32(acc[0], acc[1]))
}
