//! Shared helpers: the float tolerance, lane-boundary lengths, a seeded generator and the
//! proptest configuration.

use proptest::test_runner::Config as ProptestConfig;

/// Lengths on both sides of every block size the kernels use (4, 8, 16, 32 and 64 lanes or
/// bytes, and the 2- and 4-block groups of the unrolled loops), plus the common dimensions.
pub const LANE_BOUNDARY_LENGTHS: &[usize] = &[
    0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 23, 24, 25, 31, 32, 33, 47, 48, 49, 63, 64, 65, 95, 96,
    97, 127, 128, 129, 191, 192, 193, 255, 256, 257, 383, 384, 385, 767, 768, 769, 1535, 1536,
    1537,
];

/// Start offsets of the sub-slices the tests pass, so that most inputs are not 32-byte
/// aligned (a `Vec` of `f32` usually starts 16-byte aligned; `&v[1..]` is only 4-byte
/// aligned).
pub const OFFSETS: std::ops::Range<usize> = 0..4;

/// Relative tolerance for float sums.
///
/// A SIMD kernel sums the same terms as the scalar reference in another order (lane-wise,
/// then across lanes, with fused multiply-adds). Summing `n` terms in any order in `f32` is
/// off by at most about `n · 2⁻²⁴ · Σ|term|` from the exact sum, and in practice by about
/// `√n · 2⁻²⁴ · Σ|term|` since rounding errors are nearly independent. For `n ≤ 2000` that is
/// 2.7e-6 · Σ|term| typically and 1.2e-4 · Σ|term| in the worst case, per side. We allow
/// `1e-4 · (1 + Σ|term|)`: about 40 times the typical error of the two sides together, tight
/// enough that a dropped or doubled element (a change of at least one whole term) fails.
/// The scale is `Σ|term|`, not `|result|`, because a dot product may cancel to near zero
/// while its rounding error stays proportional to the terms.
///
/// Cosine distances are compared with an absolute tolerance of `1e-4`: by Cauchy–Schwarz
/// `Σ|a_i b_i| ≤ sqrt(Σa_i² · Σb_i²)`, so the similarity's error is bounded by a few times the
/// sums' relative error, whatever the inputs' scale.
pub const RELATIVE_TOLERANCE: f64 = 1e-4;

/// Whether `got` is within the tolerance of `expected` for sums of terms whose absolute
/// values add up to `magnitude`. NaN only matches NaN.
pub fn close(got: f32, expected: f32, magnitude: f64) -> bool {
    if expected.is_nan() || got.is_nan() {
        return expected.is_nan() && got.is_nan();
    }
    (f64::from(got) - f64::from(expected)).abs() <= RELATIVE_TOLERANCE * (1.0 + magnitude)
}

/// The proptest configuration: 64 cases per property, or `PROPTEST_CASES` when set.
pub fn proptest_config() -> ProptestConfig {
    let mut config = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = 64;
    }
    config
}

/// SplitMix64: a small seeded generator for the fixed cases, so that they need no `rand`.
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator with this seed.
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A float uniform in `[-10, 10)`.
    pub fn next_f32(&mut self) -> f32 {
        ((self.next_u64() >> 40) as f32 / (1u64 << 24) as f32) * 20.0 - 10.0
    }

    /// A small integer in `[-4, 4]`, as a float. Sums of products of these stay far below
    /// 2²⁴, so every summation order gives the same, exact result.
    pub fn next_small_integer(&mut self) -> f32 {
        (self.next_u64() % 9) as f32 - 4.0
    }
}
