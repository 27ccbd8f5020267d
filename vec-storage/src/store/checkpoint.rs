//! Checkpoints. With no transaction in flight (the writer mutex is held throughout), a
//! checkpoint:
//!
//! 1. notes the checkpoint LSN (the WAL end: every commit before it is in the buffer pool);
//! 2. lets the caller write side files ([`CheckpointWriter`]), each with temp file, fsync,
//!    rename and directory fsync, so they reflect exactly the state at that LSN;
//! 3. flushes the WAL, then every dirty page (through the double-write file) and fsyncs the
//!    heap directory;
//! 4. atomically replaces the manifest with the new LSN, heap list, side files and each
//!    heap's page map (every page's on-disk checksum, known once all are flushed);
//! 5. removes WAL segments wholly before the checkpoint and side-file versions the new
//!    manifest no longer names.
//!
//! If a step fails before the manifest is replaced, the old manifest still describes a
//! consistent database (pages flushed early are newer than it, and redo skips them by page
//! LSN) and files written for the failed checkpoint are removed at the next open.

use std::path::PathBuf;

use super::Store;
use crate::error::{Error, Result};
use crate::manifest::{Manifest, SideFileEntry};
use crate::side_file::SideFileWriter;
use crate::Lsn;

/// Collects the side files written during a checkpoint.
pub struct CheckpointWriter<'a> {
    store: &'a Store,
    lsn: Lsn,
    next_seq: u64,
    written: Vec<(String, SideFileEntry)>,
    removed: Vec<String>,
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 200
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

impl CheckpointWriter<'_> {
    /// The LSN this checkpoint covers: side files must reflect every commit before it.
    pub fn checkpoint_lsn(&self) -> Lsn {
        self.lsn
    }

    fn index_dir(&self) -> PathBuf {
        self.store.dir.join("index")
    }

    /// Starts a new version of side file `name` (ASCII letters, digits, `_`, `-`).
    pub fn create_side_file(&mut self, name: &str) -> Result<SideFileWriter> {
        if !valid_name(name) {
            return Err(Error::InvalidArgument {
                reason: format!("invalid side file name \"{name}\""),
            });
        }
        let file_name = format!("{name}.{:016x}", self.next_seq);
        self.next_seq += 1;
        SideFileWriter::create(
            &*self.store.options.backend,
            &self.index_dir(),
            name,
            file_name,
        )
    }

    /// Makes a side file durable and registers it with this checkpoint.
    pub fn finish_side_file(&mut self, writer: SideFileWriter) -> Result<()> {
        let (name, file_name, len, crc) =
            writer.finish(&*self.store.options.backend, &self.index_dir())?;
        self.removed.retain(|n| n != &name);
        self.written.retain(|(n, _)| n != &name);
        self.written.push((
            name,
            SideFileEntry {
                file_name,
                len,
                crc,
                lsn: self.lsn,
            },
        ));
        Ok(())
    }

    /// Writes a whole side file from memory.
    pub fn write_side_file(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        let mut writer = self.create_side_file(name)?;
        writer.write_all(bytes)?;
        self.finish_side_file(writer)
    }

    /// Unregisters a side file; its file is removed once the checkpoint completes.
    pub fn remove_side_file(&mut self, name: &str) {
        self.written.retain(|(n, _)| n != name);
        self.removed.push(name.to_string());
    }
}

impl Store {
    /// Runs a checkpoint without side files. Returns the checkpoint LSN.
    pub fn checkpoint(&self) -> Result<Lsn> {
        self.checkpoint_with(|_| Ok(()))
    }

    /// Runs a checkpoint; `write_side_files` is called once no transaction can run, to
    /// write the side files (index snapshots) this checkpoint registers.
    pub fn checkpoint_with(
        &self,
        write_side_files: impl FnOnce(&mut CheckpointWriter<'_>) -> Result<()>,
    ) -> Result<Lsn> {
        let _writer = self.writer.lock();
        if let Some(reason) = self.poisoned.lock().clone() {
            return Err(Error::Poisoned { reason });
        }
        let lsn = self.wal.end_lsn();
        let old = self.manifest.lock().clone();
        let mut side = CheckpointWriter {
            store: self,
            lsn,
            next_seq: old.next_seq,
            written: Vec::new(),
            removed: Vec::new(),
        };
        write_side_files(&mut side)?;
        self.wal.flush(lsn)?;
        self.pool.flush_all()?;
        let heap_dir = self.dir.join("heap");
        self.options
            .backend
            .sync_dir(&heap_dir)
            .map_err(|e| Error::io(&heap_dir, "fsync directory", e))?;

        let heaps: Vec<u32> = self.catalog.read().heaps.keys().copied().collect();
        let page_maps = self.files.snapshot_maps(&heaps)?.into_iter().collect();
        let mut manifest = Manifest {
            checkpoint_lsn: lsn,
            next_seq: side.next_seq,
            heaps,
            side_files: old.side_files.clone(),
            page_maps,
        };
        for name in &side.removed {
            manifest.side_files.remove(name);
        }
        for (name, entry) in side.written {
            manifest.side_files.insert(name, entry);
        }
        manifest.store(&*self.options.backend, &self.dir)?;
        *self.manifest.lock() = manifest.clone();

        self.wal.remove_segments_before(lsn)?;
        let index_dir = self.dir.join("index");
        let mut removed_any = false;
        for entry in old.side_files.values() {
            let still_used = manifest
                .side_files
                .values()
                .any(|e| e.file_name == entry.file_name);
            if !still_used {
                let path = index_dir.join(&entry.file_name);
                self.options
                    .backend
                    .remove_file(&path)
                    .map_err(|e| Error::io(&path, "remove", e))?;
                removed_any = true;
            }
        }
        if removed_any {
            self.options
                .backend
                .sync_dir(&index_dir)
                .map_err(|e| Error::io(&index_dir, "fsync directory", e))?;
        }
        Ok(lsn)
    }
}
