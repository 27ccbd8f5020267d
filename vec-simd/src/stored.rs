//! Distances from a query to a vector still in its stored form: pgvector's binary layout
//! keeps each element big-endian, and an exact scan computes one distance per row. Where
//! the `f32` (or `f16`) family selected its AVX-512 kernels, each block of the row is
//! byte-swapped in a register and used at once (one pass over the row, nothing written;
//! `f32` rows also need AVX-512BW); elsewhere the row is decoded into the caller's scratch
//! buffer and the selected kernels run on it. Either way every sum is bit for bit what
//! [`crate::f32::dot`] and [`crate::f32::l2_squared`] (or their `f16` counterparts) give on
//! the decoded elements, and a row holding a NaN or an infinity gives `None` (stored
//! vectors never hold one; a caller falls back to its decoder, which reports the element).
//!
//! ```
//! let query = [1.0_f32, 2.0, 3.0];
//! let row: Vec<u8> = [4.0_f32, 5.0, 6.0].iter().flat_map(|v| v.to_be_bytes()).collect();
//! let mut scratch = Vec::new();
//! assert_eq!(vec_simd::stored::f32_dot_norm_be(&query, &row, &mut scratch), Some((32.0, 77.0)));
//! assert_eq!(vec_simd::stored::f32_l2_squared_be(&query, &row, &mut scratch), Some(27.0));
//! ```

use std::sync::OnceLock;

use half::f16;

/// Whether the fused big-endian kernels may run: AVX-512BW is present and the `f32` family
/// selected the AVX-512 kernels (whose sums the fused ones reproduce).
fn fused() -> bool {
    static FUSED: OnceLock<bool> = OnceLock::new();
    *FUSED.get_or_init(|| {
        #[cfg(target_arch = "x86_64")]
        {
            crate::f32::selected().implementation() == crate::Implementation::Avx512
                && is_x86_feature_detected!("avx512bw")
        }
        #[cfg(not(target_arch = "x86_64"))]
        false
    })
}

/// Whether the fused binary16 kernels may run: the `f16` family selected the AVX-512
/// kernels (which also need AVX2, whose byte shuffle the fused ones use).
fn fused_f16() -> bool {
    static FUSED: OnceLock<bool> = OnceLock::new();
    *FUSED.get_or_init(|| {
        #[cfg(target_arch = "x86_64")]
        {
            crate::f16::selected().implementation() == crate::Implementation::Avx512
                && is_x86_feature_detected!("avx2")
        }
        #[cfg(not(target_arch = "x86_64"))]
        false
    })
}

/// Decodes `row` into `scratch`; false if an element is not finite.
fn decode(row: &[u8], scratch: &mut Vec<f32>) -> bool {
    scratch.resize(row.len() / 4, 0.0);
    crate::endian::f32_from_be(row, scratch)
}

/// `(dot(x, query), dot(x, x))`, where `x` are the big-endian elements of `row`; `None` if
/// one of them is NaN or infinite.
///
/// # Panics
///
/// When `row.len() != 4 * query.len()`.
pub fn f32_dot_norm_be(query: &[f32], row: &[u8], scratch: &mut Vec<f32>) -> Option<(f32, f32)> {
    assert_eq!(row.len(), 4 * query.len(), "4 bytes per element");
    #[cfg(target_arch = "x86_64")]
    if fused() {
        // SAFETY: `fused` checked AVX-512F (the selected kernels need it) and AVX-512BW;
        // the lengths were checked above.
        let (dot, norm, finite) =
            unsafe { crate::arch::x86_64::avx512::stored::dot_norm_be_avx512(query, row) };
        return finite.then_some((dot, norm));
    }
    if !decode(row, scratch) {
        return None;
    }
    Some((
        crate::f32::dot(scratch, query),
        crate::f32::dot(scratch, scratch),
    ))
}

/// `l2_squared(x, query)`, where `x` are the big-endian elements of `row`; `None` if one of
/// them is NaN or infinite.
///
/// # Panics
///
/// When `row.len() != 4 * query.len()`.
pub fn f32_l2_squared_be(query: &[f32], row: &[u8], scratch: &mut Vec<f32>) -> Option<f32> {
    assert_eq!(row.len(), 4 * query.len(), "4 bytes per element");
    #[cfg(target_arch = "x86_64")]
    if fused() {
        // SAFETY: as in `f32_dot_norm_be`.
        let (sum, finite) = unsafe {
            crate::arch::x86_64::avx512::stored::difference_sum_be_avx512::<false>(query, row)
        };
        return finite.then_some(sum);
    }
    if !decode(row, scratch) {
        return None;
    }
    Some(crate::f32::l2_squared(scratch, query))
}

