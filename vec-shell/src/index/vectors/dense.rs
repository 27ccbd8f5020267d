//! pgvecto.rs's `[indexing.ivf]` and `[indexing.flat]` on `vector` and `vecf16` columns, on
//! `vec-ivf`: plain lists ([`IvfIndex`], `quantization.trivial`) or one-byte codes
//! ([`QuantizedIvf`], `quantization.scalar` / `quantization.product`); a flat index is the
//! same with one list ([`FlatIndex`]).
//!
//! A quantized scan ranks codes and re-ranks each batch of candidates with exact distances
//! computed from the table's rows (the index keeps only ids and codes). Batches grow four
//! times each round; when the probed lists are used up, `vectors.search_mode = vbase`
//! probes twice as many lists, `basic` stops, as a plain scan does.
//!
//! k-means and quantizers need rows to train on. Like pgvecto.rs's growing segment, an
//! index over fewer rows than that (`nlist` lists, and 256 rows for a quantizer) keeps its
//! rows aside and is searched exactly; it is built once it has that many.

use std::collections::{HashSet, VecDeque};

use vec_ivf::{
    BuildOptions, Cosine, Element, FlatIndex, InnerProduct, IterativeScan, IvfError, IvfIndex,
    Metric, QuantizedIvf, QuantizedOptions, QuantizedSearchOptions, Rows, SearchOptions,
    VectorSource, L2, MAX_LISTS,
};
use vec_types::f16;

use super::Exact;
use crate::error::{EngineError, Result};
use crate::index::ivf::View;
use crate::index::{Hits, Opclass};
use crate::storage::RowId;
use crate::value::Datum;

/// How an IVF or flat index is built.
#[derive(Clone, Debug)]
pub struct DenseSpec {
    /// k-means options (`nlist`, `nsample`, `iterations`, `least_iterations`).
    pub build: BuildOptions,
    /// The quantizer, or `None` for `trivial`.
    pub quantized: Option<QuantizedOptions>,
    /// `[indexing.flat]`: one list.
    pub flat: bool,
}

/// Query-time options (`vectors.ivf_nprobe`, `vectors.search_mode`).
#[derive(Clone, Copy, Debug)]
pub struct DenseSearch {
    /// Lists probed first.
    pub probes: u32,
    /// `vbase`: go on past the first probes.
    pub iterative: bool,
}

/// One index: plain or quantized lists, or the rows before there are enough to build on.
pub enum Dense<E: Element, M: Metric<E>> {
    /// Rows as they are.
    Plain(IvfIndex<E, M>),
    /// Codes, with the number of lists (for widening a scan).
    Quantized(QuantizedIvf<E, M>, usize),
    /// Too few rows to train on yet: searched exactly.
    Growing(Box<Growing<E>>),
}

/// The rows of an index that has not been built yet.
pub struct Growing<E> {
    spec: DenseSpec,
    dimensions: usize,
    ids: Vec<RowId>,
    data: Vec<E>,
}

/// The rows an index needs before it is built: one per list for k-means, and 256 for a
/// quantizer (one per centroid of a product codebook).
fn rows_to_build(spec: &DenseSpec) -> usize {
    let lists = if spec.flat {
        0
    } else {
        spec.build.lists as usize
    };
    let quantizer = if spec.quantized.is_some() { 256 } else { 0 };
    lists.max(quantizer)
}

/// A [`Dense`] index of any of pgvecto.rs's six operator classes.
pub enum DenseAny {
    /// `vector_l2_ops`
    VectorL2(Dense<f32, L2>),
    /// `vector_dot_ops`
    VectorDot(Dense<f32, InnerProduct>),
    /// `vector_cos_ops`
    VectorCos(Dense<f32, Cosine>),
    /// `vecf16_l2_ops`
    HalfL2(Dense<f16, L2>),
    /// `vecf16_dot_ops`
    HalfDot(Dense<f16, InnerProduct>),
    /// `vecf16_cos_ops`
    HalfCos(Dense<f16, Cosine>),
}

macro_rules! each {
    ($self:expr, $index:ident => $body:expr) => {
        match $self {
            DenseAny::VectorL2($index) => $body,
            DenseAny::VectorDot($index) => $body,
            DenseAny::VectorCos($index) => $body,
            DenseAny::HalfL2($index) => $body,
            DenseAny::HalfDot($index) => $body,
            DenseAny::HalfCos($index) => $body,
        }
    };
}

fn index_error(error: IvfError) -> EngineError {
    let sqlstate = match error {
        IvfError::OptionOutOfBounds { .. }
        | IvfError::ParameterOutOfRange { .. }
        | IvfError::InvalidParameterValue { .. }
        | IvfError::NoDimensions => "22023",
        IvfError::TooManyDimensions { .. } | IvfError::MemoryBudgetExceeded { .. } => "54000",
        _ => "XX000",
    };
    let mut engine = EngineError::new(sqlstate, error.to_string());
    engine.detail = error.detail();
    engine.hint = error.hint();
    engine
}

