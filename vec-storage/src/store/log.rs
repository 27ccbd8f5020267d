//! The logical records the store writes to the WAL, and reading them back grouped into
//! committed transactions.
//!
//! A transaction's records are appended as one contiguous batch ending with a commit record,
//! so after a crash the log ends either after a commit or inside a batch whose commit never
//! made it; [`TxnReader`] yields only complete transactions and reports where the last one
//! ends, which is where recovery truncates.
//!
//! Payloads (little-endian), by record kind:
//!
//! | kind | record     | payload                                                                  |
//! |-----:|------------|--------------------------------------------------------------------------|
//! | 1    | commit     | transaction id u64                                                       |
//! | 2, 3 | insert, overwrite | heap u32, row u64, n u32, n overflow pages u32, m u32, m freed pages u32, row bytes |
//! | 4    | remove     | heap u32, row u64, m u32, m freed pages u32                              |
//! | 5, 6 | create heap, drop heap | heap u32                                                 |
//! | 7    | user       | caller's bytes; the record tag carries the caller's tag                  |
//! | 8    | expire (delete a version) | heap u32, row u64                                     |
//!
//! Row bytes are logged without their version header: replay writes the transaction's
//! commit LSN as the creation stamp of an inserted or overwritten row, and as the
//! deletion stamp of an expired one.

use crate::error::{Error, Result};
use crate::heap::Placement;
use crate::wal::reader::WalReader;
use crate::wal::record::WalRecord;
use crate::{HeapId, Lsn, RowId};

pub(crate) const KIND_COMMIT: u8 = 1;
pub(crate) const KIND_INSERT: u8 = 2;
pub(crate) const KIND_UPDATE: u8 = 3;
pub(crate) const KIND_DELETE: u8 = 4;
pub(crate) const KIND_CREATE_HEAP: u8 = 5;
pub(crate) const KIND_DROP_HEAP: u8 = 6;
pub(crate) const KIND_USER: u8 = 7;
pub(crate) const KIND_EXPIRE: u8 = 8;

/// One logged change, as handed back by replay.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Change {
    /// A row was inserted.
    Insert {
        /// The heap.
        heap: HeapId,
        /// The new row's id.
        row: RowId,
        /// The row bytes.
        bytes: Vec<u8>,
    },
    /// A row was overwritten in place (same row id, no old version kept).
    Update {
        /// The heap.
        heap: HeapId,
        /// The row.
        row: RowId,
        /// The new bytes.
        bytes: Vec<u8>,
    },
    /// A row version was removed for good (vacuum).
    Delete {
        /// The heap.
        heap: HeapId,
        /// The row.
        row: RowId,
    },
    /// A row version was deleted: snapshots older than the commit still see it.
    Expire {
        /// The heap.
        heap: HeapId,
        /// The row.
        row: RowId,
    },
    /// A heap was created.
    CreateHeap {
        /// The heap.
        heap: HeapId,
    },
    /// A heap and all its rows were dropped.
    DropHeap {
        /// The heap.
        heap: HeapId,
    },
    /// A record written with [`crate::Txn::log`]: opaque to the store.
    User {
        /// The caller's tag.
        tag: u16,
        /// The caller's bytes.
        payload: Vec<u8>,
    },
}

/// A change with its position in the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedChange {
    /// The record's LSN.
    pub lsn: Lsn,
    /// What changed.
    pub change: Change,
}

/// A committed transaction read back from the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommittedTxn {
    /// The transaction id.
    pub txn_id: u64,
    /// End of the commit record: the transaction's effects are on every page whose LSN is at
    /// least this.
    pub commit_lsn: Lsn,
    /// The changes in the order they were made.
    pub changes: Vec<LoggedChange>,
    /// Physical placement of the heap changes, parallel to `changes` (`None` for others).
    pub(crate) placements: Vec<Option<Placement>>,
}

pub(crate) fn encode_put(heap: u32, placement: &Placement, bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(
        24 + 4 * (placement.overflow.len() + placement.freed.len()) + bytes.len(),
    );
    out.extend_from_slice(&heap.to_le_bytes());
    out.extend_from_slice(&placement.row.0.to_le_bytes());
    push_pages(&mut out, &placement.overflow);
    push_pages(&mut out, &placement.freed);
    out.extend_from_slice(bytes);
    out
}

pub(crate) fn encode_delete(heap: u32, row: RowId, freed: &[u32]) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 + 4 * freed.len());
    out.extend_from_slice(&heap.to_le_bytes());
    out.extend_from_slice(&row.0.to_le_bytes());
    push_pages(&mut out, freed);
    out
}

