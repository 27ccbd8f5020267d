//! The [`Store`]: one database directory tying together the directory lock, the manifest,
//! the WAL, the heap files, the buffer pool and the side files. The type is split by concern:
//! opening and recovery in `recovery`, transactions in `txn`, checkpoints in
//! `checkpoint`, reads here.
//!
//! Directory layout:
//!
//! ```text
//! <dir>/MANIFEST        checkpoint LSN, heaps, side files (see crate::manifest)
//! <dir>/LOCK            flock-ed while open, holds the owner's pid
//! <dir>/wal/            <start LSN>.wal segments
//! <dir>/heap/           <heap id>.heap page files, doublewrite
//! <dir>/index/          side files (index snapshots), <name>.<sequence>
//! ```
//!
//! Concurrency: one transaction at a time (the writer mutex), any number of readers, who
//! never wait for it. A transaction works on private copies of the pages it touches; at
//! commit its records are appended to the WAL, its row versions stamped with the commit
//! LSN and its pages installed in the buffer pool under a short exclusive lock. Readers
//! read through a [`Snapshot`] (`versions`): row versions carry their creating and deleting
//! commit LSNs ([`crate::heap::tuple`]), so a reader sees exactly the commits before its
//! snapshot even while later ones are installed page by page (reads are in `read`). A
//! commit waits for its fsync after releasing the writer mutex, so commits from several
//! threads share fsyncs.

pub(crate) mod access;
mod checkpoint;
pub(crate) mod files;
pub mod log;
mod mapped;
mod read;
mod recovery;
mod txn;
mod versions;

pub use checkpoint::CheckpointWriter;
pub use read::{RowPrefetch, RowPrefetcher, RowVersion};
pub use txn::{CommitInfo, Savepoint, Txn};
pub use versions::Snapshot;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::{Mutex, RwLock};

use crate::buffer_pool::{BufferPool, PoolStats};
use crate::error::{Error, Result};
use crate::file_io::{OsBackend, StorageBackend};
use crate::heap::HeapMeta;
use crate::lock::DirLock;
use crate::manifest::Manifest;
use crate::page::{Page, PAGE_SIZE};
use crate::side_file::SideFile;
use crate::wal::reader::WalReader;
use crate::wal::Wal;
use crate::{HeapId, Lsn};
use access::CommittedAccess;
use files::HeapFiles;
use log::TxnReader;
use versions::Versions;

/// How to open a store. Defaults follow PostgreSQL's.
#[derive(Clone)]
pub struct StoreOptions {
    /// Create the directory and an empty database if missing. Default `true`.
    pub create_if_missing: bool,
    /// Memory budget of the buffer pool in bytes. Default 128 MiB (`shared_buffers`).
    pub buffer_pool_bytes: usize,
    /// Whether a commit waits for its WAL fsync. Default `true` (`synchronous_commit = on`).
    /// With `false`, a crash can lose the last commits (up to about three
    /// `wal_writer_delay`s), but never leaves a transaction half applied.
    pub synchronous_commit: bool,
    /// WAL segment size in bytes. Default 16 MiB (`wal_segment_size`).
    pub wal_segment_size: u64,
    /// Background WAL flush interval when `synchronous_commit` is off. Default 200 ms
    /// (`wal_writer_delay`).
    pub wal_writer_delay: Duration,
    /// WAL bytes buffered before an appender writes them out. Default 4 MiB (`wal_buffers`).
    pub wal_buffer_bytes: usize,
    /// What recovery does when the log is damaged in its middle (a record fails its check
    /// and valid records follow). Default [`WalRecovery::Strict`]: opening fails with
    /// [`Error::CorruptWal`].
    pub wal_recovery: WalRecovery,
    /// The file system. Default [`OsBackend`]; tests pass a [`crate::FaultBackend`].
    pub backend: Arc<dyn StorageBackend>,
}

/// What recovery does with damage in the middle of the log.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum WalRecovery {
    /// Refuse to open: [`Error::CorruptWal`] names the file, the offset and how many
    /// committed transactions follow the damage.
    #[default]
    Strict,
    /// Recover up to the damage and discard the log after it, reporting what was
    /// discarded in [`RecoveryReport::wal_truncation`]. The explicit way on after
    /// [`Error::CorruptWal`], when the transactions after the damage are given up.
    TruncateAtCorruption,
}

