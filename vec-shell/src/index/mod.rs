//! Vector indexes on tables: pgvector's `hnsw` and `ivfflat` and pgvecto.rs's `vectors`
//! (`vectors`), over one column or expression with one operator class (`opclass`).
//!
//! Every index is a `Box<dyn vec_index::VectorIndex>` made through one table from
//! (access method, operator class) to a constructor (`registry`), which picks the
//! element type and metric once; operations then dispatch once per call, never per
//! distance. [`VectorIndex`] wraps it with what the engine knows of it (its method and
//! class) and speaks in datums: it reads a value's vector (`datum`), reports build
//! progress to the statement's [`Monitor`] and polls its cancel request, and turns
//! index errors into the engine's (`error`).

mod datum;
mod error;
mod method;
mod opclass;
mod options;
mod registry;
pub mod vectors;

pub use datum::vector_ref;
pub use error::notice;
pub use method::AccessMethod;
pub use opclass::Opclass;

use std::io::Write;
use std::path::Path;

use parking_lot::Mutex;
use vec_index::{
    BuildHooks, BuildProgress, ExactDistance, IterativeScan, Knob, ScanOptions, VectorRef,
};

use crate::error::{EngineError, Result};
use crate::progress::{Command, Monitor, PhaseLabel, PhaseReporter};
use crate::settings::{self, Settings};
use crate::storage::RowId;
use crate::value::Datum;

/// What `vecsh.target_recall` chose for one index scan.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TargetChoice {
    /// The recall asked for.
    pub target: f64,
    /// The knob the index has (`ef_search` or `probes`).
    pub knob: Knob,
    /// The calibration's chosen point (its knob value and expected recall); `None` when
    /// the index has no calibration, so the knob's own setting applies.
    pub point: Option<vec_index::CalibrationPoint>,
}

impl TargetChoice {
    /// The `EXPLAIN` line: `Target Recall: 0.95 (ef_search = 60, expected recall 0.957)`.
    pub fn explain(&self, knob_setting: u32) -> String {
        let target = vec_types::float_text::format_float8(self.target);
        match self.point {
            Some(point) => format!(
                "Target Recall: {target} ({} = {}, expected recall {:.3})",
                self.knob.name(),
                point.knob,
                point.recall
            ),
            None => format!(
                "Target Recall: {target} (not calibrated: {} = {knob_setting})",
                self.knob.name()
            ),
        }
    }
}

/// The rows of a scan, nearest first.
pub type Hits<'a> = Box<dyn Iterator<Item = RowId> + 'a>;

/// A row's indexed value, looked up in the table (for re-ranking quantized candidates
/// exactly).
pub type KeyLookup<'a> = Box<dyn Fn(RowId) -> Option<Datum> + 'a>;

/// A vector index of any access method and operator class.
pub struct VectorIndex {
    method: AccessMethod,
    opclass: Opclass,
    /// The structure is an HNSW graph (always for `hnsw`; for `vectors`, by its options).
    graph: bool,
    /// The lists to probe when the session has not set `vectors.ivf_nprobe` (a
    /// `vectors` index whose options name `nprobe`).
    default_probes: Option<u32>,
    inner: Box<dyn vec_index::VectorIndex>,
}

/// The index's name for the engine's errors about it.
fn registry_entry(method: AccessMethod, opclass: Opclass) -> Result<&'static registry::Entry> {
    registry::entry(method, opclass).ok_or_else(|| {
        EngineError::new(
            "42704",
            format!(
                "operator class \"{}\" does not exist for access method \"{method}\"",
                opclass.name(method)
            ),
        )
    })
}

