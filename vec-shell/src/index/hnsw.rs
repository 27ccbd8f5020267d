//! HNSW indexes (`vec-hnsw`) behind one enum over pgvector's fourteen HNSW operator
//! classes: build, insert, delete, vacuum and scan, and the option and setting
//! conversions.

use vec_hnsw::{
    BuildHooks, Cosine, Hamming, Hnsw, HnswError, HnswOptions, InnerProduct, IterativeScan,
    Jaccard, Metric, SearchOptions, Sparse, VectorRef, L1, L2,
};
use vec_types::f16;

use super::{Hits, Opclass};
use crate::error::{EngineError, Result};
use crate::progress::{Command, Monitor, PhaseLabel};
use crate::storage::RowId;
use crate::value::Datum;

/// How a metric's vectors are read out of a datum.
trait DatumView: Metric {
    fn view(datum: &Datum) -> Option<VectorRef<'_, Self>>;
}

macro_rules! view {
    ($variant:ident, $($metric:ty),+ => |$v:ident| $body:expr) => {
        $(impl DatumView for $metric {
            fn view(datum: &Datum) -> Option<VectorRef<'_, Self>> {
                match datum {
                    Datum::$variant($v) => Some($body),
                    _ => None,
                }
            }
        })+
    };
}

view!(Vector, L2<f32>, InnerProduct<f32>, Cosine<f32>, L1<f32> => |v| v.as_slice());
view!(HalfVec, L2<f16>, InnerProduct<f16>, Cosine<f16>, L1<f16> => |v| v.as_slice());
view!(SparseVec, L2<Sparse>, InnerProduct<Sparse>, Cosine<Sparse>, L1<Sparse> => |v| v.as_sparse_slice());
view!(Bit, Hamming, Jaccard => |v| v.as_bytes());

/// An HNSW index of any supported metric and element type.
pub enum HnswIndex {
    /// `vector_l2_ops`
    VectorL2(Hnsw<L2<f32>>),
    /// `vector_ip_ops`
    VectorIp(Hnsw<InnerProduct<f32>>),
    /// `vector_cosine_ops`
    VectorCosine(Hnsw<Cosine<f32>>),
    /// `vector_l1_ops`
    VectorL1(Hnsw<L1<f32>>),
    /// `halfvec_l2_ops`
    HalfL2(Hnsw<L2<f16>>),
    /// `halfvec_ip_ops`
    HalfIp(Hnsw<InnerProduct<f16>>),
    /// `halfvec_cosine_ops`
    HalfCosine(Hnsw<Cosine<f16>>),
    /// `halfvec_l1_ops`
    HalfL1(Hnsw<L1<f16>>),
    /// `sparsevec_l2_ops`
    SparseL2(Hnsw<L2<Sparse>>),
    /// `sparsevec_ip_ops`
    SparseIp(Hnsw<InnerProduct<Sparse>>),
    /// `sparsevec_cosine_ops`
    SparseCosine(Hnsw<Cosine<Sparse>>),
    /// `sparsevec_l1_ops`
    SparseL1(Hnsw<L1<Sparse>>),
    /// `bit_hamming_ops`
    BitHamming(Hnsw<Hamming>),
    /// `bit_jaccard_ops`
    BitJaccard(Hnsw<Jaccard>),
}

macro_rules! each {
    ($self:expr, $index:ident => $body:expr) => {
        match $self {
            HnswIndex::VectorL2($index) => $body,
            HnswIndex::VectorIp($index) => $body,
            HnswIndex::VectorCosine($index) => $body,
            HnswIndex::VectorL1($index) => $body,
            HnswIndex::HalfL2($index) => $body,
            HnswIndex::HalfIp($index) => $body,
            HnswIndex::HalfCosine($index) => $body,
            HnswIndex::HalfL1($index) => $body,
            HnswIndex::SparseL2($index) => $body,
            HnswIndex::SparseIp($index) => $body,
            HnswIndex::SparseCosine($index) => $body,
            HnswIndex::SparseL1($index) => $body,
            HnswIndex::BitHamming($index) => $body,
            HnswIndex::BitJaccard($index) => $body,
        }
    };
}

