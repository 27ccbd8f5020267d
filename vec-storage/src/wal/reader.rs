//! Sequential reading of the WAL from a record boundary. The reader stops at the end of the
//! log, which is the first position that does not hold a valid record for that position: a
//! short read, a bad CRC, or an LSN field that does not match (stale bytes). That is how a
//! torn tail left by a crash is detected; [`WalReader::end`] reports where it is.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::record::{self, WalRecord, KIND_SWITCH, RECORD_HEADER_SIZE};
use super::segment::{self, SEGMENT_HEADER_SIZE};
use crate::error::{Error, Result};
use crate::file_io::StorageBackend;
use crate::Lsn;

/// An iterator over valid WAL records, oldest first.
pub struct WalReader {
    backend: Arc<dyn StorageBackend>,
    dir: PathBuf,
    segment_start: u64,
    bytes: Vec<u8>,
    pos: u64,
    done: bool,
}

impl WalReader {
    /// Starts reading at `from`, which must be a record boundary (a commit's end LSN, or 0).
    /// Returns an error if the segment that should hold `from` is missing.
    pub fn open(backend: Arc<dyn StorageBackend>, dir: &Path, from: Lsn) -> Result<WalReader> {
        let starts = segment::list_segments(&*backend, dir)?;
        let mut reader = WalReader {
            backend,
            dir: dir.to_path_buf(),
            segment_start: from.0,
            bytes: Vec::new(),
            pos: from.0,
            done: true,
        };
        let Some(&start) = starts.iter().rev().find(|&&s| s <= from.0) else {
            if starts.is_empty() || from.0 == 0 {
                return Ok(reader);
            }
            return Err(Error::corrupt_file(
                dir,
                format!("no WAL segment holds LSN {}", Lsn(from.0)),
            ));
        };
        reader.load(start)?;
        Ok(reader)
    }

    fn load(&mut self, start: u64) -> Result<()> {
        let path = segment::segment_path(&self.dir, start);
        let bytes = segment::read_segment(&*self.backend, &path)?;
        if !segment::header_is_valid(&bytes, start) {
            // A segment whose header never reached the disk: the log ends at its start.
            self.done = true;
            return Ok(());
        }
        self.segment_start = start;
        self.bytes = bytes;
        self.pos = self.pos.max(start + SEGMENT_HEADER_SIZE as u64);
        self.done = false;
        Ok(())
    }

    /// The position just past the last valid record returned so far; after the iterator has
    /// returned `None`, the end of the valid log.
    pub fn end(&self) -> Lsn {
        Lsn(self.pos)
    }

    fn next_record(&mut self) -> Result<Option<WalRecord>> {
        loop {
            if self.done {
                return Ok(None);
            }
            let offset = (self.pos - self.segment_start) as usize;
            let Some(rest) = self.bytes.get(offset..) else {
                self.done = true;
                return Ok(None);
            };
            let Some((kind, tag, payload)) = record::decode(rest, self.pos) else {
                self.done = true;
                return Ok(None);
            };
            let next = self.pos + (RECORD_HEADER_SIZE + payload.len()) as u64;
            if kind == KIND_SWITCH {
                let path = segment::segment_path(&self.dir, next);
                if !self.backend.exists(&path) {
                    // The switch reached the disk, the next segment did not: end of log.
                    self.done = true;
                    return Ok(None);
                }
                self.pos = next;
                self.load(next)?;
                continue;
            }
            let rec = WalRecord {
                lsn: Lsn(self.pos),
                kind,
                tag,
                payload: payload.to_vec(),
            };
            self.pos = next;
            return Ok(Some(rec));
        }
    }
}

impl Iterator for WalReader {
    type Item = Result<WalRecord>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.next_record() {
            Ok(Some(rec)) => Some(Ok(rec)),
            Ok(None) => None,
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}
