//! Distances between packed bit strings (8 bits per byte, as pgvector's `bit` type stores
//! them).
//!
//! The free functions use the table [`selected`] returns: the fastest implementation this CPU
//! can run, chosen on the first call. [`kernels`] returns any one implementation's table, for
//! tests and benches. Only whole bytes are compared; a bit string whose length is not a
//! multiple of 8 keeps its padding bits zero in both operands, so they never count.

use std::fmt;
use std::sync::OnceLock;

use crate::dense::check_lengths;
use crate::{implementation, scalar, Implementation};

/// The three population counts a Jaccard distance needs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct JaccardCounts {
    /// Bits set in both `a` and `b`.
    pub(crate) intersection: u64,
    /// Bits set in `a` or `b` (pgvector computes it as `|a| + |b| - |a ∧ b|`, the same
    /// integer).
    pub(crate) union: u64,
}

impl JaccardCounts {
    /// `1 - |a ∧ b| / |a ∨ b|`. Like pgvector's `BitJaccardDistance`, an empty intersection
    /// gives exactly 1, which covers two all-zero strings (where the ratio would be `0 / 0`).
    pub(crate) fn distance(self) -> f64 {
        if self.intersection == 0 {
            return 1.0;
        }
        1.0 - self.intersection as f64 / self.union as f64
    }
}

type HammingFn = unsafe fn(&[u8], &[u8]) -> u64;
type JaccardFn = unsafe fn(&[u8], &[u8]) -> JaccardCounts;

/// The bit-string kernels of one [`Implementation`], as returned by [`kernels`] and
/// [`selected`]. Every method panics when the slices differ in length.
#[derive(Clone, Copy)]
pub struct BitKernels {
    implementation: Implementation,
    hamming: HammingFn,
    jaccard_counts: JaccardFn,
}

impl BitKernels {
    /// Builds a table.
    ///
    /// # Safety
    ///
    /// Both functions must be safe to call, on the CPU this process runs on, with any two
    /// slices of equal length.
    unsafe fn new(
        implementation: Implementation,
        hamming: HammingFn,
        jaccard_counts: JaccardFn,
    ) -> Self {
        BitKernels {
            implementation,
            hamming,
            jaccard_counts,
        }
    }

    /// The implementation these kernels belong to.
    pub fn implementation(&self) -> Implementation {
        self.implementation
    }

    /// Number of differing bits, saturating at `u32::MAX` (a 512 MiB bit string).
    ///
    /// # Panics
    ///
    /// When `a` and `b` differ in length.
    #[inline]
    pub fn hamming(&self, a: &[u8], b: &[u8]) -> u32 {
        check_lengths(a.len(), b.len());
        // SAFETY: `new`'s contract makes the pointer safe to call on this CPU with slices of
        // equal length, and the lengths were just checked.
        let count = unsafe { (self.hamming)(a, b) };
        u32::try_from(count).unwrap_or(u32::MAX)
    }

    /// Jaccard distance `1 - |a ∧ b| / |a ∨ b|`; exactly 1 when no bit is set in both (so also
    /// when both are all zeros), as in pgvector.
    ///
    /// # Panics
    ///
    /// When `a` and `b` differ in length.
    #[inline]
    pub fn jaccard(&self, a: &[u8], b: &[u8]) -> f64 {
        check_lengths(a.len(), b.len());
        // SAFETY: as in `hamming`: `new`'s contract and the length check above.
        unsafe { (self.jaccard_counts)(a, b) }.distance()
    }
}

impl fmt::Debug for BitKernels {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BitKernels")
            .field("implementation", &self.implementation)
            .finish_non_exhaustive()
    }
}

/// The bit kernels of `implementation`, or `None` when this CPU or this build's target
/// architecture cannot run it. [`Implementation::Avx512`] also needs AVX512_VPOPCNTDQ here.
pub fn kernels(implementation: Implementation) -> Option<BitKernels> {
    if !implementation.is_available() {
        return None;
    }
    let (hamming, jaccard_counts): (HammingFn, JaccardFn) = match implementation {
        Implementation::Scalar => (
            scalar::bits::hamming_scalar,
            scalar::bits::jaccard_counts_scalar,
        ),
        #[cfg(target_arch = "x86_64")]
        Implementation::Avx2 => {
            use crate::arch::x86_64::avx2::bits as avx2;
            (avx2::hamming_avx2, avx2::jaccard_counts_avx2)
        }
        #[cfg(target_arch = "x86_64")]
        Implementation::Avx512 if implementation::avx512_popcount_detected() => {
            use crate::arch::x86_64::avx512::bits as avx512;
            (avx512::hamming_avx512, avx512::jaccard_counts_avx512)
        }
        #[cfg(target_arch = "aarch64")]
        Implementation::Neon => {
            use crate::arch::aarch64::neon::bits as neon;
            (neon::hamming_neon, neon::jaccard_counts_neon)
        }
        _ => return None,
    };
    // SAFETY: `is_available` (and, for AVX-512, the popcount check in the match guard)
    // established that this CPU has every feature the chosen kernels are compiled for, and
    // each kernel is sound for any two slices of equal length.
    Some(unsafe { BitKernels::new(implementation, hamming, jaccard_counts) })
}

/// The kernels the free functions of this module use: the fastest implementation this CPU
/// can run, detected on the first call and cached.
#[inline]
pub fn selected() -> &'static BitKernels {
    static SELECTED: OnceLock<BitKernels> = OnceLock::new();
    SELECTED.get_or_init(|| implementation::fastest(kernels))
}

/// Number of differing bits, saturating at `u32::MAX`.
///
/// # Panics
///
/// When `a` and `b` differ in length.
#[inline]
pub fn hamming(a: &[u8], b: &[u8]) -> u32 {
    selected().hamming(a, b)
}

/// Jaccard distance `1 - |a ∧ b| / |a ∨ b|`; exactly 1 when no bit is set in both (so also
/// when both are all zeros), as in pgvector.
///
/// # Panics
///
/// When `a` and `b` differ in length.
#[inline]
pub fn jaccard(a: &[u8], b: &[u8]) -> f64 {
    selected().jaccard(a, b)
}

#[cfg(test)]
mod tests {
    use super::JaccardCounts;

    #[test]
    fn jaccard_of_disjoint_or_empty_strings_is_one() {
        assert_eq!(JaccardCounts::default().distance(), 1.0);
        let disjoint = JaccardCounts {
            intersection: 0,
            union: 8,
        };
        assert_eq!(disjoint.distance(), 1.0);
    }

    #[test]
    fn jaccard_of_equal_strings_is_zero() {
        let equal = JaccardCounts {
            intersection: 7,
            union: 7,
        };
        assert_eq!(equal.distance(), 0.0);
    }
}
