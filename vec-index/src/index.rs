//! [`VectorIndex`], the interface of every vector index: the engine holds one
//! `Box<dyn VectorIndex>` per index and makes one dynamic call per insert, check, delete or
//! scan; the distance loops behind each call are monomorphized in the index crates.

use crate::build::BuildHooks;
use crate::calibration::Calibration;
use crate::error::IndexError;
use crate::scan::{Cursor, ExactDistance, ScanOptions};
use crate::vector::VectorRef;

/// The interface of every vector index.
///
/// Row ids are the engine's; an index stores them and hands them back in
/// [`Hit`](crate::Hit)s. A row id is inserted at most once until it is deleted and vacuumed.
pub trait VectorIndex: Send + Sync {
    /// The dimensions of the indexed column (bits for `bit`).
    fn dimensions(&self) -> usize;

    /// Live entries: rows inserted and not deleted (a value the index does not hold, such
    /// as a zero vector under cosine, is not counted).
    fn len(&self) -> usize;

    /// Whether [`VectorIndex::len`] is zero.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether [`VectorIndex::insert`] would accept `vector`, without changing the index:
    /// a statement checks all its rows before it writes any.
    fn check(&self, vector: VectorRef<'_>) -> Result<(), IndexError>;

    /// Adds the value of `row_id`. Values the index does not hold (a zero vector under
    /// cosine) are skipped and the call succeeds.
    fn insert(&mut self, row_id: u64, vector: VectorRef<'_>) -> Result<(), IndexError>;

    /// Deletes `row_id`: hidden from scans at once. Unknown ids are ignored.
    fn delete(&mut self, row_id: u64);

    /// Reclaims deleted entries, so that their ids can be inserted again; returns how many
    /// entries it removed.
    fn vacuum(&mut self) -> usize;

    /// A cursor over the rows nearest to `query`, nearest first (approximately, for
    /// relaxed-order iterative scans). `exact` gives a row's exact distance from the table;
    /// indexes that keep only quantized codes re-rank with it, others ignore it.
    fn scan<'a>(
        &'a self,
        query: VectorRef<'_>,
        options: &ScanOptions,
        exact: Option<ExactDistance<'a>>,
    ) -> Result<Cursor<'a>, IndexError>;

    /// Writes the index in its crate's snapshot format; the crate's `open` function for the
    /// same index type reads it back.
    fn write_snapshot(&self, writer: &mut dyn std::io::Write) -> std::io::Result<()>;

    /// Bytes of memory the index holds (mapped snapshot bytes included; a quantized index's
    /// full vectors, on disk and read only to re-rank, are not).
    fn memory_bytes(&self) -> usize;

    /// Measures again the recall each value of the index's search knob reaches, on sample
    /// queries drawn from its own vectors against their exact neighbours (see
    /// [`Calibration`]), replacing the calibration taken at build time. Stops with
    /// [`IndexError::cancelled`] once `hooks.should_stop` says so, keeping the old one.
    /// Indexes without a knob (exact ones) do nothing.
    fn calibrate(&mut self, hooks: &BuildHooks<'_>) -> Result<(), IndexError> {
        let _ = hooks;
        Ok(())
    }

    /// The index's latest calibration; `None` when it has none (an index without a knob,
    /// or one opened from a snapshot written before calibrations existed).
    fn calibration(&self) -> Option<&Calibration> {
        None
    }
}
