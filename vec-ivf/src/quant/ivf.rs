//! [`QuantizedIvf`]: IVF lists of one-byte codes (SQ8 or PQ), built by quantizing an IVFFlat
//! index's lists, searched by ranking codes and re-ranking the best with exact distances.

use std::collections::HashSet;
use std::marker::PhantomData;

use super::codec::Codec;
use super::product::ProductQuantizer;
use super::scalar::ScalarQuantizer;
use super::{Quantization, QuantizedOptions, QuantizedSearchOptions, VectorSource};
use crate::element::Element;
use crate::error::IvfError;
use crate::ivf::{prepared_row, BuildHooks, BuildOutcome, IvfIndex, Rows};
use crate::metric::{Metric, MetricKind};
use crate::options::{BuildOptions, BuildPhase, BuildProgress};
use crate::parallel;
use crate::rng::Rng;
use crate::topk::{Neighbor, TopK};

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CodeList {
    pub(crate) ids: Vec<u64>,
    pub(crate) codes: Vec<u8>,
}

/// An IVF index whose lists hold quantized codes (see [`Quantization`]).
#[derive(Debug, Clone, PartialEq)]
pub struct QuantizedIvf<E: Element, M: Metric<E>> {
    pub(crate) dimensions: usize,
    pub(crate) stride: usize,
    pub(crate) centers: Vec<E>,
    pub(crate) codec: Codec,
    pub(crate) lists: Vec<CodeList>,
    pub(crate) deleted: HashSet<u64>,
    pub(crate) metric: PhantomData<M>,
}

impl<E: Element, M: Metric<E>> QuantizedIvf<E, M> {
    /// Builds the lists as [`IvfIndex::build`] does, trains the quantizer on a sample of the
    /// stored rows and keeps only codes.
    pub fn build(
        rows: Rows<'_, E>,
        options: &BuildOptions,
        quantized: &QuantizedOptions,
    ) -> Result<BuildOutcome<Self>, IvfError> {
        let mut hooks = BuildHooks {
            progress: &mut |_| {},
            should_stop: &|| false,
        };
        Self::build_with_hooks(rows, options, quantized, &mut hooks)
    }

    /// [`QuantizedIvf::build`] with [`BuildHooks`]: the IVFFlat build's phases, then
    /// [`BuildPhase::Quantizing`] (rows encoded so far); `should_stop` is polled as
    /// [`IvfIndex::build_with_hooks`] polls it, between product subspaces while the
    /// quantizer trains, and between lists while they are encoded. Once it returns `true`
    /// the build ends with [`IvfError::Cancelled`].
    pub fn build_with_hooks(
        rows: Rows<'_, E>,
        options: &BuildOptions,
        quantized: &QuantizedOptions,
        hooks: &mut BuildHooks<'_>,
    ) -> Result<BuildOutcome<Self>, IvfError> {
        Self::check_supported()?;
        quantized.validate()?;
        let BuildOutcome { index, notices } =
            IvfIndex::<E, M>::build_with_hooks(rows, options, hooks)?;
        Ok(BuildOutcome {
            index: Self::quantize(&index, quantized, options.seed, hooks)?,
            notices,
        })
    }

    pub(crate) fn check_supported() -> Result<(), IvfError> {
        if M::KIND == MetricKind::Hamming || E::KIND == crate::ElementKind::Bit {
            return Err(IvfError::Unsupported {
                what: "quantization of bit vectors",
            });
        }
        Ok(())
    }

    /// Quantizes an IVFFlat index's lists (the index keeps its centers). Product codes encode
    /// each row's residual against its list's center.
    pub fn from_index(
        index: &IvfIndex<E, M>,
        quantized: &QuantizedOptions,
        seed: u64,
    ) -> Result<Self, IvfError> {
        let mut hooks = BuildHooks {
            progress: &mut |_| {},
            should_stop: &|| false,
        };
        Self::quantize(index, quantized, seed, &mut hooks)
    }