fn build<'a, E: View, M: Metric<E>>(
    dimensions: usize,
    spec: &DenseSpec,
    rows: impl Iterator<Item = (RowId, &'a Datum)>,
) -> Result<Dense<E, M>> {
    let mut ids = Vec::new();
    let mut data = Vec::new();
    for (id, datum) in rows {
        if let Some(values) = E::view(datum) {
            ids.push(id);
            data.extend_from_slice(values);
        }
    }
    if ids.len() < rows_to_build(spec) {
        return Ok(Dense::Growing(Box::new(Growing {
            spec: spec.clone(),
            dimensions,
            ids,
            data,
        })));
    }
    build_from(dimensions, spec, &ids, &data)
}

fn build_from<E: View, M: Metric<E>>(
    dimensions: usize,
    spec: &DenseSpec,
    ids: &[RowId],
    data: &[E],
) -> Result<Dense<E, M>> {
    let rows = Rows::new(dimensions, ids, data).map_err(index_error)?;
    if spec.flat {
        return Ok(
            match FlatIndex::build(rows, spec.quantized.as_ref()).map_err(index_error)? {
                FlatIndex::Plain(index) => Dense::Plain(index),
                FlatIndex::Quantized(index) => Dense::Quantized(index, 1),
            },
        );
    }
    Ok(match &spec.quantized {
        None => Dense::Plain(
            IvfIndex::build(rows, &spec.build)
                .map_err(index_error)?
                .index,
        ),
        Some(quantized) => Dense::Quantized(
            QuantizedIvf::build(rows, &spec.build, quantized)
                .map_err(index_error)?
                .index,
            spec.build.lists as usize,
        ),
    })
}

impl DenseAny {
    /// Builds an index of the operator class.
    pub fn build<'a>(
        opclass: Opclass,
        dimensions: usize,
        spec: &DenseSpec,
        rows: impl Iterator<Item = (RowId, &'a Datum)>,
    ) -> Result<DenseAny> {
        Ok(match opclass {
            Opclass::VectorL2 => DenseAny::VectorL2(build(dimensions, spec, rows)?),
            Opclass::VectorIp => DenseAny::VectorDot(build(dimensions, spec, rows)?),
            Opclass::VectorCosine => DenseAny::VectorCos(build(dimensions, spec, rows)?),
            Opclass::HalfL2 => DenseAny::HalfL2(build(dimensions, spec, rows)?),
            Opclass::HalfIp => DenseAny::HalfDot(build(dimensions, spec, rows)?),
            Opclass::HalfCosine => DenseAny::HalfCos(build(dimensions, spec, rows)?),
            other => {
                return Err(EngineError::internal(format!(
                    "operator class {} is not a vectors class",
                    other.name()
                )))
            }
        })
    }

    /// Adds a row's value.
    pub fn insert(&mut self, id: RowId, datum: &Datum) -> Result<()> {
        each!(self, index => index.insert(id, datum))
    }

    /// Hides a row from scans.
    pub fn delete(&mut self, id: RowId) {
        each!(self, index => match index {
            Dense::Plain(plain) => plain.delete(id),
            Dense::Quantized(quantized, _) => quantized.delete(id),
            Dense::Growing(growing) => growing.delete(id),
        })
    }

    /// Reclaims deleted rows.
    pub fn vacuum(&mut self) {
        each!(self, index => {
            match index {
                Dense::Plain(plain) => plain.vacuum(),
                Dense::Quantized(quantized, _) => quantized.vacuum(),
                Dense::Growing(_) => 0,
            };
        })
    }

    /// The rows nearest to `query`; `exact` gives a row's exact distance for re-ranking.
    pub fn scan<'a>(
        &'a self,
        query: &Datum,
        search: DenseSearch,
        exact: Exact<'a>,
    ) -> Result<Hits<'a>> {
        each!(self, index => index.scan(query, search, exact))
    }
}

impl<E: View, M: Metric<E>> Dense<E, M> {
    fn insert(&mut self, id: RowId, datum: &Datum) -> Result<()> {
        let Some(values) = E::view(datum) else {
            return Ok(());
        };
        match self {
            Dense::Plain(index) => {
                index.insert(id, values).map_err(index_error)?;
            }
            Dense::Quantized(index, _) => {
                index.insert(id, values).map_err(index_error)?;
            }
            Dense::Growing(growing) => {
                growing.check(values)?;
                growing.ids.push(id);
                growing.data.extend_from_slice(values);
                if growing.ids.len() >= rows_to_build(&growing.spec) {
                    *self = build_from(
                        growing.dimensions,
                        &growing.spec,
                        &growing.ids,
                        &growing.data,
                    )?;
                }
            }
        }
        Ok(())
    }

