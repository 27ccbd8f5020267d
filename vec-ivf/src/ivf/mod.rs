//! The IVFFlat index: k-means centers and one contiguous list of rows per center.
//!
//! The type's `impl` blocks are split by concern: this file holds the type and its build
//! (pgvector's `ivfbuild.c`: sample, k-means, assign, load), `search.rs` the top-k search and
//! the iterative-scan cursor (`ivfscan.c`), `write.rs` inserts, deletes and vacuum
//! (`ivfinsert.c`, `ivfvacuum.c`), and `crate::snapshot` the file format.

mod calibrate;
mod search;
mod write;

use std::collections::HashSet;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicBool, Ordering};

pub use calibrate::PROBES_GRID;
pub use search::ScanCursor;

use crate::element::{normalize_into, Element};
use crate::error::{IvfError, Notice};
use crate::kmeans::{self, KmeansParams, Samples};
use crate::metric::Metric;
use crate::options::{BuildOptions, BuildPhase, BuildProgress};
use crate::parallel;
use crate::rng::Rng;
use crate::store::Store;

/// How often (in rows) the assignment and loading loops poll [`BuildHooks::should_stop`].
const STOP_CHECK_EVERY: usize = 4096;

/// Callbacks a build makes while it runs.
pub struct BuildHooks<'a> {
    /// Called at each phase's start and end, and after each k-means iteration.
    pub progress: &'a mut dyn FnMut(BuildProgress),
    /// Polled between k-means iterations and every few thousand rows (from any build
    /// thread); once it returns `true` the build ends with [`IvfError::Cancelled`].
    pub should_stop: &'a (dyn Fn() -> bool + Sync),
}

/// Rows to build from: `ids.len()` rows, each `stride` elements of `data` in order.
#[derive(Debug, Clone, Copy)]
pub struct Rows<'a, E> {
    pub(crate) dimensions: usize,
    pub(crate) ids: &'a [u64],
    pub(crate) data: &'a [E],
}

impl<'a, E: Element> Rows<'a, E> {
    /// Checks that `data` holds exactly one row of `dimensions` dimensions per id (for bits,
    /// `dimensions` counts bits and a row is `dimensions.div_ceil(8)` bytes).
    pub fn new(dimensions: usize, ids: &'a [u64], data: &'a [E]) -> Result<Self, IvfError> {
        let stride = E::stride(dimensions);
        if ids.len().checked_mul(stride) != Some(data.len()) {
            return Err(IvfError::RowCountMismatch {
                ids: ids.len(),
                elements: data.len(),
                stride,
            });
        }
        Ok(Rows {
            dimensions,
            ids,
            data,
        })
    }

    pub(crate) fn row(&self, row_idx: usize) -> &'a [E] {
        let stride = E::stride(self.dimensions);
        &self.data[row_idx * stride..(row_idx + 1) * stride]
    }
}

/// A list: row ids and rows, each contiguous, in insertion order.
#[derive(Debug, Clone, Default)]
pub(crate) struct List<E> {
    pub(crate) ids: Store<u64>,
    pub(crate) rows: Store<E>,
}

/// An IVFFlat index over rows of `E` under metric `M`.
///
/// Build with [`IvfIndex::build`], search with [`IvfIndex::search`] or the resumable
/// [`IvfIndex::scan`], write with [`IvfIndex::insert`], [`IvfIndex::delete`] and
/// [`IvfIndex::vacuum`], persist with [`IvfIndex::save`] and [`IvfIndex::open`].
///
/// # Snapshot file format
///
/// All integers little-endian. Sections marked *aligned* start at a multiple of 64 bytes
/// (zero padding before them), so an opened file is scanned in place through the map.
///
/// | offset | bytes | field |
/// |---|---|---|
/// | 0 | 8 | magic `VECSHIVF` |
/// | 8 | 4 | format version: 2 (1 is read too: no calibration) |
/// | 12 | 1 | element kind ([`ElementKind::code`](crate::ElementKind::code)) |
/// | 13 | 1 | metric kind ([`MetricKind::code`](crate::MetricKind::code)) |
/// | 14 | 2 | bytes of the calibration at the end of the file (version 2; 0 when none) |
/// | 16 | 8 | dimensions |
/// | 24 | 8 | stride: elements per row |
/// | 32 | 8 | `lists` |
/// | 40 | 8 | number of deleted ids |
/// | 48 | 8 | file length in bytes |
/// | 56 | 8 | checksum of bytes 0..56 and 64..end |
/// | 64 | 24 × `lists` | directory, per list: byte offset of its ids, row count, byte offset of its rows |
/// | … | 8 × deleted | ids deleted but not yet vacuumed |
/// | aligned | `lists` × stride × element size | centers |
/// | aligned, per list | 8 × rows | the list's row ids |
/// | aligned, per list | rows × stride × element size | the list's rows, back to back |
/// | end | as bytes 14..16 say | the calibration, `vec_index::Calibration::to_bytes` |
#[derive(Debug, Clone)]
pub struct IvfIndex<E: Element, M: Metric<E>> {
    pub(crate) dimensions: usize,
    pub(crate) stride: usize,
    pub(crate) centers: Store<E>,
    pub(crate) lists: Vec<List<E>>,
    pub(crate) deleted: HashSet<u64>,
    /// The recall each `probes` value reached, for target recall.
    pub(crate) calibration: Option<vec_index::Calibration>,
    pub(crate) metric: PhantomData<M>,
}

