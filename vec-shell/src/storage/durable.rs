//! Where a database's rows live: a `vec-storage` store holding one heap per table and a
//! catalog heap of entries describing the tables (their byte form is the catalog's), in
//! a directory or, for a database without one, in memory. Rows are multi-versioned:
//! readers see a [`Snapshot`] and never wait for writers. Each statement's changes reach
//! the store in one transaction, committed before the statement reports success.
//! [`Durable`] also remembers which heaps changed since the last checkpoint and which side
//! files (index snapshots) are current, for the catalog's checkpoints.

use std::collections::HashSet;
use std::ops::ControlFlow;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;
use vec_storage::{
    HeapId, MemBackend, RowId as StoreRowId, RowVersion, Snapshot, Store, StoreOptions, Txn,
};

use crate::error::{EngineError, Result};

/// Log bytes written since the last checkpoint after which a statement's commit runs a
/// checkpoint (writing the snapshots of changed indexes and recycling the log): 64 MiB.
/// It bounds both the log replayed when the database opens and the disk the log takes.
/// [`crate::Database::set_checkpoint_wal_bytes`] changes it for an open database.
pub const CHECKPOINT_WAL_BYTES: u64 = 64 << 20;

/// The heap that holds catalog entries.
pub const CATALOG_HEAP: HeapId = HeapId(1);

/// One change inside a statement's transaction.
#[derive(Debug)]
pub enum StoreOp {
    /// A new heap for a table.
    CreateHeap(u32),
    /// A table's heap is dropped.
    DropHeap(u32),
    /// A row is added to a heap (its id is returned by [`Durable::commit`]).
    Insert(u32, Vec<u8>),
    /// A row version is replaced by a new one (whose id is returned by
    /// [`Durable::commit`]); older snapshots still see the old one.
    Update(u32, u64, Vec<u8>),
    /// A row is replaced in place, keeping no old version (the catalog's entries).
    Overwrite(u32, u64, Vec<u8>),
    /// A row version is deleted (older snapshots still see it).
    Delete(u32, u64),
    /// A row version is removed for good (a catalog entry).
    Remove(u32, u64),
}

/// The engine's error for a storage failure (`55006` for a locked directory, `XX001`
/// data corrupted for damaged files, `53100` for a full disk).
pub fn storage_error(error: vec_storage::Error) -> EngineError {
    if let vec_storage::Error::OutOfMemory { bytes, .. } = error {
        return EngineError::out_of_memory(bytes);
    }
    let state = match error {
        vec_storage::Error::Locked { .. } => "55006",
        vec_storage::Error::SerializationConflict { .. } => "40001",
        vec_storage::Error::DiskFull { .. } => "53100",
        _ if error.is_corruption() => "XX001",
        _ => "58030",
    };
    let hint = match error {
        vec_storage::Error::CorruptWal { .. } => Some(
            "Run \"vecsh --recover-truncate\" on the directory to open it without the transactions logged after the damage.",
        ),
        _ => None,
    };
    let engine = EngineError::new(state, error.to_string());
    match hint {
        Some(hint) => engine.with_hint(hint),
        None => engine,
    }
}

/// Which index snapshots (side files of the store) are current: the names registered
/// and up to date as of the last checkpoint, and the heaps changed since.
#[derive(Default)]
pub struct SnapshotState {
    /// The side files written at or before the last checkpoint whose heaps have not
    /// changed since.
    pub current: HashSet<String>,
    /// The heaps changed since the last checkpoint.
    pub changed_heaps: HashSet<u32>,
}

/// An open store.
pub struct Durable {
    store: Arc<Store>,
    snapshots: Mutex<SnapshotState>,
    checkpoint_wal_bytes: AtomicU64,
    last_index_id: AtomicU64,
    in_memory: bool,
    buffer_pool_bytes: usize,
    temp_dir: std::path::PathBuf,
}

impl Durable {
    /// Opens (or creates) the directory, creating the catalog heap in a new one;
    /// `wal_recovery` says what to do with damage in the middle of the log.
    pub fn open(
        path: &Path,
        wal_recovery: vec_storage::WalRecovery,
        buffer_pool_bytes: usize,
    ) -> Result<Durable> {
        let options = StoreOptions {
            wal_recovery,
            buffer_pool_bytes,
            ..StoreOptions::default()
        };
        Durable::with_options(path, options, false)
    }

    /// A store that lives in memory and disappears with the last handle, read through a
    /// buffer pool of `buffer_pool_bytes`.
    pub fn in_memory(buffer_pool_bytes: usize) -> Result<Durable> {
        let options = StoreOptions {
            backend: Arc::new(MemBackend::new()),
            synchronous_commit: false,
            buffer_pool_bytes,
            ..StoreOptions::default()
        };
        Durable::with_options(Path::new("/vecsh-in-memory"), options, true)
    }

