//! Product quantization (Jégou, Douze and Schmid, "Product quantization for nearest neighbor
//! search", 2011), as pgvecto.rs's `quantization.product`: a row is cut into subvectors of
//! `w` dimensions, each replaced by the one-byte index of the nearest of 256 centroids learned
//! for its subspace, so a row of `d` dimensions takes `ceil(d / w)` bytes.
//!
//! The ratio is pgvecto.rs's compression of `f32` storage (4 bytes per dimension):
//!
//! | ratio | dimensions per subvector `w` | code bytes per row |
//! |---|---:|---:|
//! | `x4` | 1 | `d` |
//! | `x8` | 2 | `ceil(d / 2)` |
//! | `x16` | 4 | `ceil(d / 4)` |
//! | `x32` | 8 | `ceil(d / 8)` |
//! | `x64` | 16 | `ceil(d / 16)` |
//!
//! When `w` does not divide `d`, the last subvector is padded with zeros (rows, queries and
//! centroids alike), which is the same as a shorter last subspace: the padding adds nothing to
//! any distance. Distances are asymmetric (ADC): a query fills a table of its distance (squared
//! L2, or inner product) to every centroid of every subspace, and a code's distance is the sum
//! of one table entry per byte.

use std::fmt;
use std::str::FromStr;
use std::sync::atomic::Ordering;

use super::codebook::{self, CENTROIDS};
use crate::error::IvfError;
use crate::parallel;
use crate::rng::Rng;

/// pgvecto.rs's `quantization.product.ratio`: the compression against `f32` rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProductRatio {
    /// One dimension per code byte (pgvecto.rs's default).
    #[default]
    X4,
    /// Two dimensions per code byte.
    X8,
    /// Four dimensions per code byte.
    X16,
    /// Eight dimensions per code byte.
    X32,
    /// Sixteen dimensions per code byte.
    X64,
}

impl ProductRatio {
    /// Every ratio, from the least to the most compression.
    pub const ALL: [ProductRatio; 5] = [
        ProductRatio::X4,
        ProductRatio::X8,
        ProductRatio::X16,
        ProductRatio::X32,
        ProductRatio::X64,
    ];

    /// Dimensions per subvector (one code byte each): `ratio / 4`.
    pub fn subvector_dimensions(self) -> usize {
        match self {
            ProductRatio::X4 => 1,
            ProductRatio::X8 => 2,
            ProductRatio::X16 => 4,
            ProductRatio::X32 => 8,
            ProductRatio::X64 => 16,
        }
    }

    /// Code bytes per row of `dimensions` dimensions.
    pub fn code_bytes(self, dimensions: usize) -> usize {
        dimensions.div_ceil(self.subvector_dimensions())
    }

    /// pgvecto.rs's spelling: `x4` … `x64`.
    pub fn name(self) -> &'static str {
        match self {
            ProductRatio::X4 => "x4",
            ProductRatio::X8 => "x8",
            ProductRatio::X16 => "x16",
            ProductRatio::X32 => "x32",
            ProductRatio::X64 => "x64",
        }
    }
}

impl fmt::Display for ProductRatio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ProductRatio {
    type Err = IvfError;

    fn from_str(text: &str) -> Result<Self, IvfError> {
        ProductRatio::ALL
            .into_iter()
            .find(|ratio| ratio.name() == text)
            .ok_or_else(|| IvfError::InvalidOption {
                option: "quantization.product.ratio",
                reason: format!("\"{text}\" is not one of x4, x8, x16, x32, x64"),
            })
    }
}

/// A trained product quantizer: one transposed codebook (`w × 256` values) per subspace.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductQuantizer {
    dimensions: usize,
    ratio: ProductRatio,
    /// Centroid slots in use per subspace (256 unless trained on fewer rows).
    used: usize,
    codebooks: Vec<f32>,
}

impl ProductQuantizer {
    /// Learns one codebook per subspace from `samples` (rows of `dimensions` values) with
    /// Lloyd's k-means, on up to `threads` threads. The result depends only on the samples and
    /// `seed`, not on the thread count.
    pub fn train(
        samples: &[f32],
        dimensions: usize,
        ratio: ProductRatio,
        seed: u64,
        threads: usize,
    ) -> Self {
        Self::train_with_stop(samples, dimensions, ratio, seed, threads, &|| false).0
    }

