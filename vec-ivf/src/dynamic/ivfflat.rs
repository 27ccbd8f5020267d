//! `IvfIndex<E, M>` (pgvector's `ivfflat`) as a [`VectorIndex`], with [`build_ivfflat`] and
//! [`open_ivfflat`].

use std::path::Path;

use vec_index::{
    BuildHooks, Built, Cursor, ExactDistance, Hit, IndexError, PhaseProgress, ScanOptions,
    VectorIndex, VectorRef,
};

use super::progress::with_hooks;
use super::{collect_rows, view_checked, ViewRef};
use crate::ivf::{check_dimensions, IvfIndex, Rows};
use crate::metric::Metric;
use crate::options::{BuildOptions, SearchOptions};

impl<E: ViewRef, M: Metric<E>> VectorIndex for IvfIndex<E, M> {
    fn dimensions(&self) -> usize {
        self.dimensions
    }

    fn len(&self) -> usize {
        self.live_len()
    }

    fn check(&self, vector: VectorRef<'_>) -> Result<(), IndexError> {
        let row = view_checked::<E>(self.dimensions, vector)?;
        Ok(IvfIndex::check(self, row)?)
    }

    fn insert(&mut self, row_id: u64, vector: VectorRef<'_>) -> Result<(), IndexError> {
        let row = view_checked::<E>(self.dimensions, vector)?;
        IvfIndex::insert(self, row_id, row)?;
        Ok(())
    }

    fn delete(&mut self, row_id: u64) {
        IvfIndex::delete(self, row_id);
    }

    fn vacuum(&mut self) -> usize {
        IvfIndex::vacuum(self)
    }

    /// An IVFFlat scan (`probes`, `iterative_scan`, `max_probes`); `exact` is not needed
    /// (lists keep full rows).
    fn scan<'a>(
        &'a self,
        query: VectorRef<'_>,
        options: &ScanOptions,
        _exact: Option<ExactDistance<'a>>,
    ) -> Result<Cursor<'a>, IndexError> {
        let query = view_checked::<E>(self.dimensions, query)?;
        let cursor = IvfIndex::scan(self, query, &SearchOptions::from(options))?;
        Ok(Box::new(cursor.map(|neighbor| Hit {
            row_id: neighbor.id,
            distance: M::report(neighbor.distance),
        })))
    }

    fn write_snapshot(&self, writer: &mut dyn std::io::Write) -> std::io::Result<()> {
        IvfIndex::write_snapshot(self, writer)
    }

    fn memory_bytes(&self) -> usize {
        IvfIndex::memory_bytes(self)
    }

    fn calibrate(&mut self, hooks: &BuildHooks<'_>) -> Result<(), IndexError> {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        Ok(IvfIndex::calibrate(self, threads, hooks.should_stop)?)
    }

    fn calibration(&self) -> Option<&vec_index::Calibration> {
        IvfIndex::calibration(self)
    }
}

/// The build phase that measures recall for target recall (after pgvector's phases).
pub const CALIBRATING: &str = "calibrating";

/// Builds an IVFFlat index of element type `E` and metric `M` over `(row id, value)` pairs,
/// reporting pgvector's phases (`performing k-means` in iterations, `assigning tuples`,
/// `loading tuples`), then `calibrating` (the recall of each `probes`,
/// [`IvfIndex::calibrate`]), and stopping with SQLSTATE 57014 once `hooks.should_stop` says so.
/// Options and dimensions are checked before the rows; a row of another type or other
/// dimensions is an error. Notices (little data) come back in [`Built::notices`].
///
/// ```
/// use vec_index::{BuildHooks, IterativeScan, ScanOptions, VectorRef};
/// use vec_ivf::{build_ivfflat, BuildOptions, DEFAULT_MAX_PROBES, L2};
///
/// let rows: Vec<(u64, [f32; 2])> = (0..100).map(|i| (i, [i as f32, 1.0])).collect();
/// let refs: Vec<_> = rows.iter().map(|(id, v)| (*id, VectorRef::F32(v))).collect();
/// let options = BuildOptions { lists: 4, ..BuildOptions::default() };
/// let built = build_ivfflat::<f32, L2>(2, &options, &refs, &BuildHooks::none())?;
/// assert_eq!(built.index.len(), 100);
/// assert!(built.notices.is_empty());
///
/// let scan = ScanOptions {
///     ef_search: 40,
///     probes: 4,
///     iterative_scan: IterativeScan::Off,
///     max_scan_tuples: 20_000,
///     scan_memory: 4 << 20,
///     max_probes: DEFAULT_MAX_PROBES,
/// };
/// let hit = built.index.scan(VectorRef::F32(&[7.2, 1.0]), &scan, None)?.next().unwrap();
/// assert_eq!(hit.row_id, 7);
/// assert!((hit.distance - 0.2).abs() < 1e-5); // L2, not its square
/// # Ok::<(), vec_index::IndexError>(())
/// ```
pub fn build_ivfflat<E: ViewRef, M: Metric<E>>(
    dimensions: usize,
    options: &BuildOptions,
    rows: &[(u64, VectorRef<'_>)],
    hooks: &BuildHooks<'_>,
) -> Result<Built, IndexError> {
    options.validate()?;
    check_dimensions::<E, M>(dimensions)?;
    let (ids, data) = collect_rows::<E>(dimensions, rows)?;
    let rows = Rows::new(dimensions, &ids, &data)?;
    let mut outcome = with_hooks(hooks, |ivf_hooks| {
        IvfIndex::<E, M>::build_with_hooks(rows, options, ivf_hooks)
    })?;
    let calibrating = PhaseProgress::start(*hooks, CALIBRATING, "queries", 1);
    outcome
        .index
        .calibrate(options.thread_count(), hooks.should_stop)?;
    calibrating.finish();
    Ok(Built {
        index: Box::new(outcome.index),
        notices: outcome.notices.into_iter().map(Into::into).collect(),
    })
}

/// Opens a snapshot of an IVFFlat index of element type `E` and metric `M` (written by
/// [`VectorIndex::write_snapshot`] or [`IvfIndex::save`]). A missing, damaged or truncated
/// file, or one of another type or metric, is an [`IndexError::corrupt`] error.
pub fn open_ivfflat<E: ViewRef, M: Metric<E>>(
    path: &Path,
) -> Result<Box<dyn VectorIndex>, IndexError> {
    let index = IvfIndex::<E, M>::open(path).map_err(IndexError::corrupt)?;
    Ok(Box::new(index))
}
