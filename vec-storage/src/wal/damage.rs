//! Telling a torn tail from damage in the middle of the log. Recovery reads records until
//! the first one that fails its check. After a crash that is the torn tail: the last
//! write reached the disk only in part, and nothing valid follows it (a killed process
//! leaves a prefix of its last write, and the log is cut there at the next open, so no
//! stale records linger past the end). A valid record *after* the failed one means the
//! log was damaged in place: stopping there would silently drop every commit after it.
//! [`find_damage`] looks for such a record, at every byte position after the stop in
//! the segment holding it and in every later segment; a record must carry its own
//! position and a matching CRC32C, so random bytes never pass for one.

use std::path::{Path, PathBuf};

use super::record::{self, KIND_SWITCH, RECORD_HEADER_SIZE};
use super::segment::{self, SEGMENT_HEADER_SIZE};
use crate::error::Result;
use crate::file_io::StorageBackend;
use crate::Lsn;

/// Damage in the middle of the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalDamage {
    /// The segment holding the record that failed its check.
    pub path: PathBuf,
    /// That record's byte offset in the segment.
    pub offset: u64,
    /// That record's position.
    pub lsn: Lsn,
    /// The first valid record after it.
    pub resume: Lsn,
    /// Commit records readable from `resume` on: the transactions the damage hides.
    pub later_commits: usize,
}

/// Looks for valid records after `stop`, the position where reading the log stopped.
/// `commit_kind` is the kind of the records counted as commits; only those at or after
/// `checkpoint` count (earlier ones are in the heaps already).
pub fn find_damage(
    backend: &dyn StorageBackend,
    dir: &Path,
    (checkpoint, stop): (Lsn, Lsn),
    commit_kind: u8,
) -> Result<Option<WalDamage>> {
    let starts = segment::list_segments(backend, dir)?;
    let Some(holding) = starts.iter().rev().find(|&&s| s <= stop.0).copied() else {
        return Ok(None);
    };
    // A segment whose header fails its check is damaged from its first byte on.
    let mut damaged_at = stop.0;
    for &start in starts.iter().filter(|&&s| s >= holding) {
        let path = segment::segment_path(dir, start);
        let bytes = segment::read_segment(backend, &path)?;
        let header_ok = segment::header_is_valid(&bytes, start);
        if start == holding && !header_ok {
            damaged_at = holding;
        }
        // Records before the checkpoint are in the heaps already: damage among them
        // (or a damaged header in front of them) hides nothing.
        let first = if start == holding && header_ok {
            (stop.0 + 1).max(start + SEGMENT_HEADER_SIZE as u64)
        } else {
            (start + SEGMENT_HEADER_SIZE as u64).max(checkpoint.0)
        };
        let Some(resume) = first_valid_record(&bytes, start, first) else {
            continue;
        };
        let from = Lsn(resume);
        let later_commits = count_commits(backend, dir, &starts, (checkpoint, from), commit_kind)?;
        return Ok(Some(WalDamage {
            path: segment::segment_path(dir, holding),
            offset: damaged_at - holding,
            lsn: Lsn(damaged_at),
            resume: Lsn(resume),
            later_commits,
        }));
    }
    Ok(None)
}

/// The first position at or after `from` in the segment starting at `start` that holds
/// a valid record for that position.
fn first_valid_record(bytes: &[u8], start: u64, from: u64) -> Option<u64> {
    let end = start + bytes.len() as u64;
    let mut lsn = from;
    while lsn + RECORD_HEADER_SIZE as u64 <= end {
        let offset = (lsn - start) as usize;
        // The position field is checked first: it rules out almost every offset cheaply.
        let named = bytes
            .get(offset + 8..offset + 16)
            .and_then(|b| b.try_into().ok())
            .map(u64::from_le_bytes);
        if named == Some(lsn) && record::decode(&bytes[offset..], lsn).is_some() {
            return Some(lsn);
        }
        lsn += 1;
    }
    None
}

/// Counts commit records read in order from `from` (following segment switches) until
/// the log ends or fails a check again.
fn count_commits(
    backend: &dyn StorageBackend,
    dir: &Path,
    starts: &[u64],
    (checkpoint, from): (Lsn, Lsn),
    commit_kind: u8,
) -> Result<usize> {
    let mut commits = 0;
    let mut pos = from.0;
    let Some(mut start) = starts.iter().rev().find(|&&s| s <= pos).copied() else {
        return Ok(0);
    };
    let mut bytes = segment::read_segment(backend, &segment::segment_path(dir, start))?;
    loop {
        let offset = (pos - start) as usize;
        let Some((kind, _tag, payload)) = bytes.get(offset..).and_then(|b| record::decode(b, pos))
        else {
            return Ok(commits);
        };
        let next = pos + (RECORD_HEADER_SIZE + payload.len()) as u64;
        if kind == commit_kind && pos >= checkpoint.0 {
            commits += 1;
        }
        if kind == KIND_SWITCH {
            if !starts.contains(&next) {
                return Ok(commits);
            }
            start = next;
            bytes = segment::read_segment(backend, &segment::segment_path(dir, start))?;
            pos = next + SEGMENT_HEADER_SIZE as u64;
            continue;
        }
        pos = next;
    }
}