/// `l1(x, query)`, where `x` are the big-endian elements of `row`; `None` if one of them is
/// NaN or infinite.
///
/// # Panics
///
/// When `row.len() != 4 * query.len()`.
pub fn f32_l1_be(query: &[f32], row: &[u8], scratch: &mut Vec<f32>) -> Option<f32> {
    assert_eq!(row.len(), 4 * query.len(), "4 bytes per element");
    #[cfg(target_arch = "x86_64")]
    if fused() {
        // SAFETY: as in `f32_dot_norm_be`.
        let (sum, finite) = unsafe {
            crate::arch::x86_64::avx512::stored::difference_sum_be_avx512::<true>(query, row)
        };
        return finite.then_some(sum);
    }
    if !decode(row, scratch) {
        return None;
    }
    Some(crate::f32::l1(scratch, query))
}

/// Decodes binary16 `row` into `scratch`; false if an element is not finite.
fn decode_f16(row: &[u8], scratch: &mut Vec<f16>) -> bool {
    scratch.resize(row.len() / 2, f16::ZERO);
    crate::endian::f16_from_be(row, scratch)
}

/// `(dot(x, query), dot(x, x))` for `halfvec`: `x` are the big-endian binary16 elements of
/// `row`, summed as [`crate::f16::dot`] sums; `None` if one of them is NaN or infinite.
///
/// # Panics
///
/// When `row.len() != 2 * query.len()`.
pub fn f16_dot_norm_be(query: &[f16], row: &[u8], scratch: &mut Vec<f16>) -> Option<(f32, f32)> {
    assert_eq!(row.len(), 2 * query.len(), "2 bytes per element");
    #[cfg(target_arch = "x86_64")]
    if fused_f16() {
        // SAFETY: `fused_f16` checked AVX-512F (the selected kernels need it) and AVX2; the
        // lengths were checked above.
        let (dot, norm, finite) =
            unsafe { crate::arch::x86_64::avx512::stored::dot_norm_be_f16_avx512(query, row) };
        return finite.then_some((dot, norm));
    }
    if !decode_f16(row, scratch) {
        return None;
    }
    Some((
        crate::f16::dot(scratch, query),
        crate::f16::dot(scratch, scratch),
    ))
}

/// `l2_squared(x, query)` for `halfvec`, as [`crate::f16::l2_squared`] sums it; `None` if
/// an element of `row` is NaN or infinite.
///
/// # Panics
///
/// When `row.len() != 2 * query.len()`.
pub fn f16_l2_squared_be(query: &[f16], row: &[u8], scratch: &mut Vec<f16>) -> Option<f32> {
    assert_eq!(row.len(), 2 * query.len(), "2 bytes per element");
    #[cfg(target_arch = "x86_64")]
    if fused_f16() {
        // SAFETY: as in `f16_dot_norm_be`.
        let (sum, finite) = unsafe {
            crate::arch::x86_64::avx512::stored::difference_sum_be_f16_avx512::<false>(query, row)
        };
        return finite.then_some(sum);
    }
    if !decode_f16(row, scratch) {
        return None;
    }
    Some(crate::f16::l2_squared(scratch, query))
}