/// Converts an index error into the engine's, with pgvector's text.
pub fn index_error(error: HnswError) -> EngineError {
    let sqlstate = match error {
        HnswError::OptionOutOfBounds { .. }
        | HnswError::ParameterOutOfRange { .. }
        | HnswError::EfConstructionTooSmall { .. }
        | HnswError::NoDimensions => "22023",
        HnswError::TooManyDimensions { .. } | HnswError::TooManyNonZero { .. } => "54000",
        HnswError::Cancelled => "57014",
        _ => "XX000",
    };
    let mut engine = EngineError::new(sqlstate, error.to_string());
    engine.detail = error.detail();
    engine
}

fn build<'a, M: DatumView>(
    dimensions: usize,
    options: HnswOptions,
    rows: impl Iterator<Item = (RowId, &'a Datum)>,
    monitor: Monitor<'_>,
) -> Result<Hnsw<M>> {
    let items: Vec<(RowId, VectorRef<'a, M>)> = rows
        .filter_map(|(id, datum)| M::view(datum).map(|v| (id, v)))
        .collect();
    // pgvector's one build phase: every tuple is inserted into the graph.
    let label = PhaseLabel {
        command: Command::CreateIndex,
        target: "hnsw",
        phase: "loading tuples",
        unit: "tuples",
    };
    let loading = monitor.phase(label, items.len() as u64);
    let hooks = BuildHooks {
        progress: &|p| loading.report(p.tuples_done),
        should_stop: &|| monitor.cancel.is_cancelled(),
    };
    let index =
        Hnsw::<M>::build_with_hooks(dimensions, options, items, &hooks).map_err(index_error)?;
    loading.finish();
    Ok(index)
}

fn scan<'a, M: DatumView>(
    index: &'a Hnsw<M>,
    query: &Datum,
    options: &SearchOptions,
) -> Result<Hits<'a>> {
    let Some(query) = M::view(query) else {
        return Err(EngineError::internal("query vector has the wrong type"));
    };
    let scan = index.scan(query, options).map_err(index_error)?;
    Ok(Box::new(scan.map(|hit| hit.row_id)))
}

fn insert<M: DatumView>(index: &mut Hnsw<M>, id: RowId, datum: &Datum) -> Result<()> {
    if let Some(vector) = M::view(datum) {
        index.insert(id, vector).map_err(index_error)?;
    }
    Ok(())
}

fn check<M: DatumView>(index: &Hnsw<M>, datum: &Datum) -> Result<()> {
    match M::view(datum) {
        Some(vector) => index.check(vector).map_err(index_error),
        None => Ok(()),
    }
}

impl HnswIndex {
    /// Builds an index of the operator class over `(row id, value)` pairs (NULLs are
    /// skipped, as pgvector does).
    pub fn build<'a>(
        opclass: Opclass,
        dimensions: usize,
        options: HnswOptions,
        rows: impl Iterator<Item = (RowId, &'a Datum)>,
        monitor: Monitor<'_>,
    ) -> Result<HnswIndex> {
        use Opclass::*;
        Ok(match opclass {
            VectorL2 => HnswIndex::VectorL2(build(dimensions, options, rows, monitor)?),
            VectorIp => HnswIndex::VectorIp(build(dimensions, options, rows, monitor)?),
            VectorCosine => HnswIndex::VectorCosine(build(dimensions, options, rows, monitor)?),
            VectorL1 => HnswIndex::VectorL1(build(dimensions, options, rows, monitor)?),
            HalfL2 => HnswIndex::HalfL2(build(dimensions, options, rows, monitor)?),
            HalfIp => HnswIndex::HalfIp(build(dimensions, options, rows, monitor)?),
            HalfCosine => HnswIndex::HalfCosine(build(dimensions, options, rows, monitor)?),
            HalfL1 => HnswIndex::HalfL1(build(dimensions, options, rows, monitor)?),
            SparseL2 => HnswIndex::SparseL2(build(dimensions, options, rows, monitor)?),
            SparseIp => HnswIndex::SparseIp(build(dimensions, options, rows, monitor)?),
            SparseCosine => HnswIndex::SparseCosine(build(dimensions, options, rows, monitor)?),
            SparseL1 => HnswIndex::SparseL1(build(dimensions, options, rows, monitor)?),
            BitHamming => HnswIndex::BitHamming(build(dimensions, options, rows, monitor)?),
            BitJaccard => HnswIndex::BitJaccard(build(dimensions, options, rows, monitor)?),
        })
    }