impl VectorIndex {
    /// Builds an index over `(row id, value)` pairs (values the operator class does not
    /// index, such as NULL, are skipped), polling `monitor`'s cancel request and reporting
    /// progress to it. Returns the notices the build raised.
    pub fn build<'a>(
        method: AccessMethod,
        opclass: Opclass,
        dimensions: usize,
        with: &[(String, String)],
        rows: impl Iterator<Item = (RowId, &'a Datum)>,
        monitor: Monitor<'_>,
    ) -> Result<(VectorIndex, Vec<EngineError>)> {
        let entry = registry_entry(method, opclass)?;
        let rows: Vec<(u64, VectorRef<'a>)> = rows
            .filter_map(|(id, datum)| vector_ref(datum).map(|vector| (id, vector)))
            .collect();
        let bridge = ProgressBridge::new(monitor, method);
        let progress = |p: BuildProgress| bridge.report(p);
        let should_stop = || monitor.cancel.is_cancelled();
        let hooks = BuildHooks {
            progress: &progress,
            should_stop: &should_stop,
        };
        let request = registry::BuildRequest {
            dimensions,
            with,
            rows: &rows,
            hooks: &hooks,
            threads: monitor.threads,
            build_memory: monitor.build_memory,
        };
        let built = (entry.build)(&request)?;
        bridge.finish();
        let index = VectorIndex {
            method,
            opclass,
            graph: is_graph(method, with),
            default_probes: index_probes(method, with),
            inner: built.index,
        };
        Ok((index, built.notices.into_iter().map(notice).collect()))
    }

    /// Opens a snapshot written by [`VectorIndex::write_snapshot`] of an index of this
    /// method, class, dimensions and options; an error if the file is damaged or holds
    /// another kind of index.
    pub fn open_snapshot(
        method: AccessMethod,
        opclass: Opclass,
        dimensions: usize,
        with: &[(String, String)],
        path: &Path,
    ) -> Result<VectorIndex> {
        let entry = registry_entry(method, opclass)?;
        let inner = (entry.open)(&registry::OpenRequest { path, with })?;
        if inner.dimensions() != dimensions {
            return Err(vec_index::IndexError::corrupt(format!(
                "it has {} dimensions, the column has {dimensions}",
                inner.dimensions()
            ))
            .into());
        }
        Ok(VectorIndex {
            method,
            opclass,
            graph: is_graph(method, with),
            default_probes: index_probes(method, with),
            inner,
        })
    }

    /// The access method.
    pub fn method(&self) -> AccessMethod {
        self.method
    }

    /// Adds a row's value (NULL is not indexed).
    pub fn insert(&mut self, id: RowId, datum: &Datum) -> Result<()> {
        match vector_ref(datum) {
            Some(vector) => Ok(self.inner.insert(id, vector)?),
            None => Ok(()),
        }
    }

    /// Whether [`VectorIndex::insert`] would accept the value, without changing the
    /// index: a statement checks its new rows before committing anything.
    pub fn check(&self, datum: &Datum) -> Result<()> {
        match vector_ref(datum) {
            Some(vector) => Ok(self.inner.check(vector)?),
            None => Ok(()),
        }
    }

    /// Removes a row (hidden at once, reclaimed by [`VectorIndex::vacuum`]).
    pub fn delete(&mut self, id: RowId) {
        self.inner.delete(id);
    }

    /// Reclaims deleted rows, so that their ids can be indexed again.
    pub fn vacuum(&mut self) {
        self.inner.vacuum();
    }

    /// The scan options the session's settings give an index of this kind; with
    /// `vecsh.target_recall` on, `ef_search` / `probes` as the index's calibration
    /// chooses ([`VectorIndex::target_choice`]).
    pub fn scan_options(&self, settings: &Settings) -> ScanOptions {
        let iterative_scan = match self.method {
            AccessMethod::IvfFlat => settings.word(&settings::IVFFLAT_ITERATIVE_SCAN),
            _ => settings.word(&settings::HNSW_ITERATIVE_SCAN),
        };
        let options = base_scan_options(settings, iterative_scan);
        let mut options = match self.method {
            AccessMethod::Vectors => {
                vectors::scan_options(settings, self.graph, self.default_probes, options)
            }
            _ => options,
        };
        if let Some(TargetChoice {
            knob,
            point: Some(point),
            ..
        }) = self.target_choice(settings)
        {
            match knob {
                Knob::EfSearch => options.ef_search = point.knob as usize,
                Knob::Probes => options.probes = point.knob,
            }
        }
        options
    }

    /// What `vecsh.target_recall` chooses for a scan of this index; `None` while the
    /// setting is off.
    pub fn target_choice(&self, settings: &Settings) -> Option<TargetChoice> {
        let target = settings.real(&settings::VECSH_TARGET_RECALL);
        if target <= 0.0 {
            return None;
        }
        let calibration = self.inner.calibration();
        let knob = calibration.map_or(
            if self.graph {
                Knob::EfSearch
            } else {
                Knob::Probes
            },
            |c| c.knob,
        );
        Some(TargetChoice {
            target,
            knob,
            point: calibration.and_then(|c| c.choose(target)),
        })
    }

    /// Measures again the recall of each `ef_search` / `probes` for target recall
    /// (`ANALYZE`), polling `monitor`'s cancel request.
    pub fn calibrate(&mut self, monitor: Monitor<'_>) -> Result<()> {
        let should_stop = || monitor.cancel.is_cancelled();
        let hooks = BuildHooks {
            progress: &|_| {},
            should_stop: &should_stop,
        };
        Ok(self.inner.calibrate(&hooks)?)
    }

    /// A cursor over the rows nearest to `query`; `lookup` reads a row's indexed value
    /// from the table, for indexes that re-rank quantized candidates exactly.
    pub fn scan<'a>(
        &'a self,
        query: &Datum,
        options: &ScanOptions,
        lookup: KeyLookup<'a>,
    ) -> Result<Hits<'a>> {
        let hits = self.scan_with_distances(query, options, lookup)?;
        Ok(Box::new(hits.map(|(row_id, _)| row_id)))
    }

    /// [`VectorIndex::scan`] with each row's distance as the index computed it
    /// (approximate for quantized codes that were not re-ranked).
    pub fn scan_with_distances<'a>(
        &'a self,
        query: &Datum,
        options: &ScanOptions,
        lookup: KeyLookup<'a>,
    ) -> Result<Box<dyn Iterator<Item = (RowId, f32)> + 'a>> {
        let vector =
            vector_ref(query).ok_or_else(|| EngineError::internal("the query is not a vector"))?;
        let opclass = self.opclass;
        let target = query.clone();
        let exact: ExactDistance<'a> =
            Box::new(move |id| exact_distance(opclass, &lookup(id)?, &target));
        let cursor = self.inner.scan(vector, options, Some(exact))?;
        Ok(Box::new(cursor.map(|hit| (hit.row_id, hit.distance))))
    }

    /// Whether the planner may use the index (`vectors.enable_index` for `USING vectors`).
    pub fn enabled(&self, settings: &Settings) -> bool {
        match self.method {
            AccessMethod::Vectors => settings.bool(&settings::VECTORS_ENABLE_INDEX),
            _ => true,
        }
    }

    /// Writes the index in its structure's snapshot format.
    pub fn write_snapshot(&self, writer: &mut dyn Write) -> std::io::Result<()> {
        self.inner.write_snapshot(writer)
    }

    /// The memory the index takes, in bytes.
    pub fn memory_bytes(&self) -> usize {
        self.inner.memory_bytes()
    }
}

