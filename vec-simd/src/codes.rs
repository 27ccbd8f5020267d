//! Distances between an `f32` query and quantized codes, as a quantized index estimates them
//! before it re-ranks with the full vectors.
//!
//! - **8-bit scalar codes** (one `u8` per dimension): [`dot_u8`] is `Σ query_i · code_i`, the
//!   core of an inner product against a code whose dimension `i` decodes to
//!   `min_i + step_i · code_i` (the caller folds `step` into the query and adds `Σ query_i ·
//!   min_i` itself); [`l2_squared_u8`] is `Σ (query_i - step_i · code_i)²`, the squared
//!   distance from a query already shifted by `min`. [`dot_u8_i16`] is the same dot product
//!   with the query rounded to 16-bit integers and summed exactly in 32-bit ones (two
//!   instructions per 32 dimensions with AVX-512BW, against six in `f32`).
//! - **1-bit codes** (one bit per dimension, least significant bit first within each byte, as
//!   RaBitQ-style codes store signs): [`masked_sum`] is `Σ values_i` over the dimensions whose
//!   bit is set. An inner product with a ±1 code is `2 · masked_sum - Σ values`.
//!
//! The free functions use the table [`selected`] returns: the fastest implementation this CPU
//! can run, chosen on the first call; [`kernels`] returns any one implementation's table, for
//! tests and benches. aarch64 uses the scalar kernels (no NEON version yet).

use std::fmt;
use std::sync::OnceLock;

use crate::dense::check_lengths;
use crate::{implementation, scalar, Implementation};

type DotU8Fn = unsafe fn(&[f32], &[u8]) -> f32;
type L2U8Fn = unsafe fn(&[f32], &[f32], &[u8]) -> f32;
type MaskedSumFn = unsafe fn(&[f32], &[u8]) -> f32;
type DotU8I16Fn = unsafe fn(&[i16], &[u8]) -> i32;

/// The code kernels of one [`Implementation`], as returned by [`kernels`] and [`selected`].
#[derive(Clone, Copy)]
pub struct CodeKernels {
    implementation: Implementation,
    dot_u8: DotU8Fn,
    l2_squared_u8: L2U8Fn,
    masked_sum: MaskedSumFn,
    dot_u8_i16: DotU8I16Fn,
}

impl CodeKernels {
    /// The implementation these kernels belong to.
    pub fn implementation(&self) -> Implementation {
        self.implementation
    }

    /// `Σ query_i · codes_i`, summed in `f32`.
    ///
    /// # Panics
    ///
    /// When `query` and `codes` differ in length.
    #[inline]
    pub fn dot_u8(&self, query: &[f32], codes: &[u8]) -> f32 {
        check_lengths(query.len(), codes.len());
        // SAFETY: `kernels` put the pointer in the table only after checking the CPU's
        // features, and the lengths were just checked.
        unsafe { (self.dot_u8)(query, codes) }
    }

    /// `Σ query_i · codes_i` in 32-bit integers: exact whenever `255 · Σ |query_i|` fits
    /// in an `i32` (the lanes wrap beyond that, as `wrapping_add` does).
    ///
    /// # Panics
    ///
    /// When `query` and `codes` differ in length.
    #[inline]
    pub fn dot_u8_i16(&self, query: &[i16], codes: &[u8]) -> i32 {
        check_lengths(query.len(), codes.len());
        // SAFETY: as in `dot_u8`: the feature check in `kernels` and the check just made.
        unsafe { (self.dot_u8_i16)(query, codes) }
    }

    /// `Σ (query_i - step_i · codes_i)²`, summed in `f32`.
    ///
    /// # Panics
    ///
    /// When `query`, `step` and `codes` differ in length.
    #[inline]
    pub fn l2_squared_u8(&self, query: &[f32], step: &[f32], codes: &[u8]) -> f32 {
        check_lengths(query.len(), codes.len());
        check_lengths(step.len(), codes.len());
        // SAFETY: as in `dot_u8`: the feature check in `kernels` and the checks just made.
        unsafe { (self.l2_squared_u8)(query, step, codes) }
    }

