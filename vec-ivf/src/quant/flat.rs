//! [`FlatIndex`]: pgvecto.rs's `[indexing.flat]`, a brute-force index that is one list, with
//! the rows as they are or quantized (SQ8 or PQ) and re-ranked exactly.

use super::{QuantizedIvf, QuantizedOptions, QuantizedSearchOptions, VectorSource};
use crate::element::Element;
use crate::error::IvfError;
use crate::ivf::{BuildHooks, IvfIndex, Rows};
use crate::metric::Metric;
use crate::options::{BuildOptions, SearchOptions};
use crate::topk::Neighbor;

/// A brute-force index (pgvecto.rs's `[indexing.flat]`): one list, scanned whole, with
/// optional quantization and exact re-ranking.
pub enum FlatIndex<E: Element, M: Metric<E>> {
    /// Rows stored as they are (`quantization.trivial`).
    Plain(IvfIndex<E, M>),
    /// Rows stored as codes (`quantization.scalar` or `quantization.product`); product codes
    /// encode residuals against the one list's center.
    Quantized(QuantizedIvf<E, M>),
}

impl<E: Element, M: Metric<E>> FlatIndex<E, M> {
    /// Builds a flat index; `quantized = None` keeps rows as they are.
    pub fn build(
        rows: Rows<'_, E>,
        quantized: Option<&QuantizedOptions>,
    ) -> Result<Self, IvfError> {
        let mut hooks = BuildHooks {
            progress: &mut |_| {},
            should_stop: &|| false,
        };
        Self::build_with_hooks(rows, &BuildOptions::default(), quantized, &mut hooks)
    }

    /// [`FlatIndex::build`] with `options` (its `lists` is taken as 1; threads, memory
    /// budget and seed are used) and [`BuildHooks`]: the phases of
    /// [`IvfIndex::build_with_hooks`] and, when quantized,
    /// [`QuantizedIvf::build_with_hooks`]; once `should_stop` returns `true` the build ends
    /// with [`IvfError::Cancelled`].
    pub fn build_with_hooks(
        rows: Rows<'_, E>,
        options: &BuildOptions,
        quantized: Option<&QuantizedOptions>,
        hooks: &mut BuildHooks<'_>,
    ) -> Result<Self, IvfError> {
        let options = BuildOptions {
            lists: 1,
            ..options.clone()
        };
        // A flat index has one list, so pgvector's little-data notice does not apply.
        match quantized {
            None => Ok(FlatIndex::Plain(
                IvfIndex::build_with_hooks(rows, &options, hooks)?.index,
            )),
            Some(quantized) => Ok(FlatIndex::Quantized(
                QuantizedIvf::build_with_hooks(rows, &options, quantized, hooks)?.index,
            )),
        }
    }

    /// The `k` nearest rows: exact when plain; when quantized, the best `max(k, rerank)` codes
    /// re-ranked with exact distances through `source` (`rerank = len()` is exact).
    pub fn search(
        &self,
        query: &[E],
        k: usize,
        rerank: usize,
        source: &dyn VectorSource<E>,
    ) -> Result<Vec<Neighbor>, IvfError> {
        match self {
            FlatIndex::Plain(index) => index.search(query, k, &SearchOptions::default()),
            FlatIndex::Quantized(index) => {
                let options = QuantizedSearchOptions {
                    search: SearchOptions::default(),
                    rerank,
                };
                index.search(query, k, &options, source)
            }
        }
    }

    /// Bytes the index holds.
    pub fn memory_bytes(&self) -> usize {
        match self {
            FlatIndex::Plain(index) => index.memory_bytes(),
            FlatIndex::Quantized(index) => index.memory_bytes(),
        }
    }
}