    fn with_options(path: &Path, options: StoreOptions, in_memory: bool) -> Result<Durable> {
        let buffer_pool_bytes = options.buffer_pool_bytes;
        let temp_dir = if in_memory {
            std::env::temp_dir()
        } else {
            path.join("pgsql_tmp")
        };
        let store = Store::open(path, options).map_err(storage_error)?;
        let durable = Durable {
            buffer_pool_bytes,
            temp_dir,
            store: Arc::new(store),
            snapshots: Mutex::new(SnapshotState::default()),
            checkpoint_wal_bytes: AtomicU64::new(CHECKPOINT_WAL_BYTES),
            last_index_id: AtomicU64::new(0),
            in_memory,
        };
        if !durable.store.heap_exists(CATALOG_HEAP) {
            durable.commit(vec![StoreOp::CreateHeap(CATALOG_HEAP.0)], true)?;
        }
        Ok(durable)
    }

    /// The buffer pool's size in bytes (`shared_buffers`).
    pub fn buffer_pool_bytes(&self) -> usize {
        self.buffer_pool_bytes
    }

    /// Where statements write their temporary files: the database's `pgsql_tmp`, or
    /// the system's temporary directory for a database in memory.
    pub fn temp_dir(&self) -> &Path {
        &self.temp_dir
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Whether the store lives in memory (it then keeps no index snapshots).
    pub fn is_in_memory(&self) -> bool {
        self.in_memory
    }

    /// A snapshot of the committed rows now.
    pub fn snapshot(&self) -> Snapshot {
        self.store.snapshot()
    }

    /// The snapshot bookkeeping, for the catalog's checkpoints.
    pub fn snapshot_state(&self) -> parking_lot::MutexGuard<'_, SnapshotState> {
        self.snapshots.lock()
    }

    /// The rows of the catalog heap: each entry's row id and bytes.
    pub fn catalog_entries(&self) -> Result<Vec<(u64, Vec<u8>)>> {
        let mut entries = Vec::new();
        self.store
            .scan(CATALOG_HEAP, &self.store.snapshot(), |row, bytes| {
                entries.push((row.0, bytes.to_vec()));
                ControlFlow::Continue(())
            })
            .map_err(storage_error)?;
        Ok(entries)
    }

    /// An index id never given before in this database: above every log position
    /// reached so far (an index's creation is logged, so later ids are larger).
    pub fn new_index_id(&self) -> u64 {
        let floor = self.store.wal_end().0.max(1);
        let previous = self
            .last_index_id
            .fetch_max(floor, Ordering::SeqCst)
            .max(floor);
        let id = previous + 1;
        self.last_index_id.fetch_max(id, Ordering::SeqCst);
        id
    }

    /// Sets the log size since the last checkpoint after which a commit checkpoints
    /// ([`CHECKPOINT_WAL_BYTES`] by default).
    pub fn set_checkpoint_wal_bytes(&self, bytes: u64) {
        self.checkpoint_wal_bytes.store(bytes, Ordering::Relaxed);
    }

    /// Whether the log written since the last checkpoint passed the threshold, so the
    /// next commit should checkpoint.
    pub fn needs_checkpoint(&self) -> bool {
        let written = self
            .store
            .wal_end()
            .0
            .saturating_sub(self.store.checkpoint_lsn().0);
        written >= self.checkpoint_wal_bytes.load(Ordering::Relaxed)
    }

    /// A heap id no table uses.
    pub fn next_heap(&self) -> u32 {
        self.store
            .heaps()
            .iter()
            .map(|h| h.0)
            .max()
            .unwrap_or(1)
            .max(1)
            + 1
    }

    /// Commits the operations as one transaction; returns the ids of the rows inserted
    /// and of the new versions of updated rows, in order. Without `synchronous` (`synchronous_commit = off`) it returns before the
    /// WAL fsync: a crash may then lose the commit, but never applies it in part.
    pub fn commit(&self, ops: Vec<StoreOp>, synchronous: bool) -> Result<Vec<u64>> {
        self.note_changes(&ops);
        let mut txn = self.store.begin();
        txn.set_synchronous_commit(synchronous);
        let inserted = Durable::stage(&mut txn, ops)?;
        txn.commit().map_err(storage_error)?;
        Ok(inserted)
    }

