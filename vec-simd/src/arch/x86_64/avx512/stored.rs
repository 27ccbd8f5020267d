//! AVX-512 kernels over big-endian stored elements: each block is loaded, byte-swapped in
//! the register (`vpshufb`: 64 bytes of `f32`s with AVX-512BW, 32 bytes of binary16 with
//! AVX2, then widened by `vcvtph2ps`) and used at once, so a scan computes a distance
//! without writing the decoded vector anywhere. The accumulators, their order, the tail and
//! the final reduction are those of the kernels in `super::f32` and `super::f16`, so every
//! sum is bit for bit the one those kernels give on the decoded elements.

use core::arch::x86_64::*;

use super::{load_f16x16, load_f32x16, load_f32x16_partial, reduce_add_f32x16};

/// The byte shuffle that reverses each 4-byte lane.
#[inline]
#[target_feature(enable = "avx512f,avx512bw")]
fn swap_lanes() -> __m512i {
    _mm512_set_epi8(
        60, 61, 62, 63, 56, 57, 58, 59, 52, 53, 54, 55, 48, 49, 50, 51, 44, 45, 46, 47, 40, 41, 42,
        43, 36, 37, 38, 39, 32, 33, 34, 35, 28, 29, 30, 31, 24, 25, 26, 27, 20, 21, 22, 23, 16, 17,
        18, 19, 12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3,
    )
}

/// The lanes of `bits` whose element is finite (neither NaN nor infinite).
#[inline]
#[target_feature(enable = "avx512f")]
fn finite_lanes(bits: __m512i) -> __mmask16 {
    let magnitude = _mm512_and_si512(bits, _mm512_set1_epi32(0x7fff_ffff));
    _mm512_cmplt_epu32_mask(magnitude, _mm512_set1_epi32(0x7f80_0000))
}

/// Loads 16 big-endian elements as floats; clears `finite` if any is not finite.
#[inline]
#[target_feature(enable = "avx512f,avx512bw")]
fn load_be(block: &[u8; 64], finite: &mut bool) -> __m512 {
    // SAFETY: `block` is 64 initialized bytes, exactly what the unaligned load reads.
    let raw = unsafe { _mm512_loadu_si512(block.as_ptr().cast()) };
    let bits = _mm512_shuffle_epi8(raw, swap_lanes());
    *finite &= finite_lanes(bits) == 0xffff;
    _mm512_castsi512_ps(bits)
}

/// Loads the fewer than 16 big-endian elements of `tail` into the low lanes, zeros in the
/// others; clears `finite` if any is not finite.
#[inline]
#[target_feature(enable = "avx512f,avx512bw")]
fn load_be_partial(tail: &[u8], finite: &mut bool) -> __m512 {
    assert!(tail.len() < 64 && tail.len() % 4 == 0);
    let mask: __mmask64 = (1u64 << tail.len()) - 1;
    // SAFETY: the mask selects exactly the first `tail.len()` bytes, all inside `tail`; a
    // masked load does not touch memory behind masked-off bytes (they read as zero).
    let raw = unsafe { _mm512_maskz_loadu_epi8(mask, tail.as_ptr().cast()) };
    let bits = _mm512_shuffle_epi8(raw, swap_lanes());
    // Zeroed lanes are finite.
    *finite &= finite_lanes(bits) == 0xffff;
    _mm512_castsi512_ps(bits)
}

/// Calls `step(slot, x, q)` for the full blocks of a row and its query in groups of four
/// (`slot` 0 to 3), then for the blocks left over (from slot 0): the accumulator order of
/// the kernels in `super::f32` and `super::f16`.
#[inline(always)]
fn for_each_block<const B: usize, Q>(
    r_blocks: &[[u8; B]],
    q_blocks: &[[Q; 16]],
    mut step: impl FnMut(usize, &[u8; B], &[Q; 16]),
) {
    let mut r_groups = r_blocks.chunks_exact(4);
    let mut q_groups = q_blocks.chunks_exact(4);
    for (xs, qs) in (&mut r_groups).zip(&mut q_groups) {
        for slot in 0..4 {
            step(slot, &xs[slot], &qs[slot]);
        }
    }
    for (slot, (x, q)) in r_groups
        .remainder()
        .iter()
        .zip(q_groups.remainder())
        .enumerate()
    {
        step(slot, x, q);
    }
}

