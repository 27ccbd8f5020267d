//! IVFFlat indexes (`vec-ivf`) behind one enum over pgvector's IVFFlat operator classes
//! (`vector_*` and `halfvec_*` with L2, inner product and cosine, and
//! `bit_hamming_ops`): build from the table's rows, insert, delete, vacuum and scan.

use vec_ivf::{
    BuildHooks, BuildOptions, BuildPhase, BuildProgress, Cosine, Element, Hamming, InnerProduct,
    IterativeScan, IvfError, IvfIndex, Metric, Rows, SearchOptions, L2,
};
use vec_types::f16;

use super::{Hits, Opclass};
use crate::error::{EngineError, Result};
use crate::progress::{Command, Monitor, PhaseLabel, PhaseReporter};
use crate::settings::Settings;
use crate::storage::RowId;
use crate::value::Datum;

/// An IVFFlat index of any supported operator class.
pub enum IvfIndexAny {
    /// `vector_l2_ops`
    VectorL2(IvfIndex<f32, L2>),
    /// `vector_ip_ops`
    VectorIp(IvfIndex<f32, InnerProduct>),
    /// `vector_cosine_ops`
    VectorCosine(IvfIndex<f32, Cosine>),
    /// `halfvec_l2_ops`
    HalfL2(IvfIndex<f16, L2>),
    /// `halfvec_ip_ops`
    HalfIp(IvfIndex<f16, InnerProduct>),
    /// `halfvec_cosine_ops`
    HalfCosine(IvfIndex<f16, Cosine>),
    /// `bit_hamming_ops`
    BitHamming(IvfIndex<u8, Hamming>),
}

macro_rules! each {
    ($self:expr, $index:ident => $body:expr) => {
        match $self {
            IvfIndexAny::VectorL2($index) => $body,
            IvfIndexAny::VectorIp($index) => $body,
            IvfIndexAny::VectorCosine($index) => $body,
            IvfIndexAny::HalfL2($index) => $body,
            IvfIndexAny::HalfIp($index) => $body,
            IvfIndexAny::HalfCosine($index) => $body,
            IvfIndexAny::BitHamming($index) => $body,
        }
    };
}

/// The element slice a datum holds, for element type `E` (also used by `USING vectors`
/// indexes).
pub(super) trait View: Element {
    fn view(datum: &Datum) -> Option<&[Self]>;
}

impl View for f32 {
    fn view(datum: &Datum) -> Option<&[f32]> {
        match datum {
            Datum::Vector(v) => Some(v.as_slice()),
            _ => None,
        }
    }
}

impl View for f16 {
    fn view(datum: &Datum) -> Option<&[f16]> {
        match datum {
            Datum::HalfVec(v) => Some(v.as_slice()),
            _ => None,
        }
    }
}

impl View for u8 {
    fn view(datum: &Datum) -> Option<&[u8]> {
        match datum {
            Datum::Bit(v) => Some(v.as_bytes()),
            _ => None,
        }
    }
}

/// Converts an index error into the engine's, with pgvector's text.
fn index_error(error: IvfError) -> EngineError {
    let sqlstate = match error {
        IvfError::OptionOutOfBounds { .. }
        | IvfError::ParameterOutOfRange { .. }
        | IvfError::InvalidParameterValue { .. }
        | IvfError::NoDimensions => "22023",
        IvfError::TooManyDimensions { .. } | IvfError::MemoryBudgetExceeded { .. } => "54000",
        IvfError::Cancelled => "57014",
        _ => "XX000",
    };
    let mut engine = EngineError::new(sqlstate, error.to_string());
    engine.detail = error.detail();
    engine.hint = error.hint();
    engine
}

fn build<'a, E: View, M: Metric<E>>(
    dimensions: usize,
    options: &BuildOptions,
    rows: impl Iterator<Item = (RowId, &'a Datum)>,
    monitor: Monitor<'_>,
) -> Result<(IvfIndex<E, M>, Vec<EngineError>)> {
    let mut ids = Vec::new();
    let mut data = Vec::new();
    for (id, datum) in rows {
        if let Some(values) = E::view(datum) {
            ids.push(id);
            data.extend_from_slice(values);
        }
    }
    let rows = Rows::new(dimensions, &ids, &data).map_err(index_error)?;
    let mut current: Option<(BuildPhase, PhaseReporter<'_>)> = None;
    let mut progress = |p: BuildProgress| {
        // The table was read in the engine's own `initializing` phase.
        if p.phase == BuildPhase::Initializing {
            return;
        }
        if current.as_ref().is_none_or(|(phase, _)| *phase != p.phase) {
            let label = PhaseLabel {
                command: Command::CreateIndex,
                target: "ivfflat",
                phase: p.phase.name(),
                unit: if p.phase == BuildPhase::PerformingKmeans {
                    "iterations"
                } else {
                    "tuples"
                },
            };
            current = Some((p.phase, monitor.phase(label, p.total)));
        }
        if let Some((_, reporter)) = &current {
            reporter.report(p.done);
        }
    };
    let mut hooks = BuildHooks {
        progress: &mut progress,
        should_stop: &|| monitor.cancel.is_cancelled(),
    };
    let outcome =
        IvfIndex::<E, M>::build_with_hooks(rows, options, &mut hooks).map_err(index_error)?;
    let notices = outcome
        .notices
        .iter()
        .map(|notice| {
            EngineError::notice("00000", notice.message())
                .with_detail(notice.detail())
                .with_hint(notice.hint())
        })
        .collect();
    Ok((outcome.index, notices))
}

fn scan<'a, E: View, M: Metric<E>>(
    index: &'a IvfIndex<E, M>,
    query: &Datum,
    options: &SearchOptions,
) -> Result<Hits<'a>> {
    let Some(query) = E::view(query) else {
        return Err(EngineError::internal("query vector has the wrong type"));
    };
    let cursor = index.scan(query, options).map_err(index_error)?;
    Ok(Box::new(cursor.map(|neighbor| neighbor.id)))
}

