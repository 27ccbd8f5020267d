//! The write-ahead log: an append-only sequence of CRC-framed records in segment files
//! ([`segment`]), written with group commit. Appenders copy their records into a shared
//! buffer under a short lock and get LSNs back; whoever then needs durability becomes the
//! *leader* if no write is in flight, takes the whole buffer (its own records and everyone
//! else's), writes it and calls `fdatasync` once, while the others wait on a condition
//! variable and usually find their records already covered. With
//! `synchronous_commit = off` nobody waits: a background writer flushes every
//! `wal_writer_delay`, as in PostgreSQL.
//!
//! A failed write or fsync poisons the log: the state of the file is unknown afterwards, so
//! every later call fails until the store is reopened and recovers from what is on disk.
//! When the background writer meets the failure, the next foreground call reports it as
//! its own error (`could not extend file …: File too large`), the calls after that as
//! [`Error::Poisoned`].

pub mod damage;
pub mod reader;
pub mod record;
pub mod segment;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use parking_lot::{Condvar, Mutex};

use crate::error::{Error, Result};
use crate::file_io::{BackendFile, StorageBackend};
use crate::Lsn;
use record::{KIND_SWITCH, RECORD_HEADER_SIZE};
use segment::SEGMENT_HEADER_SIZE;

/// Tunables of the log.
#[derive(Debug, Clone)]
pub struct WalOptions {
    /// Target size of a segment file in bytes. Default 16 MiB (PostgreSQL's
    /// `wal_segment_size`).
    pub segment_size: u64,
    /// Whether a commit waits for its records to be fsynced. Default `true`.
    pub synchronous_commit: bool,
    /// How often the background writer flushes commits that did not wait for their fsync.
    /// Default 200 ms (PostgreSQL's `wal_writer_delay`).
    pub writer_delay: Duration,
    /// Buffered bytes after which an appender writes the buffer out (without fsync).
    /// Default 4 MiB.
    pub buffer_size: usize,
}

impl Default for WalOptions {
    fn default() -> Self {
        WalOptions {
            segment_size: 16 << 20,
            synchronous_commit: true,
            writer_delay: Duration::from_millis(200),
            buffer_size: 4 << 20,
        }
    }
}

/// One record to append: owner-defined kind (1..=254), tag and payload.
#[derive(Debug, Clone, Copy)]
pub struct RecordRef<'a> {
    /// Kind byte; 0 and 255 are reserved by the log.
    pub kind: u8,
    /// Free tag.
    pub tag: u16,
    /// Payload bytes.
    pub payload: &'a [u8],
}

/// Where an appended batch landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Appended {
    /// LSN of the batch's last record.
    pub last_lsn: Lsn,
    /// Position just past the batch: flush to this to make it durable.
    pub end_lsn: Lsn,
}

struct AppendState {
    buf: Vec<u8>,
    spare: Vec<u8>,
    buf_start: u64,
    next: u64,
    segment_start: u64,
    new_segments: Vec<u64>,
    io_busy: bool,
    written: u64,
    synced: u64,
    poisoned: Option<String>,
    /// The failure that poisoned the log in the background writer, until a foreground
    /// call reports it as its own error (later calls get [`Error::Poisoned`]).
    unreported: Option<Error>,
}

struct IoState {
    files: BTreeMap<u64, Box<dyn BackendFile>>,
    unsynced: Vec<u64>,
    dir_unsynced: bool,
}

struct Shared {
    backend: Arc<dyn StorageBackend>,
    dir: PathBuf,
    options: WalOptions,
    state: Mutex<AppendState>,
    io: Mutex<IoState>,
    cond: Condvar,
    stop: Mutex<bool>,
    stop_cond: Condvar,
}

/// The write-ahead log, open for appending.
pub struct Wal {
    shared: Arc<Shared>,
    writer: Option<JoinHandle<()>>,
}