/// `(dot(x, query), dot(x, x))` of the decoded elements `x` of `row`, and whether every
/// element is finite.
///
/// # Safety
///
/// The CPU must support AVX-512F and AVX-512BW, and `row.len()` must be `4 * query.len()`.
#[target_feature(enable = "avx512f,avx512bw")]
pub(crate) unsafe fn dot_norm_be_avx512(query: &[f32], row: &[u8]) -> (f32, f32, bool) {
    debug_assert_eq!(row.len(), 4 * query.len());
    let (r_blocks, r_tail) = row.as_chunks::<64>();
    let (q_blocks, q_tail) = query.as_chunks::<16>();
    let mut finite = true;
    let mut dot = [_mm512_setzero_ps(); 4];
    let mut norm = [_mm512_setzero_ps(); 4];
    for_each_block(r_blocks, q_blocks, |slot, x, q| {
        let x = load_be(x, &mut finite);
        dot[slot] = _mm512_fmadd_ps(x, load_f32x16(q), dot[slot]);
        norm[slot] = _mm512_fmadd_ps(x, x, norm[slot]);
    });
    let x = load_be_partial(r_tail, &mut finite);
    dot[3] = _mm512_fmadd_ps(x, load_f32x16_partial(q_tail), dot[3]);
    norm[3] = _mm512_fmadd_ps(x, x, norm[3]);
    (reduce_add_f32x16(dot), reduce_add_f32x16(norm), finite)
}

/// One block's step of a difference sum: `|d|` added (L1) or `d²` (squared L2).
#[inline]
#[target_feature(enable = "avx512f")]
fn difference_step<const L1: bool>(acc: __m512, diff: __m512) -> __m512 {
    if L1 {
        _mm512_add_ps(acc, super::abs_f32x16(diff))
    } else {
        _mm512_fmadd_ps(diff, diff, acc)
    }
}

/// `l1(x, query)` (`L1`) or `l2_squared(x, query)` of the decoded elements `x` of `row`,
/// and whether every element is finite.
///
/// # Safety
///
/// The CPU must support AVX-512F and AVX-512BW, and `row.len()` must be `4 * query.len()`.
#[target_feature(enable = "avx512f,avx512bw")]
pub(crate) unsafe fn difference_sum_be_avx512<const L1: bool>(
    query: &[f32],
    row: &[u8],
) -> (f32, bool) {
    debug_assert_eq!(row.len(), 4 * query.len());
    let (r_blocks, r_tail) = row.as_chunks::<64>();
    let (q_blocks, q_tail) = query.as_chunks::<16>();
    let mut finite = true;
    let mut acc = [_mm512_setzero_ps(); 4];
    for_each_block(r_blocks, q_blocks, |slot, x, q| {
        let diff = _mm512_sub_ps(load_be(x, &mut finite), load_f32x16(q));
        acc[slot] = difference_step::<L1>(acc[slot], diff);
    });
    let diff = _mm512_sub_ps(
        load_be_partial(r_tail, &mut finite),
        load_f32x16_partial(q_tail),
    );
    acc[3] = difference_step::<L1>(acc[3], diff);
    (reduce_add_f32x16(acc), finite)
}

/// The byte shuffle that reverses each 2-byte lane of a 256-bit register.
#[inline]
#[target_feature(enable = "avx2")]
fn swap_halves() -> __m256i {
    _mm256_set_epi8(
        14, 15, 12, 13, 10, 11, 8, 9, 6, 7, 4, 5, 2, 3, 0, 1, 14, 15, 12, 13, 10, 11, 8, 9, 6, 7,
        4, 5, 2, 3, 0, 1,
    )
}

