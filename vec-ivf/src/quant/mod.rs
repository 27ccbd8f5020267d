//! Quantized indexes, as pgvecto.rs's `[indexing.ivf]` and `[indexing.flat]` with
//! `quantization.scalar`: lists hold 8-bit codes instead of rows, a scan ranks codes, and the
//! best `rerank` candidates are re-ranked with exact distances on rows fetched from a
//! [`VectorSource`] (the table), so the index itself keeps only ids and codes.
//!
//! Option mapping: `[indexing.ivf] nlist, nsample, iterations, least_iterations` →
//! [`BuildOptions`]; `quantization = { scalar = {} }` → [`Quantization::Scalar`] (with the
//! training sample size pgvecto.rs's quantizers use, 65,535 rows, in [`QuantizedOptions`]);
//! `quantization = { trivial = {} }` is the plain [`IvfIndex`]; `[indexing.flat]` →
//! [`FlatIndex`], which is one list.

mod scalar;

use std::collections::HashSet;
use std::marker::PhantomData;

pub use scalar::ScalarQuantizer;

use crate::element::Element;
use crate::error::IvfError;
use crate::ivf::{prepared_row, BuildOutcome, IvfIndex, Rows};
use crate::metric::{Metric, MetricKind};
use crate::options::{BuildOptions, SearchOptions};
use crate::rng::Rng;
use crate::topk::{Neighbor, TopK};

/// How lists store rows (pgvecto.rs's `quantization` table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Quantization {
    /// 8-bit scalar quantization (`quantization.scalar`), one byte per dimension.
    #[default]
    Scalar,
}

/// Options of a quantized build beyond [`BuildOptions`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuantizedOptions {
    /// The quantizer. Default [`Quantization::Scalar`].
    pub quantization: Quantization,
    /// Rows the quantizer is trained on, 1..=1,000,000. Default 65,535 (pgvecto.rs's `sample`).
    pub sample_rows: usize,
}

