//! Batched kernels (`dot_many`, `l2_squared_many`): every implementation against the
//! one-pair scalar reference, row by row, for `f32` and `f16`, on unaligned runs of rows;
//! plus the empty cases and the length check.

use half::f16;
use proptest::collection::vec;
use proptest::prelude::*;
use vec_simd::{DenseKernels, Implementation};

use crate::common::{close, proptest_config, SplitMix64, LANE_BOUNDARY_LENGTHS, OFFSETS};
use crate::dense::all_kernels;

/// Checks both batched kernels of `kernels` on `rows.len() / query.len()` rows against the
/// scalar one-pair kernels, row by row; `exact` demands equal results.
fn compare_many<T>(
    kernels: &DenseKernels<T>,
    reference: &DenseKernels<T>,
    query: &[T],
    rows: &[T],
    count: usize,
    widen: fn(&T) -> f64,
    exact: bool,
) -> Result<(), String> {
    let mut dots = vec![f32::NAN; count];
    let mut l2s = vec![f32::NAN; count];
    kernels.dot_many(query, rows, &mut dots);
    kernels.l2_squared_many(query, rows, &mut l2s);
    for index in 0..count {
        let row = &rows[index * query.len()..(index + 1) * query.len()];
        let pairs = || query.iter().map(widen).zip(row.iter().map(widen));
        let dot_magnitude: f64 = pairs().map(|(x, y)| (x * y).abs()).sum();
        let l2_magnitude: f64 = pairs().map(|(x, y)| (x - y) * (x - y)).sum();
        let checks = [
            (
                "dot_many",
                dots[index],
                reference.dot(query, row),
                dot_magnitude,
            ),
            (
                "l2_squared_many",
                l2s[index],
                reference.l2_squared(query, row),
                l2_magnitude,
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
                    "{}::{kernel}, row {index} of {count}, length {}: got {got}, scalar {expected}",
                    kernels.implementation(),
                    query.len()
                ));
            }
        }
    }
    Ok(())
}

fn f32_scalar() -> DenseKernels<f32> {
    vec_simd::f32::kernels(Implementation::Scalar).expect("scalar is always available")
}

fn f16_scalar() -> DenseKernels<f16> {
    vec_simd::f16::kernels(Implementation::Scalar).expect("scalar is always available")
}

/// A query length in `1..=600`, a row count in `0..=9`, and enough random values for the
/// query and the rows with 3 spare elements each (for the unaligned offsets).
fn query_and_rows() -> impl Strategy<Value = (usize, usize, Vec<f32>, Vec<f32>)> {
    (1usize..=600, 0usize..=9).prop_flat_map(|(dim, count)| {
        (
            Just(dim),
            Just(count),
            vec(-10.0f32..10.0, dim + 3),
            vec(-10.0f32..10.0, dim * count + 3),
        )
    })
}

proptest! {
    #![proptest_config(proptest_config())]

    #[test]
    fn f32_batches_match_scalar(
        (dim, count, query, rows) in query_and_rows(),
        q_offset in OFFSETS,
        r_offset in OFFSETS,
    ) {
        let query = &query[q_offset..q_offset + dim];
        let rows = &rows[r_offset..r_offset + dim * count];
        for kernels in all_kernels(vec_simd::f32::kernels) {
            compare_many(&kernels, &f32_scalar(), query, rows, count, |x| f64::from(*x), false)
                .map_err(TestCaseError::fail)?;
        }
    }

    #[test]
    fn f16_batches_match_scalar(
        (dim, count, query, rows) in query_and_rows(),
        q_offset in OFFSETS,
        r_offset in OFFSETS,
    ) {
        let query: Vec<f16> = query[q_offset..q_offset + dim].iter().map(|&x| f16::from_f32(x)).collect();
        let rows: Vec<f16> = rows.iter().map(|&x| f16::from_f32(x)).collect();
        let rows = &rows[r_offset..r_offset + dim * count];
        for kernels in all_kernels(vec_simd::f16::kernels) {
            compare_many(&kernels, &f16_scalar(), &query, rows, count, |x| f64::from(x.to_f32()), false)
                .map_err(TestCaseError::fail)?;
        }
    }
}

#[test]
fn integer_inputs_match_scalar_exactly() {
    // Small integers make every sum exact in any order: any difference is a lost, doubled or
    // misplaced element, or a row mixed up with its neighbour.
    let mut rng = SplitMix64::new(0xba7c);
    for &dim in LANE_BOUNDARY_LENGTHS.iter().filter(|&&dim| dim > 0) {
        for count in [1, 3, 4, 5, 8, 9] {
            let query: Vec<f32> = (0..dim).map(|_| rng.next_small_integer()).collect();
            let rows: Vec<f32> = (0..dim * count + 1)
                .map(|_| rng.next_small_integer())
                .collect();
            for rows in [&rows[..dim * count], &rows[1..]] {
                for kernels in all_kernels(vec_simd::f32::kernels) {
                    compare_many(
                        &kernels,
                        &f32_scalar(),
                        &query,
                        rows,
                        count,
                        |x| f64::from(*x),
                        true,
                    )
                    .unwrap();
                }
            }
        }
    }
}

#[test]
fn free_functions_match_the_selected_table() {
    let query = [1.0f32, 2.0, 3.0];
    let rows = [4.0f32, 5.0, 6.0, 1.0, 2.0, 3.0];
    let mut out = [0.0f32; 2];
    vec_simd::f32::dot_many(&query, &rows, &mut out);
    assert_eq!(out, [32.0, 14.0]);
    vec_simd::f32::l2_squared_many(&query, &rows, &mut out);
    assert_eq!(out, [27.0, 0.0]);
    let half = |values: &[f32]| values.iter().map(|&x| f16::from_f32(x)).collect::<Vec<_>>();
    vec_simd::f16::dot_many(&half(&query), &half(&rows), &mut out);
    assert_eq!(out, [32.0, 14.0]);
    vec_simd::f16::l2_squared_many(&half(&query), &half(&rows), &mut out);
    assert_eq!(out, [27.0, 0.0]);
}

#[test]
fn empty_queries_and_batches() {
    for kernels in all_kernels(vec_simd::f32::kernels) {
        // No rows: nothing to write.
        kernels.dot_many(&[1.0, 2.0], &[], &mut []);
        kernels.l2_squared_many(&[1.0, 2.0], &[], &mut []);
        // An empty query: every distance is an empty sum.
        let mut out = [f32::NAN; 3];
        kernels.dot_many(&[], &[], &mut out);
        assert_eq!(out, [0.0; 3], "{}", kernels.implementation());
        out = [f32::NAN; 3];
        kernels.l2_squared_many(&[], &[], &mut out);
        assert_eq!(out, [0.0; 3], "{}", kernels.implementation());
    }
}

#[test]
#[should_panic(expected = "vec_simd: rows hold 5 elements, not 2 rows of 3")]
fn rows_that_do_not_fill_the_output_panic() {
    vec_simd::f32::dot_many(&[1.0; 3], &[1.0; 5], &mut [0.0; 2]);
}

#[test]
#[should_panic(expected = "vec_simd: rows hold 3 elements, not 0 rows of 0")]
fn rows_with_an_empty_query_panic() {
    vec_simd::f32::l2_squared_many(&[], &[1.0; 3], &mut []);
}
