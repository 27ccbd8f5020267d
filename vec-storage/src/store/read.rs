//! Reading rows: through a [`Snapshot`] (the versions it sees), or every stored version with
//! its stamps (for rebuilding indexes, which hold entries for all versions until vacuum
//! removes the dead ones). A scan reads one page at a time and holds no lock between pages,
//! so it never delays a commit: the stamps keep its view consistent.

use std::collections::VecDeque;
use std::ops::ControlFlow;

use super::{Snapshot, Store};
use crate::buffer_pool::{PageKey, PinnedPage};
use crate::error::{Error, Result};
use crate::heap::tuple::Header;
use crate::heap::{self, RowBytes};
use crate::page::{PagePrefetch, PAGE_LINES};
use crate::{HeapId, RowId};

/// How many pages ahead of the page it reads a scan requests the cache lines of: far
/// enough that the lines arrive before the rows are reached. An exact scan of the
/// walkthrough table (AMD EPYC), with the pool on 4 kB pages: one page ahead 17.9 ms per
/// query, two 15.9, three and four within 1.5% of two; with the pool on huge pages
/// (`page_slab`): two 11.3–11.7 ms, three 9.8–10.4, four 9.4–10.1, five 11.6.
pub const SCAN_LOOKAHEAD: u32 = 3;

/// A stored row version: its id, stamps and bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowVersion {
    /// The version's row id.
    pub row: RowId,
    /// The commit LSN of the transaction that created it (0: older than any snapshot).
    pub created: u64,
    /// The commit LSN of the transaction that deleted it, 0 while live.
    pub deleted: u64,
    /// The row bytes.
    pub bytes: Vec<u8>,
}

impl RowVersion {
    /// The versions of a page's rows ([`heap::page_rows`]), their overflow chains read
    /// through `access`.
    pub(crate) fn resolve_all(
        access: &mut dyn heap::PageAccess,
        rows: Vec<(RowId, Header, RowBytes)>,
    ) -> Result<Vec<RowVersion>> {
        let mut out = Vec::with_capacity(rows.len());
        for (row, header, bytes) in rows {
            let bytes = match bytes {
                RowBytes::Inline(bytes) => bytes,
                RowBytes::Chain { total, first } => heap::read_chain(access, total, first)?,
            };
            out.push(RowVersion {
                row,
                created: header.xmin,
                deleted: header.xmax,
                bytes,
            });
        }
        Ok(out)
    }
}

impl Store {
    fn committed_pages(&self, heap: HeapId) -> Result<u32> {
        self.catalog
            .read()
            .heaps
            .get(&heap.0)
            .copied()
            .ok_or(Error::NoSuchHeap { heap: heap.0 })
    }

    /// A [`RowPrefetcher`] for the rows of `heap`: an index scan asks it to start loading
    /// the rows it will fetch next, so that their cache misses overlap instead of coming
    /// one after another.
    pub fn row_prefetcher(&self, heap: HeapId) -> RowPrefetcher {
        RowPrefetcher {
            file: self.files.get(heap.0),
        }
    }

    /// Reads the version of `row` that `snapshot` sees; `Ok(None)` if the slot holds no
    /// row or a version the snapshot does not see.
    pub fn fetch(&self, heap: HeapId, row: RowId, snapshot: &Snapshot) -> Result<Option<Vec<u8>>> {
        Ok(self
            .fetch_version(heap, row)?
            .filter(|v| header_of(v).visible(snapshot.lsn().0, false))
            .map(|v| v.bytes))
    }

    /// Calls `f` with the bytes of the version of `row` that `snapshot` sees, borrowed
    /// where they lie (a page of the buffer pool or of the heap file's mapping) rather than
    /// copied as [`Store::fetch`] copies them; returns whether it saw one (`f` was
    /// called). `f` runs while the page is held: it must not read the store.
    pub fn visit_row(
        &self,
        heap: HeapId,
        row: RowId,
        snapshot: &Snapshot,
        f: &mut dyn FnMut(&[u8]),
    ) -> Result<bool> {
        if row.page_no() >= self.committed_pages(heap)? {
            return Ok(false);
        }
        let lsn = snapshot.lsn().0;
        let mut seen = false;
        let mut access = self.committed_access(heap.0);
        heap::visit_row(&mut access, row, &mut |header, bytes| {
            if header.visible(lsn, false) {
                seen = true;
                f(bytes);
            }
        })?;
        Ok(seen)
    }