impl Wal {
    /// Opens the log in `dir` for appending at `end`, which must be a record boundary found by
    /// recovery (or 0 for an empty log). Everything after `end` is cut off: the segment holding
    /// it is truncated there and later segments are removed.
    pub fn open(
        backend: Arc<dyn StorageBackend>,
        dir: &Path,
        end: Lsn,
        options: WalOptions,
    ) -> Result<Wal> {
        backend
            .create_dir_all(dir)
            .map_err(|e| Error::io(dir, "create directory", e))?;
        let starts = segment::list_segments(&*backend, dir)?;
        let mut files = BTreeMap::new();
        let mut state = AppendState {
            buf: Vec::with_capacity(options.buffer_size),
            spare: Vec::new(),
            buf_start: end.0,
            next: end.0,
            segment_start: end.0,
            new_segments: Vec::new(),
            io_busy: false,
            written: end.0,
            synced: end.0,
            poisoned: None,
            unreported: None,
        };
        let mut removed_any = false;
        for &start in starts.iter().filter(|&&s| s > end.0) {
            let path = segment::segment_path(dir, start);
            backend
                .remove_file(&path)
                .map_err(|e| Error::io(&path, "remove", e))?;
            removed_any = true;
        }
        match starts.iter().rev().find(|&&s| s <= end.0) {
            Some(&start) if end.0 >= start + SEGMENT_HEADER_SIZE as u64 => {
                let path = segment::segment_path(dir, start);
                let file = backend
                    .open(&path)
                    .map_err(|e| Error::io(&path, "open", e))?;
                let keep = end.0 - start;
                if file.size().map_err(|e| Error::io(&path, "stat", e))? != keep {
                    file.set_len(keep)
                        .map_err(|e| Error::io(&path, "truncate", e))?;
                    file.sync_data().map_err(|e| Error::io(&path, "fsync", e))?;
                }
                files.insert(start, file);
                state.segment_start = start;
            }
            _ => {
                // No usable segment holds `end`: start a fresh one there.
                segment::encode_header(&mut state.buf, end.0);
                state.next = end.0 + SEGMENT_HEADER_SIZE as u64;
                state.new_segments.push(end.0);
            }
        }
        if removed_any {
            backend
                .sync_dir(dir)
                .map_err(|e| Error::io(dir, "fsync directory", e))?;
        }
        let shared = Arc::new(Shared {
            backend,
            dir: dir.to_path_buf(),
            options,
            state: Mutex::new(state),
            io: Mutex::new(IoState {
                files,
                unsynced: Vec::new(),
                dir_unsynced: false,
            }),
            cond: Condvar::new(),
            stop: Mutex::new(false),
            stop_cond: Condvar::new(),
        });
        // The background writer runs even with `synchronous_commit` on, because a single
        // transaction may still choose not to wait for its flush.
        let writer = {
            let shared = shared.clone();
            Some(std::thread::spawn(move || background_writer(&shared)))
        };
        Ok(Wal { shared, writer })
    }

    /// The options the log was opened with.
    pub fn options(&self) -> &WalOptions {
        &self.shared.options
    }