    /// [`QuantizedIvf::from_index`], reporting [`BuildPhase::Quantizing`] and polling
    /// `should_stop`.
    fn quantize(
        index: &IvfIndex<E, M>,
        quantized: &QuantizedOptions,
        seed: u64,
        hooks: &mut BuildHooks<'_>,
    ) -> Result<Self, IvfError> {
        Self::check_supported()?;
        quantized.validate()?;
        let should_stop = hooks.should_stop;
        let total_rows = index.len() as u64;
        let mut report = |done: u64| {
            (hooks.progress)(BuildProgress {
                phase: BuildPhase::Quantizing,
                done,
                total: total_rows,
            })
        };
        report(0);
        let (dimensions, stride) = (index.dimensions, index.stride);
        let centers = to_f32_rows(index.centers.as_slice(), stride, dimensions);
        let all_rows: Vec<(usize, &[E])> = index
            .lists
            .iter()
            .enumerate()
            .flat_map(|(list_idx, list)| {
                let rows = list.rows.as_slice().chunks_exact(stride);
                rows.map(move |row| (list_idx, row))
            })
            .collect();
        let picked = Rng::new(seed ^ 0x51).sample_indexes(all_rows.len(), quantized.sample_rows);
        let mut samples = vec![0.0f32; picked.len() * dimensions];
        for (sample, &row_idx) in samples.chunks_exact_mut(dimensions.max(1)).zip(&picked) {
            let (list_idx, row) = all_rows[row_idx];
            E::to_f32(row, sample);
            if let Quantization::Product { .. } = quantized.quantization {
                let center = &centers[list_idx * dimensions..(list_idx + 1) * dimensions];
                for (value, &mean) in sample.iter_mut().zip(center) {
                    *value -= mean;
                }
            }
        }
        let threads = quantized.thread_count();
        if should_stop() {
            return Err(IvfError::Cancelled);
        }
        let codec = match quantized.quantization {
            Quantization::Scalar => Codec::Scalar(ScalarQuantizer::train(&samples, dimensions)),
            Quantization::Product { ratio } => {
                let (quantizer, stopped) = ProductQuantizer::train_with_stop(
                    &samples,
                    dimensions,
                    ratio,
                    seed,
                    threads,
                    should_stop,
                );
                if stopped {
                    return Err(IvfError::Cancelled);
                }
                Codec::Product(quantizer)
            }
        };
        drop(samples);
        // Lists are encoded in parallel, a sixteenth of them at a time between reports.
        let n_lists = index.lists.len();
        let per_round = n_lists.div_ceil(16).max(1);
        let mut lists = Vec::with_capacity(n_lists);
        let mut done = 0u64;
        for first in (0..n_lists).step_by(per_round) {
            let round = first..(first + per_round).min(n_lists);
            let encoded = Self::encode_lists(index, &codec, &centers, round, threads);
            if should_stop() {
                return Err(IvfError::Cancelled);
            }
            done += encoded
                .iter()
                .map(|list| list.ids.len() as u64)
                .sum::<u64>();
            lists.extend(encoded);
            report(done);
        }
        Ok(QuantizedIvf {
            dimensions,
            stride,
            centers: index.centers.as_slice().to_vec(),
            codec,
            lists,
            deleted: index.deleted.clone(),
            metric: PhantomData,
        })
    }

    /// Encodes the lists `range` of `index` (their rows as `f32`, `centers` as `f32`).
    fn encode_lists(
        index: &IvfIndex<E, M>,
        codec: &Codec,
        centers: &[f32],
        range: std::ops::Range<usize>,
        threads: usize,
    ) -> Vec<CodeList> {
        let (dimensions, stride) = (index.dimensions, index.stride);
        let code_len = codec.code_len();
        let start = range.start;
        let lists = parallel::map_blocks(range.len(), threads, |list_range| {
            let mut converted = vec![0.0f32; dimensions];
            let mut scratch = vec![0.0f32; dimensions];
            list_range
                .map(|offset| {
                    let list_idx = start + offset;
                    let list = &index.lists[list_idx];
                    let center = &centers[list_idx * dimensions..(list_idx + 1) * dimensions];
                    let mut codes = vec![0u8; list.ids.as_slice().len() * code_len];
                    for (row, code) in list
                        .rows
                        .as_slice()
                        .chunks_exact(stride)
                        .zip(codes.chunks_exact_mut(code_len))
                    {
                        E::to_f32(row, &mut converted);
                        codec.encode(&converted, center, &mut scratch, code);
                    }
                    CodeList {
                        ids: list.ids.as_slice().to_vec(),
                        codes,
                    }
                })
                .collect::<Vec<_>>()
        });
        lists.into_iter().flatten().collect()
    }

