//! The instruction sets a kernel can be built for, their run-time detection, and the one-time
//! choice of the best one.
//!
//! Detection happens once per kernel family: the family's `selected()` table is filled on
//! the first call (a `OnceLock`, as tantivy's `filter_vec` caches its choice) and every later
//! call goes straight through the cached function pointers. No call checks CPU features again.

use std::fmt;

/// One implementation of the kernels: the scalar reference or one SIMD instruction set.
///
/// The variants are declared from the slowest to the fastest, so `Ord` ranks them by
/// preference. Each kernel family (`f32`, `f16`, `bits`) has a `kernels(implementation)`
/// function that returns its table for this implementation, or `None` when this CPU or this
/// build's target architecture cannot run it; tests and benches use it to force a path.
///
/// ```
/// use vec_simd::Implementation;
///
/// for implementation in Implementation::available() {
///     if let Some(kernels) = vec_simd::f16::kernels(implementation) {
///         let a = [half::f16::from_f32(1.5); 3];
///         assert_eq!(kernels.dot(&a, &a), 6.75, "{implementation}");
///     }
/// }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Implementation {
    /// Plain Rust loops, summing in element order: the reference every other implementation
    /// is tested against. Available everywhere.
    Scalar,
    /// aarch64 Advanced SIMD (NEON), 4 `f32` lanes.
    Neon,
    /// x86-64 AVX2 with FMA, F16C and POPCNT, 8 `f32` lanes.
    Avx2,
    /// x86-64 AVX-512F, 16 `f32` lanes, on a CPU that also has everything [`Avx2`] needs.
    /// The bit kernels also need AVX512_VPOPCNTDQ; without it `bits::kernels` answers `None`
    /// for this variant and the bit kernels use AVX2.
    ///
    /// [`Avx2`]: Implementation::Avx2
    Avx512,
}

impl Implementation {
    /// Every implementation, slowest first.
    pub const ALL: [Implementation; 4] = [
        Implementation::Scalar,
        Implementation::Neon,
        Implementation::Avx2,
        Implementation::Avx512,
    ];

    /// A short lower-case name, as used in bench identifiers: `scalar`, `neon`, `avx2`,
    /// `avx512`.
    pub fn name(self) -> &'static str {
        match self {
            Implementation::Scalar => "scalar",
            Implementation::Neon => "neon",
            Implementation::Avx2 => "avx2",
            Implementation::Avx512 => "avx512",
        }
    }

    /// Whether this build's target architecture has this implementation and the running CPU
    /// has the features it needs.
    pub fn is_available(self) -> bool {
        match self {
            Implementation::Scalar => true,
            Implementation::Neon => neon_detected(),
            Implementation::Avx2 => avx2_detected(),
            Implementation::Avx512 => avx512_detected(),
        }
    }

    /// The implementations this CPU can run, slowest first; always starts with
    /// [`Implementation::Scalar`].
    pub fn available() -> Vec<Implementation> {
        Implementation::ALL
            .into_iter()
            .filter(|implementation| implementation.is_available())
            .collect()
    }
}

impl fmt::Display for Implementation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The table of the fastest implementation this CPU can run, given a family's `kernels`
/// function. Called once per family, from its `selected()`.
pub(crate) fn fastest<K>(kernels: fn(Implementation) -> Option<K>) -> K {
    Implementation::ALL
        .into_iter()
        .rev()
        .find_map(kernels)
        .expect("the scalar kernels are always available")
}

#[cfg(target_arch = "x86_64")]
fn avx2_detected() -> bool {
    is_x86_feature_detected!("avx2")
        && is_x86_feature_detected!("fma")
        && is_x86_feature_detected!("f16c")
        && is_x86_feature_detected!("popcnt")
}

#[cfg(target_arch = "x86_64")]
fn avx512_detected() -> bool {
    avx2_detected() && is_x86_feature_detected!("avx512f")
}

/// Whether the AVX-512 bit kernels can run: AVX-512F plus the 64-bit lane popcount.
#[cfg(target_arch = "x86_64")]
pub(crate) fn avx512_popcount_detected() -> bool {
    avx512_detected() && is_x86_feature_detected!("avx512vpopcntdq")
}

#[cfg(not(target_arch = "x86_64"))]
fn avx2_detected() -> bool {
    false
}

#[cfg(not(target_arch = "x86_64"))]
fn avx512_detected() -> bool {
    false
}

#[cfg(target_arch = "aarch64")]
fn neon_detected() -> bool {
    std::arch::is_aarch64_feature_detected!("neon")
}

#[cfg(not(target_arch = "aarch64"))]
fn neon_detected() -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::Implementation;

    #[test]
    fn scalar_is_always_first() {
        let available = Implementation::available();
        assert_eq!(available.first(), Some(&Implementation::Scalar));
        assert!(available.windows(2).all(|pair| pair[0] < pair[1]));
    }

    #[test]
    fn names_are_distinct() {
        let names: Vec<_> = Implementation::ALL.iter().map(|i| i.to_string()).collect();
        for (index, name) in names.iter().enumerate() {
            assert!(!names[index + 1..].contains(name), "{name}");
        }
    }
}