    /// Marks the tables `ops` change, so that the next checkpoint rewrites their index
    /// snapshots (also for operations staged in a block, which may still roll back:
    /// rewriting a snapshot is never wrong).
    pub fn note_changes(&self, ops: &[StoreOp]) {
        let mut snapshots = self.snapshots.lock();
        for op in ops {
            match op {
                StoreOp::Insert(heap, _)
                | StoreOp::Update(heap, _, _)
                | StoreOp::Overwrite(heap, _, _)
                | StoreOp::Delete(heap, _)
                | StoreOp::Remove(heap, _) => {
                    snapshots.changed_heaps.insert(*heap);
                }
                StoreOp::CreateHeap(_) | StoreOp::DropHeap(_) => {}
            }
        }
    }

    /// Starts a transaction that stays open across statements (a `BEGIN … COMMIT`
    /// block); the caller ends it with [`Durable::finish`] or by dropping it (rollback).
    pub fn begin_block(&self) -> Txn<'static> {
        self.store.begin_owned()
    }

    /// A heap id that neither the store nor the open transaction `txn` uses.
    pub fn next_heap_in(&self, txn: &Txn<'_>) -> u32 {
        let in_txn = txn.heaps().iter().map(|h| h.0).max().unwrap_or(1);
        self.next_heap().max(in_txn + 1)
    }

    /// Commits a transaction opened by [`Durable::begin_block`], waiting for the WAL
    /// fsync when `synchronous` (see [`Durable::commit`]).
    pub fn finish(mut txn: Txn<'_>, synchronous: bool) -> Result<()> {
        txn.set_synchronous_commit(synchronous);
        txn.commit().map(drop).map_err(storage_error)
    }

    /// Applies the operations inside an open transaction; returns the ids of the rows
    /// inserted and of the new versions of updated rows, in order.
    pub fn stage(txn: &mut Txn<'_>, ops: Vec<StoreOp>) -> Result<Vec<u64>> {
        let mut inserted = Vec::new();
        for op in ops {
            match op {
                StoreOp::CreateHeap(heap) => txn.create_heap(HeapId(heap)),
                StoreOp::DropHeap(heap) => txn.drop_heap(HeapId(heap)),
                StoreOp::Insert(heap, bytes) => txn
                    .insert(HeapId(heap), &bytes)
                    .map(|row| inserted.push(row.0)),
                StoreOp::Update(heap, row, bytes) => txn
                    .update(HeapId(heap), StoreRowId(row), &bytes)
                    .map(|row| inserted.push(row.0)),
                StoreOp::Overwrite(heap, row, bytes) => {
                    txn.overwrite(HeapId(heap), StoreRowId(row), &bytes)
                }
                StoreOp::Delete(heap, row) => txn.delete(HeapId(heap), StoreRowId(row)),
                StoreOp::Remove(heap, row) => txn.remove(HeapId(heap), StoreRowId(row)),
            }
            .map_err(storage_error)?;
        }
        Ok(inserted)
    }

    /// Removes the versions of `heap` that no live snapshot sees (deleted before the
    /// oldest one), in one committed transaction; returns their ids.
    pub fn vacuum(&self, heap: u32, synchronous: bool) -> Result<Vec<u64>> {
        let mut txn = self.store.begin();
        txn.set_synchronous_commit(synchronous);
        let horizon = self.store.horizon();
        let removed = txn.vacuum(HeapId(heap), horizon).map_err(storage_error)?;
        if removed.is_empty() {
            return Ok(Vec::new());
        }
        self.note_changes(&[StoreOp::Remove(heap, 0)]);
        txn.commit().map_err(storage_error)?;
        Ok(removed.into_iter().map(|row| row.0).collect())
    }

    /// Calls `f` with every stored version of a heap (live, or deleted and not yet
    /// vacuumed), for building an index over all of them.
    pub fn scan_versions(
        &self,
        heap: u32,
        mut f: impl FnMut(&RowVersion) -> Result<()>,
    ) -> Result<()> {
        let mut failure = None;
        self.store
            .scan_versions(HeapId(heap), |version| match f(version) {
                Ok(()) => ControlFlow::Continue(()),
                Err(error) => {
                    failure = Some(error);
                    ControlFlow::Break(())
                }
            })
            .map_err(storage_error)?;
        failure.map_or(Ok(()), Err)
    }

    /// The stored version of a row, whatever it is (`None` for an empty slot).
    pub fn fetch_version(&self, heap: u32, row: u64) -> Result<Option<RowVersion>> {
        self.store
            .fetch_version(HeapId(heap), StoreRowId(row))
            .map_err(storage_error)
    }

    /// Checkpoints the store before it closes, so that the next open has nothing to
    /// replay (the catalog writes its index snapshots in a checkpoint of its own first).
    pub fn close(&self) -> Result<()> {
        if Arc::strong_count(&self.store) > 1 {
            // An open block's transaction still shares the store (and holds its writer
            // mutex, which a checkpoint would wait for): leave it to recovery.
            return Ok(());
        }
        self.store.checkpoint().map(drop).map_err(storage_error)
    }
}