    /// Adds a row's value (NULL is not indexed).
    pub fn insert(&mut self, id: RowId, datum: &Datum) -> Result<()> {
        each!(self, index => insert(index, id, datum))
    }

    /// Whether [`HnswIndex::insert`] would accept the value (NULL is never indexed).
    pub fn check(&self, datum: &Datum) -> Result<()> {
        each!(self, index => check(index, datum))
    }

    /// Removes a row.
    pub fn delete(&mut self, id: RowId) {
        each!(self, index => index.delete(id))
    }

    /// Reclaims deleted rows, so that their ids can be indexed again.
    pub fn vacuum(&mut self) {
        each!(self, index => {
            index.vacuum();
        })
    }

    /// A cursor over the rows nearest to `query`, honouring `ef_search` and iterative
    /// scan settings.
    pub fn scan(&self, query: &Datum, options: &SearchOptions) -> Result<Hits<'_>> {
        each!(self, index => scan(index, query, options))
    }
}

/// Build options from `WITH (m = …, ef_construction = …)`, checked as pgvector does.
pub fn hnsw_options(with: &[(String, String)]) -> Result<HnswOptions> {
    let mut options = HnswOptions {
        threads: std::thread::available_parallelism().map_or(1, |n| n.get().min(8)),
        // pgvector goes on building on disk past maintenance_work_mem; here the build
        // stays in memory, so the budget is not a limit.
        maintenance_work_mem: usize::MAX / 4,
        ..HnswOptions::default()
    };
    for (name, value) in with {
        let parsed: i64 = value.parse().map_err(|_| {
            EngineError::new(
                "22023",
                format!("invalid value for integer option \"{name}\": {value}"),
            )
        })?;
        let target = match name.as_str() {
            "m" => &mut options.m,
            "ef_construction" => &mut options.ef_construction,
            other => {
                return Err(EngineError::new(
                    "22023",
                    format!("unrecognized parameter \"{other}\""),
                ))
            }
        };
        *target = usize::try_from(parsed).unwrap_or(0);
        if parsed < 0 || parsed > i64::from(i32::MAX) {
            // Let validation report it with pgvector's range text.
            *target = if parsed < 0 { 0 } else { usize::MAX };
        }
    }
    options.validate().map_err(index_error)?;
    Ok(options)
}

/// Search options from the session's `hnsw.*` settings.
pub(super) fn search_options(settings: &crate::settings::Settings) -> SearchOptions {
    use crate::settings::{
        HNSW_EF_SEARCH, HNSW_ITERATIVE_SCAN, HNSW_MAX_SCAN_TUPLES, HNSW_SCAN_MEM_MULTIPLIER,
        WORK_MEM,
    };
    let iterative_scan = match settings.word(&HNSW_ITERATIVE_SCAN) {
        "strict_order" => IterativeScan::StrictOrder,
        "relaxed_order" => IterativeScan::RelaxedOrder,
        _ => IterativeScan::Off,
    };
    let work_mem_kb = settings.int(&WORK_MEM) as usize;
    let multiplier = settings.real(&HNSW_SCAN_MEM_MULTIPLIER);
    SearchOptions {
        ef_search: settings.int(&HNSW_EF_SEARCH) as usize,
        iterative_scan,
        max_scan_tuples: settings.int(&HNSW_MAX_SCAN_TUPLES) as u64,
        scan_memory: (work_mem_kb as f64 * 1024.0 * multiplier) as usize,
    }
}
