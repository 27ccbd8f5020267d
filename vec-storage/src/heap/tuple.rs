//! The tuple header that makes rows multi-versioned, as PostgreSQL's `xmin`/`xmax`: every
//! stored row version starts with the commit LSN of the transaction that created it and
//! of the one that deleted it (0 while nobody has).
//!
//! | offset | size | field                                                        |
//! |-------:|-----:|--------------------------------------------------------------|
//! | 0      | 8    | `xmin`: commit LSN of the creating transaction               |
//! | 8      | 8    | `xmax`: commit LSN of the deleting transaction, 0 if live    |
//!
//! A transaction writes its own versions with [`MINE`] in these fields; they exist only on
//! its private page copies, and the commit replaces `MINE` with its commit LSN before the
//! pages are installed (recovery writes the commit LSN directly). So a shared page only
//! ever holds committed versions, and visibility is a comparison with a snapshot's LSN.
//! `xmin = 0` marks a version that is older than any snapshot (rows of a database written
//! before versions existed).

/// Bytes of the header at the start of every tuple.
pub const HEADER_LEN: usize = 16;

/// The stamp of the writing transaction's own, uncommitted changes.
pub const MINE: u64 = u64::MAX;

/// A row version's creation and deletion stamps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Commit LSN of the creating transaction ([`MINE`] while uncommitted).
    pub xmin: u64,
    /// Commit LSN of the deleting transaction, 0 if none ([`MINE`] while uncommitted).
    pub xmax: u64,
}

impl Header {
    /// A version created by the current transaction.
    pub const fn new_mine() -> Header {
        Header {
            xmin: MINE,
            xmax: 0,
        }
    }

    /// The header's bytes.
    pub fn encode(self) -> [u8; HEADER_LEN] {
        let mut out = [0u8; HEADER_LEN];
        out[0..8].copy_from_slice(&self.xmin.to_le_bytes());
        out[8..16].copy_from_slice(&self.xmax.to_le_bytes());
        out
    }

    /// Reads a header from the start of `bytes`.
    pub fn decode(bytes: &[u8]) -> Option<Header> {
        Some(Header {
            xmin: u64::from_le_bytes(bytes.get(0..8)?.try_into().ok()?),
            xmax: u64::from_le_bytes(bytes.get(8..16)?.try_into().ok()?),
        })
    }

    /// Replaces `MINE` with the commit LSN.
    pub fn stamp(&mut self, commit_lsn: u64) {
        if self.xmin == MINE {
            self.xmin = commit_lsn;
        }
        if self.xmax == MINE {
            self.xmax = commit_lsn;
        }
    }

    /// Whether the version is visible at snapshot `snapshot` (an LSN: every commit ending
    /// at or before it is seen), from inside the writing transaction when `own`.
    pub fn visible(self, snapshot: u64, own: bool) -> bool {
        let seen = |stamp: u64| {
            if stamp == MINE {
                own
            } else {
                stamp <= snapshot
            }
        };
        seen(self.xmin) && !(self.xmax != 0 && seen(self.xmax))
    }

    /// Whether a committed deletion hides the version from every snapshot at or after
    /// `horizon`, so that it may be removed.
    pub fn dead_at(self, horizon: u64) -> bool {
        self.xmax != 0 && self.xmax != MINE && self.xmax <= horizon
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visibility_follows_the_stamps() {
        let committed = Header { xmin: 100, xmax: 0 };
        assert!(committed.visible(100, false));
        assert!(!committed.visible(99, false));
        let deleted = Header {
            xmin: 100,
            xmax: 200,
        };
        assert!(deleted.visible(150, false));
        assert!(!deleted.visible(200, false));
        assert!(deleted.dead_at(200) && !deleted.dead_at(199));
        let mine = Header::new_mine();
        assert!(mine.visible(0, true) && !mine.visible(u64::MAX - 1, false));
        let deleted_by_me = Header {
            xmin: 5,
            xmax: MINE,
        };
        assert!(!deleted_by_me.visible(10, true) && deleted_by_me.visible(10, false));
        assert!(!deleted_by_me.dead_at(u64::MAX));
        let mut stamped = Header {
            xmin: MINE,
            xmax: 0,
        };
        stamped.stamp(42);
        assert_eq!(
            Header::decode(&stamped.encode()),
            Some(Header { xmin: 42, xmax: 0 })
        );
    }
}
