//! Big-endian element decoding: pgvector's binary format (`vector_send`, `halfvec_send`)
//! stores each element big-endian, and a scan that computes distances from stored rows
//! decodes every element of every row. These loops swap the bytes and check that every
//! element is finite in one pass; the same loop is compiled for AVX-512BW and AVX2 (where
//! a byte shuffle swaps a whole register at once) and picked on the first call, as the
//! distance kernels are. The result is the same on every path: a byte swap has no
//! rounding.

use std::sync::OnceLock;

use half::f16;

/// The widest of the loop's compiled paths this CPU runs, chosen on the first call.
macro_rules! selected {
    ($element:ty, $avx512:path, $avx2:path, $scalar:path) => {{
        static SELECTED: OnceLock<fn(&[u8], &mut [$element]) -> bool> = OnceLock::new();
        *SELECTED.get_or_init(|| {
            #[cfg(target_arch = "x86_64")]
            {
                if is_x86_feature_detected!("avx512bw") {
                    // SAFETY: AVX-512BW was detected on this CPU.
                    return |bytes, out| unsafe { $avx512(bytes, out) };
                }
                if is_x86_feature_detected!("avx2") {
                    // SAFETY: AVX2 was detected on this CPU.
                    return |bytes, out| unsafe { $avx2(bytes, out) };
                }
            }
            $scalar
        })
    }};
}

/// Decodes big-endian `f32` elements from `bytes` (4 per element) into `out` and returns
/// whether every element is finite (neither NaN nor infinite).
///
/// # Panics
/// When `bytes.len() != 4 * out.len()`.
pub fn f32_from_be(bytes: &[u8], out: &mut [f32]) -> bool {
    assert_eq!(bytes.len(), 4 * out.len(), "4 bytes per element");
    let decode = selected!(
        f32,
        x86::f32_from_be_avx512,
        x86::f32_from_be_avx2,
        f32_from_be_scalar
    );
    decode(bytes, out)
}

/// Decodes big-endian IEEE binary16 elements from `bytes` (2 per element) into `out` and
/// returns whether every element is finite.
///
/// # Panics
/// When `bytes.len() != 2 * out.len()`.
pub fn f16_from_be(bytes: &[u8], out: &mut [f16]) -> bool {
    assert_eq!(bytes.len(), 2 * out.len(), "2 bytes per element");
    let decode = selected!(
        f16,
        x86::f16_from_be_avx512,
        x86::f16_from_be_avx2,
        f16_from_be_scalar
    );
    decode(bytes, out)
}

/// The loop every path runs: a swap and a finiteness fold without early exit, which the
/// compiler vectorizes for the target features of the function it is inlined into.
#[inline(always)]
fn f32_from_be_scalar(bytes: &[u8], out: &mut [f32]) -> bool {
    let mut finite = true;
    for (chunk, element) in bytes.chunks_exact(4).zip(out.iter_mut()) {
        let bits = u32::from_be_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        finite &= bits & 0x7fff_ffff < 0x7f80_0000;
        *element = f32::from_bits(bits);
    }
    finite
}

/// [`f32_from_be_scalar`] for binary16.
#[inline(always)]
fn f16_from_be_scalar(bytes: &[u8], out: &mut [f16]) -> bool {
    let mut finite = true;
    for (chunk, element) in bytes.chunks_exact(2).zip(out.iter_mut()) {
        let bits = u16::from_be_bytes([chunk[0], chunk[1]]);
        finite &= bits & 0x7fff < 0x7c00;
        *element = f16::from_bits(bits);
    }
    finite
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use half::f16;

    /// The shared loop compiled for AVX-512BW.
    #[target_feature(enable = "avx512f,avx512bw")]
    pub(super) unsafe fn f32_from_be_avx512(bytes: &[u8], out: &mut [f32]) -> bool {
        super::f32_from_be_scalar(bytes, out)
    }

    /// The shared loop compiled for AVX2.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn f32_from_be_avx2(bytes: &[u8], out: &mut [f32]) -> bool {
        super::f32_from_be_scalar(bytes, out)
    }

    /// The shared loop compiled for AVX-512BW.
    #[target_feature(enable = "avx512f,avx512bw")]
    pub(super) unsafe fn f16_from_be_avx512(bytes: &[u8], out: &mut [f16]) -> bool {
        super::f16_from_be_scalar(bytes, out)
    }

    /// The shared loop compiled for AVX2.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn f16_from_be_avx2(bytes: &[u8], out: &mut [f16]) -> bool {
        super::f16_from_be_scalar(bytes, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_path_decodes_as_the_scalar_loop() {
        // Every bit pattern class: numbers, zeros, infinities, NaNs, lengths around the
        // register widths.
        let specials = [
            0u32,
            0x8000_0000,
            0x3f80_0000,
            0x7f80_0000,
            0xff80_0000,
            0x7fc0_0001,
        ];
        for len in 0..70 {
            for special in specials {
                let bits: Vec<u32> = (0..len as u32)
                    .map(|i| {
                        if i == len as u32 / 2 {
                            special
                        } else {
                            i * 0x0101_0101 % 0x7f00_0000
                        }
                    })
                    .collect();
                let bytes: Vec<u8> = bits.iter().flat_map(|b| b.to_be_bytes()).collect();
                let mut fast = vec![0f32; len];
                let mut slow = vec![0f32; len];
                let finite = f32_from_be(&bytes, &mut fast);
                assert_eq!(finite, f32_from_be_scalar(&bytes, &mut slow));
                assert_eq!(finite, bits.iter().all(|b| f32::from_bits(*b).is_finite()));
                let fast: Vec<u32> = fast.iter().map(|v| v.to_bits()).collect();
                assert_eq!(fast, bits);

                let half: Vec<u16> = bits.iter().map(|b| (*b >> 16) as u16).collect();
                let bytes: Vec<u8> = half.iter().flat_map(|b| b.to_be_bytes()).collect();
                let mut out = vec![f16::ZERO; len];
                let finite = f16_from_be(&bytes, &mut out);
                assert_eq!(finite, half.iter().all(|b| f16::from_bits(*b).is_finite()));
                assert_eq!(out.iter().map(|v| v.to_bits()).collect::<Vec<_>>(), half);
            }
        }
    }

    #[test]
    #[should_panic(expected = "4 bytes per element")]
    fn a_length_mismatch_panics() {
        f32_from_be(&[0; 7], &mut [0.0; 2]);
    }
}
