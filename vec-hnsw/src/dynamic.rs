//! `Hnsw<M>` behind `vec-index`'s interface: [`ViewRef`] reads a [`vec_index::VectorRef`]
//! as metric `M`'s own vector type, `Hnsw<M>` implements [`VectorIndex`], [`build`] and
//! [`open`] return boxed indexes, and [`HnswError`] converts into [`IndexError`] with
//! pgvector's SQLSTATE codes. The engine picks `M` once, from the operator class, when it
//! builds or opens an index.

use std::path::Path;

use vec_index::{
    Built, Cursor, ExactDistance, Hit as IndexHit, IndexError, Notice, PhaseProgress, ScanOptions,
    VectorIndex,
};

use crate::build::{BuildHooks, BuildProgress};
use crate::error::HnswError;
use crate::index::Hnsw;
use crate::metric::{Cosine, Hamming, InnerProduct, Jaccard, Metric, Sparse, VectorRef, L1, L2};
use crate::options::{HnswOptions, IterativeScan, SearchOptions};

impl From<HnswError> for IndexError {
    /// pgvector's SQLSTATE for each error (`ERRCODE_INVALID_PARAMETER_VALUE` for options,
    /// settings and a column without dimensions; `ERRCODE_PROGRAM_LIMIT_EXCEEDED` for
    /// limits; `ERRCODE_DATA_EXCEPTION` for values that do not fit the column), the
    /// message, and the detail [`HnswError::detail`] gives.
    fn from(error: HnswError) -> IndexError {
        let sqlstate = match &error {
            HnswError::OptionOutOfBounds { .. }
            | HnswError::EfConstructionTooSmall { .. }
            | HnswError::ParameterOutOfRange { .. }
            | HnswError::NoDimensions => "22023",
            HnswError::QuantizationUnsupported { .. } => "0A000",
            HnswError::TooManyDimensions { .. }
            | HnswError::TooManyNonZero { .. }
            | HnswError::MemoryBudgetExceeded { .. }
            | HnswError::TooManyElements => "54000",
            HnswError::DimensionMismatch { .. } | HnswError::InvalidSparse => "22000",
            HnswError::Cancelled => "57014",
            HnswError::OutOfMemory { .. } => "53200",
            HnswError::Io { .. } => "58030",
            HnswError::Corrupt { .. } => return IndexError::corrupt(error),
        };
        IndexError {
            sqlstate,
            message: error.to_string(),
            detail: error.detail(),
            hint: None,
        }
    }
}

/// A metric whose vectors can be read out of a [`vec_index::VectorRef`]: `f32` metrics
/// from `vector`, `f16` ones from `halfvec`, [`Sparse`] ones from `sparsevec`, [`Hamming`]
/// and [`Jaccard`] from `bit`.
pub trait ViewRef: Metric {
    /// The value as this metric's vector; `None` when it is of another type.
    fn view(vector: vec_index::VectorRef<'_>) -> Option<VectorRef<'_, Self>>;
}

macro_rules! view {
    ($pattern:pat => $value:expr; $($metric:ty),+) => {
        $(impl ViewRef for $metric {
            fn view(vector: vec_index::VectorRef<'_>) -> Option<VectorRef<'_, Self>> {
                match vector {
                    $pattern => Some($value),
                    _ => None,
                }
            }
        })+
    };
}

view!(vec_index::VectorRef::F32(v) => v; L2<f32>, InnerProduct<f32>, Cosine<f32>, L1<f32>);
view!(vec_index::VectorRef::F16(v) => v; L2<vec_types::f16>, InnerProduct<vec_types::f16>,
    Cosine<vec_types::f16>, L1<vec_types::f16>);
view!(vec_index::VectorRef::Sparse { vector, .. } => vector; L2<Sparse>, InnerProduct<Sparse>,
    Cosine<Sparse>, L1<Sparse>);
view!(vec_index::VectorRef::Bits { bytes, .. } => bytes; Hamming, Jaccard);

/// The value as `M`'s vector, of `dimensions` dimensions: another type is
/// [`IndexError::wrong_type`], other dimensions pgvector's `expected %d dimensions, not %d`.
fn view_checked<M: ViewRef>(
    dimensions: usize,
    vector: vec_index::VectorRef<'_>,
) -> Result<VectorRef<'_, M>, IndexError> {
    let view = M::view(vector).ok_or_else(IndexError::wrong_type)?;
    if vector.dimensions() != dimensions {
        return Err(HnswError::DimensionMismatch {
            expected: dimensions,
            actual: vector.dimensions(),
        }
        .into());
    }
    Ok(view)
}

impl From<&ScanOptions> for SearchOptions {
    /// The HNSW fields: `ef_search`, `iterative_scan`, `max_scan_tuples`, `scan_memory`.
    fn from(options: &ScanOptions) -> SearchOptions {
        SearchOptions {
            ef_search: options.ef_search,
            iterative_scan: match options.iterative_scan {
                vec_index::IterativeScan::Off => IterativeScan::Off,
                vec_index::IterativeScan::StrictOrder => IterativeScan::StrictOrder,
                vec_index::IterativeScan::RelaxedOrder => IterativeScan::RelaxedOrder,
            },
            max_scan_tuples: options.max_scan_tuples,
            scan_memory: options.scan_memory,
        }
    }
}

impl<M: ViewRef> VectorIndex for Hnsw<M> {
    fn dimensions(&self) -> usize {
        self.dimensions
    }

