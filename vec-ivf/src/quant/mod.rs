//! Quantized indexes, as pgvecto.rs's `[indexing.ivf]` and `[indexing.flat]` with
//! `quantization.scalar` or `quantization.product`: lists hold one-byte codes instead of rows,
//! a scan ranks codes, and the best `rerank` candidates are re-ranked with exact distances on
//! rows fetched from a [`VectorSource`] (the table), so the index itself keeps only ids and
//! codes.
//!
//! Option mapping: `[indexing.ivf] nlist, nsample, iterations, least_iterations` →
//! [`BuildOptions`](crate::BuildOptions); `quantization = { scalar = {} }` → [`Quantization::Scalar`];
//! `quantization = { product = { sample, ratio } }` → [`Quantization::Product`] with
//! [`ProductRatio`] and [`QuantizedOptions::sample_rows`] (pgvecto.rs's `sample`, default
//! 65,535, which the scalar quantizer uses too); `quantization = { trivial = {} }` is the
//! plain [`IvfIndex`](crate::IvfIndex); `[indexing.flat]` → [`FlatIndex`], which is one list.
//!
//! Files: `ivf.rs` holds [`QuantizedIvf`], `flat.rs` [`FlatIndex`], `codec.rs` the choice of
//! quantizer and the scoring of a list, `scalar.rs` SQ8, `product.rs` and `codebook.rs` PQ,
//! and `snapshot.rs` the quantized snapshot file.

mod codebook;
mod codec;
mod flat;
mod ivf;
mod product;
mod scalar;
mod snapshot;

pub use flat::FlatIndex;
pub use ivf::QuantizedIvf;
pub use product::{ProductQuantizer, ProductRatio};
pub use scalar::ScalarQuantizer;

use crate::error::IvfError;
use crate::options::SearchOptions;

/// How lists store rows (pgvecto.rs's `quantization` table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Quantization {
    /// 8-bit scalar quantization (`quantization.scalar`), one byte per dimension.
    #[default]
    Scalar,
    /// Product quantization (`quantization.product`): one byte per subvector of
    /// [`ProductRatio::subvector_dimensions`] dimensions, encoding the row's residual
    /// against its list's center.
    Product {
        /// The compression ratio. Default (pgvecto.rs's) [`ProductRatio::X4`].
        ratio: ProductRatio,
    },
}

/// The most rows a quantizer may be trained on (pgvecto.rs's bound on `sample`).
const MAX_SAMPLE_ROWS: usize = 1_000_000;

/// Options of a quantized build beyond [`BuildOptions`](crate::BuildOptions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuantizedOptions {
    /// The quantizer. Default [`Quantization::Scalar`].
    pub quantization: Quantization,
    /// Rows the quantizer is trained on, 1..=1,000,000. Default 65,535 (pgvecto.rs's `sample`).
    pub sample_rows: usize,
    /// Threads for training and encoding; 0 (the default) uses every available core. The
    /// result does not depend on it.
    pub threads: usize,
}

impl Default for QuantizedOptions {
    fn default() -> Self {
        QuantizedOptions {
            quantization: Quantization::Scalar,
            sample_rows: 65_535,
            threads: 0,
        }
    }
}

impl QuantizedOptions {
    /// Checks every field; the errors name pgvecto.rs's keys.
    pub fn validate(&self) -> Result<(), IvfError> {
        if self.sample_rows < 1 || self.sample_rows > MAX_SAMPLE_ROWS {
            return Err(IvfError::OptionOutOfBounds {
                option: "sample",
                value: self.sample_rows as i64,
                min: 1,
                max: MAX_SAMPLE_ROWS as i64,
            });
        }
        Ok(())
    }

    /// The number of threads to use.
    pub(crate) fn thread_count(&self) -> usize {
        if self.threads > 0 {
            return self.threads;
        }
        std::thread::available_parallelism()
            .map(|count| count.get())
            .unwrap_or(1)
    }
}

/// Query-time options of a quantized index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuantizedSearchOptions {
    /// Lists to probe, as for IVFFlat.
    pub search: SearchOptions,
    /// Candidates re-ranked with exact distances (at least `k` are). Default 40.
    pub rerank: usize,
}

impl Default for QuantizedSearchOptions {
    fn default() -> Self {
        QuantizedSearchOptions {
            search: SearchOptions::default(),
            rerank: 40,
        }
    }
}

/// Where re-ranking finds a row's exact vector by id (the engine's heap).
pub trait VectorSource<E> {
    /// The row with this id, or `None` if it no longer exists.
    fn vector(&self, id: u64) -> Option<&[E]>;
}

/// A [`VectorSource`] over rows stored in id order: row `id` is `data[id * stride..]`.
#[derive(Debug, Clone, Copy)]
pub struct DenseRows<'a, E> {
    /// The rows, back to back.
    pub data: &'a [E],
    /// Elements per row.
    pub stride: usize,
}

impl<E> VectorSource<E> for DenseRows<'_, E> {
    fn vector(&self, id: u64) -> Option<&[E]> {
        let start = usize::try_from(id).ok()?.checked_mul(self.stride)?;
        self.data.get(start..start.checked_add(self.stride)?)
    }
}