    /// [`ProductQuantizer::train`], polling `should_stop` before each subspace; once it
    /// returns `true` the remaining subspaces are left untrained and the second value is
    /// `true` (the quantizer is then not fit for use).
    pub(crate) fn train_with_stop(
        samples: &[f32],
        dimensions: usize,
        ratio: ProductRatio,
        seed: u64,
        threads: usize,
        should_stop: &(dyn Fn() -> bool + Sync),
    ) -> (Self, bool) {
        let stopped = std::sync::atomic::AtomicBool::new(false);
        let width = ratio.subvector_dimensions();
        let n_subspaces = ratio.code_bytes(dimensions);
        let n_samples = samples.len() / dimensions.max(1);
        let trained = parallel::map_blocks(n_subspaces, threads, |subspaces| {
            let mut points = vec![0.0f32; n_samples * width];
            subspaces
                .map(|subspace| {
                    if stopped.load(Ordering::Relaxed) || should_stop() {
                        stopped.store(true, Ordering::Relaxed);
                        return (vec![0.0; width * CENTROIDS], 1);
                    }
                    let first = subspace * width;
                    let last = (first + width).min(dimensions);
                    for (point, row) in points
                        .chunks_exact_mut(width)
                        .zip(samples.chunks_exact(dimensions))
                    {
                        let (values, padding) = point.split_at_mut(last - first);
                        values.copy_from_slice(&row[first..last]);
                        padding.fill(0.0);
                    }
                    let mut rng = Rng::new(seed ^ (subspace as u64).wrapping_mul(0x9E37_79B9));
                    codebook::train(&points, width, &mut rng)
                })
                .collect::<Vec<_>>()
        });
        let mut codebooks = Vec::with_capacity(n_subspaces * width * CENTROIDS);
        let mut used = CENTROIDS;
        for (columns, subspace_used) in trained.into_iter().flatten() {
            codebooks.extend_from_slice(&columns);
            used = used.min(subspace_used);
        }
        let quantizer = ProductQuantizer {
            dimensions,
            ratio,
            used,
            codebooks,
        };
        (quantizer, stopped.into_inner())
    }

    /// The compression ratio.
    pub fn ratio(&self) -> ProductRatio {
        self.ratio
    }

    /// Bytes per code: the number of subspaces.
    pub fn code_len(&self) -> usize {
        self.ratio.code_bytes(self.dimensions)
    }

    /// Bytes held by the codebooks.
    pub fn memory_bytes(&self) -> usize {
        self.codebooks.len() * 4
    }

    fn width(&self) -> usize {
        self.ratio.subvector_dimensions()
    }

    /// Calls `each` with every subvector of `row` (the last one zero-padded) and its codebook.
    fn for_each_subspace(&self, row: &[f32], mut each: impl FnMut(usize, &[f32], &[f32])) {
        let width = self.width();
        let mut padded = [0.0f32; 16];
        for (subspace, columns) in self.codebooks.chunks_exact(width * CENTROIDS).enumerate() {
            let first = subspace * width;
            let last = (first + width).min(self.dimensions).min(row.len());
            let part = &mut padded[..width];
            part.fill(0.0);
            part[..last.saturating_sub(first)].copy_from_slice(&row[first.min(last)..last]);
            each(subspace, part, columns);
        }
    }

    /// Encodes `row` (`dimensions` values) into `code` (`code_len` bytes).
    pub fn encode(&self, row: &[f32], code: &mut [u8]) {
        let mut distances = [0.0f32; CENTROIDS];
        self.for_each_subspace(row, |subspace, part, columns| {
            codebook::l2_to_all(part, columns, &mut distances);
            if let Some(byte) = code.get_mut(subspace) {
                *byte = codebook::argmin(&distances, self.used) as u8;
            }
        });
    }

    /// Fills `table` (one 256-entry row per subspace) with the squared L2 distance
    /// (`inner_product = false`) or the inner product between `query` and every centroid.
    pub(crate) fn fill_table(
        &self,
        query: &[f32],
        inner_product: bool,
        table: &mut Vec<[f32; CENTROIDS]>,
    ) {
        table.resize(self.code_len(), [0.0; CENTROIDS]);
        self.for_each_subspace(query, |subspace, part, columns| {
            if inner_product {
                codebook::dot_to_all(part, columns, &mut table[subspace]);
            } else {
                codebook::l2_to_all(part, columns, &mut table[subspace]);
            }
        });
    }