    /// Reads whatever version `row` holds, with its stamps; `Ok(None)` if the slot is
    /// empty.
    pub fn fetch_version(&self, heap: HeapId, row: RowId) -> Result<Option<RowVersion>> {
        if row.page_no() >= self.committed_pages(heap)? {
            return Ok(None);
        }
        let mut access = self.committed_access(heap.0);
        Ok(
            heap::read_row(&mut access, row)?.map(|(header, bytes)| RowVersion {
                row,
                created: header.xmin,
                deleted: header.xmax,
                bytes,
            }),
        )
    }

    /// The number of pages of `heap` (scans read pages `0..heap_pages`).
    pub fn heap_pages(&self, heap: HeapId) -> Result<u32> {
        self.committed_pages(heap)
    }

    /// The versions on one page of `heap` that `snapshot` sees (every stored version with
    /// `None`), in row-id order: the unit of a streaming scan.
    pub fn page_versions(
        &self,
        heap: HeapId,
        page_no: u32,
        snapshot: Option<&Snapshot>,
    ) -> Result<Vec<RowVersion>> {
        let rows = {
            let pin = self.pool.pin(PageKey {
                file: heap.0,
                page_no,
            })?;
            let page = pin.read();
            let mut keep = |header: Header| match snapshot {
                Some(snapshot) => header.visible(snapshot.lsn().0, false),
                None => true,
            };
            heap::page_rows(page_no, &page, &mut keep)
        };
        let mut access = self.committed_access(heap.0);
        RowVersion::resolve_all(&mut access, rows)
    }

    /// Calls `f` with every row version of pages `pages` of `heap` that `snapshot` sees, in
    /// row-id order, until it returns `ControlFlow::Break`; the bytes of a row stored
    /// inline are borrowed from the buffer pool (no copy): the fast form of
    /// [`Store::page_versions`] for scans. While it reads a page, the one
    /// [`SCAN_LOOKAHEAD`] pages on (when the pool holds it) is pinned and its cache lines
    /// requested, so that memory streams pages ahead of the rows being read rather than
    /// the scan waiting on each row; each page is pinned once.
    pub fn visit_pages_versions(
        &self,
        heap: HeapId,
        pages: std::ops::Range<u32>,
        snapshot: &Snapshot,
        f: &mut dyn FnMut(RowId, &[u8]) -> ControlFlow<()>,
    ) -> Result<()> {
        let key = |page_no| PageKey {
            file: heap.0,
            page_no,
        };
        // The pages after the one being read, in order (`None` where the pool did not
        // hold one: it is pinned, and read in, when its turn comes), and the next to add.
        let mut window: VecDeque<Option<PinnedPage>> = VecDeque::new();
        let mut next_ahead = pages.start + 1;
        for page_no in pages.clone() {
            let pin = match window.pop_front().flatten() {
                Some(pin) => pin,
                None => self.pool.pin(key(page_no))?,
            };
            // The furthest page's lines are requested a share per row of this one (only
            // hints; not waiting for a writer of that page); at the start, the pages before
            // it are requested whole.
            let mut prefetch: Option<PagePrefetch> = None;
            while next_ahead < pages.end && next_ahead <= page_no + SCAN_LOOKAHEAD {
                let ahead = self.pool.pin_if_cached(key(next_ahead));
                if let Some(earlier) = prefetch.as_mut() {
                    earlier.finish();
                }
                prefetch = ahead
                    .as_ref()
                    .and_then(|ahead| ahead.try_read())
                    .map(|page| page.prefetch_cursor());
                window.push_back(ahead);
                next_ahead += 1;
            }
            let mut stopped = false;
            let visited = {
                let page = pin.read();
                let per_row = PAGE_LINES.div_ceil(heap::slotted::n_slots(&page) + 1);
                let mut keep = |header: Header| header.visible(snapshot.lsn().0, false);
                let mut visit = |row: RowId, bytes: &[u8]| {
                    if let Some(prefetch) = prefetch.as_mut() {
                        prefetch.advance(per_row);
                    }
                    stopped = stopped || f(row, bytes).is_break();
                };
                heap::visit_inline_rows(page_no, &page, &mut keep, &mut visit)
            };
            if let Some(prefetch) = prefetch.as_mut() {
                prefetch.finish();
            }
            if !visited {
                for version in self.page_versions(heap, page_no, Some(snapshot))? {
                    if f(version.row, &version.bytes).is_break() {
                        return Ok(());
                    }
                }
            }
            if stopped {
                return Ok(());
            }
        }
        Ok(())
    }

