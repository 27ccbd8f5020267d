//! Checks shared by the `f32` and `f16` tests: one implementation's four kernels against the
//! scalar reference's, on one pair of slices.

use vec_simd::{DenseKernels, Implementation};

use crate::common::close;

/// Compares `kernels` with `reference` on `a` and `b`: within the tolerance of
/// [`crate::common::RELATIVE_TOLERANCE`], or exactly when `exact` is set (inputs whose sums
/// every order computes exactly). `widen` converts an element to `f64`.
pub fn compare<T>(
    kernels: &DenseKernels<T>,
    reference: &DenseKernels<T>,
    a: &[T],
    b: &[T],
    widen: fn(&T) -> f64,
    exact: bool,
) -> Result<(), String> {
    let pairs = || a.iter().map(widen).zip(b.iter().map(widen));
    let dot_magnitude: f64 = pairs().map(|(x, y)| (x * y).abs()).sum();
    let l2_magnitude: f64 = pairs().map(|(x, y)| (x - y) * (x - y)).sum();
    let l1_magnitude: f64 = pairs().map(|(x, y)| (x - y).abs()).sum();
    let results = [
        ("dot", kernels.dot(a, b), reference.dot(a, b), dot_magnitude),
        (
            "l2_squared",
            kernels.l2_squared(a, b),
            reference.l2_squared(a, b),
            l2_magnitude,
        ),
        ("l1", kernels.l1(a, b), reference.l1(a, b), l1_magnitude),
        (
            "cosine_distance",
            kernels.cosine_distance(a, b),
            reference.cosine_distance(a, b),
            0.0,
        ),
    ];
    for (kernel, got, expected, magnitude) in results {
        let ok = if exact {
            got == expected || (got.is_nan() && expected.is_nan())
        } else {
            close(got, expected, magnitude)
        };
        if !ok {
            return Err(format!(
                "{}::{kernel} at length {}: got {got}, scalar reference {expected}",
                kernels.implementation(),
                a.len()
            ));
        }
    }
    Ok(())
}

/// The kernels of every implementation this CPU can run, scalar first.
pub fn all_kernels<T>(
    kernels: fn(Implementation) -> Option<DenseKernels<T>>,
) -> Vec<DenseKernels<T>> {
    Implementation::available()
        .into_iter()
        .filter_map(kernels)
        .collect()
}