    /// The raw parts, for snapshots: dimensions, ratio, slots used and the codebooks.
    pub(crate) fn parts(&self) -> (usize, ProductRatio, usize, &[f32]) {
        (self.dimensions, self.ratio, self.used, &self.codebooks)
    }

    /// Rebuilds a quantizer from [`ProductQuantizer::parts`]; `None` if they do not fit.
    pub(crate) fn from_parts(
        dimensions: usize,
        ratio: ProductRatio,
        used: usize,
        codebooks: Vec<f32>,
    ) -> Option<Self> {
        let expected = ratio.code_bytes(dimensions) * ratio.subvector_dimensions() * CENTROIDS;
        (codebooks.len() == expected && (1..=CENTROIDS).contains(&used)).then_some(
            ProductQuantizer {
                dimensions,
                ratio,
                used,
                codebooks,
            },
        )
    }
}

/// The table distance of one code: one entry per byte, summed.
#[inline]
pub(crate) fn table_distance(table: &[[f32; CENTROIDS]], code: &[u8]) -> f32 {
    let mut sums = [0.0f32; 4];
    let mut blocks = table.chunks_exact(4).zip(code.chunks_exact(4));
    for (rows, bytes) in &mut blocks {
        for lane in 0..4 {
            sums[lane] += rows[lane][bytes[lane] as usize];
        }
    }
    let tail = table.len() / 4 * 4;
    let mut total = (sums[0] + sums[1]) + (sums[2] + sums[3]);
    for (row, &byte) in table[tail..].iter().zip(&code[tail.min(code.len())..]) {
        total += row[byte as usize];
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_parse_and_size_codes() {
        assert_eq!("x16".parse::<ProductRatio>().unwrap(), ProductRatio::X16);
        assert_eq!(ProductRatio::X64.code_bytes(100), 7);
        assert_eq!(ProductRatio::X4.code_bytes(100), 100);
        let error = "x2".parse::<ProductRatio>().unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid value for option \"quantization.product.ratio\": \"x2\" is not one of x4, \
             x8, x16, x32, x64"
        );
    }

    #[test]
    fn table_distances_match_decoded_rows() {
        // 7 dimensions with 2 per subvector: the last subspace is padded.
        let mut rng = Rng::new(9);
        let samples: Vec<f32> = (0..700).map(|_| rng.next_f64() as f32).collect();
        let quantizer = ProductQuantizer::train(&samples, 7, ProductRatio::X8, 1, 2);
        assert_eq!(quantizer.code_len(), 4);
        assert_eq!(
            quantizer,
            ProductQuantizer::train(&samples, 7, ProductRatio::X8, 1, 1)
        );
        let (row, query) = (&samples[0..7], &samples[7..14]);
        let mut code = [0u8; 4];
        quantizer.encode(row, &mut code);
        let mut decoded = [0.0f32; 8];
        for (subspace, &byte) in code.iter().enumerate() {
            for dim in 0..2 {
                let columns = &quantizer.codebooks[subspace * 2 * CENTROIDS..];
                decoded[subspace * 2 + dim] = columns[dim * CENTROIDS + byte as usize];
            }
        }
        assert_eq!(decoded[7], 0.0);
        let l2: f32 = (0..7).map(|d| (query[d] - decoded[d]).powi(2)).sum();
        let dot: f32 = (0..7).map(|d| query[d] * decoded[d]).sum();
        let mut table = Vec::new();
        quantizer.fill_table(query, false, &mut table);
        assert!((table_distance(&table, &code) - l2).abs() < 1e-5);
        quantizer.fill_table(query, true, &mut table);
        assert!((table_distance(&table, &code) - dot).abs() < 1e-5);
        // 100 samples of 2-d points and 256 slots: every point is its own centroid.
        let exact: f32 = (0..7).map(|d| (query[d] - row[d]).powi(2)).sum();
        assert!((l2 - exact).abs() < 1e-5);
    }
}
