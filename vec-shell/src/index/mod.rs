//! Vector indexes on tables: HNSW (`vec-hnsw`, in `hnsw`) and IVFFlat (`vec-ivf`, in
//! `ivf`) over one column with one of pgvector's operator classes (`opclass`).
//! [`VectorIndex`] hides the access method, metric and element type so that the engine
//! can build, maintain and scan any of them.

mod hnsw;
mod ivf;
mod opclass;
mod persist;

pub use hnsw::{hnsw_options, HnswIndex};
pub use ivf::IvfIndexAny;
pub use opclass::Opclass;

use crate::error::{EngineError, Result};
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
}

/// Query-time settings of both access methods, read from the session.
#[derive(Clone, Debug)]
pub struct IndexSearch {
    /// `hnsw.ef_search`, `hnsw.iterative_scan`, `hnsw.max_scan_tuples`, memory.
    pub hnsw: vec_hnsw::SearchOptions,
    /// `ivfflat.probes`, `ivfflat.iterative_scan`, `ivfflat.max_probes`.
    pub ivf: vec_ivf::SearchOptions,
}

impl IndexSearch {
    /// The settings of a session.
    pub fn from_settings(settings: &Settings) -> IndexSearch {
        IndexSearch {
            hnsw: hnsw::search_options(settings),
            ivf: ivf::search_options(settings),
        }
    }
}

impl VectorIndex {
    /// Builds an index over `(row id, value)` pairs (values the operator class does not
    /// index, such as NULL, are skipped). Returns the notices the build raised.
    pub fn build<'a>(
        method: &str,
        opclass: Opclass,
        dimensions: usize,
        with: &[(String, String)],
        rows: impl Iterator<Item = (RowId, &'a Datum)>,
    ) -> Result<(VectorIndex, Vec<EngineError>)> {
        match method {
            "hnsw" => {
                let options = hnsw_options(with)?;
                let index = HnswIndex::build(opclass, dimensions, options, rows)?;
                Ok((VectorIndex::Hnsw(index), Vec::new()))
            }
            _ => {
                let (index, notices) = IvfIndexAny::build(opclass, dimensions, with, rows)?;
                Ok((VectorIndex::Ivf(index), notices))
            }
        }
    }

    /// Adds a row's value.
    pub fn insert(&mut self, id: RowId, datum: &Datum) -> Result<()> {
        match self {
            VectorIndex::Hnsw(index) => index.insert(id, datum),
            VectorIndex::Ivf(index) => index.insert(id, datum),
        }
    }

    /// Removes a row (hidden at once, reclaimed by [`VectorIndex::vacuum`]).
    pub fn delete(&mut self, id: RowId) {
        match self {
            VectorIndex::Hnsw(index) => index.delete(id),
            VectorIndex::Ivf(index) => index.delete(id),
        }
    }

    /// Reclaims deleted rows, so that their ids can be indexed again.
    pub fn vacuum(&mut self) {
        match self {
            VectorIndex::Hnsw(index) => index.vacuum(),
            VectorIndex::Ivf(index) => index.vacuum(),
        }
    }

    /// A cursor over the rows nearest to `query`.
    pub fn scan(&self, query: &Datum, search: &IndexSearch) -> Result<Hits<'_>> {
        match self {
            VectorIndex::Hnsw(index) => index.scan(query, &search.hnsw),
            VectorIndex::Ivf(index) => index.scan(query, &search.ivf),
        }
    }
}
