//! How a statement reads a table's rows: through a snapshot of the committed state (a
//! query, or a statement outside a transaction block), or through the open block's
//! storage transaction, which adds its own uncommitted changes. Rows are read from the
//! heap's pages through the buffer pool and decoded as they are needed: a scan holds one
//! page of rows at a time ([`HeapScan`]).

use std::collections::VecDeque;
use std::ops::ControlFlow;

use vec_storage::{HeapId, RowId as StoreRowId, RowPrefetcher, RowVersion, Snapshot, Txn};

use super::codec::{decode_columns, decode_row};
use super::durable::{storage_error, Durable};
use super::{Row, RowId};
use crate::error::Result;

/// Where a statement's reads come from.
#[derive(Clone, Copy)]
pub enum RowView<'a> {
    /// The committed rows a snapshot sees.
    Snapshot {
        /// The store.
        durable: &'a Durable,
        /// The snapshot.
        snapshot: &'a Snapshot,
    },
    /// The rows an open transaction sees: its snapshot plus its own changes.
    Txn(&'a Txn<'static>),
}

impl<'a> RowView<'a> {
    /// The version of `row` the view sees, decoded; `None` if it sees none.
    pub fn fetch(&self, heap: u32, row: RowId) -> Result<Option<Row>> {
        let bytes = match self {
            RowView::Snapshot { durable, snapshot } => absent_as_empty(durable.store().fetch(
                HeapId(heap),
                StoreRowId(row),
                snapshot,
            ))?
            .flatten(),
            RowView::Txn(txn) => txn
                .fetch(HeapId(heap), StoreRowId(row))
                .map_err(storage_error)?,
        };
        bytes.map(|bytes| decode_row(&bytes)).transpose()
    }

    /// What asks the CPU to start loading the rows of `heap` that fetches will read (see
    /// [`vec_storage::Store::row_prefetcher`]); for committed rows only.
    pub fn row_prefetcher(&self, heap: u32) -> Option<RowPrefetcher> {
        match self {
            RowView::Snapshot { durable, .. } => Some(durable.store().row_prefetcher(HeapId(heap))),
            RowView::Txn(_) => None,
        }
    }

    /// The version of `row` the view sees with only the columns `wanted` marks decoded
    /// (the others NULL, as [`decode_columns`] leaves them), read from its page where it
    /// lies rather than copied out first: what an index scan hands a query that reads a
    /// few of the table's columns.
    pub fn fetch_columns(&self, heap: u32, row: RowId, wanted: &[bool]) -> Result<Option<Row>> {
        match self {
            RowView::Snapshot { durable, snapshot } => {
                let mut decoded = None;
                absent_as_empty(durable.store().visit_row(
                    HeapId(heap),
                    StoreRowId(row),
                    snapshot,
                    &mut |bytes| decoded = Some(decode_columns(bytes, wanted)),
                ))?;
                decoded.transpose()
            }
            RowView::Txn(txn) => txn
                .fetch(HeapId(heap), StoreRowId(row))
                .map_err(storage_error)?
                .map(|bytes| decode_columns(&bytes, wanted))
                .transpose(),
        }
    }

    /// The current version of `row` (the latest committed state plus the view's own
    /// changes, whatever the view's snapshot), decoded: what a uniqueness check reads.
    pub fn fetch_current(&self, heap: u32, row: RowId) -> Result<Option<Row>> {
        let bytes = match self {
            RowView::Snapshot { durable, .. } => durable
                .store()
                .fetch(HeapId(heap), StoreRowId(row), &durable.snapshot())
                .map_err(storage_error)?,
            RowView::Txn(txn) => txn
                .fetch_current(HeapId(heap), StoreRowId(row))
                .map_err(storage_error)?,
        };
        bytes.map(|bytes| decode_row(&bytes)).transpose()
    }

    /// The number of pages a scan of `heap` reads.
    pub fn pages(&self, heap: u32) -> Result<u32> {
        match self {
            RowView::Snapshot { durable, .. } => {
                Ok(absent_as_empty(durable.store().heap_pages(HeapId(heap)))?.unwrap_or(0))
            }
            RowView::Txn(txn) => txn.heap_pages(HeapId(heap)).map_err(storage_error),
        }
    }

    /// The row versions the view sees on one page, undecoded.
    pub fn page_versions(&self, heap: u32, page_no: u32) -> Result<Vec<RowVersion>> {
        match self {
            RowView::Snapshot { durable, snapshot } => durable
                .store()
                .page_versions(HeapId(heap), page_no, Some(snapshot))
                .map_err(storage_error),
            RowView::Txn(txn) => txn
                .page_versions(HeapId(heap), page_no)
                .map_err(storage_error),
        }
    }

    /// Where every stored version the view holds comes from (the committed heap for a
    /// snapshot; a transaction's own versions too), for building indexes.
    pub fn versions(&self) -> Versions<'a> {
        match self {
            RowView::Snapshot { durable, .. } => Versions::Committed(durable),
            RowView::Txn(txn) => Versions::Txn(txn),
        }
    }

    /// The rows the view sees in pages `pages` of `heap`, decoded, in row-id order.
    pub fn scan(&self, heap: u32) -> Result<HeapScan<'a>> {
        let end = self.pages(heap)?;
        Ok(HeapScan {
            view: *self,
            heap,
            next_page: 0,
            end_page: end,
            buffered: VecDeque::new(),
        })
    }

    /// The rows of pages `start..end` only (a share of a parallel scan).
    pub fn scan_pages(&self, heap: u32, start: u32, end: u32) -> HeapScan<'a> {
        HeapScan {
            view: *self,
            heap,
            next_page: start,
            end_page: end,
            buffered: VecDeque::new(),
        }
    }
}

