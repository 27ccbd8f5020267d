//! Transactions: a group of changes that commits atomically. A [`Txn`] holds the writer
//! mutex for its whole life (single writer), works on private copies of the pages it
//! touches, and keeps its WAL records in memory. [`Txn::commit`] appends them as one batch
//! ending with a commit record, stamps the row versions it wrote with the commit LSN,
//! installs the pages in the buffer pool under a short exclusive lock, releases the writer
//! mutex and then, with `synchronous_commit` on, waits for the group fsync. Dropping a `Txn`
//! without committing rolls it back: nothing of it was ever visible or logged.
//!
//! Rows are multi-versioned ([`crate::heap::tuple`]): [`Txn::insert`] adds a version,
//! [`Txn::delete`] marks one deleted (it stays for older snapshots until
//! [`Txn::vacuum`] removes it), and [`Txn::update`] does both, giving the new version a
//! new row id. A transaction reads through its own snapshot ([`Txn::set_snapshot`]; the
//! latest state by default) plus its own changes; deleting a version that a transaction
//! committed after that snapshot already deleted is a serialization conflict.
//! [`Txn::overwrite`] replaces a row in place without keeping the old version, for data
//! read only when nothing else runs (the SQL engine's catalog). Savepoints
//! ([`Txn::savepoint`], [`Txn::rollback_to`]) undo the changes made since.
//!
//! A transaction either borrows its store ([`Store::begin`], `Txn<'s>`) or shares it
//! through an `Arc` ([`Store::begin_owned`], `Txn<'static>`), so that a caller can keep one
//! open across calls (an SQL `BEGIN … COMMIT` block) without borrowing the store.

use std::collections::HashMap;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use parking_lot::{ArcMutexGuard, MutexGuard, RawMutex};

use super::access::{OverlayAccess, OverlayRead};
use super::log::{
    self, KIND_COMMIT, KIND_CREATE_HEAP, KIND_DELETE, KIND_DROP_HEAP, KIND_EXPIRE, KIND_INSERT,
    KIND_UPDATE, KIND_USER,
};
use super::RowVersion;
use super::{Snapshot, Store, Writer};
use crate::buffer_pool::PageKey;
use crate::error::{Error, Result};
use crate::heap::tuple::{Header, MINE};
use crate::heap::{self, HeapMeta, PageAccess};
use crate::page::Page;
use crate::wal::RecordRef;
use crate::{HeapId, Lsn, RowId};

mod commit;

/// Largest row the store accepts (1 GiB, PostgreSQL's limit for a field).
pub const MAX_ROW_BYTES: usize = 1 << 30;

/// The outcome of a commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommitInfo {
    /// The transaction id.
    pub txn_id: u64,
    /// End of the commit record; `Lsn(0)` for a transaction that changed nothing.
    pub commit_lsn: Lsn,
}

struct PendingRecord {
    kind: u8,
    tag: u16,
    payload: Vec<u8>,
}

/// The store a transaction works on: borrowed, or shared through an `Arc`.
#[derive(Clone)]
enum StoreRef<'s> {
    Borrowed(&'s Store),
    Shared(Arc<Store>),
}

impl Deref for StoreRef<'_> {
    type Target = Store;

    fn deref(&self) -> &Store {
        match self {
            StoreRef::Borrowed(store) => store,
            StoreRef::Shared(store) => store,
        }
    }
}

/// The writer mutex's guard, of either kind of transaction.
pub(super) enum WriterGuard<'s> {
    Borrowed(MutexGuard<'s, Writer>),
    Owned(ArcMutexGuard<RawMutex, Writer>),
}

impl Deref for WriterGuard<'_> {
    type Target = Writer;

    fn deref(&self) -> &Writer {
        match self {
            WriterGuard::Borrowed(guard) => guard,
            WriterGuard::Owned(guard) => guard,
        }
    }
}

impl DerefMut for WriterGuard<'_> {
    fn deref_mut(&mut self) -> &mut Writer {
        match self {
            WriterGuard::Borrowed(guard) => guard,
            WriterGuard::Owned(guard) => guard,
        }
    }
}

