//! Code kernels (`vec_simd::codes`): every implementation against the scalar reference on
//! random inputs and at lane-boundary lengths, exactly on small-integer inputs, and the
//! reference against sums computed in `f64`; the integer kernel exactly, against a sum in
//! `i64` taken modulo 2³² (the lanes wrap as `wrapping_add` does).

use proptest::collection::vec;
use proptest::prelude::*;
use vec_simd::codes::CodeKernels;
use vec_simd::Implementation;

use crate::common::{close, proptest_config, SplitMix64, LANE_BOUNDARY_LENGTHS, OFFSETS};

fn scalar() -> CodeKernels {
    vec_simd::codes::kernels(Implementation::Scalar).expect("scalar is always available")
}

fn all() -> Vec<CodeKernels> {
    Implementation::available()
        .into_iter()
        .filter_map(vec_simd::codes::kernels)
        .collect()
}

/// Every implementation's three results against the scalar ones; `exact` demands equality.
fn compare(query: &[f32], step: &[f32], codes: &[u8], exact: bool) -> Result<(), String> {
    let reference = scalar();
    let dot_magnitude: f64 = query
        .iter()
        .zip(codes)
        .map(|(q, &c)| (f64::from(*q) * f64::from(c)).abs())
        .sum();
    let l2_magnitude = f64::from(reference.l2_squared_u8(query, step, codes));
    let bits = &codes[..codes.len() / 8];
    let values = &query[..bits.len() * 8];
    let sum_magnitude: f64 = values.iter().map(|v| f64::from(v.abs())).sum();
    let words: Vec<i16> = query
        .iter()
        .map(|q| (q * 1000.0).round().clamp(-32768.0, 32767.0) as i16)
        .collect();
    let wide: i64 = words
        .iter()
        .zip(codes)
        .map(|(w, &c)| i64::from(*w) * i64::from(c))
        .sum();
    for kernels in all() {
        let name = kernels.implementation();
        let got = kernels.dot_u8_i16(&words, codes);
        if got != wide as i32 {
            return Err(format!(
                "{name} dot_u8_i16 at length {}: {got} against {}",
                codes.len(),
                wide as i32
            ));
        }
        let checks = [
            (
                "dot_u8",
                kernels.dot_u8(query, codes),
                reference.dot_u8(query, codes),
                dot_magnitude,
            ),
            (
                "l2_squared_u8",
                kernels.l2_squared_u8(query, step, codes),
                reference.l2_squared_u8(query, step, codes),
                l2_magnitude,
            ),
            (
                "masked_sum",
                kernels.masked_sum(values, bits),
                reference.masked_sum(values, bits),
                sum_magnitude,
            ),
        ];
        for (kernel, got, expected, magnitude) in checks {
            let ok = if exact {
                got == expected
            } else {
                close(got, expected, magnitude)
            };
            if !ok {
                return Err(format!(
                    "{name} {kernel} at length {}: {got} against {expected}",
                    codes.len()
                ));
            }
        }
    }
    Ok(())
}

fn inputs() -> impl Strategy<Value = (Vec<f32>, Vec<f32>, Vec<u8>)> {
    (1usize..=2000).prop_flat_map(|len| {
        (
            vec(-10.0f32..10.0, len + 3),
            vec(0.0f32..0.1, len + 3),
            vec(any::<u8>(), len + 3),
        )
    })
}

proptest! {
    #![proptest_config(proptest_config())]

    #[test]
    fn every_implementation_matches_scalar(
        (query, step, codes) in inputs(),
        offset in OFFSETS,
    ) {
        let len = query.len() - 3;
        let range = offset..offset + len;
        compare(&query[range.clone()], &step[range.clone()], &codes[range], false)
            .map_err(TestCaseError::fail)?;
    }

    #[test]
    fn scalar_reference_matches_f64((query, step, codes) in inputs()) {
        let dot: f64 = query.iter().zip(&codes).map(|(q, &c)| f64::from(*q) * f64::from(c)).sum();
        let magnitude: f64 =
            query.iter().zip(&codes).map(|(q, &c)| (f64::from(*q) * f64::from(c)).abs()).sum();
        prop_assert!(close(scalar().dot_u8(&query, &codes), dot as f32, magnitude));
        let l2: f64 = query
            .iter()
            .zip(&step)
            .zip(&codes)
            .map(|((q, s), &c)| (f64::from(*q) - f64::from(*s) * f64::from(c)).powi(2))
            .sum();
        prop_assert!(close(scalar().l2_squared_u8(&query, &step, &codes), l2 as f32, l2));
    }
}

#[test]
fn lane_boundary_lengths_match_scalar() {
    let mut rng = SplitMix64::new(0x5eed_c0de);
    for &len in LANE_BOUNDARY_LENGTHS {
        let query: Vec<f32> = (0..len).map(|_| rng.next_f32()).collect();
        let step: Vec<f32> = (0..len).map(|_| rng.next_f32().abs() / 100.0).collect();
        let codes: Vec<u8> = (0..len).map(|_| rng.next_u64() as u8).collect();
        compare(&query, &step, &codes, false).unwrap();
        // Small integers (and steps of 1) make every sum exact in any order.
        let query: Vec<f32> = (0..len).map(|_| rng.next_small_integer()).collect();
        let ones = vec![1.0f32; len];
        let small: Vec<u8> = (0..len).map(|_| (rng.next_u64() % 5) as u8).collect();
        compare(&query, &ones, &small, true).unwrap();
    }
}

#[test]
fn masked_sum_picks_the_set_bits() {
    let values: Vec<f32> = (0..24).map(|i| i as f32).collect();
    // Byte 0: bits 0 and 7 (values 0 and 7); byte 1: none; byte 2: bit 1 (value 17).
    let bits = [0b1000_0001, 0, 0b0000_0010];
    for kernels in all() {
        assert_eq!(kernels.masked_sum(&values, &bits), 24.0, "{kernels:?}");
        assert_eq!(kernels.masked_sum(&[], &[]), 0.0);
    }
    assert_eq!(vec_simd::codes::dot_u8(&[0.5, 2.0], &[4, 3]), 8.0);
    assert_eq!(vec_simd::codes::dot_u8_i16(&[-3, 2], &[4, 255]), 498);
    assert_eq!(
        vec_simd::codes::l2_squared_u8(&[1.0, 1.0], &[0.5, 0.5], &[2, 4]),
        1.0
    );
}

#[test]
fn mismatched_lengths_are_refused() {
    let lengths = std::panic::catch_unwind(|| vec_simd::codes::dot_u8(&[1.0, 2.0], &[1]));
    assert!(lengths.is_err());
    let bits = std::panic::catch_unwind(|| vec_simd::codes::masked_sum(&[1.0; 9], &[1]));
    assert!(bits.is_err());
    let words = std::panic::catch_unwind(|| vec_simd::codes::dot_u8_i16(&[1; 3], &[1]));
    assert!(words.is_err());
}