    /// Appends a batch of records contiguously; they become durable together on the next
    /// flush that covers `end_lsn`. Readers after a crash see a prefix of the batch at most,
    /// so callers mark the end of an atomic group with their own record (a commit).
    pub fn append(&self, records: &[RecordRef<'_>]) -> Result<Appended> {
        let shared = &*self.shared;
        let batch_len: u64 = records
            .iter()
            .map(|r| (RECORD_HEADER_SIZE + r.payload.len()) as u64)
            .sum();
        let mut st = shared.state.lock();
        if let Some(error) = poisoned(&mut st) {
            return Err(error);
        }
        let segment_end = st.segment_start + shared.options.segment_size;
        let segment_used = st.next - st.segment_start;
        let fits = st.next + batch_len + RECORD_HEADER_SIZE as u64 <= segment_end;
        if !fits && segment_used > SEGMENT_HEADER_SIZE as u64 {
            let lsn = st.next;
            record::encode(&mut st.buf, lsn, KIND_SWITCH, 0, &[]);
            let new_start = lsn + RECORD_HEADER_SIZE as u64;
            segment::encode_header(&mut st.buf, new_start);
            st.segment_start = new_start;
            st.next = new_start + SEGMENT_HEADER_SIZE as u64;
            st.new_segments.push(new_start);
        }
        let mut last_lsn = st.next;
        for rec in records {
            last_lsn = st.next;
            record::encode(&mut st.buf, last_lsn, rec.kind, rec.tag, rec.payload);
            st.next += (RECORD_HEADER_SIZE + rec.payload.len()) as u64;
        }
        let end_lsn = st.next;
        let overfull = st.buf.len() >= shared.options.buffer_size;
        drop(st);
        if overfull {
            self.flush_to(Lsn(end_lsn), false)?;
        }
        Ok(Appended {
            last_lsn: Lsn(last_lsn),
            end_lsn: Lsn(end_lsn),
        })
    }

    /// Makes everything before `lsn` durable (written and fsynced), with group commit.
    pub fn flush(&self, lsn: Lsn) -> Result<()> {
        self.flush_to(lsn, true)
    }

    /// Makes the whole log durable.
    pub fn flush_all(&self) -> Result<()> {
        let end = self.end_lsn();
        self.flush(end)
    }

    fn flush_to(&self, lsn: Lsn, sync: bool) -> Result<()> {
        flush_shared(&self.shared, lsn.0, sync, false)
    }

    /// The position where the next record will go.
    pub fn end_lsn(&self) -> Lsn {
        Lsn(self.shared.state.lock().next)
    }

    /// Everything before this position is durable.
    pub fn synced_lsn(&self) -> Lsn {
        Lsn(self.shared.state.lock().synced)
    }

    /// Removes segments that end at or before `lsn` (their records are all covered by a
    /// checkpoint). The segment holding `lsn` is kept. Returns how many were removed.
    pub fn remove_segments_before(&self, lsn: Lsn) -> Result<usize> {
        let shared = &*self.shared;
        let starts = segment::list_segments(&*shared.backend, &shared.dir)?;
        let keep_from = starts.iter().rev().find(|&&s| s <= lsn.0).copied();
        let Some(keep_from) = keep_from else {
            return Ok(0);
        };
        let mut io = shared.io.lock();
        let mut removed = 0;
        for &start in starts.iter().filter(|&&s| s < keep_from) {
            io.files.remove(&start);
            let path = segment::segment_path(&shared.dir, start);
            shared
                .backend
                .remove_file(&path)
                .map_err(|e| Error::io(&path, "remove", e))?;
            removed += 1;
        }
        if removed > 0 {
            shared
                .backend
                .sync_dir(&shared.dir)
                .map_err(|e| Error::io(&shared.dir, "fsync directory", e))?;
        }
        Ok(removed)
    }
}

/// The error a foreground call gets from a poisoned log: the failure itself the first
/// time, when the background writer met it; [`Error::Poisoned`] after that.
fn poisoned(st: &mut AppendState) -> Option<Error> {
    let reason = st.poisoned.as_ref()?;
    Some(st.unreported.take().unwrap_or_else(|| Error::Poisoned {
        reason: reason.clone(),
    }))
}

/// Writes (and with `sync`, syncs) the log up to `target`; `background` is the
/// background writer, whose failure is kept for the next foreground call to report.
fn flush_shared(shared: &Shared, target: u64, sync: bool, background: bool) -> Result<()> {
    let mut st = shared.state.lock();
    loop {
        if st.poisoned.is_some() {
            if background {
                return Ok(());
            }
            if let Some(error) = poisoned(&mut st) {
                return Err(error);
            }
        }
        let done = if sync { st.synced } else { st.written };
        if done >= target {
            return Ok(());
        }
        if st.io_busy {
            shared.cond.wait(&mut st);
            continue;
        }
        // Become the leader: take everything buffered so far.
        st.io_busy = true;
        let spare = std::mem::take(&mut st.spare);
        let mut buf = std::mem::replace(&mut st.buf, spare);
        let start = st.buf_start;
        let end = st.next;
        st.buf_start = end;
        let new_segments = std::mem::take(&mut st.new_segments);
        drop(st);
        let result = write_out(shared, start, &buf, &new_segments, sync);
        buf.clear();
        st = shared.state.lock();
        st.io_busy = false;
        st.spare = buf;
        match result {
            Ok(()) => {
                st.written = end;
                if sync {
                    st.synced = end;
                }
            }
            Err(e) => {
                st.poisoned = Some(e.to_string());
                shared.cond.notify_all();
                if background {
                    st.unreported = Some(e);
                    return Ok(());
                }
                return Err(e);
            }
        }
        shared.cond.notify_all();
    }
}

fn write_out(
    shared: &Shared,
    start: u64,
    buf: &[u8],
    new_segments: &[u64],
    sync: bool,
) -> Result<()> {
    let mut io = shared.io.lock();
    for &seg in new_segments {
        let path = segment::segment_path(&shared.dir, seg);
        let file = shared
            .backend
            .create(&path)
            .map_err(|e| Error::io(&path, "create", e))?;
        file.set_len(0)
            .map_err(|e| Error::io(&path, "truncate", e))?;
        io.files.insert(seg, file);
        io.dir_unsynced = true;
    }
    let end = start + buf.len() as u64;
    let mut pos = start;
    while pos < end {
        let (&seg_start, _) = io.files.range(..=pos).next_back().ok_or_else(|| {
            Error::corrupt_file(&shared.dir, format!("no segment for LSN {}", Lsn(pos)))
        })?;
        let seg_end = io
            .files
            .range(pos + 1..)
            .next()
            .map(|(&s, _)| s)
            .unwrap_or(u64::MAX)
            .min(end);
        let chunk = &buf[(pos - start) as usize..(seg_end - start) as usize];
        let path = segment::segment_path(&shared.dir, seg_start);
        io.files[&seg_start]
            .write_all_at(chunk, pos - seg_start)
            // The log only appends: every write extends its segment.
            .map_err(|e| Error::io(&path, "extend", e))?;
        if !io.unsynced.contains(&seg_start) {
            io.unsynced.push(seg_start);
        }
        pos = seg_end;
    }
    if sync {
        let unsynced = std::mem::take(&mut io.unsynced);
        for seg in unsynced {
            if let Some(file) = io.files.get(&seg) {
                let path = segment::segment_path(&shared.dir, seg);
                file.sync_data().map_err(|e| Error::io(&path, "fsync", e))?;
            }
        }
        if io.dir_unsynced {
            shared
                .backend
                .sync_dir(&shared.dir)
                .map_err(|e| Error::io(&shared.dir, "fsync directory", e))?;
            io.dir_unsynced = false;
        }
    }
    Ok(())
}

fn background_writer(shared: &Shared) {
    loop {
        {
            let mut stop = shared.stop.lock();
            if !*stop {
                shared
                    .stop_cond
                    .wait_for(&mut stop, shared.options.writer_delay);
            }
            if *stop {
                return;
            }
        }
        let target = shared.state.lock().next;
        // An error poisons the log; the next foreground call reports it.
        let _ = flush_shared(shared, target, true, true);
    }
}

impl Drop for Wal {
    fn drop(&mut self) {
        *self.shared.stop.lock() = true;
        self.shared.stop_cond.notify_all();
        // Closing cleanly makes everything appended durable, as a clean shutdown should.
        let target = self.shared.state.lock().next;
        let _ = flush_shared(&self.shared, target, true, false);
        if let Some(handle) = self.writer.take() {
            let _ = handle.join();
        }
    }
}

#[cfg(test)]
mod tests;
