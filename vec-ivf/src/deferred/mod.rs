//! [`DeferredIndex`]: pgvecto.rs's `[indexing.ivf]` and `[indexing.flat]` as one type.
//! Plain lists ([`IvfIndex`], `quantization.trivial`) or lists of one-byte codes
//! ([`QuantizedIvf`], `quantization.scalar` / `quantization.product`); a flat index is the
//! same with one list. k-means and quantizers need rows to train on, so, like pgvecto.rs's
//! growing segment, an index over fewer rows than that ([`DeferredSpec::rows_to_build`])
//! keeps its rows aside and is searched exactly; the insert that brings it to that many
//! builds it. Scans are in `scan.rs`, the snapshot file in `snapshot.rs`.

mod scan;
mod snapshot;

pub use scan::DeferredCursor;

use crate::element::Element;
use crate::error::IvfError;
use crate::ivf::{check_dimensions, prepared_row, BuildHooks, IvfIndex, Rows};
use crate::metric::Metric;
use crate::options::{BuildOptions, BuildPhase, BuildProgress};
use crate::quant::{FlatIndex, QuantizedIvf, QuantizedOptions};

/// Rows a quantizer needs before it is trained: one per centroid of a product codebook.
pub const QUANTIZER_TRAINING_ROWS: usize = 256;

/// How a [`DeferredIndex`] is built.
#[derive(Clone, Debug, PartialEq)]
pub struct DeferredSpec {
    /// k-means options (pgvecto.rs's `nlist`, `nsample`, `iterations`, `least_iterations`)
    /// and the build's threads and memory budget. A flat index uses one list whatever
    /// `lists` says.
    pub build: BuildOptions,
    /// The quantizer, or `None` for `quantization.trivial`.
    pub quantized: Option<QuantizedOptions>,
    /// `[indexing.flat]`: one list.
    pub flat: bool,
}

impl DeferredSpec {
    /// The rows the index needs before it is built: one per list for k-means (none for a
    /// flat index), and [`QUANTIZER_TRAINING_ROWS`] for a quantizer.
    pub fn rows_to_build(&self) -> usize {
        let lists = if self.flat {
            0
        } else {
            self.build.lists as usize
        };
        let quantizer = if self.quantized.is_some() {
            QUANTIZER_TRAINING_ROWS
        } else {
            0
        };
        lists.max(quantizer)
    }

    /// The build options the lists are built with (`lists = 1` when flat).
    pub(crate) fn build_options(&self) -> BuildOptions {
        BuildOptions {
            lists: if self.flat { 1 } else { self.build.lists },
            ..self.build.clone()
        }
    }

    /// Checks the build and quantizer options.
    pub fn validate(&self) -> Result<(), IvfError> {
        self.build_options().validate()?;
        if let Some(quantized) = &self.quantized {
            quantized.validate()?;
        }
        Ok(())
    }
}

/// Which form a [`DeferredIndex`] is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeferredState {
    /// Too few rows to train on yet: rows kept aside and searched exactly.
    Growing,
    /// Lists of rows as they are.
    Plain,
    /// Lists of quantized codes.
    Quantized,
}

/// The rows of an index that is not built yet, as they were given.
#[derive(Clone, Debug, Default)]
pub(crate) struct Growing<E> {
    pub(crate) ids: Vec<u64>,
    pub(crate) data: Vec<E>,
}

/// The index's current form.
#[derive(Debug)]
pub(crate) enum State<E: Element, M: Metric<E>> {
    Growing(Growing<E>),
    Plain(IvfIndex<E, M>),
    Quantized(QuantizedIvf<E, M>),
}