/// Loads 16 big-endian binary16 elements widened to floats (`vcvtph2ps`, exact); clears
/// `finite` if any is not finite.
#[inline]
#[target_feature(enable = "avx512f,avx2")]
fn load_be_f16(block: &[u8; 32], finite: &mut bool) -> __m512 {
    // SAFETY: `block` is 32 initialized bytes, exactly what the unaligned load reads.
    let raw = unsafe { _mm256_loadu_si256(block.as_ptr().cast()) };
    let bits = _mm256_shuffle_epi8(raw, swap_halves());
    let magnitude = _mm256_and_si256(bits, _mm256_set1_epi16(0x7fff));
    // Magnitudes are at most 0x7fff, so the signed compare orders them correctly.
    let below = _mm256_cmpgt_epi16(_mm256_set1_epi16(0x7c00), magnitude);
    *finite &= _mm256_movemask_epi8(below) == -1;
    _mm512_cvtph_ps(bits)
}

/// The big-endian binary16 element in `bytes` as a float, and whether it is finite.
#[inline]
fn scalar_be_f16(bytes: &[u8]) -> (f32, bool) {
    let bits = u16::from_be_bytes([bytes[0], bytes[1]]);
    (half::f16::from_bits(bits).to_f32(), bits & 0x7fff < 0x7c00)
}

/// `(dot(x, query), dot(x, x))` of the decoded binary16 elements `x` of `row`, and whether
/// every element is finite, summed as `super::f16::dot_f16_avx512` sums.
///
/// # Safety
///
/// The CPU must support AVX-512F and AVX2, and `row.len()` must be `2 * query.len()`.
#[target_feature(enable = "avx512f,avx2")]
pub(crate) unsafe fn dot_norm_be_f16_avx512(query: &[half::f16], row: &[u8]) -> (f32, f32, bool) {
    debug_assert_eq!(row.len(), 2 * query.len());
    let (r_blocks, r_tail) = row.as_chunks::<32>();
    let (q_blocks, q_tail) = query.as_chunks::<16>();
    let mut finite = true;
    let mut dot = [_mm512_setzero_ps(); 4];
    let mut norm = [_mm512_setzero_ps(); 4];
    for_each_block(r_blocks, q_blocks, |slot, x, q| {
        let x = load_be_f16(x, &mut finite);
        dot[slot] = _mm512_fmadd_ps(x, load_f16x16(q), dot[slot]);
        norm[slot] = _mm512_fmadd_ps(x, x, norm[slot]);
    });
    let mut dot = reduce_add_f32x16(dot);
    let mut norm = reduce_add_f32x16(norm);
    for (x, q) in r_tail.chunks_exact(2).zip(q_tail) {
        let (x, ok) = scalar_be_f16(x);
        finite &= ok;
        dot += x * q.to_f32();
        norm += x * x;
    }
    (dot, norm, finite)
}

/// `l1(x, query)` (`L1`) or `l2_squared(x, query)` of the decoded binary16 elements `x` of
/// `row`, and whether every element is finite, summed as `super::f16`'s kernels sum.
///
/// # Safety
///
/// The CPU must support AVX-512F and AVX2, and `row.len()` must be `2 * query.len()`.
#[target_feature(enable = "avx512f,avx2")]
pub(crate) unsafe fn difference_sum_be_f16_avx512<const L1: bool>(
    query: &[half::f16],
    row: &[u8],
) -> (f32, bool) {
    debug_assert_eq!(row.len(), 2 * query.len());
    let (r_blocks, r_tail) = row.as_chunks::<32>();
    let (q_blocks, q_tail) = query.as_chunks::<16>();
    let mut finite = true;
    let mut acc = [_mm512_setzero_ps(); 4];
    for_each_block(r_blocks, q_blocks, |slot, x, q| {
        let diff = _mm512_sub_ps(load_be_f16(x, &mut finite), load_f16x16(q));
        acc[slot] = difference_step::<L1>(acc[slot], diff);
    });
    let mut sum = reduce_add_f32x16(acc);
    for (x, q) in r_tail.chunks_exact(2).zip(q_tail) {
        let (x, ok) = scalar_be_f16(x);
        finite &= ok;
        let diff = x - q.to_f32();
        sum += if L1 { diff.abs() } else { diff * diff };
    }
    (sum, finite)
}
