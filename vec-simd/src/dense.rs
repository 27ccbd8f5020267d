//! [`DenseKernels`]: one implementation's table of dense-vector kernels for one element type.
//!
//! The table holds `unsafe fn` pointers: a SIMD kernel is only sound on a CPU with its
//! features and with two slices of equal length. Both conditions are established here, once:
//! a table can only be built through the unsafe [`DenseKernels::new`], which the family
//! modules call after checking the CPU's features, and every method checks the lengths before
//! it calls through a pointer. That makes the methods safe.
//!
//! Besides the one-pair kernels, a table holds batched kernels (`dot_many`,
//! `l2_squared_many`) that compare one query with a run of rows stored back to back, as an
//! index list or a heap page holds them: one call per run instead of one indirect call per
//! row, and the SIMD paths load each block of the query once for several rows.

use std::fmt;

use crate::cosine::CosineSums;
use crate::Implementation;

/// A kernel that returns one distance. Callers must pass slices of equal length.
pub(crate) type DistanceFn<T> = unsafe fn(&[T], &[T]) -> f32;

/// A kernel that returns the three sums of a cosine distance. Callers must pass slices of
/// equal length.
pub(crate) type CosineFn<T> = unsafe fn(&[T], &[T]) -> CosineSums;

/// A batched kernel: writes the distance of `query` to each of the `out.len()` rows stored
/// back to back in `rows`. Callers must pass a non-empty `query` and
/// `rows.len() == query.len() * out.len()`.
pub(crate) type ManyFn<T> = unsafe fn(query: &[T], rows: &[T], out: &mut [f32]);

/// The dense-vector kernels of one [`Implementation`] for element type `T`, as returned by
/// [`crate::f32::kernels`] and [`crate::f16::kernels`] (or their `selected()`).
///
/// Sums are accumulated in `f32`. Every method panics when the slices differ in length.
pub struct DenseKernels<T: 'static> {
    implementation: Implementation,
    l2_squared: DistanceFn<T>,
    dot: DistanceFn<T>,
    cosine_sums: CosineFn<T>,
    l1: DistanceFn<T>,
    dot_many: ManyFn<T>,
    l2_squared_many: ManyFn<T>,
}

/// The kernels that make up a [`DenseKernels`] table, in the order of its fields.
pub(crate) struct DenseKernelFns<T: 'static> {
    pub(crate) l2_squared: DistanceFn<T>,
    pub(crate) dot: DistanceFn<T>,
    pub(crate) cosine_sums: CosineFn<T>,
    pub(crate) l1: DistanceFn<T>,
    pub(crate) dot_many: ManyFn<T>,
    pub(crate) l2_squared_many: ManyFn<T>,
}

