//! `DeferredIndex<E, M>` (pgvecto.rs's `[indexing.ivf]` and `[indexing.flat]`) as a
//! [`VectorIndex`], with [`build_deferred`] and [`open_deferred`].

use std::path::Path;

use vec_index::{
    BuildHooks, Built, Cursor, ExactDistance, IndexError, ScanOptions, VectorIndex, VectorRef,
};

use super::progress::with_hooks;
use super::{collect_rows, view_checked, ViewRef};
use crate::deferred::{DeferredIndex, DeferredSpec};
use crate::ivf::{check_dimensions, Rows};
use crate::metric::Metric;
use crate::options::SearchOptions;
use crate::quant::QuantizedIvf;

impl<E: ViewRef, M: Metric<E>> VectorIndex for DeferredIndex<E, M> {
    fn dimensions(&self) -> usize {
        self.dimensions
    }

    fn len(&self) -> usize {
        self.live_len()
    }

    fn check(&self, vector: VectorRef<'_>) -> Result<(), IndexError> {
        let row = view_checked::<E>(self.dimensions, vector)?;
        Ok(DeferredIndex::check(self, row)?)
    }

    fn insert(&mut self, row_id: u64, vector: VectorRef<'_>) -> Result<(), IndexError> {
        let row = view_checked::<E>(self.dimensions, vector)?;
        DeferredIndex::insert(self, row_id, row)?;
        Ok(())
    }

    fn delete(&mut self, row_id: u64) {
        DeferredIndex::delete(self, row_id);
    }

    fn vacuum(&mut self) -> usize {
        DeferredIndex::vacuum(self)
    }

    /// `probes`, `iterative_scan` (either order probes more lists) and `max_probes`;
    /// `exact` re-ranks quantized candidates.
    fn scan<'a>(
        &'a self,
        query: VectorRef<'_>,
        options: &ScanOptions,
        exact: Option<ExactDistance<'a>>,
    ) -> Result<Cursor<'a>, IndexError> {
        let query = view_checked::<E>(self.dimensions, query)?;
        let cursor = DeferredIndex::scan(self, query, &SearchOptions::from(options), exact)?;
        Ok(Box::new(cursor))
    }

    fn write_snapshot(&self, writer: &mut dyn std::io::Write) -> std::io::Result<()> {
        DeferredIndex::write_snapshot(self, writer)
    }

    fn memory_bytes(&self) -> usize {
        DeferredIndex::memory_bytes(self)
    }
}

/// Builds pgvecto.rs's IVF or flat index of element type `E` and metric `M` over
/// `(row id, value)` pairs (see [`DeferredIndex::build`]): fewer rows than
/// [`DeferredSpec::rows_to_build`] are kept aside (phase `loading tuples`), more are built
/// with pgvector's IVF phases and `quantizing tuples` for a quantizer; stops with SQLSTATE
/// 57014 once `hooks.should_stop` says so. The spec and dimensions are checked before the
/// rows.
pub fn build_deferred<E: ViewRef, M: Metric<E>>(
    dimensions: usize,
    spec: &DeferredSpec,
    rows: &[(u64, VectorRef<'_>)],
    hooks: &BuildHooks<'_>,
) -> Result<Built, IndexError> {
    spec.validate()?;
    check_dimensions::<E, M>(dimensions)?;
    if spec.quantized.is_some() {
        QuantizedIvf::<E, M>::check_supported()?;
    }
    let (ids, data) = collect_rows::<E>(dimensions, rows)?;
    let rows = Rows::new(dimensions, &ids, &data)?;
    let index = with_hooks(hooks, |ivf_hooks| {
        DeferredIndex::<E, M>::build(rows, spec, ivf_hooks)
    })?;
    Ok(Built {
        index: Box::new(index),
        notices: Vec::new(),
    })
}

/// Opens a snapshot of a [`DeferredIndex`] of element type `E` and metric `M` (written by
/// [`VectorIndex::write_snapshot`] or [`DeferredIndex::save`]), in whichever state it was
/// written. A missing, damaged or truncated file, or one of another type or metric, is an
/// [`IndexError::corrupt`] error.
pub fn open_deferred<E: ViewRef, M: Metric<E>>(
    path: &Path,
) -> Result<Box<dyn VectorIndex>, IndexError> {
    let index = DeferredIndex::<E, M>::open(path).map_err(IndexError::corrupt)?;
    Ok(Box::new(index))
}
