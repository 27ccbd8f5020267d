//! `f32` kernels: every implementation against the scalar reference, and the reference
//! against sums computed in `f64`.

use proptest::collection::vec;
use proptest::prelude::*;
use vec_simd::f32::F32Kernels;
use vec_simd::Implementation;

use crate::common::{close, proptest_config, SplitMix64, LANE_BOUNDARY_LENGTHS, OFFSETS};
use crate::dense::{all_kernels, compare};

fn scalar() -> F32Kernels {
    vec_simd::f32::kernels(Implementation::Scalar).expect("scalar is always available")
}

fn widen(x: &f32) -> f64 {
    f64::from(*x)
}

/// Two vectors of the same random length in `1..=2000`, each with 3 spare elements so that
/// the test can take a sub-slice at any offset in `OFFSETS`.
fn vector_pair() -> impl Strategy<Value = (Vec<f32>, Vec<f32>)> {
    (1usize..=2000)
        .prop_flat_map(|len| (vec(-10.0f32..10.0, len + 3), vec(-10.0f32..10.0, len + 3)))
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
        for kernels in all_kernels(vec_simd::f32::kernels) {
            compare(&kernels, &scalar(), a, b, widen, false).map_err(TestCaseError::fail)?;
        }
    }

    #[test]
    fn scalar_reference_matches_f64((a, b) in vector_pair()) {
        let dot: f64 = a.iter().zip(&b).map(|(x, y)| widen(x) * widen(y)).sum();
        let magnitude: f64 = a.iter().zip(&b).map(|(x, y)| (widen(x) * widen(y)).abs()).sum();
        prop_assert!(close(scalar().dot(&a, &b), dot as f32, magnitude));
        let l2: f64 = a.iter().zip(&b).map(|(x, y)| (widen(x) - widen(y)).powi(2)).sum();
        prop_assert!(close(scalar().l2_squared(&a, &b), l2 as f32, l2));
    }
}

#[test]
fn lane_boundary_lengths_match_scalar() {
    let mut rng = SplitMix64::new(0x5eed_0f32);
    for &len in LANE_BOUNDARY_LENGTHS {
        let a: Vec<f32> = (0..len + 3).map(|_| rng.next_f32()).collect();
        let b: Vec<f32> = (0..len + 3).map(|_| rng.next_f32()).collect();
        for offset in OFFSETS {
            let (a, b) = (&a[offset..offset + len], &b[3 - offset..3 - offset + len]);
            for kernels in all_kernels(vec_simd::f32::kernels) {
                compare(&kernels, &scalar(), a, b, widen, false).unwrap();
            }
        }
    }
}

#[test]
fn integer_inputs_match_scalar_exactly() {
    // Small integers make every sum exact in any order, so any difference from the
    // reference is a lost, doubled or misplaced element, not rounding.
    let mut rng = SplitMix64::new(7);
    for &len in LANE_BOUNDARY_LENGTHS {
        let a: Vec<f32> = (0..len + 1).map(|_| rng.next_small_integer()).collect();
        let b: Vec<f32> = (0..len + 1).map(|_| rng.next_small_integer()).collect();
        for (a, b) in [(&a[..len], &b[..len]), (&a[1..], &b[1..])] {
            for kernels in all_kernels(vec_simd::f32::kernels) {
                compare(&kernels, &scalar(), a, b, widen, true).unwrap();
            }
        }
    }
}

#[test]
fn cosine_of_a_zero_vector_is_nan() {
    for len in [0, 1, 7, 8, 16, 33, 384] {
        let zeros = vec![0.0f32; len];
        let ones = vec![1.0f32; len];
        for kernels in all_kernels(vec_simd::f32::kernels) {
            let name = kernels.implementation();
            assert!(
                kernels.cosine_distance(&zeros, &ones).is_nan(),
                "{name} at {len}"
            );
            assert!(
                kernels.cosine_distance(&ones, &zeros).is_nan(),
                "{name} at {len}"
            );
            assert!(
                kernels.cosine_distance(&zeros, &zeros).is_nan(),
                "{name} at {len}"
            );
            assert_eq!(kernels.dot(&zeros, &ones), 0.0, "{name} at {len}");
            assert_eq!(
                kernels.l2_squared(&zeros, &ones),
                len as f32,
                "{name} at {len}"
            );
        }
    }
    assert!(vec_simd::f32::cosine_distance(&[0.0; 3], &[1.0, 2.0, 3.0]).is_nan());
}

#[test]
fn known_values() {
    let a = [1.0f32, 2.0, 3.0];
    let b = [4.0f32, 5.0, 6.0];
    for kernels in all_kernels(vec_simd::f32::kernels) {
        assert_eq!(kernels.l2_squared(&a, &b), 27.0);
        assert_eq!(kernels.dot(&a, &b), 32.0);
        assert_eq!(kernels.l1(&a, &b), 9.0);
        // pgvector: SELECT '[1,2,3]'::vector <=> '[4,5,6]' gives 0.025368153802923787.
        let cosine = kernels.cosine_distance(&a, &b);
        assert!(
            (f64::from(cosine) - 0.025_368_153_802_923_787).abs() < 1e-7,
            "{cosine}"
        );
        // Parallel and opposite vectors: the similarity is clamped into [-1, 1].
        assert_eq!(kernels.cosine_distance(&a, &a), 0.0);
        assert_eq!(kernels.cosine_distance(&a, &[-1.0, -2.0, -3.0]), 2.0);
    }
}