/// The log discarded by [`WalRecovery::TruncateAtCorruption`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalTruncation {
    /// The segment holding the damaged record.
    pub path: PathBuf,
    /// The damaged record's byte offset in that file.
    pub offset: u64,
    /// Committed transactions after the damage that were discarded.
    pub discarded_txns: usize,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            create_if_missing: true,
            buffer_pool_bytes: 128 << 20,
            synchronous_commit: true,
            wal_segment_size: 16 << 20,
            wal_writer_delay: Duration::from_millis(200),
            wal_buffer_bytes: 4 << 20,
            wal_recovery: WalRecovery::Strict,
            backend: Arc::new(OsBackend),
        }
    }
}

impl std::fmt::Debug for StoreOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreOptions")
            .field("create_if_missing", &self.create_if_missing)
            .field("buffer_pool_bytes", &self.buffer_pool_bytes)
            .field("synchronous_commit", &self.synchronous_commit)
            .field("wal_segment_size", &self.wal_segment_size)
            .field("wal_writer_delay", &self.wal_writer_delay)
            .field("wal_buffer_bytes", &self.wal_buffer_bytes)
            .field("wal_recovery", &self.wal_recovery)
            .finish_non_exhaustive()
    }
}

/// What recovery did when the store was opened.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecoveryReport {
    /// The checkpoint replay started from.
    pub checkpoint_lsn: Lsn,
    /// Committed transactions replayed.
    pub replayed_txns: usize,
    /// Where the valid log ended (anything after it was cut off).
    pub wal_end: Lsn,
    /// Bytes of torn or uncommitted log tail that were discarded.
    pub discarded_bytes: u64,
    /// Pages restored from the double-write file.
    pub restored_pages: usize,
    /// The log discarded after damage in its middle, when opened with
    /// [`WalRecovery::TruncateAtCorruption`].
    pub wal_truncation: Option<WalTruncation>,
}

impl RecoveryReport {
    /// Whether recovery did anything a user should hear about: pages restored from the
    /// double-write file, or log discarded after damage. (A torn tail after a crash is
    /// normal and is not. Damaged heap pages are found when read, not at open: reading
    /// one returns [`Error::CorruptPage`], and a page found damaged is never reused.)
    pub fn is_unusual(&self) -> bool {
        self.restored_pages > 0 || self.wal_truncation.is_some()
    }
}

/// Writer-side state: the free-space map of every heap. Guarded by the writer mutex.
pub(crate) struct Writer {
    pub(crate) metas: BTreeMap<u32, HeapMeta>,
    pub(crate) next_txn_id: u64,
}

/// Reader-side state: which heaps exist and how many committed pages each has.
pub(crate) struct Catalog {
    pub(crate) heaps: BTreeMap<u32, u32>,
}

/// An open database directory.
pub struct Store {
    pub(crate) dir: PathBuf,
    pub(crate) options: StoreOptions,
    pub(crate) wal: Arc<Wal>,
    pub(crate) pool: BufferPool,
    pub(crate) files: Arc<HeapFiles>,
    pub(crate) writer: Arc<Mutex<Writer>>,
    pub(crate) catalog: RwLock<Catalog>,
    pub(crate) manifest: Mutex<Manifest>,
    pub(crate) recovery: RecoveryReport,
    pub(crate) poisoned: Mutex<Option<String>>,
    pub(crate) versions: Arc<Versions>,
    _lock: Option<DirLock>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (or creates) the database in `dir`, recovering from the WAL if the last run
    /// did not close cleanly.
    pub fn open(dir: impl AsRef<Path>, options: StoreOptions) -> Result<Store> {
        recovery::open(dir.as_ref(), options)
    }

    pub(crate) fn poison(&self, error: &Error) {
        let mut poisoned = self.poisoned.lock();
        if poisoned.is_none() {
            *poisoned = Some(error.to_string());
        }
    }

    /// What recovery did at open.
    pub fn recovery_report(&self) -> &RecoveryReport {
        &self.recovery
    }

    /// The database directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// LSN of the last checkpoint.
    pub fn checkpoint_lsn(&self) -> Lsn {
        self.manifest.lock().checkpoint_lsn
    }

    /// Position where the next WAL record will go.
    pub fn wal_end(&self) -> Lsn {
        self.wal.end_lsn()
    }

    /// Position up to which the WAL is known to be fsynced: every commit ending at or
    /// before it survives a crash.
    pub fn durable_lsn(&self) -> Lsn {
        self.wal.synced_lsn()
    }

    /// Makes every commit so far durable (useful with `synchronous_commit` off).
    pub fn flush_wal(&self) -> Result<()> {
        self.wal.flush_all()
    }

    /// Buffer pool counters.
    pub fn pool_stats(&self) -> PoolStats {
        self.pool.stats()
    }

