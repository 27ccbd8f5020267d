//! AVX-512F kernels (512-bit vectors, 16 `f32` lanes). [`crate::Implementation::Avx512`] is
//! only offered on a CPU that also has everything the AVX2 kernels need; the bit kernels
//! further need AVX512_VPOPCNTDQ, which `crate::bits::kernels` checks on its own.
//!
//! The loops mirror the AVX2 ones: four independent accumulators over `as_chunks` blocks.
//! The `f32` kernels finish with one masked load, whose masked-off lanes are never read.

use core::arch::x86_64::*;

pub(crate) mod bits;
pub(crate) mod codes;
pub(crate) mod f16;
pub(crate) mod f32;
pub(crate) mod many;
pub(crate) mod stored;

/// Loads 16 floats (unaligned).
#[inline]
#[target_feature(enable = "avx512f")]
fn load_f32x16(values: &[f32; 16]) -> __m512 {
    // SAFETY: `values` refers to 16 initialized floats, exactly the 64 bytes the load reads;
    // `loadu` has no alignment requirement.
    unsafe { _mm512_loadu_ps(values.as_ptr()) }
}

/// Loads the fewer than 16 floats of `tail` into the low lanes, zeros in the others.
#[inline]
#[target_feature(enable = "avx512f")]
fn load_f32x16_partial(tail: &[f32]) -> __m512 {
    assert!(tail.len() < 16);
    let mask: __mmask16 = ((1u32 << tail.len()) - 1) as __mmask16;
    // SAFETY: the mask selects exactly the first `tail.len()` lanes, all inside `tail`; a
    // masked load does not touch memory behind masked-off lanes (their faults are suppressed
    // and they read as zero).
    unsafe { _mm512_maskz_loadu_ps(mask, tail.as_ptr()) }
}

/// Loads 16 halves (unaligned) and widens them to 16 floats in the register
/// (`vcvtph2ps`); the conversion is exact.
#[inline]
#[target_feature(enable = "avx512f")]
fn load_f16x16(values: &[half::f16; 16]) -> __m512 {
    // SAFETY: `values` refers to 16 initialized halves, exactly the 32 bytes the load reads
    // (`half::f16` is a `repr(transparent)` `u16`); `loadu` has no alignment requirement.
    let bits = unsafe { _mm256_loadu_si256(values.as_ptr().cast::<__m256i>()) };
    _mm512_cvtph_ps(bits)
}

/// `|v|` in every lane.
#[inline]
#[target_feature(enable = "avx512f")]
fn abs_f32x16(v: __m512) -> __m512 {
    _mm512_abs_ps(v)
}

/// The sum of every lane of every accumulator.
#[inline]
#[target_feature(enable = "avx512f")]
fn reduce_add_f32x16<const N: usize>(acc: [__m512; N]) -> f32 {
    let v = acc[1..]
        .iter()
        .fold(acc[0], |sum, &next| _mm512_add_ps(sum, next));
    _mm512_reduce_add_ps(v)
}
