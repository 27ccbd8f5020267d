//! pgvecto.rs's access method: `CREATE INDEX … USING vectors (col opclass) WITH (options =
//! $$ … $$)`, on the engine's own index structures.
//!
//! - **Operator classes**: `vector_l2_ops` (`<->`), `vector_dot_ops` (`<#>`),
//!   `vector_cos_ops` (`<=>`) on `vector`, and `vecf16_l2_ops`, `vecf16_dot_ops`,
//!   `vecf16_cos_ops` on `vecf16` (vecsh's name for it is `halfvec`). None is a default
//!   class, as in pgvecto.rs. The operators keep pgvector's meaning (`<->` is the
//!   Euclidean distance, where pgvecto.rs returns its square); the order, and so the rows
//!   an index returns, is the same.
//! - **Options** (`options`): TOML read by `toml`, checked against pgvecto.rs's schema in
//!   `options`, with its defaults (HNSW when `[indexing]` is absent) and error texts.
//! - **`[indexing.hnsw]`** → `vec-hnsw` (`m`, `ef_construction`). vec-hnsw's bounds are
//!   pgvector's, so `m` above 100 builds with 100 and `ef_construction` is raised to
//!   `2 * m` and capped at 1000. HNSW keeps full-precision vectors: `quantization.trivial`
//!   is exactly that, and `scalar` or `product` build the same graph with a notice saying
//!   so (distances are exact, as a quantized graph's are after re-ranking; the memory
//!   saving is not there).
//! - **`[indexing.ivf]`** → `vec-ivf` (`nlist` capped at 32,768, `nsample`, `iterations`,
//!   `least_iterations`); `trivial` is IVFFlat, `scalar` and `product` (`sample`, `ratio`)
//!   quantized lists re-ranked exactly from the table's rows (`dense`).
//! - **`[indexing.flat]`** → a one-list index, plain or quantized: exact when trivial.
//! - **Few rows**: k-means and quantizers train on the rows at hand. An IVF or quantized
//!   index over fewer rows than `nlist` (and 256 for a quantizer), as on an empty table,
//!   keeps them aside as pgvecto.rs's growing segment does and is searched exactly; it is
//!   built from its rows when it has that many, and then takes later rows as usual (it is
//!   not rebuilt in the background afterwards; `REINDEX` is not there yet, dropping and
//!   creating the index retrains it).
//! - **`[segment]`, `[optimizing]`**: accepted with their ranges; apart from the rows of an
//!   index too small to train (above), rows enter the index as they are written, so there is
//!   no background sealing or merging to tune. `optimizing_threads` (default √cores, as
//!   pgvecto.rs) sets the build's threads.
//! - **Persistence**: the durable catalog keeps the method, class and options text; a
//!   reopened database rebuilds the index from its rows, as for `hnsw` and `ivfflat`.
//! - **`CREATE EXTENSION vectors`** is accepted (the types and the method are built in), and
//!   `vecf16(n)` is `halfvec(n)` in column types and casts.
//! - **Settings**: `vectors.hnsw_ef_search` (1..65535, default 100; vec-hnsw searches with
//!   at most 1000), `vectors.ivf_nprobe` (1..1,000,000, default 10), `vectors.search_mode`
//!   (`vbase`, the default: scans go on past the first candidates, HNSW as pgvector's
//!   `strict_order` iterative scan within `hnsw.max_scan_tuples`, IVF probing more lists,
//!   so filters and large limits are served; `basic`: one round), `vectors.enable_index`
//!   (off: the planner leaves `vectors` indexes unused).

mod dense;
pub mod options;

use dense::{DenseAny, DenseSearch, DenseSpec};
use options::{Indexing, Quantization};
use vec_ivf::{BuildOptions, QuantizedOptions, MAX_LISTS};

use super::{hnsw_options, Hits, HnswIndex, Opclass};
use crate::error::{EngineError, Result};
use crate::settings::{self, Settings};
use crate::storage::RowId;
use crate::value::{Datum, SqlType};

/// A row's exact distance to the query (for re-ranking quantized candidates).
pub type Exact<'a> = Box<dyn Fn(RowId) -> Option<f64> + 'a>;

/// A row's indexed value, looked up in the table.
pub type KeyLookup<'a> = Box<dyn Fn(RowId) -> Option<Datum> + 'a>;

/// vec-hnsw's (pgvector's) largest `m`, `ef_construction` and `ef_search`.
const HNSW_MAX_M: usize = 100;
const HNSW_MAX_EF_CONSTRUCTION: usize = 1000;
const HNSW_MAX_EF_SEARCH: usize = 1000;