    /// `Σ values_i` over the `i` whose bit is set in `bits` (bit `i % 8` of byte `i / 8`).
    ///
    /// # Panics
    ///
    /// When `values.len()` is not `8 * bits.len()`.
    #[inline]
    pub fn masked_sum(&self, values: &[f32], bits: &[u8]) -> f32 {
        check_lengths(values.len(), bits.len().saturating_mul(8));
        // SAFETY: as in `dot_u8`: the feature check in `kernels` and the check just made.
        unsafe { (self.masked_sum)(values, bits) }
    }
}

impl fmt::Debug for CodeKernels {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CodeKernels")
            .field("implementation", &self.implementation)
            .finish_non_exhaustive()
    }
}

/// The code kernels of `implementation`, or `None` when this CPU or this build's target
/// architecture cannot run it.
pub fn kernels(implementation: Implementation) -> Option<CodeKernels> {
    if !implementation.is_available() {
        return None;
    }
    type Table = (DotU8Fn, L2U8Fn, MaskedSumFn, DotU8I16Fn);
    let (dot_u8, l2_squared_u8, masked_sum, dot_u8_i16): Table = match implementation {
        Implementation::Scalar => (
            scalar::codes::dot_u8_scalar,
            scalar::codes::l2_squared_u8_scalar,
            scalar::codes::masked_sum_scalar,
            scalar::codes::dot_u8_i16_scalar,
        ),
        #[cfg(target_arch = "x86_64")]
        Implementation::Avx2 => {
            use crate::arch::x86_64::avx2::codes as avx2;
            (
                avx2::dot_u8_avx2,
                avx2::l2_squared_u8_avx2,
                avx2::masked_sum_avx2,
                avx2::dot_u8_i16_avx2,
            )
        }
        #[cfg(target_arch = "x86_64")]
        Implementation::Avx512 => {
            use crate::arch::x86_64::avx512::codes as avx512;
            // AVX-512F without BW (Knights Landing) takes the AVX2 word kernel.
            let dot_u8_i16: DotU8I16Fn = if std::is_x86_feature_detected!("avx512bw") {
                avx512::dot_u8_i16_avx512
            } else {
                crate::arch::x86_64::avx2::codes::dot_u8_i16_avx2
            };
            (
                avx512::dot_u8_avx512,
                avx512::l2_squared_u8_avx512,
                avx512::masked_sum_avx512,
                dot_u8_i16,
            )
        }
        _ => return None,
    };
    Some(CodeKernels {
        implementation,
        dot_u8,
        l2_squared_u8,
        masked_sum,
        dot_u8_i16,
    })
}

/// The kernels the free functions of this module use: the fastest implementation this CPU
/// can run, detected on the first call and cached.
#[inline]
pub fn selected() -> &'static CodeKernels {
    static SELECTED: OnceLock<CodeKernels> = OnceLock::new();
    SELECTED.get_or_init(|| implementation::fastest(kernels))
}

/// `Σ query_i · codes_i` (see the module's documentation).
///
/// # Panics
///
/// When `query` and `codes` differ in length.
#[inline]
pub fn dot_u8(query: &[f32], codes: &[u8]) -> f32 {
    selected().dot_u8(query, codes)
}

/// `Σ query_i · codes_i` in 32-bit integers (see [`CodeKernels::dot_u8_i16`]).
///
/// # Panics
///
/// When `query` and `codes` differ in length.
#[inline]
pub fn dot_u8_i16(query: &[i16], codes: &[u8]) -> i32 {
    selected().dot_u8_i16(query, codes)
}

/// `Σ (query_i - step_i · codes_i)²` (see the module's documentation).
///
/// # Panics
///
/// When `query`, `step` and `codes` differ in length.
#[inline]
pub fn l2_squared_u8(query: &[f32], step: &[f32], codes: &[u8]) -> f32 {
    selected().l2_squared_u8(query, step, codes)
}

/// `Σ values_i` over the dimensions whose bit is set (see the module's documentation).
///
/// # Panics
///
/// When `values.len()` is not `8 * bits.len()`.
#[inline]
pub fn masked_sum(values: &[f32], bits: &[u8]) -> f32 {
    selected().masked_sum(values, bits)
}
