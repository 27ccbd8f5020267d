//! NEON (Advanced SIMD) kernels for aarch64: 128-bit vectors, 4 `f32` lanes.
//!
//! The loops mirror the x86-64 ones: four independent accumulators over `as_chunks` blocks,
//! scalar tail. Only the loads are `unsafe`; since Rust 1.87 the arithmetic intrinsics are
//! safe to call from a function compiled with `neon`.

use core::arch::aarch64::*;

pub(crate) mod bits;
pub(crate) mod f16;
pub(crate) mod f32;
pub(crate) mod many;

/// Loads 4 floats (unaligned).
#[inline]
#[target_feature(enable = "neon")]
fn load_f32x4(values: &[f32; 4]) -> float32x4_t {
    // SAFETY: `values` refers to 4 initialized floats, exactly the 16 bytes `vld1q_f32`
    // reads; it has no alignment requirement beyond that of `f32`.
    unsafe { vld1q_f32(values.as_ptr()) }
}

/// Loads 4 halves and widens them exactly to 4 floats, in registers, with integer operations.
///
/// The instruction made for this (`fcvtl`) is reached through `float16x4_t`, which stable
/// Rust does not offer yet, so the widening is spelled out: shifting the 15 magnitude bits
/// left by 13 lines the half's exponent and mantissa up with the float's, and multiplying by
/// 2^112 (the difference of the exponent biases, 127 - 15) rebiases normal and subnormal
/// values alike; infinities and NaNs (exponent all ones) get the float's all-ones exponent
/// and keep their payload; the sign bit moves from bit 15 to bit 31. All 65,536 halves
/// convert to the value `half::f16::to_f32` gives.
#[inline]
#[target_feature(enable = "neon")]
fn load_f16x4(values: &[half::f16; 4]) -> float32x4_t {
    // SAFETY: `values` refers to 4 initialized halves, exactly the 8 bytes `vld1_u16` reads
    // (`half::f16` is a `repr(transparent)` `u16`, so the pointer is aligned for `u16`).
    let bits = unsafe { vld1_u16(values.as_ptr().cast::<u16>()) };
    let wide = vmovl_u16(bits);
    let sign = vshlq_n_u32::<16>(vandq_u32(wide, vdupq_n_u32(0x8000)));
    let magnitude = vandq_u32(wide, vdupq_n_u32(0x7fff));
    let shifted = vshlq_n_u32::<13>(magnitude);
    let two_pow_112 = vdupq_n_f32(f32::from_bits(0x7780_0000));
    let finite = vreinterpretq_u32_f32(vmulq_f32(vreinterpretq_f32_u32(shifted), two_pow_112));
    let is_infinite_or_nan = vcgeq_u32(magnitude, vdupq_n_u32(0x7c00));
    let infinite_or_nan = vorrq_u32(shifted, vdupq_n_u32(0x7f80_0000));
    let magnitude_bits = vbslq_u32(is_infinite_or_nan, infinite_or_nan, finite);
    vreinterpretq_f32_u32(vorrq_u32(magnitude_bits, sign))
}

/// The sum of every lane of every accumulator.
#[inline]
#[target_feature(enable = "neon")]
fn reduce_add_f32x4<const N: usize>(acc: [float32x4_t; N]) -> f32 {
    let v = acc[1..]
        .iter()
        .fold(acc[0], |sum, &next| vaddq_f32(sum, next));
    vaddvq_f32(v)
}