    fn len(&self) -> usize {
        self.live_len()
    }

    fn check(&self, vector: vec_index::VectorRef<'_>) -> Result<(), IndexError> {
        let vector = view_checked::<M>(self.dimensions, vector)?;
        Ok(Hnsw::check(self, vector)?)
    }

    fn insert(&mut self, row_id: u64, vector: vec_index::VectorRef<'_>) -> Result<(), IndexError> {
        let vector = view_checked::<M>(self.dimensions, vector)?;
        Hnsw::insert(self, row_id, vector)?;
        Ok(())
    }

    fn delete(&mut self, row_id: u64) {
        Hnsw::delete(self, row_id);
    }

    fn vacuum(&mut self) -> usize {
        Hnsw::vacuum(self).rows_removed as usize
    }

    /// An HNSW scan; `exact` is not needed (the graph keeps full vectors).
    fn scan<'a>(
        &'a self,
        query: vec_index::VectorRef<'_>,
        options: &ScanOptions,
        _exact: Option<ExactDistance<'a>>,
    ) -> Result<Cursor<'a>, IndexError> {
        let query = view_checked::<M>(self.dimensions, query)?;
        let scan = Hnsw::scan(self, query, &SearchOptions::from(options))?;
        Ok(Box::new(scan.map(|hit| IndexHit {
            row_id: hit.row_id,
            distance: hit.distance,
        })))
    }

    fn write_snapshot(&self, writer: &mut dyn std::io::Write) -> std::io::Result<()> {
        Hnsw::write_snapshot(self, writer)
    }

    fn memory_bytes(&self) -> usize {
        Hnsw::memory_bytes(self)
    }

    fn calibrate(&mut self, hooks: &vec_index::BuildHooks<'_>) -> Result<(), IndexError> {
        Ok(Hnsw::calibrate(self, hooks.should_stop)?)
    }

    fn calibration(&self) -> Option<&vec_index::Calibration> {
        Hnsw::calibration(self)
    }
}

/// The build phase that measures recall for target recall (after pgvector's phases).
pub const CALIBRATING: &str = "calibrating";

/// Builds an HNSW index of metric `M` over `(row id, value)` pairs, reporting pgvector's one
/// build phase, `"loading tuples"` (unit `"tuples"`, one per row), then `"calibrating"`
/// (the recall of each `ef_search`, [`Hnsw::calibrate`]), and stopping with SQLSTATE 57014
/// once `hooks.should_stop` says so. Options and dimensions are checked
/// before the rows; a row of another type or other dimensions is an error.
///
/// ```
/// use vec_hnsw::{build, HnswOptions, L2};
/// use vec_index::{BuildHooks, VectorRef};
///
/// let rows: Vec<(u64, [f32; 2])> = (0..100).map(|i| (i, [i as f32, 1.0])).collect();
/// let refs: Vec<_> = rows.iter().map(|(id, v)| (*id, VectorRef::F32(v))).collect();
/// let built = build::<L2<f32>>(2, HnswOptions::default(), &refs, &BuildHooks::none())?;
/// assert_eq!(built.index.len(), 100);
/// # Ok::<(), vec_index::IndexError>(())
/// ```
pub fn build<M: ViewRef>(
    dimensions: usize,
    options: HnswOptions,
    rows: &[(u64, vec_index::VectorRef<'_>)],
    hooks: &vec_index::BuildHooks<'_>,
) -> Result<Built, IndexError> {
    // Options and dimensions first, as pgvector checks them before it reads the table.
    Hnsw::<M>::new(dimensions, options.clone())?;
    let items = rows
        .iter()
        .map(|(row_id, vector)| Ok((*row_id, view_checked::<M>(dimensions, *vector)?)))
        .collect::<Result<Vec<_>, IndexError>>()?;
    let phase = PhaseProgress::start(*hooks, "loading tuples", "tuples", items.len() as u64);
    let progress = |p: BuildProgress| phase.report(p.tuples_done);
    let hnsw_hooks = BuildHooks {
        progress: &progress,
        should_stop: hooks.should_stop,
    };
    let mut index = Hnsw::<M>::build_with_hooks(dimensions, options, items, &hnsw_hooks)?;
    // Rows the metric does not index (zero vectors under cosine) were not linked.
    phase.finish();
    let calibrating = PhaseProgress::start(*hooks, CALIBRATING, "queries", 1);
    index.calibrate(hooks.should_stop)?;
    calibrating.finish();
    // pgvector's notice when its graph outgrows maintenance_work_mem and the build goes on.
    let notices = index
        .outgrew_budget_after()
        .map(|tuples| Notice {
            message: format!(
                "hnsw graph no longer fits into maintenance_work_mem after {tuples} tuples"
            ),
            detail: Some("Building will take significantly more time.".to_string()),
            hint: Some("Increase maintenance_work_mem to speed up builds.".to_string()),
        })
        .into_iter()
        .collect();
    Ok(Built {
        index: Box::new(index),
        notices,
    })
}

/// Opens a snapshot of an HNSW index of metric `M` (written by
/// [`VectorIndex::write_snapshot`] or [`Hnsw::save`]). A missing, damaged or truncated file,
/// or one of another metric, is an [`IndexError::corrupt`] error, never a panic.
pub fn open<M: ViewRef>(path: &Path) -> Result<Box<dyn VectorIndex>, IndexError> {
    let index = Hnsw::<M>::open(path).map_err(IndexError::corrupt)?;
    Ok(Box::new(index))
}