/// `l1(x, query)` for `halfvec`, as [`crate::f16::l1`] sums it; `None` if an element of
/// `row` is NaN or infinite.
///
/// # Panics
///
/// When `row.len() != 2 * query.len()`.
pub fn f16_l1_be(query: &[f16], row: &[u8], scratch: &mut Vec<f16>) -> Option<f32> {
    assert_eq!(row.len(), 2 * query.len(), "2 bytes per element");
    #[cfg(target_arch = "x86_64")]
    if fused_f16() {
        // SAFETY: as in `f16_dot_norm_be`.
        let (sum, finite) = unsafe {
            crate::arch::x86_64::avx512::stored::difference_sum_be_f16_avx512::<true>(query, row)
        };
        return finite.then_some(sum);
    }
    if !decode_f16(row, scratch) {
        return None;
    }
    Some(crate::f16::l1(scratch, query))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn be(values: &[f32]) -> Vec<u8> {
        values.iter().flat_map(|v| v.to_be_bytes()).collect()
    }

    /// Pseudo-random values in [-1, 1), some of them subnormal or zero.
    fn values(seed: u64, n: usize) -> Vec<f32> {
        let mut state = seed;
        (0..n)
            .map(|i| {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                match i % 97 {
                    5 => 0.0,
                    11 => -0.0,
                    13 => f32::from_bits(3),
                    _ => (state >> 40) as f32 / (1u64 << 23) as f32 - 1.0,
                }
            })
            .collect()
    }

    #[test]
    fn sums_are_the_kernels_sums_bit_for_bit() {
        let mut scratch = Vec::new();
        for n in [1, 3, 15, 16, 17, 48, 63, 64, 65, 100, 384, 385, 1000, 3072] {
            let query = values(n as u64, n);
            let row = values(7 * n as u64 + 1, n);
            let bytes = be(&row);
            let (dot, norm) = f32_dot_norm_be(&query, &bytes, &mut scratch).unwrap();
            assert_eq!(
                dot.to_bits(),
                crate::f32::dot(&row, &query).to_bits(),
                "dot {n}"
            );
            assert_eq!(
                norm.to_bits(),
                crate::f32::dot(&row, &row).to_bits(),
                "norm {n}"
            );
            let l2 = f32_l2_squared_be(&query, &bytes, &mut scratch).unwrap();
            assert_eq!(
                l2.to_bits(),
                crate::f32::l2_squared(&row, &query).to_bits(),
                "l2 {n}"
            );
            // The operands' order does not change the sums.
            assert_eq!(l2.to_bits(), crate::f32::l2_squared(&query, &row).to_bits());
            let l1 = f32_l1_be(&query, &bytes, &mut scratch).unwrap();
            assert_eq!(
                l1.to_bits(),
                crate::f32::l1(&row, &query).to_bits(),
                "l1 {n}"
            );
            assert_eq!(l1.to_bits(), crate::f32::l1(&query, &row).to_bits());
            assert_eq!(dot.to_bits(), crate::f32::dot(&query, &row).to_bits());
        }
    }

    #[test]
    fn a_non_finite_element_gives_none() {
        let mut scratch = Vec::new();
        for n in [1, 5, 16, 40, 384] {
            for at in [0, n / 2, n - 1] {
                for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
                    let query = values(3, n);
                    let mut row = values(4, n);
                    row[at] = bad;
                    let bytes = be(&row);
                    assert_eq!(f32_dot_norm_be(&query, &bytes, &mut scratch), None);
                    assert_eq!(f32_l2_squared_be(&query, &bytes, &mut scratch), None);
                    assert_eq!(f32_l1_be(&query, &bytes, &mut scratch), None);
                }
            }
        }
    }

    #[test]
    fn half_sums_are_the_kernels_sums_bit_for_bit() {
        let mut scratch = Vec::new();
        let half = |v: Vec<f32>| v.into_iter().map(f16::from_f32).collect::<Vec<_>>();
        for n in [1, 3, 15, 16, 17, 48, 63, 64, 65, 100, 384, 385, 1000, 4000] {
            let query = half(values(n as u64, n));
            let row = half(values(5 * n as u64 + 3, n));
            let bytes: Vec<u8> = row.iter().flat_map(|v| v.to_be_bytes()).collect();
            let (dot, norm) = f16_dot_norm_be(&query, &bytes, &mut scratch).unwrap();
            assert_eq!(
                dot.to_bits(),
                crate::f16::dot(&row, &query).to_bits(),
                "dot {n}"
            );
            assert_eq!(
                norm.to_bits(),
                crate::f16::dot(&row, &row).to_bits(),
                "norm {n}"
            );
            let l2 = f16_l2_squared_be(&query, &bytes, &mut scratch).unwrap();
            assert_eq!(
                l2.to_bits(),
                crate::f16::l2_squared(&row, &query).to_bits(),
                "l2 {n}"
            );
            assert_eq!(l2.to_bits(), crate::f16::l2_squared(&query, &row).to_bits());
            let l1 = f16_l1_be(&query, &bytes, &mut scratch).unwrap();
            assert_eq!(
                l1.to_bits(),
                crate::f16::l1(&row, &query).to_bits(),
                "l1 {n}"
            );
            assert_eq!(l1.to_bits(), crate::f16::l1(&query, &row).to_bits());
            for at in [0, n / 2, n - 1] {
                for bad in [f16::NAN, f16::INFINITY, f16::NEG_INFINITY] {
                    let mut bad_bytes = bytes.clone();
                    bad_bytes[2 * at..2 * at + 2].copy_from_slice(&bad.to_be_bytes());
                    assert_eq!(f16_dot_norm_be(&query, &bad_bytes, &mut scratch), None);
                    assert_eq!(f16_l2_squared_be(&query, &bad_bytes, &mut scratch), None);
                    assert_eq!(f16_l1_be(&query, &bad_bytes, &mut scratch), None);
                }
            }
        }
    }

    #[test]
    #[should_panic(expected = "4 bytes per element")]
    fn lengths_must_agree() {
        f32_dot_norm_be(&[1.0, 2.0], &[0; 4], &mut Vec::new());
    }
}