/// A transaction in progress.
pub struct Txn<'s> {
    store: StoreRef<'s>,
    writer: WriterGuard<'s>,
    /// Set once committed or rolled back, so that `Drop` has nothing left to undo.
    finished: bool,
    overlay: HashMap<(u32, u32), Box<Page>>,
    records: Vec<PendingRecord>,
    created: Vec<u32>,
    dropped: Vec<(u32, Option<HeapMeta>)>,
    /// Set when an operation failed half-way; the transaction can then only roll back.
    failed: Option<String>,
    /// This transaction's `synchronous_commit`, overriding the store's when set.
    synchronous_commit: Option<bool>,
    /// The commit LSN up to which the transaction sees others' commits.
    snapshot: u64,
    /// Row versions whose stamps say `MINE`, to stamp at commit.
    stamps: Vec<(u32, RowId)>,
}

/// The state of a transaction at a savepoint, to return to with [`Txn::rollback_to`].
pub struct Savepoint {
    overlay: HashMap<(u32, u32), Box<Page>>,
    records: usize,
    stamps: usize,
    created: Vec<u32>,
    dropped_len: usize,
    failed: Option<String>,
}

impl<'s> Txn<'s> {
    pub(super) fn new(store: &'s Store, writer: MutexGuard<'s, Writer>) -> Txn<'s> {
        Txn::with(StoreRef::Borrowed(store), WriterGuard::Borrowed(writer))
    }

    fn with(store: StoreRef<'s>, writer: WriterGuard<'s>) -> Txn<'s> {
        // Nothing commits while this transaction holds the writer mutex: the watermark is
        // the latest state.
        let snapshot = store.versions.watermark().0;
        Txn {
            store,
            writer,
            finished: false,
            overlay: HashMap::new(),
            records: Vec::new(),
            created: Vec::new(),
            dropped: Vec::new(),
            failed: None,
            synchronous_commit: None,
            snapshot,
            stamps: Vec::new(),
        }
    }

    /// Makes the transaction see others' commits as `snapshot` does (an older state than
    /// the latest, for a `REPEATABLE READ` transaction that read before it wrote, or the
    /// statement's snapshot under `READ COMMITTED`). Its own changes stay visible.
    pub fn set_snapshot(&mut self, snapshot: &Snapshot) {
        self.snapshot = snapshot.lsn().0;
    }

    /// The commit LSN up to which the transaction sees others' commits.
    pub fn snapshot_lsn(&self) -> Lsn {
        Lsn(self.snapshot)
    }

    /// The heaps that exist as this transaction sees them (its own creations and drops
    /// included), ascending.
    pub fn heaps(&self) -> Vec<HeapId> {
        self.writer.metas.keys().map(|&h| HeapId(h)).collect()
    }

    fn writer(&mut self) -> &mut Writer {
        &mut self.writer
    }

    fn committed_pages(&self, heap: u32) -> u32 {
        if self.created.contains(&heap) {
            return 0;
        }
        self.store
            .catalog
            .read()
            .heaps
            .get(&heap)
            .copied()
            .unwrap_or(0)
    }

    /// Runs a heap operation on the overlay and refreshes the free-space map of the pages
    /// it touched.
    fn with_heap<T>(
        &mut self,
        heap: HeapId,
        op: impl FnOnce(&mut HeapMeta, &mut OverlayAccess<'_>) -> Result<T>,
    ) -> Result<T> {
        let committed_pages = self.committed_pages(heap.0);
        let store: &Store = &self.store;
        let meta = self
            .writer
            .metas
            .get_mut(&heap.0)
            .ok_or(Error::NoSuchHeap { heap: heap.0 })?;
        if !meta.is_scanned() {
            scan_free_space(store, heap.0, meta)?;
        }
        let mut access = OverlayAccess {
            pool: &store.pool,
            heap: heap.0,
            path: store.files.path_of(heap.0),
            overlay: &mut self.overlay,
            committed_pages,
            touched: Vec::new(),
        };
        let result = op(meta, &mut access);
        for page_no in std::mem::take(&mut access.touched) {
            if let Some(page) = access.overlay.get(&(heap.0, page_no)) {
                meta.note_page(page_no, page);
            }
        }
        match result {
            // These are found before anything changes: the transaction can go on.
            Err(e @ (Error::NoSuchRow { .. } | Error::NoSuchHeap { .. })) => Err(e),
            Err(e @ Error::SerializationConflict { .. }) => Err(e),
            Err(e) => {
                self.failed = Some(e.to_string());
                Err(e)
            }
            Ok(out) => Ok(out),
        }
    }

    /// Creates an empty heap.
    pub fn create_heap(&mut self, heap: HeapId) -> Result<()> {
        if self.writer().metas.contains_key(&heap.0) {
            return Err(Error::HeapExists { heap: heap.0 });
        }
        self.writer().metas.insert(heap.0, HeapMeta::default());
        self.created.push(heap.0);
        self.push(KIND_CREATE_HEAP, 0, heap.0.to_le_bytes().to_vec());
        Ok(())
    }

    /// Drops a heap and all its rows. The commit waits for the WAL fsync even with
    /// `synchronous_commit` off, because the heap file is removed right after.
    pub fn drop_heap(&mut self, heap: HeapId) -> Result<()> {
        let meta = self
            .writer()
            .metas
            .remove(&heap.0)
            .ok_or(Error::NoSuchHeap { heap: heap.0 })?;
        self.overlay.retain(|&(h, _), _| h != heap.0);
        if let Some(pos) = self.created.iter().position(|&h| h == heap.0) {
            self.created.remove(pos);
            self.dropped.push((heap.0, None));
        } else {
            self.dropped.push((heap.0, Some(meta)));
        }
        self.push(KIND_DROP_HEAP, 0, heap.0.to_le_bytes().to_vec());
        Ok(())
    }

    fn push(&mut self, kind: u8, tag: u16, payload: Vec<u8>) {
        self.records.push(PendingRecord { kind, tag, payload });
    }

    fn check_len(bytes: &[u8]) -> Result<()> {
        if bytes.len() > MAX_ROW_BYTES {
            return Err(Error::InvalidArgument {
                reason: format!(
                    "row of {} bytes exceeds the {MAX_ROW_BYTES}-byte limit",
                    bytes.len()
                ),
            });
        }
        Ok(())
    }

    /// Inserts a row and returns its id.
    pub fn insert(&mut self, heap: HeapId, bytes: &[u8]) -> Result<RowId> {
        Self::check_len(bytes)?;
        let placement = self.with_heap(heap, |meta, access| {
            let placement = heap::plan_insert(meta, access, bytes.len())?;
            heap::apply_put(access, &placement, Header::new_mine(), bytes)?;
            Ok(placement)
        })?;
        self.push(KIND_INSERT, 0, log::encode_put(heap.0, &placement, bytes));
        self.stamps.push((heap.0, placement.row));
        Ok(placement.row)
    }

    /// Replaces a row version with a new one: the old one is deleted (older snapshots
    /// still see it) and the new one gets a new row id, which is returned.
    pub fn update(&mut self, heap: HeapId, row: RowId, bytes: &[u8]) -> Result<RowId> {
        Self::check_len(bytes)?;
        self.delete(heap, row)?;
        self.insert(heap, bytes)
    }

    /// Deletes the version of `row` this transaction sees: it stays for snapshots older
    /// than the commit until vacuumed. Fails with [`Error::NoSuchRow`] if the transaction
    /// does not see it, and with [`Error::SerializationConflict`] if a transaction that
    /// committed after this one's snapshot already deleted it.
    pub fn delete(&mut self, heap: HeapId, row: RowId) -> Result<()> {
        let snapshot = self.snapshot;
        let header = self
            .with_heap(heap, |_, access| heap::read_header(access, row))?
            .ok_or(Error::NoSuchRow {
                heap: heap.0,
                row: row.0,
            })?;
        if !header.visible(snapshot, true) {
            return Err(Error::NoSuchRow {
                heap: heap.0,
                row: row.0,
            });
        }
        if header.xmax != 0 && header.xmax != MINE {
            // Visible to this snapshot, yet deleted by a transaction that committed after
            // it.
            return Err(Error::SerializationConflict {
                heap: heap.0,
                row: row.0,
            });
        }
        self.with_heap(heap, |_, access| {
            heap::set_header(access, row, &mut |h| h.xmax = MINE).map(drop)
        })?;
        self.push(KIND_EXPIRE, 0, log::encode_expire(heap.0, row));
        self.stamps.push((heap.0, row));
        Ok(())
    }

    /// Replaces a row's bytes in place, keeping its row id and no old version: for rows
    /// that nothing reads while this transaction runs.
    pub fn overwrite(&mut self, heap: HeapId, row: RowId, bytes: &[u8]) -> Result<()> {
        Self::check_len(bytes)?;
        let placement = self.with_heap(heap, |meta, access| {
            let placement = heap::plan_update(meta, access, heap.0, row, bytes.len())?;
            heap::apply_put(access, &placement, Header::new_mine(), bytes)?;
            Ok(placement)
        })?;
        self.push(KIND_UPDATE, 0, log::encode_put(heap.0, &placement, bytes));
        self.stamps.push((heap.0, row));
        Ok(())
    }

    /// Removes a row version for good (no snapshot will see it again), freeing its space.
    pub fn remove(&mut self, heap: HeapId, row: RowId) -> Result<()> {
        let freed = self.with_heap(heap, |meta, access| {
            let freed = heap::plan_delete(meta, access, heap.0, row)?;
            heap::apply_delete(access, row, &freed)?;
            Ok(freed)
        })?;
        self.push(KIND_DELETE, 0, log::encode_delete(heap.0, row, &freed));
        Ok(())
    }

    /// Removes the versions of `heap` that no snapshot sees any more: deleted by a
    /// transaction that committed at or before `horizon` (see [`Store::horizon`]). Returns
    /// their row ids, for the caller's indexes.
    pub fn vacuum(&mut self, heap: HeapId, horizon: Lsn) -> Result<Vec<RowId>> {
        let n_pages = self.with_heap(heap, |meta, _| Ok(meta.n_pages))?;
        let mut dead = Vec::new();
        for page_no in 0..n_pages {
            let found = self.with_heap(heap, |_, access| {
                let mut rows = Vec::new();
                access.read(page_no, &mut |page| {
                    let mut keep = |h: Header| h.dead_at(horizon.0);
                    rows = heap::page_rows(page_no, page, &mut keep)
                        .into_iter()
                        .map(|(row, _, _)| row)
                        .collect();
                    Ok(())
                })?;
                Ok(rows)
            })?;
            dead.extend(found);
        }
        for &row in &dead {
            self.remove(heap, row)?;
        }
        Ok(dead)
    }

    /// A read-only view of `heap` as this transaction sees it.
    fn reader(&self, heap: HeapId) -> Result<OverlayRead<'_>> {
        if !self.writer.metas.contains_key(&heap.0) {
            return Err(Error::NoSuchHeap { heap: heap.0 });
        }
        let store: &Store = &self.store;
        Ok(OverlayRead {
            pool: &store.pool,
            heap: heap.0,
            path: store.files.path_of(heap.0),
            overlay: &self.overlay,
            committed_pages: self.committed_pages(heap.0),
        })
    }

    /// Reads the current version of `row`: the latest committed state (nothing commits
    /// while this transaction runs) plus this transaction's changes, whatever its
    /// snapshot. Uniqueness checks read this way, as PostgreSQL's do.
    pub fn fetch_current(&self, heap: HeapId, row: RowId) -> Result<Option<Vec<u8>>> {
        let latest = self.store.versions.watermark().0;
        let mut access = self.reader(heap)?;
        Ok(heap::read_row(&mut access, row)?
            .filter(|(header, _)| header.visible(latest, true))
            .map(|(_, bytes)| bytes))
    }

    /// The number of pages of `heap` as this transaction sees it.
    pub fn heap_pages(&self, heap: HeapId) -> Result<u32> {
        self.writer
            .metas
            .get(&heap.0)
            .map(|meta| meta.n_pages)
            .ok_or(Error::NoSuchHeap { heap: heap.0 })
    }

    /// Reads the version of `row` this transaction sees (its own changes included).
    pub fn fetch(&self, heap: HeapId, row: RowId) -> Result<Option<Vec<u8>>> {
        let snapshot = self.snapshot;
        let mut access = self.reader(heap)?;
        Ok(heap::read_row(&mut access, row)?
            .filter(|(header, _)| header.visible(snapshot, true))
            .map(|(_, bytes)| bytes))
    }

    /// The versions on one page of `heap` that this transaction sees, in row-id order:
    /// the unit of a streaming scan.
    pub fn page_versions(&self, heap: HeapId, page_no: u32) -> Result<Vec<RowVersion>> {
        self.versions_on_page(heap, page_no, true)
    }

    /// Every version stored on one page of `heap` as this transaction has it (committed
    /// ones it does not see and its own alike), for building an index over all of them.
    pub fn stored_versions(&self, heap: HeapId, page_no: u32) -> Result<Vec<RowVersion>> {
        self.versions_on_page(heap, page_no, false)
    }

    fn versions_on_page(
        &self,
        heap: HeapId,
        page_no: u32,
        visible_only: bool,
    ) -> Result<Vec<RowVersion>> {
        let snapshot = self.snapshot;
        let mut access = self.reader(heap)?;
        let mut rows = Vec::new();
        access.read(page_no, &mut |page| {
            let mut keep = |h: Header| !visible_only || h.visible(snapshot, true);
            rows = heap::page_rows(page_no, page, &mut keep);
            Ok(())
        })?;
        RowVersion::resolve_all(&mut access, rows)
    }

    /// Calls `f` with every row of `heap` this transaction sees (its own changes
    /// included), in row-id order, until it returns `ControlFlow::Break`.
    pub fn scan(
        &self,
        heap: HeapId,
        mut f: impl FnMut(RowId, &[u8]) -> std::ops::ControlFlow<()>,
    ) -> Result<()> {
        for page_no in 0..self.heap_pages(heap)? {
            for version in self.page_versions(heap, page_no)? {
                if f(version.row, &version.bytes).is_break() {
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    /// Marks a savepoint: [`Txn::rollback_to`] with it undoes every change made after.
    pub fn savepoint(&self) -> Savepoint {
        Savepoint {
            overlay: self.overlay.clone(),
            records: self.records.len(),
            stamps: self.stamps.len(),
            created: self.created.clone(),
            dropped_len: self.dropped.len(),
            failed: self.failed.clone(),
        }
    }

    /// Undoes every change made after `savepoint` (which stays usable, as SQL's
    /// `ROLLBACK TO SAVEPOINT` keeps it).
    pub fn rollback_to(&mut self, savepoint: &Savepoint) {
        let after: Vec<(u32, u32)> = self
            .overlay
            .keys()
            .filter(|key| {
                !savepoint.overlay.contains_key(key)
                    || savepoint.overlay.get(key).map(|p| &p.bytes[..])
                        != self.overlay.get(key).map(|p| &p.bytes[..])
            })
            .copied()
            .collect();
        self.overlay = savepoint.overlay.clone();
        self.records.truncate(savepoint.records);
        self.stamps.truncate(savepoint.stamps);
        self.failed = savepoint.failed.clone();
        // Heaps created after the savepoint go; heaps dropped after it come back.
        let created_after: Vec<u32> = self
            .created
            .iter()
            .filter(|h| !savepoint.created.contains(h))
            .copied()
            .collect();
        for heap in created_after {
            self.writer.metas.remove(&heap);
        }
        self.created = savepoint.created.clone();
        for (heap, meta) in self.dropped.split_off(savepoint.dropped_len) {
            self.writer.metas.insert(heap, meta.unwrap_or_default());
        }
        // The free-space map of the pages changed since goes back to what they hold now,
        // and pages allocated since are forgotten.
        let store = self.store.clone();
        let catalog = store.catalog.read();
        let mut heaps: Vec<u32> = after.iter().map(|&(h, _)| h).collect();
        heaps.sort_unstable();
        heaps.dedup();
        for heap in heaps {
            let committed_pages = if self.created.contains(&heap) {
                0
            } else {
                catalog.heaps.get(&heap).copied().unwrap_or(0)
            };
            let in_overlay = self
                .overlay
                .keys()
                .filter(|&&(h, _)| h == heap)
                .map(|&(_, p)| p + 1)
                .max()
                .unwrap_or(0);
            let Some(meta) = self.writer.metas.get_mut(&heap) else {
                continue;
            };
            let n_pages = committed_pages.max(in_overlay);
            meta.truncate(n_pages);
            for &(_, page_no) in after.iter().filter(|&&(h, p)| h == heap && p < n_pages) {
                if let Some(page) = self.overlay.get(&(heap, page_no)) {
                    meta.note_page(page_no, page);
                } else if let Ok(pin) = store.pool.pin(PageKey {
                    file: heap,
                    page_no,
                }) {
                    meta.note_page(page_no, &pin.read());
                }
            }
        }
    }

    /// Logs an opaque record for the caller (catalog change, index creation...). The store
    /// does not interpret it; replay hands it back as [`log::Change::User`].
    pub fn log(&mut self, tag: u16, payload: &[u8]) {
        self.push(KIND_USER, tag, payload.to_vec());
    }

    /// Sets whether this transaction's commit waits for its WAL fsync, overriding
    /// [`crate::StoreOptions::synchronous_commit`] (PostgreSQL's per-transaction
    /// `synchronous_commit`). Without the wait a crash may lose the commit, but never
    /// applies it in part; the background writer flushes it within `wal_writer_delay`.
    pub fn set_synchronous_commit(&mut self, on: bool) {
        self.synchronous_commit = Some(on);
    }

    /// Undoes the free-space-map changes of this transaction; the pages themselves were
    /// never shared.
    fn rollback_in_place(&mut self) {
        let store: &Store = &self.store;
        let overlay = std::mem::take(&mut self.overlay);
        let created = std::mem::take(&mut self.created);
        let dropped = std::mem::take(&mut self.dropped);
        let writer = &mut *self.writer;
        for heap in created {
            writer.metas.remove(&heap);
            if store.files.get(heap).is_some() {
                // Created for a commit that did not happen; it holds no pages.
                let _ = store.files.remove_heap(heap);
            }
        }
        for (heap, meta) in dropped {
            if let Some(meta) = meta {
                writer.metas.insert(heap, meta);
            }
        }
        let catalog = store.catalog.read();
        let mut touched: Vec<(u32, u32)> = overlay.into_keys().collect();
        touched.sort_unstable();
        for (heap, page_no) in touched {
            let Some(&committed_pages) = catalog.heaps.get(&heap) else {
                continue;
            };
            let Some(meta) = writer.metas.get_mut(&heap) else {
                continue;
            };
            if page_no < committed_pages {
                if let Ok(pin) = store.pool.pin(PageKey {
                    file: heap,
                    page_no,
                }) {
                    meta.note_page(page_no, &pin.read());
                }
            }
        }
        for (&heap, &committed_pages) in &catalog.heaps {
            if let Some(meta) = writer.metas.get_mut(&heap) {
                if meta.n_pages > committed_pages {
                    meta.truncate(committed_pages);
                }
            }
        }
        self.records.clear();
        self.stamps.clear();
        self.finished = true;
    }

    /// Abandons the transaction (the same as dropping it).
    pub fn rollback(mut self) {
        self.rollback_in_place();
    }
}

impl Txn<'static> {
    /// A transaction that shares `store` and owns the writer mutex's guard.
    pub(super) fn owned(store: Arc<Store>, writer: ArcMutexGuard<RawMutex, Writer>) -> Self {
        Txn::with(StoreRef::Shared(store), WriterGuard::Owned(writer))
    }
}

impl Drop for Txn<'_> {
    fn drop(&mut self) {
        if !self.finished {
            self.rollback_in_place();
        }
    }
}

/// Builds a heap's free-space map from its committed pages (the first write to the heap
/// since the store opened; the transaction has not changed any of its pages yet). A page
/// that fails its check is never offered for new rows.
fn scan_free_space(store: &Store, heap: u32, meta: &mut HeapMeta) -> Result<()> {
    for page_no in 0..meta.n_pages {
        match store.pool.pin(PageKey {
            file: heap,
            page_no,
        }) {
            Ok(pin) => meta.note_page(page_no, &pin.read()),
            Err(Error::CorruptPage { .. }) => meta.note_unusable(page_no),
            Err(e) => return Err(e),
        }
    }
    meta.mark_scanned();
    Ok(())
}
