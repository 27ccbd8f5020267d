//! `f16` kernels: every implementation against the scalar reference, on random finite halves
//! of every magnitude (subnormals and ±65504 included).

use half::f16;
use proptest::collection::vec;
use proptest::prelude::*;
use vec_simd::f16::F16Kernels;
use vec_simd::Implementation;

use crate::common::{proptest_config, SplitMix64, LANE_BOUNDARY_LENGTHS, OFFSETS};
use crate::dense::{all_kernels, compare};

fn scalar() -> F16Kernels {
    vec_simd::f16::kernels(Implementation::Scalar).expect("scalar is always available")
}

fn widen(x: &f16) -> f64 {
    f64::from(x.to_f32())
}

/// Any finite half: random bits, with an all-ones exponent (infinity or NaN) turned into the
/// largest finite exponent by clearing its lowest bit.
fn finite_half() -> impl Strategy<Value = f16> {
    any::<u16>().prop_map(|bits| {
        let half = f16::from_bits(bits);
        if half.is_finite() {
            half
        } else {
            f16::from_bits(bits & !0x0400)
        }
    })
}

/// Two vectors of the same random length in `1..=2000`, with 3 spare elements each.
fn vector_pair() -> impl Strategy<Value = (Vec<f16>, Vec<f16>)> {
    (1usize..=2000).prop_flat_map(|len| (vec(finite_half(), len + 3), vec(finite_half(), len + 3)))
}

proptest! {
    #![proptest_config(proptest_config())]

    #[test]
    fn every_implementation_matches_scalar(
        (a, b) in vector_pair(),
        a_offset in OFFSETS,
        b_offset in OFFSETS,
    ) {
        let len = a.len() - 3;
        let (a, b) = (&a[a_offset..a_offset + len], &b[b_offset..b_offset + len]);
        for kernels in all_kernels(vec_simd::f16::kernels) {
            compare(&kernels, &scalar(), a, b, widen, false).map_err(TestCaseError::fail)?;
        }
    }
}

#[test]
fn lane_boundary_lengths_match_scalar() {
    let mut rng = SplitMix64::new(0x5eed_0f16);
    for &len in LANE_BOUNDARY_LENGTHS {
        let a: Vec<f16> = (0..len + 3)
            .map(|_| f16::from_f32(rng.next_f32()))
            .collect();
        let b: Vec<f16> = (0..len + 3)
            .map(|_| f16::from_f32(rng.next_f32()))
            .collect();
        for offset in OFFSETS {
            let (a, b) = (&a[offset..offset + len], &b[3 - offset..3 - offset + len]);
            for kernels in all_kernels(vec_simd::f16::kernels) {
                compare(&kernels, &scalar(), a, b, widen, false).unwrap();
            }
        }
    }
}

#[test]
fn integer_inputs_match_scalar_exactly() {
    let mut rng = SplitMix64::new(11);
    for &len in LANE_BOUNDARY_LENGTHS {
        let a: Vec<f16> = (0..len + 1)
            .map(|_| f16::from_f32(rng.next_small_integer()))
            .collect();
        let b: Vec<f16> = (0..len + 1)
            .map(|_| f16::from_f32(rng.next_small_integer()))
            .collect();
        for (a, b) in [(&a[..len], &b[..len]), (&a[1..], &b[1..])] {
            for kernels in all_kernels(vec_simd::f16::kernels) {
                compare(&kernels, &scalar(), a, b, widen, true).unwrap();
            }
        }
    }
}

#[test]
fn every_half_widens_exactly() {
    // Each of the 65,536 halves, once in a SIMD block and once in the scalar tail: the dot
    // product with a one-hot vector reads back the widened value. Infinities and NaNs
    // included: the widening is exact for them too.
    for kernels in all_kernels(vec_simd::f16::kernels) {
        for len in [1usize, 64] {
            let mut a = vec![f16::ZERO; len];
            let mut b = vec![f16::ZERO; len];
            b[len - 1] = f16::ONE;
            for bits in 0..=u16::MAX {
                let half = f16::from_bits(bits);
                a[len - 1] = half;
                let got = kernels.dot(&a, &b);
                let expected = half.to_f32();
                assert!(
                    got == expected || (got.is_nan() && expected.is_nan()),
                    "{} at length {len}: {bits:#06x} widened to {got}, expected {expected}",
                    kernels.implementation()
                );
            }
        }
    }
}

#[test]
fn cosine_of_a_zero_vector_is_nan() {
    for len in [0, 1, 7, 8, 16, 33, 384] {
        let zeros = vec![f16::ZERO; len];
        let ones = vec![f16::ONE; len];
        for kernels in all_kernels(vec_simd::f16::kernels) {
            let name = kernels.implementation();
            assert!(
                kernels.cosine_distance(&zeros, &ones).is_nan(),
                "{name} at {len}"
            );
            assert!(
                kernels.cosine_distance(&zeros, &zeros).is_nan(),
                "{name} at {len}"
            );
        }
    }
}

#[test]
fn known_values() {
    let a = [1.0f32, 2.0, 3.0].map(f16::from_f32);
    let b = [4.0f32, 5.0, 6.0].map(f16::from_f32);
    for kernels in all_kernels(vec_simd::f16::kernels) {
        assert_eq!(kernels.l2_squared(&a, &b), 27.0);
        assert_eq!(kernels.dot(&a, &b), 32.0);
        assert_eq!(kernels.l1(&a, &b), 9.0);
        assert_eq!(kernels.cosine_distance(&a, &a), 0.0);
    }
}