impl Default for QuantizedOptions {
    fn default() -> Self {
        QuantizedOptions {
            quantization: Quantization::Scalar,
            sample_rows: 65_535,
        }
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

struct CodeList {
    ids: Vec<u64>,
    codes: Vec<u8>,
}

/// An IVF index whose lists hold scalar-quantized codes.
pub struct QuantizedIvf<E: Element, M: Metric<E>> {
    dimensions: usize,
    stride: usize,
    centers: Vec<E>,
    quantizer: ScalarQuantizer,
    lists: Vec<CodeList>,
    deleted: HashSet<u64>,
    metric: PhantomData<M>,
}

impl<E: Element, M: Metric<E>> QuantizedIvf<E, M> {
    /// Builds the lists as [`IvfIndex::build`] does, trains the quantizer on a sample of the
    /// stored rows and keeps only codes.
    pub fn build(
        rows: Rows<'_, E>,
        options: &BuildOptions,
        quantized: &QuantizedOptions,
    ) -> Result<BuildOutcome<Self>, IvfError> {
        if M::KIND == MetricKind::Hamming || E::KIND == crate::ElementKind::Bit {
            return Err(IvfError::Unsupported {
                what: "quantization of bit vectors",
            });
        }
        if quantized.sample_rows < 1 || quantized.sample_rows > 1_000_000 {
            return Err(IvfError::OptionOutOfBounds {
                option: "sample",
                value: quantized.sample_rows as i64,
                min: 1,
                max: 1_000_000,
            });
        }
        let BuildOutcome { index, notices } = IvfIndex::<E, M>::build(rows, options)?;
        Ok(BuildOutcome {
            index: Self::from_index(&index, quantized, options.seed),
            notices,
        })
    }

    /// Quantizes an IVFFlat index's lists (the index keeps its centers).
    pub fn from_index(index: &IvfIndex<E, M>, quantized: &QuantizedOptions, seed: u64) -> Self {
        let (dimensions, stride) = (index.dimensions, index.stride);
        let all_rows: Vec<&[E]> = index
            .lists
            .iter()
            .flat_map(|list| list.rows.as_slice().chunks_exact(stride))
            .collect();
        let picked = Rng::new(seed ^ 0x51).sample_indexes(all_rows.len(), quantized.sample_rows);
        let mut samples = vec![0.0f32; picked.len() * dimensions];
        for (sample, &row_idx) in samples.chunks_exact_mut(dimensions.max(1)).zip(&picked) {
            E::to_f32(all_rows[row_idx], sample);
        }
        let quantizer = ScalarQuantizer::train(&samples, dimensions);
        let mut converted = vec![0.0f32; dimensions];
        let lists = index
            .lists
            .iter()
            .map(|list| {
                let rows = list.rows.as_slice();
                let mut codes = vec![0u8; list.ids.as_slice().len() * dimensions];
                for (row, code) in rows
                    .chunks_exact(stride)
                    .zip(codes.chunks_exact_mut(dimensions))
                {
                    E::to_f32(row, &mut converted);
                    quantizer.encode(&converted, code);
                }
                CodeList {
                    ids: list.ids.as_slice().to_vec(),
                    codes,
                }
            })
            .collect();
        QuantizedIvf {
            dimensions,
            stride,
            centers: index.centers.as_slice().to_vec(),
            quantizer,
            lists,
            deleted: index.deleted.clone(),
            metric: PhantomData,
        }
    }

    /// Adds a row to the nearest list; `Ok(false)` for a zero row in a cosine index.
    pub fn insert(&mut self, id: u64, row: &[E]) -> Result<bool, IvfError> {
        self.check(row)?;
        let mut scratch = vec![E::default(); self.stride];
        let Some(row) = prepared_row::<E, M>(row, &mut scratch) else {
            return Ok(false);
        };
        let list_idx = crate::ivf::nearest_center::<E, M>(&self.centers, self.stride, row);
        let mut converted = vec![0.0f32; self.dimensions];
        E::to_f32(row, &mut converted);
        let list = &mut self.lists[list_idx];
        let start = list.codes.len();
        list.codes.resize(start + self.dimensions, 0);
        self.quantizer.encode(&converted, &mut list.codes[start..]);
        list.ids.push(id);
        self.deleted.remove(&id);
        Ok(true)
    }

    /// Marks `id` dead; [`QuantizedIvf::vacuum`] removes it.
    pub fn delete(&mut self, id: u64) {
        self.deleted.insert(id);
    }

    /// Removes every row marked dead; returns how many.
    pub fn vacuum(&mut self) -> usize {
        let deleted = std::mem::take(&mut self.deleted);
        let dims = self.dimensions;
        let mut removed = 0;
        for list in &mut self.lists {
            let mut kept = 0;
            for row_idx in 0..list.ids.len() {
                if deleted.contains(&list.ids[row_idx]) {
                    continue;
                }
                list.ids[kept] = list.ids[row_idx];
                list.codes
                    .copy_within(row_idx * dims..(row_idx + 1) * dims, kept * dims);
                kept += 1;
            }
            removed += list.ids.len() - kept;
            list.ids.truncate(kept);
            list.codes.truncate(kept * dims);
        }
        removed
    }

    /// Rows stored, counting rows deleted but not yet vacuumed.
    pub fn len(&self) -> usize {
        self.lists.iter().map(|list| list.ids.len()).sum()
    }

    /// Whether no rows are stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes held by centers, ids, codes and the quantizer.
    pub fn memory_bytes(&self) -> usize {
        let lists: usize = self
            .lists
            .iter()
            .map(|list| list.ids.capacity() * 8 + list.codes.capacity())
            .sum();
        self.centers.len() * std::mem::size_of::<E>() + lists + self.quantizer.code_len() * 8
    }

    fn check(&self, row: &[E]) -> Result<(), IvfError> {
        if row.len() != self.stride {
            return Err(IvfError::DimensionMismatch {
                expected: self.stride,
                received: row.len(),
            });
        }
        Ok(())
    }

    /// The `k` nearest rows: codes in the `probes` nearest lists are ranked, and the best
    /// `max(k, rerank)` are re-ranked with exact distances from `source` (rows it no longer
    /// has are dropped). With `rerank = 0` the approximate distances are returned.
    pub fn search(
        &self,
        query: &[E],
        k: usize,
        options: &QuantizedSearchOptions,
        source: &dyn VectorSource<E>,
    ) -> Result<Vec<Neighbor>, IvfError> {
        options.search.validate()?;
        self.check(query)?;
        let mut scratch = vec![E::default(); self.stride];
        let query: Vec<E> = prepared_row::<E, M>(query, &mut scratch)
            .unwrap_or(query)
            .to_vec();
        let mut query_f32 = vec![0.0f32; self.dimensions];
        E::to_f32(&query, &mut query_f32);
        let inner_product = M::KIND != MetricKind::L2;
        let prepared = self.quantizer.prepare(&query_f32, inner_product);
        let to_order = |value: f32| match M::KIND {
            MetricKind::L2 => value,
            MetricKind::Cosine => 1.0 - value,
            _ => -value,
        };

        let (probes, _) = options.search.effective(self.lists.len());
        let candidates = if options.rerank == 0 {
            k
        } else {
            options.rerank.max(k)
        };
        let mut top = TopK::new(candidates);
        for list_idx in crate::ivf::rank_centers::<E, M>(&self.centers, self.stride, &query, probes)
        {
            let list = &self.lists[list_idx];
            for (&id, code) in list
                .ids
                .iter()
                .zip(list.codes.chunks_exact(self.dimensions))
            {
                if self.deleted.is_empty() || !self.deleted.contains(&id) {
                    top.push(id, to_order(prepared.evaluate(code)));
                }
            }
        }
        let approximate = top.into_sorted();
        if options.rerank == 0 {
            return Ok(approximate);
        }
        let mut exact = TopK::new(k);
        for candidate in approximate {
            let Some(row) = source
                .vector(candidate.id)
                .filter(|row| row.len() == self.stride)
            else {
                continue;
            };
            if let Some(row) = prepared_row::<E, M>(row, &mut scratch) {
                exact.push(candidate.id, M::distance(&query, row));
            }
        }
        Ok(exact.into_sorted())
    }
}

/// A brute-force index (pgvecto.rs's `[indexing.flat]`): one list, scanned whole, with
/// optional scalar quantization and exact re-ranking.
pub enum FlatIndex<E: Element, M: Metric<E>> {
    /// Rows stored as they are (`quantization.trivial`).
    Plain(IvfIndex<E, M>),
    /// Rows stored as 8-bit codes (`quantization.scalar`).
    Scalar(QuantizedIvf<E, M>),
}

impl<E: Element, M: Metric<E>> FlatIndex<E, M> {
    /// Builds a flat index; `quantized = None` keeps rows as they are.
    pub fn build(
        rows: Rows<'_, E>,
        quantized: Option<&QuantizedOptions>,
    ) -> Result<Self, IvfError> {
        let options = BuildOptions {
            lists: 1,
            ..BuildOptions::default()
        };
        // A flat index has one list, so pgvector's little-data notice does not apply.
        match quantized {
            None => Ok(FlatIndex::Plain(IvfIndex::build(rows, &options)?.index)),
            Some(quantized) => Ok(FlatIndex::Scalar(
                QuantizedIvf::build(rows, &options, quantized)?.index,
            )),
        }
    }

    /// The exact `k` nearest rows (re-ranked through `source` when quantized; `rerank` as in
    /// [`QuantizedSearchOptions`]).
    pub fn search(
        &self,
        query: &[E],
        k: usize,
        rerank: usize,
        source: &dyn VectorSource<E>,
    ) -> Result<Vec<Neighbor>, IvfError> {
        match self {
            FlatIndex::Plain(index) => index.search(query, k, &SearchOptions::default()),
            FlatIndex::Scalar(index) => {
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
            FlatIndex::Scalar(index) => index.memory_bytes(),
        }
    }
}