    /// The quantizer in use.
    pub fn quantization(&self) -> Quantization {
        match &self.codec {
            Codec::Scalar(_) => Quantization::Scalar,
            Codec::Product(quantizer) => Quantization::Product {
                ratio: quantizer.ratio(),
            },
        }
    }

    /// Code bytes stored per row (besides its 8-byte id).
    pub fn code_bytes_per_row(&self) -> usize {
        self.codec.code_len()
    }

    fn center_f32(&self, list_idx: usize) -> Vec<f32> {
        let mut center = vec![0.0f32; self.dimensions];
        E::to_f32(
            &self.centers[list_idx * self.stride..(list_idx + 1) * self.stride],
            &mut center,
        );
        center
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
        let center = self.center_f32(list_idx);
        let mut residual = vec![0.0f32; self.dimensions];
        let code_len = self.codec.code_len();
        let list = &mut self.lists[list_idx];
        let start = list.codes.len();
        list.codes.resize(start + code_len, 0);
        self.codec
            .encode(&converted, &center, &mut residual, &mut list.codes[start..]);
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
        let code_len = self.codec.code_len();
        let mut removed = 0;
        for list in &mut self.lists {
            let mut kept = 0;
            for row_idx in 0..list.ids.len() {
                if deleted.contains(&list.ids[row_idx]) {
                    continue;
                }
                list.ids[kept] = list.ids[row_idx];
                list.codes.copy_within(
                    row_idx * code_len..(row_idx + 1) * code_len,
                    kept * code_len,
                );
                kept += 1;
            }
            removed += list.ids.len() - kept;
            list.ids.truncate(kept);
            list.codes.truncate(kept * code_len);
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

    /// Rows that scans can return: [`QuantizedIvf::len`] less the rows deleted and not yet
    /// vacuumed. While deletes are pending this walks every list's ids.
    pub fn live_len(&self) -> usize {
        if self.deleted.is_empty() {
            return self.len();
        }
        let lists = self.lists.iter();
        lists
            .map(|list| {
                list.ids
                    .iter()
                    .filter(|id| !self.deleted.contains(id))
                    .count()
            })
            .sum()
    }

    /// Number of lists.
    pub fn lists(&self) -> usize {
        self.lists.len()
    }

    /// Dimensions per row.
    pub fn dimensions(&self) -> usize {
        self.dimensions
    }

    /// Bytes held by centers, ids, codes and the quantizer.
    pub fn memory_bytes(&self) -> usize {
        let lists: usize = self
            .lists
            .iter()
            .map(|list| list.ids.capacity() * 8 + list.codes.capacity())
            .sum();
        self.centers.len() * std::mem::size_of::<E>() + lists + self.codec.memory_bytes()
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
        let mut scorer = self.codec.prepare(&query_f32, inner_product);
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
        let code_len = self.codec.code_len();
        let no_center = Vec::new();
        for list_idx in crate::ivf::rank_centers::<E, M>(&self.centers, self.stride, &query, probes)
        {
            let list = &self.lists[list_idx];
            let center = if self.codec.uses_residuals() {
                self.center_f32(list_idx)
            } else {
                no_center.clone()
            };
            scorer.score_list(&center, &list.codes, code_len, |row_idx, value| {
                let id = list.ids[row_idx];
                if self.deleted.is_empty() || !self.deleted.contains(&id) {
                    top.push(id, to_order(value));
                }
            });
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

/// Converts `rows` of `stride` elements into `f32` rows of `dimensions` values.
fn to_f32_rows<E: Element>(rows: &[E], stride: usize, dimensions: usize) -> Vec<f32> {
    let mut out = vec![0.0f32; rows.len() / stride.max(1) * dimensions];
    for (row, target) in rows
        .chunks_exact(stride.max(1))
        .zip(out.chunks_exact_mut(dimensions.max(1)))
    {
        E::to_f32(row, target);
    }
    out
}
