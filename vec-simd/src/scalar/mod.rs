//! Plain scalar kernels: the reference implementation every SIMD path is tested against, and
//! the fallback on CPUs without a SIMD path.
//!
//! Each loop sums in element order, one accumulator, exactly as written; none is tuned. The
//! callers (the tables in `crate::dense` and `crate::bits`) guarantee equal lengths.

pub(crate) mod bits;
pub(crate) mod codes;
pub(crate) mod f16;
pub(crate) mod f32;

/// Calls `distance` on `query` and each row of `rows` (rows of `query.len()` elements back to
/// back) and stores the results in `out`: the batched kernels' reference, and the plain form
/// the simple SIMD batched kernels use. `query` must not be empty.
#[inline(always)]
pub(crate) fn each_row<T>(
    query: &[T],
    rows: &[T],
    out: &mut [f32],
    distance: impl Fn(&[T], &[T]) -> f32,
) {
    debug_assert!(!query.is_empty() && rows.len() == query.len() * out.len());
    for (row, slot) in rows.chunks_exact(query.len()).zip(out) {
        *slot = distance(query, row);
    }
}