/// What a build returns: the index and the notices to show (pgvector's `NOTICE`s).
#[derive(Debug, Clone)]
pub struct BuildOutcome<I> {
    /// The index.
    pub index: I,
    /// Notices, such as [`Notice::LittleData`].
    pub notices: Vec<Notice>,
}

/// Checks dimensions against the element type and metric, as `InitBuildState` does.
pub(crate) fn check_dimensions<E: Element, M: Metric<E>>(
    dimensions: usize,
) -> Result<(), IvfError> {
    if dimensions == 0 {
        return Err(IvfError::NoDimensions);
    }
    if dimensions > E::MAX_DIMENSIONS {
        return Err(IvfError::TooManyDimensions {
            max: E::MAX_DIMENSIONS,
        });
    }
    if M::SPHERICAL && dimensions == 1 {
        return Err(IvfError::SphericalNeedsTwoDimensions);
    }
    Ok(())
}

impl<E: Element, M: Metric<E>> IvfIndex<E, M> {
    /// Builds an index from `rows`. Rows that a cosine index cannot hold (zero vectors) are
    /// skipped, as pgvector skips them.
    pub fn build(
        rows: Rows<'_, E>,
        options: &BuildOptions,
    ) -> Result<BuildOutcome<Self>, IvfError> {
        Self::build_with_progress(rows, options, &mut |_| {})
    }

    /// [`IvfIndex::build`], reporting each phase (with pgvector's names) to `progress`.
    pub fn build_with_progress(
        rows: Rows<'_, E>,
        options: &BuildOptions,
        progress: &mut dyn FnMut(BuildProgress),
    ) -> Result<BuildOutcome<Self>, IvfError> {
        let mut hooks = BuildHooks {
            progress,
            should_stop: &|| false,
        };
        Self::build_with_hooks(rows, options, &mut hooks)
    }

