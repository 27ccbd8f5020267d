//! Vector indexes on tables: HNSW (`vec-hnsw`, in `hnsw`) and IVFFlat (`vec-ivf`, in
//! `ivf`) over one column with one of pgvector's operator classes (`opclass`), and
//! pgvecto.rs's `USING vectors` indexes on either (`vectors`).
//! [`VectorIndex`] hides the access method, metric and element type so that the engine
//! can build, maintain and scan any of them.

mod hnsw;
mod ivf;
mod opclass;
mod persist;
pub mod vectors;

pub use hnsw::{hnsw_options, HnswIndex};
pub use ivf::IvfIndexAny;
pub use opclass::Opclass;

use crate::error::{EngineError, Result};
use crate::progress::Monitor;
use crate::settings::Settings;
use crate::storage::RowId;
use crate::value::Datum;

/// The rows of a scan, nearest first.
pub type Hits<'a> = Box<dyn Iterator<Item = RowId> + 'a>;

/// A vector index of either access method.
pub enum VectorIndex {
    /// `USING hnsw`
    Hnsw(HnswIndex),
    /// `USING ivfflat`
    Ivf(IvfIndexAny),
    /// `USING vectors` (pgvecto.rs)
    Vectors(vectors::VectorsIndex),
}

/// Query-time settings of both access methods, read from the session.
#[derive(Clone, Debug)]
pub struct IndexSearch {
    /// `hnsw.ef_search`, `hnsw.iterative_scan`, `hnsw.max_scan_tuples`, memory.
    pub hnsw: vec_hnsw::SearchOptions,
    /// `ivfflat.probes`, `ivfflat.iterative_scan`, `ivfflat.max_probes`.
    pub ivf: vec_ivf::SearchOptions,
    /// `vectors.hnsw_ef_search`, `vectors.ivf_nprobe`, `vectors.search_mode`.
    pub vectors: vectors::VectorsSearch,
}

impl IndexSearch {
    /// The settings of a session.
    pub fn from_settings(settings: &Settings) -> IndexSearch {
        IndexSearch {
            hnsw: hnsw::search_options(settings),
            ivf: ivf::search_options(settings),
            vectors: vectors::VectorsSearch::from_settings(settings),
        }
    }
}

impl VectorIndex {
    /// Builds an index over `(row id, value)` pairs (values the operator class does not
    /// index, such as NULL, are skipped), polling `monitor`'s cancel request and reporting
    /// progress to it. Returns the notices the build raised.
    pub fn build<'a>(
        method: &str,
        opclass: Opclass,
        dimensions: usize,
        with: &[(String, String)],
        rows: impl Iterator<Item = (RowId, &'a Datum)>,
        monitor: Monitor<'_>,
    ) -> Result<(VectorIndex, Vec<EngineError>)> {
        match method {
            "vectors" => {
                let (index, notices) =
                    vectors::VectorsIndex::build(opclass, dimensions, with, rows, monitor)?;
                Ok((VectorIndex::Vectors(index), notices))
            }
            "hnsw" => {
                let mut options = hnsw_options(with)?;
                options.threads = monitor.threads;
                let index = HnswIndex::build(opclass, dimensions, options, rows, monitor)?;
                Ok((VectorIndex::Hnsw(index), Vec::new()))
            }
            _ => {
                let (index, notices) =
                    IvfIndexAny::build(opclass, dimensions, with, rows, monitor)?;
                Ok((VectorIndex::Ivf(index), notices))
            }
        }
    }

    /// Adds a row's value.
    pub fn insert(&mut self, id: RowId, datum: &Datum) -> Result<()> {
        match self {
            VectorIndex::Hnsw(index) => index.insert(id, datum),
            VectorIndex::Ivf(index) => index.insert(id, datum),
            VectorIndex::Vectors(index) => index.insert(id, datum),
        }
    }

    /// Whether [`VectorIndex::insert`] would accept the value, without changing the
    /// index: a statement checks its new rows before committing anything.
    pub fn check(&self, datum: &Datum) -> Result<()> {
        match self {
            VectorIndex::Hnsw(index) => index.check(datum),
            VectorIndex::Ivf(index) => index.check(datum),
            VectorIndex::Vectors(index) => index.check(datum),
        }
    }

    /// Removes a row (hidden at once, reclaimed by [`VectorIndex::vacuum`]).
    pub fn delete(&mut self, id: RowId) {
        match self {
            VectorIndex::Hnsw(index) => index.delete(id),
            VectorIndex::Ivf(index) => index.delete(id),
            VectorIndex::Vectors(index) => index.delete(id),
        }
    }

    /// Reclaims deleted rows, so that their ids can be indexed again.
    pub fn vacuum(&mut self) {
        match self {
            VectorIndex::Hnsw(index) => index.vacuum(),
            VectorIndex::Ivf(index) => index.vacuum(),
            VectorIndex::Vectors(index) => index.vacuum(),
        }
    }

    /// A cursor over the rows nearest to `query`.
    pub fn scan(&self, query: &Datum, search: &IndexSearch) -> Result<Hits<'_>> {
        self.scan_rows(query, search, Box::new(|_| None))
    }

    /// A cursor over the rows nearest to `query`; `lookup` reads a row's indexed value
    /// from the table, for indexes that re-rank quantized candidates exactly.
    pub fn scan_rows<'a>(
        &'a self,
        query: &Datum,
        search: &IndexSearch,
        lookup: vectors::KeyLookup<'a>,
    ) -> Result<Hits<'a>> {
        match self {
            VectorIndex::Hnsw(index) => index.scan(query, &search.hnsw),
            VectorIndex::Ivf(index) => index.scan(query, &search.ivf),
            VectorIndex::Vectors(index) => index.scan(query, &search.vectors, &search.hnsw, lookup),
        }
    }

    /// Whether the planner may use the index (`vectors.enable_index` for `USING vectors`).
    pub fn enabled(&self, settings: &Settings) -> bool {
        match self {
            VectorIndex::Vectors(_) => settings.bool(&crate::settings::VECTORS_ENABLE_INDEX),
            _ => true,
        }
    }
}