/// pgvecto.rs's IVF or flat index (see the module documentation): growing until it has
/// [`DeferredSpec::rows_to_build`] rows, then plain or quantized lists. Quantized scans rank
/// codes and re-rank each batch of candidates with exact distances from the table.
///
/// # Snapshot file format
///
/// Written by [`DeferredIndex::write_snapshot`] / [`DeferredIndex::save`], read by
/// [`DeferredIndex::open`]. All integers little-endian.
///
/// | offset | bytes | field |
/// |---|---|---|
/// | 0 | 8 | magic `VECSHIVD` |
/// | 8 | 4 | format version, 1 |
/// | 12 | 1 | element kind ([`ElementKind::code`](crate::ElementKind::code)) |
/// | 13 | 1 | metric kind ([`MetricKind::code`](crate::MetricKind::code)) |
/// | 14 | 1 | state: 1 growing, 2 plain lists, 3 quantized lists |
/// | 15 | 1 | flat: 1, else 0 |
/// | 16 | 8 | dimensions |
/// | 24 | 8 | `lists` |
/// | 32 | 8 | k-means sample rows; all ones for pgvector's rule |
/// | 40 | 8 | k-means iterations |
/// | 48 | 8 | k-means least iterations |
/// | 56 | 8 | seed |
/// | 64 | 8 | memory budget in bytes |
/// | 72 | 8 | build threads |
/// | 80 | 1 | quantizer: 0 none, 1 scalar, 2 product |
/// | 81 | 1 | product: dimensions per subvector; else 0 |
/// | 82 | 6 | zero |
/// | 88 | 8 | quantizer sample rows |
/// | 96 | 8 | quantizer threads |
/// | 104 | 8 | payload length in bytes (file length − 128) |
/// | 112 | 8 | file length in bytes |
/// | 120 | 8 | checksum of bytes 0..120 and, when growing, of the payload |
/// | 128 | payload | growing: row count `n`, `n` × 8 row ids, `n` rows of stride × element size, as given; plain: an IVFFlat snapshot ([`IvfIndex`]'s table, lists mapped in place); quantized: a quantized snapshot ([`QuantizedIvf::save`]'s format). Each embedded file carries its own checksum over all its bytes |
#[derive(Debug)]
pub struct DeferredIndex<E: Element, M: Metric<E>> {
    pub(crate) dimensions: usize,
    pub(crate) spec: DeferredSpec,
    pub(crate) state: State<E, M>,
}

impl<E: Element, M: Metric<E>> DeferredIndex<E, M> {
    /// An empty index (built at once when it needs no rows: a plain flat index).
    pub fn new(dimensions: usize, spec: &DeferredSpec) -> Result<Self, IvfError> {
        let rows = Rows::new(dimensions, &[], &[])?;
        let mut hooks = BuildHooks {
            progress: &mut |_| {},
            should_stop: &|| false,
        };
        Self::build(rows, spec, &mut hooks)
    }

    /// Builds the index over `rows`: kept aside when they are fewer than
    /// [`DeferredSpec::rows_to_build`] (reported as [`BuildPhase::LoadingTuples`]), else
    /// built with the phases of [`IvfIndex::build_with_hooks`] and, when quantized,
    /// [`QuantizedIvf::build_with_hooks`]. Rows a cosine index cannot hold (zero vectors)
    /// are skipped. Once `should_stop` returns `true` the build ends with
    /// [`IvfError::Cancelled`]. pgvector's little-data notice does not apply (pgvecto.rs has
    /// none).
    pub fn build(
        rows: Rows<'_, E>,
        spec: &DeferredSpec,
        hooks: &mut BuildHooks<'_>,
    ) -> Result<Self, IvfError> {
        spec.validate()?;
        check_dimensions::<E, M>(rows.dimensions)?;
        if spec.quantized.is_some() {
            QuantizedIvf::<E, M>::check_supported()?;
        }
        let dimensions = rows.dimensions;
        let state = if rows.ids.len() < spec.rows_to_build() {
            State::Growing(Self::keep_aside(rows, hooks)?)
        } else {
            Self::build_state(rows, spec, hooks)?
        };
        Ok(DeferredIndex {
            dimensions,
            spec: spec.clone(),
            state,
        })
    }

    fn keep_aside(rows: Rows<'_, E>, hooks: &mut BuildHooks<'_>) -> Result<Growing<E>, IvfError> {
        let total = rows.ids.len() as u64;
        let mut report = |done| {
            (hooks.progress)(BuildProgress {
                phase: BuildPhase::LoadingTuples,
                done,
                total,
            })
        };
        report(0);
        if (hooks.should_stop)() {
            return Err(IvfError::Cancelled);
        }
        let stride = E::stride(rows.dimensions);
        let mut growing = Growing::default();
        let mut scratch = vec![E::default(); stride];
        for (row_idx, &id) in rows.ids.iter().enumerate() {
            let row = rows.row(row_idx);
            if prepared_row::<E, M>(row, &mut scratch).is_some() {
                growing.ids.push(id);
                growing.data.extend_from_slice(row);
            }
        }
        report(total);
        Ok(growing)
    }

    fn build_state(
        rows: Rows<'_, E>,
        spec: &DeferredSpec,
        hooks: &mut BuildHooks<'_>,
    ) -> Result<State<E, M>, IvfError> {
        let options = spec.build_options();
        let quantized = spec.quantized.as_ref();
        if spec.flat {
            return Ok(
                match FlatIndex::build_with_hooks(rows, &options, quantized, hooks)? {
                    FlatIndex::Plain(index) => State::Plain(index),
                    FlatIndex::Quantized(index) => State::Quantized(index),
                },
            );
        }
        Ok(match quantized {
            None => State::Plain(IvfIndex::build_with_hooks(rows, &options, hooks)?.index),
            Some(quantized) => State::Quantized(
                QuantizedIvf::build_with_hooks(rows, &options, quantized, hooks)?.index,
            ),
        })
    }