    /// [`IvfIndex::build`] with [`BuildHooks`]: each phase reported to `progress`, and
    /// `should_stop` polled between k-means iterations and every few thousand rows; once it
    /// returns `true` the build ends with [`IvfError::Cancelled`].
    ///
    /// ```
    /// use vec_ivf::{BuildHooks, BuildOptions, IvfError, IvfIndex, L2, Rows};
    ///
    /// let data: Vec<f32> = (0..2000).map(|i| i as f32).collect();
    /// let ids: Vec<u64> = (0..1000).collect();
    /// let rows = Rows::new(2, &ids, &data)?;
    /// let options = BuildOptions { lists: 10, ..BuildOptions::default() };
    /// let mut hooks = BuildHooks { progress: &mut |_| {}, should_stop: &|| true };
    /// let result = IvfIndex::<f32, L2>::build_with_hooks(rows, &options, &mut hooks);
    /// assert!(matches!(result, Err(IvfError::Cancelled)));
    /// # Ok::<(), IvfError>(())
    /// ```
    pub fn build_with_hooks(
        rows: Rows<'_, E>,
        options: &BuildOptions,
        hooks: &mut BuildHooks<'_>,
    ) -> Result<BuildOutcome<Self>, IvfError> {
        let should_stop = hooks.should_stop;
        let progress = &mut *hooks.progress;
        options.validate()?;
        check_dimensions::<E, M>(rows.dimensions)?;
        progress(BuildProgress {
            phase: BuildPhase::Initializing,
            done: 0,
            total: 0,
        });
        let n_lists = options.lists as usize;
        let stride = E::stride(rows.dimensions);
        let n_rows = rows.ids.len();
        let threads = options.thread_count();
        let mut rng = Rng::new(options.seed);

        // Sample, skipping rows that spherical k-means cannot normalize.
        let target = options.target_samples(n_rows);
        let row_bytes = stride * std::mem::size_of::<E>();
        let required = target
            .saturating_mul(row_bytes)
            .saturating_add(kmeans::state_bytes(
                target,
                n_lists,
                row_bytes,
                rows.dimensions,
            ));
        if required > options.memory_budget_bytes {
            return Err(IvfError::MemoryBudgetExceeded {
                required_bytes: required,
                budget_bytes: options.memory_budget_bytes,
            });
        }
        let mut sample_rows = Vec::with_capacity(target * stride);
        let mut normalized = vec![E::default(); stride];
        for row_idx in rng.sample_indexes(n_rows, target) {
            let row = rows.row(row_idx);
            if M::SPHERICAL {
                if normalize_into(row, &mut normalized) {
                    sample_rows.extend_from_slice(&normalized);
                }
            } else {
                sample_rows.extend_from_slice(row);
            }
        }
        let samples = Samples {
            rows: &sample_rows,
            stride,
            dimensions: rows.dimensions,
        };
        let mut notices = Vec::new();
        if samples.len() < n_lists {
            notices.push(Notice::LittleData);
        }

        let params = KmeansParams {
            n_centers: n_lists,
            iterations: options.iterations,
            least_iterations: options.least_iterations,
            threads,
        };
        progress(BuildProgress {
            phase: BuildPhase::PerformingKmeans,
            done: 0,
            total: params.iterations as u64,
        });
        if should_stop() {
            return Err(IvfError::Cancelled);
        }
        let centers = kmeans::kmeans::<E, M>(&samples, &params, &mut rng, &mut |done, total| {
            progress(BuildProgress {
                phase: BuildPhase::PerformingKmeans,
                done,
                total,
            });
            !should_stop()
        });
        drop(sample_rows);
        if should_stop() {
            return Err(IvfError::Cancelled);
        }
        // k-means may converge before its iteration limit; the phase is complete.
        progress(BuildProgress {
            phase: BuildPhase::PerformingKmeans,
            done: params.iterations as u64,
            total: params.iterations as u64,
        });

        progress(BuildProgress {
            phase: BuildPhase::AssigningTuples,
            done: 0,
            total: n_rows as u64,
        });
        let stopped = AtomicBool::new(false);
        let assignment: Vec<u32> = parallel::map_blocks(n_rows, threads, |range| {
            let mut scratch = vec![E::default(); stride];
            let mut block = Vec::with_capacity(range.len());
            for row_idx in range {
                if row_idx % STOP_CHECK_EVERY == 0
                    && (stopped.load(Ordering::Relaxed) || should_stop())
                {
                    stopped.store(true, Ordering::Relaxed);
                    break;
                }
                block.push(
                    match prepared_row::<E, M>(rows.row(row_idx), &mut scratch) {
                        Some(row) => nearest_center::<E, M>(&centers, stride, row) as u32,
                        None => u32::MAX,
                    },
                );
            }
            block
        })
        .concat();
        if stopped.into_inner() {
            return Err(IvfError::Cancelled);
        }
        progress(BuildProgress {
            phase: BuildPhase::AssigningTuples,
            done: n_rows as u64,
            total: n_rows as u64,
        });

        progress(BuildProgress {
            phase: BuildPhase::LoadingTuples,
            done: 0,
            total: n_rows as u64,
        });
        let mut counts = vec![0usize; n_lists];
        for &list_idx in assignment.iter().filter(|&&list_idx| list_idx != u32::MAX) {
            counts[list_idx as usize] += 1;
        }
        let mut list_ids: Vec<Vec<u64>> = counts
            .iter()
            .map(|&count| Vec::with_capacity(count))
            .collect();
        let mut list_rows: Vec<Vec<E>> = counts
            .iter()
            .map(|&count| Vec::with_capacity(count * stride))
            .collect();
        let mut scratch = vec![E::default(); stride];
        for (row_idx, &list_idx) in assignment.iter().enumerate() {
            if row_idx % STOP_CHECK_EVERY == 0 && should_stop() {
                return Err(IvfError::Cancelled);
            }
            if list_idx == u32::MAX {
                continue;
            }
            if let Some(row) = prepared_row::<E, M>(rows.row(row_idx), &mut scratch) {
                list_ids[list_idx as usize].push(rows.ids[row_idx]);
                list_rows[list_idx as usize].extend_from_slice(row);
            }
        }
        let lists = list_ids
            .into_iter()
            .zip(list_rows)
            .map(|(ids, rows)| List {
                ids: Store::Owned(ids),
                rows: Store::Owned(rows),
            })
            .collect();
        progress(BuildProgress {
            phase: BuildPhase::LoadingTuples,
            done: n_rows as u64,
            total: n_rows as u64,
        });

        let index = IvfIndex {
            dimensions: rows.dimensions,
            stride,
            centers: Store::Owned(centers),
            lists,
            deleted: HashSet::new(),
            calibration: None,
            metric: PhantomData,
        };
        Ok(BuildOutcome { index, notices })
    }