fn insert<E: View, M: Metric<E>>(
    index: &mut IvfIndex<E, M>,
    id: RowId,
    datum: &Datum,
) -> Result<()> {
    if let Some(values) = E::view(datum) {
        index.insert(id, values).map_err(index_error)?;
    }
    Ok(())
}

fn check<E: View, M: Metric<E>>(index: &IvfIndex<E, M>, datum: &Datum) -> Result<()> {
    match E::view(datum) {
        Some(values) => index.check(values).map_err(index_error),
        None => Ok(()),
    }
}

/// Build options from `WITH (lists = …)`.
fn build_options(with: &[(String, String)]) -> Result<BuildOptions> {
    let mut options = BuildOptions {
        threads: std::thread::available_parallelism().map_or(1, |n| n.get().min(8)),
        memory_budget_bytes: usize::MAX / 4,
        ..BuildOptions::default()
    };
    for (name, value) in with {
        let parsed: i64 = value.parse().map_err(|_| {
            EngineError::new(
                "22023",
                format!("invalid value for integer option \"{name}\": {value}"),
            )
        })?;
        match name.as_str() {
            "lists" => {
                options.lists = u32::try_from(parsed.clamp(0, i64::from(u32::MAX))).unwrap_or(0)
            }
            other => {
                return Err(EngineError::new(
                    "22023",
                    format!("unrecognized parameter \"{other}\""),
                ))
            }
        }
    }
    options.validate().map_err(index_error)?;
    Ok(options)
}

impl IvfIndexAny {
    /// Builds an index of the operator class; returns pgvector's notices (little data).
    pub fn build<'a>(
        opclass: Opclass,
        dimensions: usize,
        with: &[(String, String)],
        rows: impl Iterator<Item = (RowId, &'a Datum)>,
        monitor: Monitor<'_>,
    ) -> Result<(IvfIndexAny, Vec<EngineError>)> {
        let mut options = build_options(with)?;
        options.threads = monitor.threads;
        use Opclass::*;
        Ok(match opclass {
            VectorL2 => build(dimensions, &options, rows, monitor)
                .map(|(i, n)| (IvfIndexAny::VectorL2(i), n))?,
            VectorIp => build(dimensions, &options, rows, monitor)
                .map(|(i, n)| (IvfIndexAny::VectorIp(i), n))?,
            VectorCosine => build(dimensions, &options, rows, monitor)
                .map(|(i, n)| (IvfIndexAny::VectorCosine(i), n))?,
            HalfL2 => build(dimensions, &options, rows, monitor)
                .map(|(i, n)| (IvfIndexAny::HalfL2(i), n))?,
            HalfIp => build(dimensions, &options, rows, monitor)
                .map(|(i, n)| (IvfIndexAny::HalfIp(i), n))?,
            HalfCosine => build(dimensions, &options, rows, monitor)
                .map(|(i, n)| (IvfIndexAny::HalfCosine(i), n))?,
            BitHamming => build(dimensions, &options, rows, monitor)
                .map(|(i, n)| (IvfIndexAny::BitHamming(i), n))?,
            other => {
                return Err(EngineError::new(
                    "42704",
                    format!(
                        "operator class \"{}\" does not exist for access method \"ivfflat\"",
                        other.name()
                    ),
                ))
            }
        })
    }

    /// Adds a row's value.
    pub fn insert(&mut self, id: RowId, datum: &Datum) -> Result<()> {
        each!(self, index => insert(index, id, datum))
    }

    /// Whether [`IvfIndexAny::insert`] would accept the value (NULL is never indexed).
    pub fn check(&self, datum: &Datum) -> Result<()> {
        each!(self, index => check(index, datum))
    }

    /// Hides a row from scans.
    pub fn delete(&mut self, id: RowId) {
        each!(self, index => index.delete(id))
    }

    /// Reclaims deleted rows.
    pub fn vacuum(&mut self) {
        each!(self, index => {
            index.vacuum();
        })
    }

    /// A cursor over the rows nearest to `query`.
    pub fn scan(&self, query: &Datum, options: &SearchOptions) -> Result<Hits<'_>> {
        each!(self, index => scan(index, query, options))
    }
}

/// Search options from the session's `ivfflat.*` settings.
pub(super) fn search_options(settings: &Settings) -> SearchOptions {
    let iterative_scan = match settings.word(&crate::settings::IVFFLAT_ITERATIVE_SCAN) {
        "relaxed_order" => IterativeScan::RelaxedOrder,
        _ => IterativeScan::Off,
    };
    SearchOptions {
        probes: settings.int(&crate::settings::IVFFLAT_PROBES) as u32,
        iterative_scan,
        max_probes: settings.int(&crate::settings::IVFFLAT_MAX_PROBES) as u32,
    }
}
