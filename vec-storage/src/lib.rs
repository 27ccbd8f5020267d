//! WAL-backed paged storage with crash recovery: the durable foundation under the vecsh SQL
//! engine. A [`Store`] is one database directory holding heaps of variable-length rows
//! addressed by stable [`RowId`]s on checksummed 8 KiB pages, cached in a buffer pool with a
//! memory budget (a row fetched from a page the pool does not hold is read in place from a
//! read-only mapping of its file), changed only through atomic transactions whose records go to a
//! write-ahead log with group commit, checkpointed into a manifest together with immutable,
//! memory-mapped side files (index snapshots), and recovered after a crash by replaying the
//! log. Rows are multi-versioned: readers see a consistent [`Snapshot`] and never wait for
//! the writer, and vacuum removes versions no snapshot sees. A second process that opens
//! the same directory gets [`Error::Locked`].
//!
//! ```
//! use std::ops::ControlFlow;
//! use vec_storage::{HeapId, Store, StoreOptions};
//! # fn main() -> Result<(), vec_storage::Error> {
//! # let dir = tempfile::tempdir().unwrap();
//! let store = Store::open(dir.path(), StoreOptions::default())?;
//! let items = HeapId(1);
//!
//! let mut txn = store.begin();
//! txn.create_heap(items)?;
//! let row = txn.insert(items, b"[1,2,3]")?;
//! txn.log(7, b"an engine record, opaque to the store");
//! txn.commit()?; // durable once this returns (synchronous_commit on)
//!
//! let before = store.snapshot();
//! let mut txn = store.begin();
//! let new_row = txn.update(items, row, b"[4,5,6]")?; // a new version, a new row id
//! txn.commit()?;
//!
//! // The older snapshot still sees the old version; a new one sees the new version.
//! assert_eq!(store.fetch(items, row, &before)?.as_deref(), Some(&b"[1,2,3]"[..]));
//! let now = store.snapshot();
//! assert_eq!(store.fetch(items, new_row, &now)?.as_deref(), Some(&b"[4,5,6]"[..]));
//! let mut n_rows = 0;
//! store.scan(items, &now, |_row, _bytes| {
//!     n_rows += 1;
//!     ControlFlow::Continue(())
//! })?;
//! assert_eq!(n_rows, 1);
//! drop(before);
//! let mut txn = store.begin();
//! assert_eq!(txn.vacuum(items, store.horizon())?, vec![row]); // no snapshot sees it now
//! txn.commit()?;
//! store.close()?; // checkpoint: the next open has nothing to replay
//! # Ok(())
//! # }
//! ```
//!
//! Invariant: a leaf crate. It knows bytes, never vectors: it depends on no other `vec-*`
//! crate and never prints. (Checked by the `tidy` integration test.)
//!
//! Module map: [`check`] (checking a closed database without changing it), [`page`] (page
//! header and checksum), [`file_io`] (the file-system seam and the
//! fault-injecting backend), [`buffer_pool`], [`heap`] (slotted pages, overflow chains),
//! [`wal`] (segments, records, group commit, reader), [`store`] (transactions, recovery,
//! checkpoints), [`manifest`], [`side_file`], [`temp_file`] (spill files), [`lock`], [`error`].

pub mod buffer_pool;
pub mod check;
pub mod error;
pub mod file_io;
pub mod file_io_memory;
pub mod heap;
pub mod lock;
pub mod manifest;
pub mod page;
pub mod page_slab;
mod page_table;
pub mod side_file;
pub mod store;
pub mod temp_file;
pub mod wal;

pub use check::{check_directory, CheckReport};
pub use error::{Error, Result};
pub use file_io::{FaultBackend, Faults, OsBackend, StorageBackend};
pub use file_io_memory::MemBackend;
pub use side_file::{SideFile, SideFileWriter};
pub use store::log::{Change, CommittedTxn, LoggedChange, TxnReader};
pub use store::{
    CheckpointWriter, CommitInfo, RecoveryReport, RowPrefetch, RowPrefetcher, RowVersion,
    Savepoint, Snapshot, Store, StoreOptions, Txn, WalRecovery, WalTruncation,
};
pub use temp_file::{TempFile, TempReader};

use std::fmt;

/// A log sequence number: a byte position in the write-ahead log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Lsn(pub u64);

impl fmt::Display for Lsn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // PostgreSQL's `pg_lsn` text form.
        write!(f, "{:X}/{:X}", self.0 >> 32, self.0 & 0xffff_ffff)
    }
}

/// A stable row address: page number in the heap file and slot on that page. It does not
/// change when the row is updated; after a committed delete the slot may be reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RowId(pub u64);

impl RowId {
    /// Builds a row id from page number and slot.
    pub fn new(page_no: u32, slot: u16) -> RowId {
        RowId(((page_no as u64) << 16) | slot as u64)
    }
    /// The page number.
    pub fn page_no(self) -> u32 {
        (self.0 >> 16) as u32
    }
    /// The slot on the page.
    pub fn slot(self) -> u16 {
        (self.0 & 0xffff) as u16
    }
}

impl fmt::Display for RowId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // PostgreSQL's `ctid` text form (slots are 1-based there).
        write!(f, "({},{})", self.page_no(), self.slot() as u32 + 1)
    }
}

/// Identifies one heap (one table) in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HeapId(pub u32);
