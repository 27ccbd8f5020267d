//! AVX2 kernels (256-bit vectors, 8 `f32` lanes), compiled with `avx2`, `fma`, `f16c` and
//! `popcnt` as each needs. [`crate::Implementation::Avx2`] is only offered on a CPU with all
//! four.
//!
//! The dense kernels keep four independent accumulators: an FMA has a latency of four or
//! five cycles and two issue every cycle, so a single accumulator would leave the multiply
//! units idle most of the time. The loops walk `as_chunks` blocks, so every load reads a
//! whole `[T; N]` array reference and needs no pointer arithmetic or bounds reasoning; the
//! last `len % 8` elements are summed in scalar code.

use core::arch::x86_64::*;

pub(crate) mod bits;
pub(crate) mod codes;
pub(crate) mod f16;
pub(crate) mod f32;
pub(crate) mod many;

/// Loads 8 floats (unaligned).
#[inline]
#[target_feature(enable = "avx")]
fn load_f32x8(values: &[f32; 8]) -> __m256 {
    // SAFETY: `values` refers to 8 initialized floats, exactly the 32 bytes the load reads;
    // `loadu` has no alignment requirement.
    unsafe { _mm256_loadu_ps(values.as_ptr()) }
}

/// Loads 8 halves (unaligned) and widens them to 8 floats in the register, with F16C's
/// `vcvtph2ps`; the conversion is exact.
#[inline]
#[target_feature(enable = "avx,f16c")]
fn load_f16x8(values: &[half::f16; 8]) -> __m256 {
    // SAFETY: `values` refers to 8 initialized halves, exactly the 16 bytes the load reads
    // (`half::f16` is a `repr(transparent)` `u16`); `loadu` has no alignment requirement.
    let bits = unsafe { _mm_loadu_si128(values.as_ptr().cast::<__m128i>()) };
    _mm256_cvtph_ps(bits)
}

/// `|v|` in every lane: clears the sign bits.
#[inline]
#[target_feature(enable = "avx")]
fn abs_f32x8(v: __m256) -> __m256 {
    _mm256_andnot_ps(_mm256_set1_ps(-0.0), v)
}

/// The sum of every lane of every accumulator.
#[inline]
#[target_feature(enable = "avx")]
fn reduce_add_f32x8<const N: usize>(acc: [__m256; N]) -> f32 {
    let v = acc[1..]
        .iter()
        .fold(acc[0], |sum, &next| _mm256_add_ps(sum, next));
    let quad = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps::<1>(v));
    let pair = _mm_add_ps(quad, _mm_movehl_ps(quad, quad));
    let single = _mm_add_ss(pair, _mm_shuffle_ps::<0b01>(pair, pair));
    _mm_cvtss_f32(single)
}