impl RowView<'_> {
    /// Calls `f` with the id and the stored bytes (see [`super::codec`]) of every row the
    /// view sees on pages `start..end` of `heap`, in row-id order, until it fails: a scan
    /// that reads only part of each row decodes only that. A snapshot's rows come straight
    /// from the buffer pool's pages, without copying their bytes.
    pub fn visit_rows(
        &self,
        heap: u32,
        start: u32,
        end: u32,
        f: &mut dyn FnMut(RowId, &[u8]) -> Result<()>,
    ) -> Result<()> {
        match self {
            RowView::Snapshot { durable, snapshot } => {
                let mut failed = None;
                let mut visit = |row: StoreRowId, bytes: &[u8]| match f(row.0, bytes) {
                    Ok(()) => ControlFlow::Continue(()),
                    Err(error) => {
                        failed = Some(error);
                        ControlFlow::Break(())
                    }
                };
                durable
                    .store()
                    .visit_pages_versions(HeapId(heap), start..end, snapshot, &mut visit)
                    .map_err(storage_error)?;
                failed.map_or(Ok(()), Err)
            }
            RowView::Txn(_) => (start..end).try_for_each(|page_no| {
                self.page_versions(heap, page_no)?
                    .iter()
                    .try_for_each(|version| f(version.row.0, &version.bytes))
            }),
        }
    }
}

/// A heap missing from the committed state reads as empty (`None`): a table created or
/// truncated by a transaction block that has not committed yet, whose catalog entry
/// other sessions already see.
fn absent_as_empty<T>(result: vec_storage::Result<T>) -> Result<Option<T>> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(vec_storage::Error::NoSuchHeap { .. }) => Ok(None),
        Err(error) => Err(storage_error(error)),
    }
}

/// A scan of a table's rows, one page at a time.
pub struct HeapScan<'a> {
    view: RowView<'a>,
    heap: u32,
    next_page: u32,
    end_page: u32,
    buffered: VecDeque<(RowId, Row)>,
}

impl Iterator for HeapScan<'_> {
    type Item = Result<(RowId, Row)>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(row) = self.buffered.pop_front() {
                return Some(Ok(row));
            }
            if self.next_page >= self.end_page {
                return None;
            }
            let page_no = self.next_page;
            self.next_page += 1;
            if let Err(error) = self.fill(page_no) {
                self.next_page = self.end_page;
                self.buffered.clear();
                return Some(Err(error));
            }
        }
    }
}

impl HeapScan<'_> {
    /// Decodes the rows the view sees on one page into the buffer, after asking for the
    /// next page's memory (see [`vec_storage::Store::prefetch_page`]).
    fn fill(&mut self, page_no: u32) -> Result<()> {
        if let (RowView::Snapshot { durable, .. }, true) = (self.view, page_no + 1 < self.end_page)
        {
            durable
                .store()
                .prefetch_page(HeapId(self.heap), page_no + 1);
        }
        let buffered = &mut self.buffered;
        self.view
            .visit_rows(self.heap, page_no, page_no + 1, &mut |row, bytes| {
                buffered.push_back((row, decode_row(bytes)?));
                Ok(())
            })
    }
}

/// Where every stored version of a table's rows comes from, for building an index over
/// all of them: the committed heap, or a writer's transaction (its own versions too).
#[derive(Clone, Copy)]
pub enum Versions<'a> {
    /// The committed heap.
    Committed(&'a Durable),
    /// A transaction's view of the heap.
    Txn(&'a Txn<'static>),
}

impl Versions<'_> {
    /// Calls `f` with every stored version of `heap`, decoded, in row-id order.
    pub fn for_each(&self, heap: u32, f: &mut dyn FnMut(RowId, Row) -> Result<()>) -> Result<()> {
        match self {
            Versions::Committed(durable) => {
                if !durable.store().heap_exists(HeapId(heap)) {
                    return Ok(());
                }
                durable.scan_versions(heap, |version| {
                    f(version.row.0, decode_row(&version.bytes)?)
                })
            }
            Versions::Txn(txn) => {
                let pages = txn.heap_pages(HeapId(heap)).map_err(storage_error)?;
                for page_no in 0..pages {
                    for version in txn
                        .stored_versions(HeapId(heap), page_no)
                        .map_err(storage_error)?
                    {
                        f(version.row.0, decode_row(&version.bytes)?)?;
                    }
                }
                Ok(())
            }
        }
    }
}

/// What a statement's [`RowView`] borrows from: the open block's storage transaction,
/// or a snapshot the statement holds.
pub enum ReadSource<'a> {
    /// The block's transaction (borrowed for the statement).
    Txn(std::cell::Ref<'a, Txn<'static>>),
    /// A snapshot of the committed rows.
    Snapshot(&'a Durable, Snapshot),
}

impl ReadSource<'_> {
    /// The view a statement reads through.
    pub fn view(&self) -> RowView<'_> {
        match self {
            ReadSource::Txn(txn) => RowView::Txn(txn),
            ReadSource::Snapshot(durable, snapshot) => RowView::Snapshot { durable, snapshot },
        }
    }
}