    /// Pages the buffer pool holds now (rows fetched from pages it did not hold were read
    /// in place from their files and are not among them).
    pub fn pool_cached_pages(&self) -> usize {
        self.pool.cached_pages()
    }

    /// The heaps that exist, ascending.
    pub fn heaps(&self) -> Vec<HeapId> {
        self.catalog
            .read()
            .heaps
            .keys()
            .map(|&h| HeapId(h))
            .collect()
    }

    /// Whether a heap exists.
    pub fn heap_exists(&self, heap: HeapId) -> bool {
        self.catalog.read().heaps.contains_key(&heap.0)
    }

    /// A snapshot of the committed state now: reads through it see every transaction
    /// committed so far and none that commits later.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot::take(&self.versions)
    }

    /// The oldest state a live snapshot sees: row versions deleted at or before it are
    /// invisible to every snapshot and may be vacuumed.
    pub fn horizon(&self) -> Lsn {
        self.versions.horizon()
    }

    pub(crate) fn committed_access(&self, heap: u32) -> CommittedAccess<'_> {
        CommittedAccess {
            pool: &self.pool,
            heap,
            files: &self.files,
        }
    }

    /// Starts a transaction, waiting for the one in progress (if any) to finish. A thread
    /// that already holds a [`Txn`] must not call this (or [`Store::checkpoint`]): it would
    /// wait for itself.
    pub fn begin(&self) -> Txn<'_> {
        Txn::new(self, self.writer.lock())
    }

    /// Starts a transaction that holds the store through an `Arc` rather than a borrow,
    /// so that it can be kept across calls; waits like [`Store::begin`].
    pub fn begin_owned(self: &Arc<Self>) -> Txn<'static> {
        Txn::owned(Arc::clone(self), self.writer.lock_arc())
    }

    /// Like [`Store::begin_owned`], but gives up after `timeout` if another transaction
    /// (or a checkpoint) still holds the writer mutex: `None` then.
    pub fn try_begin_owned_for(self: &Arc<Self>, timeout: Duration) -> Option<Txn<'static>> {
        let writer = self.writer.try_lock_arc_for(timeout)?;
        Some(Txn::owned(Arc::clone(self), writer))
    }

    /// Reads the committed transactions logged at or after `from` (a commit LSN, or the
    /// checkpoint LSN), oldest first. The SQL engine uses this after [`Store::open`] to bring
    /// its indexes up to date: index snapshots reflect the checkpoint they were registered
    /// at, and everything after it is here.
    pub fn committed_since(&self, from: Lsn) -> Result<TxnReader> {
        self.wal.flush_all()?;
        let wal_dir = self.dir.join("wal");
        let reader = WalReader::open(self.options.backend.clone(), &wal_dir, from)?;
        Ok(TxnReader::new(reader, from, &wal_dir))
    }

    /// Opens a registered side file through a read-only memory map.
    pub fn side_file(&self, name: &str) -> Result<SideFile> {
        let manifest = self.manifest.lock();
        let entry = manifest
            .side_files
            .get(name)
            .ok_or_else(|| Error::NoSuchSideFile {
                name: name.to_string(),
            })?;
        SideFile::open(
            &self.dir.join("index").join(&entry.file_name),
            entry.len,
            entry.crc,
        )
    }

    /// Names and registration LSNs of the registered side files.
    pub fn side_files(&self) -> Vec<(String, Lsn)> {
        let manifest = self.manifest.lock();
        manifest
            .side_files
            .iter()
            .map(|(name, entry)| (name.clone(), entry.lsn))
            .collect()
    }

    /// Reads every page of every heap file straight from disk and verifies its checksum.
    /// Returns the number of pages checked. Pages still dirty in memory are not on disk yet
    /// and are not checked; call [`Store::checkpoint`] first to include them.
    pub fn verify_pages(&self) -> Result<u64> {
        let heaps: Vec<u32> = self.catalog.read().heaps.keys().copied().collect();
        let mut checked = 0;
        let mut page = Page::new_boxed();
        for heap in heaps {
            let Some(file) = self.files.get(heap) else {
                continue;
            };
            for page_no in 0..file.n_pages()? {
                file.read_raw(page_no, &mut page)?;
                page.verify(&file.path, page_no)?;
                checked += 1;
            }
        }
        Ok(checked)
    }

    /// Checkpoints and closes the store, so the next open has nothing to replay.
    pub fn close(self) -> Result<()> {
        self.checkpoint()?;
        Ok(())
    }
}

/// Number of buffer-pool frames for a byte budget.
pub(crate) fn pool_frames(bytes: usize) -> usize {
    bytes / PAGE_SIZE
}