const CLASSES: [(&str, Opclass); 6] = [
    ("vector_l2_ops", Opclass::VectorL2),
    ("vector_dot_ops", Opclass::VectorIp),
    ("vector_cos_ops", Opclass::VectorCosine),
    ("vecf16_l2_ops", Opclass::HalfL2),
    ("vecf16_dot_ops", Opclass::HalfIp),
    ("vecf16_cos_ops", Opclass::HalfCosine),
];

/// The operator class `name` of access method `vectors` for a column type.
pub fn resolve_opclass(name: Option<&str>, column_type: &SqlType) -> Result<Opclass> {
    let Some(name) = name else {
        return Err(EngineError::new(
            "42704",
            format!(
                "data type {} has no default operator class for access method \"vectors\"",
                column_type.name()
            ),
        )
        .with_hint("You must specify an operator class for the index or define a default operator class for the data type."));
    };
    let (_, opclass) = CLASSES.iter().find(|(n, _)| *n == name).ok_or_else(|| {
        EngineError::new(
            "42704",
            format!("operator class \"{name}\" does not exist for access method \"vectors\""),
        )
    })?;
    if opclass.column_type() != *column_type {
        return Err(EngineError::new(
            "42804",
            format!(
                "operator class \"{name}\" does not accept data type {}",
                column_type.name()
            ),
        ));
    }
    Ok(*opclass)
}

/// Query-time settings of `vectors` indexes.
#[derive(Clone, Debug)]
pub struct VectorsSearch {
    /// `vectors.hnsw_ef_search`.
    pub ef_search: usize,
    /// `vectors.ivf_nprobe`.
    pub nprobe: u32,
    /// `vectors.search_mode = vbase`.
    pub vbase: bool,
}

impl VectorsSearch {
    /// The session's `vectors.*` settings.
    pub fn from_settings(settings: &Settings) -> VectorsSearch {
        VectorsSearch {
            ef_search: settings.int(&settings::VECTORS_HNSW_EF_SEARCH) as usize,
            nprobe: settings
                .int(&settings::VECTORS_IVF_NPROBE)
                .clamp(1, i64::from(MAX_LISTS)) as u32,
            vbase: settings.word(&settings::VECTORS_SEARCH_MODE) != "basic",
        }
    }
}

enum Kind {
    Hnsw(Box<HnswIndex>),
    Dense(DenseAny),
}

/// A `USING vectors` index.
pub struct VectorsIndex {
    kind: Kind,
    opclass: Opclass,
    dimensions: usize,
}

impl VectorsIndex {
    /// Builds the index `WITH (options = …)` describes; returns its notices.
    pub fn build<'a>(
        opclass: Opclass,
        dimensions: usize,
        with: &[(String, String)],
        rows: impl Iterator<Item = (RowId, &'a Datum)>,
        monitor: crate::progress::Monitor<'_>,
    ) -> Result<(VectorsIndex, Vec<EngineError>)> {
        let options = options::parse_with(with)?;
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(options.optimizing.optimizing_threads as usize)
            .max(1);
        let mut notices = Vec::new();
        let quantized = |quantization: &Quantization| match quantization {
            Quantization::Trivial => None,
            Quantization::Scalar => Some(QuantizedOptions {
                quantization: vec_ivf::Quantization::Scalar,
                threads,
                ..QuantizedOptions::default()
            }),
            Quantization::Product { sample, ratio } => Some(QuantizedOptions {
                quantization: vec_ivf::Quantization::Product { ratio: *ratio },
                sample_rows: *sample as usize,
                threads,
            }),
        };
        let base = BuildOptions {
            threads,
            memory_budget_bytes: usize::MAX / 4,
            ..BuildOptions::default()
        };
        let kind = match &options.indexing {
            Indexing::Hnsw {
                m,
                ef_construction,
                quantization,
            } => {
                if *quantization != Quantization::Trivial {
                    notices.push(EngineError::notice(
                        "00000",
                        "HNSW indexes keep full-precision vectors; the quantization option builds the same graph as quantization.trivial",
                    ));
                }
                let mut hnsw = hnsw_options(&[])?;
                hnsw.threads = threads;
                hnsw.m = (*m as usize).min(HNSW_MAX_M);
                hnsw.ef_construction = (*ef_construction as usize)
                    .max(2 * hnsw.m)
                    .min(HNSW_MAX_EF_CONSTRUCTION);
                Kind::Hnsw(Box::new(HnswIndex::build(
                    opclass, dimensions, hnsw, rows, monitor,
                )?))
            }
            Indexing::Ivf {
                least_iterations,
                iterations,
                nlist,
                nsample,
                quantization,
            } => {
                let spec = DenseSpec {
                    build: BuildOptions {
                        lists: (*nlist).min(u64::from(MAX_LISTS)) as u32,
                        sample_rows: Some(*nsample as usize),
                        iterations: *iterations as u32,
                        least_iterations: *least_iterations as u32,
                        ..base
                    },
                    quantized: quantized(quantization),
                    flat: false,
                };
                Kind::Dense(DenseAny::build(opclass, dimensions, &spec, rows)?)
            }
            Indexing::Flat { quantization } => {
                let spec = DenseSpec {
                    build: base,
                    quantized: quantized(quantization),
                    flat: true,
                };
                Kind::Dense(DenseAny::build(opclass, dimensions, &spec, rows)?)
            }
        };
        Ok((
            VectorsIndex {
                kind,
                opclass,
                dimensions,
            },
            notices,
        ))
    }