/// The lists an index's own options say to probe, if they do.
fn index_probes(method: AccessMethod, with: &[(String, String)]) -> Option<u32> {
    match method {
        AccessMethod::Vectors => vectors::default_probes(with),
        _ => None,
    }
}

/// Whether an index of this method and options is an HNSW graph.
fn is_graph(method: AccessMethod, with: &[(String, String)]) -> bool {
    match method {
        AccessMethod::Hnsw => true,
        AccessMethod::Vectors => vectors::is_graph(with),
        _ => false,
    }
}

/// Scan options from the session's `hnsw.*`, `ivfflat.*` and `work_mem` settings, with
/// the iterative scan mode of the index's method; each index reads the fields it has a
/// use for.
fn base_scan_options(settings: &Settings, iterative_scan: &str) -> ScanOptions {
    let work_mem_kb = settings.int(&settings::WORK_MEM) as f64;
    let multiplier = settings.real(&settings::HNSW_SCAN_MEM_MULTIPLIER);
    ScanOptions {
        ef_search: settings.int(&settings::HNSW_EF_SEARCH) as usize,
        probes: settings.int(&settings::IVFFLAT_PROBES) as u32,
        iterative_scan: match iterative_scan {
            "strict_order" => IterativeScan::StrictOrder,
            "relaxed_order" => IterativeScan::RelaxedOrder,
            _ => IterativeScan::Off,
        },
        max_scan_tuples: settings.int(&settings::HNSW_MAX_SCAN_TUPLES) as u64,
        scan_memory: (work_mem_kb * 1024.0 * multiplier) as usize,
        max_probes: settings.int(&settings::IVFFLAT_MAX_PROBES) as u32,
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

/// Turns an index build's phase reports (from any of its threads) into the statement's
/// progress reports, one [`PhaseReporter`] per phase.
struct ProgressBridge<'a> {
    monitor: Monitor<'a>,
    target: &'static str,
    current: Mutex<Option<(&'static str, PhaseReporter<'a>)>>,
}

impl<'a> ProgressBridge<'a> {
    fn new(monitor: Monitor<'a>, method: AccessMethod) -> ProgressBridge<'a> {
        ProgressBridge {
            monitor,
            target: method.name(),
            current: Mutex::new(None),
        }
    }

    fn report(&self, progress: BuildProgress) {
        let mut current = self.current.lock();
        if current
            .as_ref()
            .is_none_or(|(phase, _)| *phase != progress.phase)
        {
            let label = PhaseLabel {
                command: Command::CreateIndex,
                target: self.target,
                phase: progress.phase,
                unit: progress.unit,
            };
            *current = Some((progress.phase, self.monitor.phase(label, progress.total)));
        }
        if let Some((_, reporter)) = current.as_ref() {
            reporter.report(progress.done);
        }
    }

    fn finish(&self) {
        if let Some((_, reporter)) = self.current.lock().as_ref() {
            reporter.finish();
        }
    }
}