    fn scan<'a>(
        &'a self,
        query: &Datum,
        search: DenseSearch,
        exact: Exact<'a>,
    ) -> Result<Hits<'a>> {
        let Some(query) = E::view(query) else {
            return Err(EngineError::internal("query vector has the wrong type"));
        };
        let probes = search.probes.clamp(1, MAX_LISTS);
        match self {
            Dense::Growing(growing) => {
                growing.check(query)?;
                let mut ranked: Vec<(f64, RowId)> = growing
                    .ids
                    .iter()
                    .map(|&id| (exact(id).unwrap_or(f64::INFINITY), id))
                    .collect();
                ranked.sort_by(|a, b| a.0.total_cmp(&b.0));
                Ok(Box::new(ranked.into_iter().map(|(_, id)| id)))
            }
            Dense::Plain(index) => {
                let options = SearchOptions {
                    probes,
                    iterative_scan: if search.iterative {
                        IterativeScan::RelaxedOrder
                    } else {
                        IterativeScan::Off
                    },
                    max_probes: MAX_LISTS,
                };
                let cursor = index.scan(query, &options).map_err(index_error)?;
                Ok(Box::new(cursor.map(|neighbor| neighbor.id)))
            }
            Dense::Quantized(index, lists) => {
                let mut batches = Batches {
                    index,
                    query: query.to_vec(),
                    k: 100,
                    probes: probes.min(u32::try_from(*lists).unwrap_or(MAX_LISTS).max(1)),
                    lists: *lists,
                    iterative: search.iterative,
                    seen: HashSet::new(),
                    pending: VecDeque::new(),
                    done: false,
                    exact,
                };
                // The first batch runs now, so that its errors reach the caller.
                batches.fetch()?;
                Ok(Box::new(batches))
            }
        }
    }
}

impl<E: Element> Growing<E> {
    /// A row or query of the wrong length is the error the built index would give.
    fn check(&self, row: &[E]) -> Result<()> {
        let expected = E::stride(self.dimensions);
        if row.len() != expected {
            return Err(index_error(IvfError::DimensionMismatch {
                expected,
                received: row.len(),
            }));
        }
        Ok(())
    }

    fn delete(&mut self, id: RowId) {
        if let Some(position) = self.ids.iter().position(|&i| i == id) {
            let stride = self.data.len() / self.ids.len().max(1);
            self.ids.remove(position);
            self.data.drain(position * stride..(position + 1) * stride);
        }
    }
}

/// Re-ranking needs no rows from the index's side: candidates come back with their code
/// distances (`rerank = 0`) and are re-ranked here from the table.
struct NoRows;

impl<E> VectorSource<E> for NoRows {
    fn vector(&self, _id: u64) -> Option<&[E]> {
        None
    }
}

/// A quantized scan in growing batches, each re-ranked exactly.
struct Batches<'a, E: Element, M: Metric<E>> {
    index: &'a QuantizedIvf<E, M>,
    query: Vec<E>,
    k: usize,
    probes: u32,
    lists: usize,
    iterative: bool,
    seen: HashSet<u64>,
    pending: VecDeque<u64>,
    done: bool,
    exact: Exact<'a>,
}

impl<E: Element, M: Metric<E>> Batches<'_, E, M> {
    fn fetch(&mut self) -> Result<()> {
        let options = QuantizedSearchOptions {
            search: SearchOptions {
                probes: self.probes,
                iterative_scan: IterativeScan::Off,
                max_probes: MAX_LISTS,
            },
            rerank: 0,
        };
        let found = self
            .index
            .search(&self.query, self.k, &options, &NoRows)
            .map_err(index_error)?;
        let exhausted = found.len() < self.k;
        let mut fresh: Vec<(f64, u64)> = found
            .into_iter()
            .filter(|n| self.seen.insert(n.id))
            .map(|n| ((self.exact)(n.id).unwrap_or(f64::from(n.distance)), n.id))
            .collect();
        fresh.sort_by(|a, b| a.0.total_cmp(&b.0));
        self.pending.extend(fresh.into_iter().map(|(_, id)| id));
        if !exhausted {
            self.k = self.k.saturating_mul(4);
        } else if self.iterative && (self.probes as usize) < self.lists {
            self.probes = (self.probes.saturating_mul(2) as usize).min(self.lists) as u32;
        } else {
            self.done = true;
        }
        Ok(())
    }
}

impl<E: Element, M: Metric<E>> Iterator for Batches<'_, E, M> {
    type Item = RowId;

    fn next(&mut self) -> Option<RowId> {
        loop {
            if let Some(id) = self.pending.pop_front() {
                return Some(id);
            }
            if self.done || self.fetch().is_err() {
                return None;
            }
        }
    }
}