    /// Dimensions per row (bits for bit rows).
    pub fn dimensions(&self) -> usize {
        self.dimensions
    }

    /// How the index was specified.
    pub fn spec(&self) -> &DeferredSpec {
        &self.spec
    }

    /// The form the index is in.
    pub fn state(&self) -> DeferredState {
        match &self.state {
            State::Growing(_) => DeferredState::Growing,
            State::Plain(_) => DeferredState::Plain,
            State::Quantized(_) => DeferredState::Quantized,
        }
    }

    /// Whether [`DeferredIndex::insert`] would accept `row`, without changing the index.
    pub fn check(&self, row: &[E]) -> Result<(), IvfError> {
        let expected = E::stride(self.dimensions);
        if row.len() != expected {
            return Err(IvfError::DimensionMismatch {
                expected,
                received: row.len(),
            });
        }
        Ok(())
    }

    /// Adds a row; `Ok(false)` when it is not indexed (a zero vector under cosine). The
    /// insert that gives a growing index [`DeferredSpec::rows_to_build`] rows builds it
    /// (without progress reports); if that build fails the row is not added.
    pub fn insert(&mut self, id: u64, row: &[E]) -> Result<bool, IvfError> {
        self.check(row)?;
        let growing = match &mut self.state {
            State::Plain(index) => return index.insert(id, row),
            State::Quantized(index) => return index.insert(id, row),
            State::Growing(growing) => growing,
        };
        let mut scratch = vec![E::default(); row.len()];
        if prepared_row::<E, M>(row, &mut scratch).is_none() {
            return Ok(false);
        }
        growing.ids.push(id);
        growing.data.extend_from_slice(row);
        if growing.ids.len() < self.spec.rows_to_build() {
            return Ok(true);
        }
        let rows = Rows::new(self.dimensions, &growing.ids, &growing.data)?;
        let mut hooks = BuildHooks {
            progress: &mut |_| {},
            should_stop: &|| false,
        };
        match Self::build_state(rows, &self.spec, &mut hooks) {
            Ok(state) => {
                self.state = state;
                Ok(true)
            }
            Err(error) => {
                growing.ids.pop();
                growing.data.truncate(growing.data.len() - row.len());
                Err(error)
            }
        }
    }

    /// Deletes `id`: hidden from scans at once (a growing index drops the row at once).
    pub fn delete(&mut self, id: u64) {
        match &mut self.state {
            State::Plain(index) => index.delete(id),
            State::Quantized(index) => index.delete(id),
            State::Growing(growing) => {
                let stride = E::stride(self.dimensions);
                let mut kept = 0;
                for row_idx in 0..growing.ids.len() {
                    if growing.ids[row_idx] == id {
                        continue;
                    }
                    growing.ids[kept] = growing.ids[row_idx];
                    let from = row_idx * stride..(row_idx + 1) * stride;
                    growing.data.copy_within(from, kept * stride);
                    kept += 1;
                }
                growing.ids.truncate(kept);
                growing.data.truncate(kept * stride);
            }
        }
    }

    /// Removes deleted rows from the lists; returns how many (0 while growing, which
    /// drops rows when they are deleted).
    pub fn vacuum(&mut self) -> usize {
        match &mut self.state {
            State::Plain(index) => index.vacuum(),
            State::Quantized(index) => index.vacuum(),
            State::Growing(_) => 0,
        }
    }

    /// Rows stored, counting rows deleted but not yet vacuumed.
    pub fn len(&self) -> usize {
        match &self.state {
            State::Plain(index) => index.len(),
            State::Quantized(index) => index.len(),
            State::Growing(growing) => growing.ids.len(),
        }
    }

    /// Whether no rows are stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Rows that scans can return.
    pub fn live_len(&self) -> usize {
        match &self.state {
            State::Plain(index) => index.live_len(),
            State::Quantized(index) => index.live_len(),
            State::Growing(growing) => growing.ids.len(),
        }
    }

    /// Bytes the index holds.
    pub fn memory_bytes(&self) -> usize {
        match &self.state {
            State::Plain(index) => index.memory_bytes(),
            State::Quantized(index) => index.memory_bytes(),
            State::Growing(growing) => {
                growing.ids.capacity() * 8 + growing.data.capacity() * std::mem::size_of::<E>()
            }
        }
    }
}