    /// Dimensions per row (bits for a bit index).
    pub fn dimensions(&self) -> usize {
        self.dimensions
    }

    /// Number of lists.
    pub fn lists(&self) -> usize {
        self.lists.len()
    }

    /// Rows stored, counting rows deleted but not yet vacuumed.
    pub fn len(&self) -> usize {
        self.lists
            .iter()
            .map(|list| list.ids.as_slice().len())
            .sum()
    }

    /// Whether no rows are stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Rows per list, in list order.
    pub fn list_sizes(&self) -> Vec<usize> {
        self.lists
            .iter()
            .map(|list| list.ids.as_slice().len())
            .collect()
    }

    /// The center of list `list_idx`, or `None` past the last list.
    pub fn center(&self, list_idx: usize) -> Option<&[E]> {
        self.centers
            .as_slice()
            .get(list_idx * self.stride..(list_idx + 1) * self.stride)
    }

    /// Bytes held by centers, ids, rows and the deleted set.
    pub fn memory_bytes(&self) -> usize {
        let lists: usize = self
            .lists
            .iter()
            .map(|list| list.ids.bytes() + list.rows.bytes())
            .sum();
        self.centers.bytes() + lists + self.deleted.capacity() * 16
    }

    pub(crate) fn check_row(&self, row: &[E]) -> Result<(), IvfError> {
        if row.len() != self.stride {
            return Err(IvfError::DimensionMismatch {
                expected: self.stride,
                received: row.len(),
            });
        }
        Ok(())
    }
}

/// The row as the index stores it: normalized for cosine (`None` for a zero row), else as is.
#[inline]
pub(crate) fn prepared_row<'a, E: Element, M: Metric<E>>(
    row: &'a [E],
    scratch: &'a mut [E],
) -> Option<&'a [E]> {
    if M::NORMALIZES_ROWS {
        if normalize_into(row, scratch) {
            Some(scratch)
        } else {
            None
        }
    } else {
        Some(row)
    }
}

/// The list whose center is nearest to `row` by the order distance (ties to the first).
#[inline]
pub(crate) fn nearest_center<E: Element, M: Metric<E>>(
    centers: &[E],
    stride: usize,
    row: &[E],
) -> usize {
    let mut best = (0, f32::INFINITY);
    for (center_idx, center) in centers.chunks_exact(stride).enumerate() {
        let distance = M::distance(row, center);
        if distance < best.1 {
            best = (center_idx, distance);
        }
    }
    best.0
}

/// The `count` centers nearest to `query` by the order distance, nearest first (ties by list).
pub(crate) fn rank_centers<E: Element, M: Metric<E>>(
    centers: &[E],
    stride: usize,
    query: &[E],
    count: usize,
) -> Vec<usize> {
    let mut ranked: Vec<(f32, usize)> = centers
        .chunks_exact(stride)
        .enumerate()
        .map(|(list_idx, center)| (M::distance(query, center), list_idx))
        .collect();
    let order = |a: &(f32, usize), b: &(f32, usize)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1));
    let count = count.min(ranked.len());
    if count > 0 && count < ranked.len() {
        ranked.select_nth_unstable_by(count - 1, order);
        ranked.truncate(count);
    }
    ranked.sort_unstable_by(order);
    ranked
        .into_iter()
        .take(count)
        .map(|(_, list_idx)| list_idx)
        .collect()
}