    /// Adds a row's value.
    pub fn insert(&mut self, id: RowId, datum: &Datum) -> Result<()> {
        match &mut self.kind {
            Kind::Hnsw(index) => index.insert(id, datum),
            Kind::Dense(index) => index.insert(id, datum),
        }
    }

    /// Whether [`VectorsIndex::insert`] would accept the value, without changing the
    /// index.
    pub fn check(&self, datum: &Datum) -> Result<()> {
        let received = match (&self.kind, datum) {
            (Kind::Hnsw(index), _) => return index.check(datum),
            (Kind::Dense(_), Datum::Vector(v)) => v.dims(),
            (Kind::Dense(_), Datum::HalfVec(v)) => v.dims(),
            _ => return Ok(()),
        };
        if received != self.dimensions {
            return Err(EngineError::new(
                "22000",
                format!("expected {} dimensions, not {received}", self.dimensions),
            ));
        }
        Ok(())
    }

    /// Hides a row from scans.
    pub fn delete(&mut self, id: RowId) {
        match &mut self.kind {
            Kind::Hnsw(index) => index.delete(id),
            Kind::Dense(index) => index.delete(id),
        }
    }

    /// Reclaims deleted rows.
    pub fn vacuum(&mut self) {
        match &mut self.kind {
            Kind::Hnsw(index) => index.vacuum(),
            Kind::Dense(index) => index.vacuum(),
        }
    }

    /// The rows nearest to `query`; `hnsw` carries the session's HNSW scan bounds
    /// (`hnsw.max_scan_tuples`, memory), and `lookup` reads a row's value for exact
    /// re-ranking.
    pub fn scan<'a>(
        &'a self,
        query: &Datum,
        search: &VectorsSearch,
        hnsw: &vec_hnsw::SearchOptions,
        lookup: KeyLookup<'a>,
    ) -> Result<Hits<'a>> {
        match &self.kind {
            Kind::Hnsw(index) => {
                let options = vec_hnsw::SearchOptions {
                    ef_search: search.ef_search.min(HNSW_MAX_EF_SEARCH),
                    iterative_scan: if search.vbase {
                        vec_hnsw::IterativeScan::StrictOrder
                    } else {
                        vec_hnsw::IterativeScan::Off
                    },
                    ..hnsw.clone()
                };
                index.scan(query, &options)
            }
            Kind::Dense(index) => {
                let opclass = self.opclass;
                let target = query.clone();
                let exact: Exact<'a> =
                    Box::new(move |id| exact_distance(opclass, &lookup(id)?, &target));
                let dense = DenseSearch {
                    probes: search.nprobe,
                    iterative: search.vbase,
                };
                index.scan(query, dense, exact)
            }
        }
    }
}

/// The operator's value for a row and the query, as an exact scan computes it.
fn exact_distance(opclass: Opclass, value: &Datum, query: &Datum) -> Option<f64> {
    use Opclass::*;
    match (opclass, value, query) {
        (VectorL2, Datum::Vector(a), Datum::Vector(b)) => a.l2_distance(b).ok(),
        (VectorIp, Datum::Vector(a), Datum::Vector(b)) => a.negative_inner_product(b).ok(),
        (VectorCosine, Datum::Vector(a), Datum::Vector(b)) => a.cosine_distance(b).ok(),
        (HalfL2, Datum::HalfVec(a), Datum::HalfVec(b)) => a.l2_distance(b).ok(),
        (HalfIp, Datum::HalfVec(a), Datum::HalfVec(b)) => a.negative_inner_product(b).ok(),
        (HalfCosine, Datum::HalfVec(a), Datum::HalfVec(b)) => a.cosine_distance(b).ok(),
        _ => None,
    }
}