pub(crate) fn encode_expire(heap: u32, row: RowId) -> Vec<u8> {
    let mut out = Vec::with_capacity(12);
    out.extend_from_slice(&heap.to_le_bytes());
    out.extend_from_slice(&row.0.to_le_bytes());
    out
}

fn push_pages(out: &mut Vec<u8>, pages: &[u32]) {
    out.extend_from_slice(&(pages.len() as u32).to_le_bytes());
    for page in pages {
        out.extend_from_slice(&page.to_le_bytes());
    }
}

struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let out = self.bytes.get(self.pos..self.pos.checked_add(n)?)?;
        self.pos += n;
        Some(out)
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    fn pages(&mut self) -> Option<Vec<u32>> {
        let n = self.u32()? as usize;
        if n > self.bytes.len() / 4 {
            return None;
        }
        (0..n).map(|_| self.u32()).collect()
    }
    fn rest(&mut self) -> &'a [u8] {
        let out = &self.bytes[self.pos.min(self.bytes.len())..];
        self.pos = self.bytes.len();
        out
    }
}

fn decode(rec: &WalRecord) -> Option<(Change, Option<Placement>)> {
    let mut cur = Cursor {
        bytes: &rec.payload,
        pos: 0,
    };
    Some(match rec.kind {
        KIND_INSERT | KIND_UPDATE => {
            let heap = HeapId(cur.u32()?);
            let row = RowId(cur.u64()?);
            let overflow = cur.pages()?;
            let freed = cur.pages()?;
            let bytes = cur.rest().to_vec();
            let change = if rec.kind == KIND_INSERT {
                Change::Insert { heap, row, bytes }
            } else {
                Change::Update { heap, row, bytes }
            };
            (
                change,
                Some(Placement {
                    row,
                    overflow,
                    freed,
                }),
            )
        }
        KIND_DELETE => {
            let heap = HeapId(cur.u32()?);
            let row = RowId(cur.u64()?);
            let freed = cur.pages()?;
            let placement = Placement {
                row,
                overflow: Vec::new(),
                freed,
            };
            (Change::Delete { heap, row }, Some(placement))
        }
        KIND_EXPIRE => {
            let heap = HeapId(cur.u32()?);
            let row = RowId(cur.u64()?);
            (Change::Expire { heap, row }, None)
        }
        KIND_CREATE_HEAP => (
            Change::CreateHeap {
                heap: HeapId(cur.u32()?),
            },
            None,
        ),
        KIND_DROP_HEAP => (
            Change::DropHeap {
                heap: HeapId(cur.u32()?),
            },
            None,
        ),
        KIND_USER => (
            Change::User {
                tag: rec.tag,
                payload: rec.payload.clone(),
            },
            None,
        ),
        _ => return None,
    })
}

/// Groups WAL records into committed transactions.
pub struct TxnReader {
    records: WalReader,
    last_commit_end: Lsn,
    wal_dir: std::path::PathBuf,
}

impl TxnReader {
    pub(crate) fn new(records: WalReader, from: Lsn, wal_dir: &std::path::Path) -> TxnReader {
        TxnReader {
            records,
            last_commit_end: from,
            wal_dir: wal_dir.to_path_buf(),
        }
    }

    /// Where reading the log stopped: past the last valid record read so far.
    pub fn log_end(&self) -> Lsn {
        self.records.end()
    }

    /// End of the last complete transaction returned so far (where recovery truncates).
    pub fn last_commit_end(&self) -> Lsn {
        self.last_commit_end
    }

    fn next_txn(&mut self) -> Result<Option<CommittedTxn>> {
        let mut changes = Vec::new();
        let mut placements = Vec::new();
        for rec in self.records.by_ref() {
            let rec = rec?;
            if rec.kind == KIND_COMMIT {
                let txn_id = rec
                    .payload
                    .get(0..8)
                    .and_then(|b| b.try_into().ok())
                    .map(u64::from_le_bytes)
                    .unwrap_or(0);
                self.last_commit_end = rec.end_lsn();
                return Ok(Some(CommittedTxn {
                    txn_id,
                    commit_lsn: rec.end_lsn(),
                    changes,
                    placements,
                }));
            }
            let (change, placement) = decode(&rec).ok_or_else(|| {
                Error::corrupt_file(
                    &self.wal_dir,
                    format!("malformed record of kind {} at LSN {}", rec.kind, rec.lsn),
                )
            })?;
            changes.push(LoggedChange {
                lsn: rec.lsn,
                change,
            });
            placements.push(placement);
        }
        // Records without a commit at the end of the log: a transaction cut by a crash.
        Ok(None)
    }
}

impl Iterator for TxnReader {
    type Item = Result<CommittedTxn>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_txn().transpose()
    }
}