impl<T: 'static> DenseKernels<T> {
    /// Builds a table.
    ///
    /// # Safety
    ///
    /// Every function in `fns` must be safe to call, on the CPU this process runs on, with any
    /// two slices of equal length (for a SIMD kernel: the CPU has its target features); the
    /// batched ones with any arguments that meet `ManyFn`'s conditions.
    pub(crate) unsafe fn new(implementation: Implementation, fns: DenseKernelFns<T>) -> Self {
        DenseKernels {
            implementation,
            l2_squared: fns.l2_squared,
            dot: fns.dot,
            cosine_sums: fns.cosine_sums,
            l1: fns.l1,
            dot_many: fns.dot_many,
            l2_squared_many: fns.l2_squared_many,
        }
    }

    /// The implementation these kernels belong to.
    pub fn implementation(&self) -> Implementation {
        self.implementation
    }

    /// Squared Euclidean distance `Σ (a_i - b_i)²`.
    ///
    /// # Panics
    ///
    /// When `a` and `b` differ in length.
    #[inline]
    pub fn l2_squared(&self, a: &[T], b: &[T]) -> f32 {
        check_lengths(a.len(), b.len());
        // SAFETY: `new`'s contract makes the pointer safe to call on this CPU with slices of
        // equal length, and the lengths were just checked.
        unsafe { (self.l2_squared)(a, b) }
    }

    /// Inner product `Σ a_i * b_i`.
    ///
    /// # Panics
    ///
    /// When `a` and `b` differ in length.
    #[inline]
    pub fn dot(&self, a: &[T], b: &[T]) -> f32 {
        check_lengths(a.len(), b.len());
        // SAFETY: as in `l2_squared`: `new`'s contract and the length check above.
        unsafe { (self.dot)(a, b) }
    }

    /// Cosine distance `1 - dot / sqrt(norm_a * norm_b)`, computed as pgvector does; NaN
    /// when either vector is zero.
    ///
    /// # Panics
    ///
    /// When `a` and `b` differ in length.
    #[inline]
    pub fn cosine_distance(&self, a: &[T], b: &[T]) -> f32 {
        check_lengths(a.len(), b.len());
        // SAFETY: as in `l2_squared`: `new`'s contract and the length check above.
        unsafe { (self.cosine_sums)(a, b) }.distance()
    }

    /// Manhattan (taxicab) distance `Σ |a_i - b_i|`.
    ///
    /// # Panics
    ///
    /// When `a` and `b` differ in length.
    #[inline]
    pub fn l1(&self, a: &[T], b: &[T]) -> f32 {
        check_lengths(a.len(), b.len());
        // SAFETY: as in `l2_squared`: `new`'s contract and the length check above.
        unsafe { (self.l1)(a, b) }
    }

    /// Inner products of `query` with each row of `rows`: `out[i] = Σ query_j * row_i[j]`,
    /// where row `i` is `rows[i * query.len()..(i + 1) * query.len()]`. Each value may differ
    /// from [`dot`](Self::dot)'s by rounding (the sum is taken in another order).
    ///
    /// # Panics
    ///
    /// When `rows.len()` is not `out.len() * query.len()`.
    #[inline]
    pub fn dot_many(&self, query: &[T], rows: &[T], out: &mut [f32]) {
        if check_many_lengths(query.len(), rows.len(), out) {
            // SAFETY: `new`'s contract makes the pointer safe to call on this CPU with
            // arguments that meet `ManyFn`'s conditions, which were just checked.
            unsafe { (self.dot_many)(query, rows, out) }
        }
    }

    /// Squared Euclidean distances of `query` to each row of `rows`:
    /// `out[i] = Σ (query_j - row_i[j])²`, rows laid out as in
    /// [`dot_many`](Self::dot_many).
    ///
    /// # Panics
    ///
    /// When `rows.len()` is not `out.len() * query.len()`.
    #[inline]
    pub fn l2_squared_many(&self, query: &[T], rows: &[T], out: &mut [f32]) {
        if check_many_lengths(query.len(), rows.len(), out) {
            // SAFETY: as in `dot_many`: `new`'s contract and the checks just made.
            unsafe { (self.l2_squared_many)(query, rows, out) }
        }
    }
}

// Written by hand: a derive would demand `T: Clone`, which function pointers do not need.
impl<T: 'static> Clone for DenseKernels<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: 'static> Copy for DenseKernels<T> {}

impl<T: 'static> fmt::Debug for DenseKernels<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DenseKernels")
            .field("element", &std::any::type_name::<T>())
            .field("implementation", &self.implementation)
            .finish_non_exhaustive()
    }
}

/// Panics with both lengths when they differ. Kept out of line so that the kernels' callers
/// stay small.
#[inline]
pub(crate) fn check_lengths(a_len: usize, b_len: usize) {
    if a_len != b_len {
        length_mismatch(a_len, b_len);
    }
}

/// Panics unless `rows_len == query_len * out.len()`. Returns whether a batched kernel must
/// run: for an empty query every distance is an empty sum, so `out` is zeroed here instead.
#[inline]
fn check_many_lengths(query_len: usize, rows_len: usize, out: &mut [f32]) -> bool {
    if query_len.checked_mul(out.len()) != Some(rows_len) {
        rows_mismatch(query_len, rows_len, out.len());
    }
    if query_len == 0 {
        out.fill(0.0);
        return false;
    }
    true
}

#[cold]
#[inline(never)]
fn rows_mismatch(query_len: usize, rows_len: usize, out_len: usize) -> ! {
    panic!(
        "vec_simd: rows hold {rows_len} elements, not {out_len} rows of {query_len} \
         (the query's length)"
    );
}

#[cold]
#[inline(never)]
fn length_mismatch(a_len: usize, b_len: usize) -> ! {
    panic!("vec_simd: slices differ in length ({a_len} and {b_len})");
}