    /// Asks the CPU to start loading page `page_no` of `heap` if the buffer pool holds it:
    /// a scan about to read it then waits for memory once rather than row by row.
    pub fn prefetch_page(&self, heap: HeapId, page_no: u32) {
        self.pool.prefetch(PageKey {
            file: heap.0,
            page_no,
        });
    }

    /// Calls `f` with every row of `heap` that `snapshot` sees, in row-id order, until it
    /// returns `ControlFlow::Break`.
    pub fn scan(
        &self,
        heap: HeapId,
        snapshot: &Snapshot,
        mut f: impl FnMut(RowId, &[u8]) -> ControlFlow<()>,
    ) -> Result<()> {
        let n_pages = self.committed_pages(heap)?;
        for page_no in 0..n_pages {
            for version in self.page_versions(heap, page_no, Some(snapshot))? {
                if f(version.row, &version.bytes).is_break() {
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    /// Calls `f` with every stored version of `heap` (live, or deleted and not yet
    /// vacuumed), in row-id order, until it returns `ControlFlow::Break`.
    pub fn scan_versions(
        &self,
        heap: HeapId,
        mut f: impl FnMut(&RowVersion) -> ControlFlow<()>,
    ) -> Result<()> {
        let n_pages = self.committed_pages(heap)?;
        for page_no in 0..n_pages {
            for version in self.page_versions(heap, page_no, None)? {
                if f(&version).is_break() {
                    return Ok(());
                }
            }
        }
        Ok(())
    }
}

fn header_of(version: &RowVersion) -> Header {
    Header {
        xmin: version.created,
        xmax: version.deleted,
    }
}

/// Asks the CPU to start loading what a read of a heap's row will touch, where its page
/// is mapped and verified already (see [`Store::row_prefetcher`]). Only hints: it
/// changes nothing, and does nothing for a page not read yet, whose first read checks it
/// whole and asks for all of it then.
pub struct RowPrefetcher {
    file: Option<std::sync::Arc<super::files::HeapFile>>,
}

impl RowPrefetcher {
    /// Asks for the part of `row`'s page that `reach` names.
    pub fn prefetch(&self, row: RowId, reach: RowPrefetch) {
        let Some(file) = &self.file else {
            return;
        };
        let slot = row.slot() as usize;
        file.mapped
            .with_verified_page(row.page_no(), |page| match reach {
                RowPrefetch::Directory => page.prefetch_line(heap::slotted::entry_offset(slot)),
                RowPrefetch::Row => {
                    if let Some(offset) = heap::slotted::bytes_offset(page, slot) {
                        page.prefetch_line(offset);
                    }
                }
            });
    }
}

/// How far [`RowPrefetcher::prefetch`] reaches into a row's page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowPrefetch {
    /// The line of the page's header and slot directory: the first step, which needs
    /// nothing of the page in cache.
    Directory,
    /// The line where the row's bytes start, found through the slot directory: the
    /// second step, once the directory's line has had time to arrive.
    Row,
}
