//! Bit kernels: every implementation equals the scalar reference exactly, and the reference
//! equals a bit-by-bit count.

use proptest::collection::vec;
use proptest::prelude::*;
use vec_simd::{BitKernels, Implementation};

use crate::common::{proptest_config, SplitMix64, LANE_BOUNDARY_LENGTHS, OFFSETS};

fn scalar() -> BitKernels {
    vec_simd::bits::kernels(Implementation::Scalar).expect("scalar is always available")
}

fn all_kernels() -> Vec<BitKernels> {
    Implementation::available()
        .into_iter()
        .filter_map(vec_simd::bits::kernels)
        .collect()
}

/// Counts bits one at a time, the slowest and plainest way.
fn count_bits(bytes: impl Iterator<Item = u8>) -> u32 {
    bytes
        .map(|byte| (0..8).filter(|bit| byte >> bit & 1 == 1).count() as u32)
        .sum()
}

fn check(a: &[u8], b: &[u8]) -> Result<(), String> {
    let expected_hamming = scalar().hamming(a, b);
    let expected_jaccard = scalar().jaccard(a, b);
    for kernels in all_kernels() {
        let (hamming, jaccard) = (kernels.hamming(a, b), kernels.jaccard(a, b));
        if hamming != expected_hamming || jaccard.to_bits() != expected_jaccard.to_bits() {
            return Err(format!(
                "{} at {} bytes: hamming {hamming}, jaccard {jaccard}; scalar {expected_hamming}, \
                 {expected_jaccard}",
                kernels.implementation(),
                a.len()
            ));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(proptest_config())]

    #[test]
    fn every_implementation_matches_scalar(
        (a, b) in (0usize..=600).prop_flat_map(|len| (vec(any::<u8>(), len + 3), vec(any::<u8>(), len + 3))),
        a_offset in OFFSETS,
        b_offset in OFFSETS,
    ) {
        let len = a.len() - 3;
        let (a, b) = (&a[a_offset..a_offset + len], &b[b_offset..b_offset + len]);
        check(a, b).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn scalar_reference_counts_bits(
        (a, b) in (0usize..=300).prop_flat_map(|len| (vec(any::<u8>(), len), vec(any::<u8>(), len))),
    ) {
        let differing = count_bits(a.iter().zip(&b).map(|(x, y)| x ^ y));
        prop_assert_eq!(scalar().hamming(&a, &b), differing);
        let both = count_bits(a.iter().zip(&b).map(|(x, y)| x & y));
        let either = count_bits(a.iter().zip(&b).map(|(x, y)| x | y));
        let jaccard = if both == 0 { 1.0 } else { 1.0 - f64::from(both) / f64::from(either) };
        prop_assert_eq!(scalar().jaccard(&a, &b), jaccard);
    }
}

#[test]
fn lane_boundary_lengths_match_scalar() {
    let mut rng = SplitMix64::new(0xb175);
    for &len in LANE_BOUNDARY_LENGTHS {
        let a: Vec<u8> = (0..len + 3).map(|_| rng.next_u64() as u8).collect();
        let b: Vec<u8> = (0..len + 3).map(|_| rng.next_u64() as u8).collect();
        for offset in OFFSETS {
            check(&a[offset..offset + len], &b[3 - offset..3 - offset + len]).unwrap();
        }
    }
}

#[test]
fn all_zeros_and_all_ones() {
    for &len in LANE_BOUNDARY_LENGTHS {
        let zeros = vec![0u8; len];
        let ones = vec![0xffu8; len];
        for kernels in all_kernels() {
            let name = kernels.implementation();
            assert_eq!(kernels.hamming(&zeros, &zeros), 0, "{name} at {len}");
            assert_eq!(
                kernels.hamming(&zeros, &ones),
                8 * len as u32,
                "{name} at {len}"
            );
            assert_eq!(kernels.hamming(&ones, &ones), 0, "{name} at {len}");
            // pgvector's BitJaccardDistance: no common bit, including two all-zero strings,
            // gives exactly 1.
            assert_eq!(kernels.jaccard(&zeros, &zeros), 1.0, "{name} at {len}");
            assert_eq!(kernels.jaccard(&zeros, &ones), 1.0, "{name} at {len}");
            let identical = if len == 0 { 1.0 } else { 0.0 };
            assert_eq!(kernels.jaccard(&ones, &ones), identical, "{name} at {len}");
        }
    }
}

#[test]
fn known_values() {
    // pgvector: '111'::bit <~> '001' = 2 and '1111'::bit <%> '0111' = 0.25.
    assert_eq!(vec_simd::bits::hamming(&[0b1110_0000], &[0b0010_0000]), 2);
    assert_eq!(
        vec_simd::bits::jaccard(&[0b1111_0000], &[0b0111_0000]),
        0.25
    );
}
