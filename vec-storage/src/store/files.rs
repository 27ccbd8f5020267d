//! Heap files and the double-write buffer. Each heap lives in `heap/<id>.heap`, a plain array
//! of 8 KiB pages. [`HeapFiles`] is the buffer pool's [`PageIo`]: it verifies pages on read,
//! and on write enforces the two rules that make in-place page writes safe:
//!
//! 1. *Log before data*: the WAL is fsynced up to the newest page LSN in the batch first, so
//!    a page on disk never holds a change whose commit record could still be lost.
//! 2. *Double write*: the batch is first written and fsynced to `heap/doublewrite`, then
//!    written in place and fsynced. A crash that tears a page in place (a process killed in
//!    the middle of an 8 KiB `pwrite`, or power loss) leaves an intact copy in the
//!    double-write file, which [`repair_from_doublewrite`] puts back on open.
//!
//! Double-write file: a sequence of entries, each a 16-byte header (heap id u32, page
//! number u32, CRC32C of heap id, page number and page u32, reserved u32) and the sealed page.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parking_lot::RwLock;

use crate::buffer_pool::{PageIo, PageKey};
use crate::error::{Error, Result};
use crate::file_io::{BackendFile, StorageBackend};
use crate::page::{Page, PAGE_SIZE};
use crate::wal::Wal;
use crate::Lsn;

const DOUBLEWRITE: &str = "doublewrite";
const ENTRY_HEADER: usize = 16;
/// Pages written per double-write round.
const DOUBLEWRITE_BATCH: usize = 512;

/// The path of heap `id`'s file.
pub(crate) fn heap_path(heap_dir: &Path, id: u32) -> PathBuf {
    heap_dir.join(format!("{id}.heap"))
}

/// One open heap file.
pub(crate) struct HeapFile {
    pub(crate) path: PathBuf,
    pub(crate) file: Box<dyn BackendFile>,
}

impl HeapFile {
    /// Pages currently in the file (a partial trailing page counts).
    pub(crate) fn n_pages(&self) -> Result<u32> {
        let len = self
            .file
            .size()
            .map_err(|e| Error::io(&self.path, "stat", e))?;
        Ok(len.div_ceil(PAGE_SIZE as u64) as u32)
    }

    /// Reads a page without verifying it; past the end it reads as zeros.
    pub(crate) fn read_raw(&self, page_no: u32, page: &mut Page) -> Result<()> {
        let offset = page_no as u64 * PAGE_SIZE as u64;
        // A whole page (the usual case) needs neither the file's size nor zeroing first.
        match self.file.read_exact_at(&mut page.bytes[..], offset) {
            Ok(()) => return Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {}
            Err(e) => return Err(Error::io(&self.path, "read", e)),
        }
        let len = self
            .file
            .size()
            .map_err(|e| Error::io(&self.path, "stat", e))?;
        page.bytes.fill(0);
        if offset >= len {
            return Ok(());
        }
        let available = ((len - offset) as usize).min(PAGE_SIZE);
        self.file
            .read_exact_at(&mut page.bytes[..available], offset)
            .map_err(|e| Error::io(&self.path, "read", e))
    }

    fn write_raw(&self, page_no: u32, page: &Page) -> Result<()> {
        self.file
            .write_all_at(&page.bytes, page_no as u64 * PAGE_SIZE as u64)
            .map_err(|e| Error::io(&self.path, "write", e))
    }
}

/// All open heap files, plus what page write-back needs.
pub(crate) struct HeapFiles {
    pub(crate) backend: Arc<dyn StorageBackend>,
    pub(crate) dir: PathBuf,
    pub(crate) files: RwLock<HashMap<u32, Arc<HeapFile>>>,
    pub(crate) wal: RwLock<Option<Arc<Wal>>>,
}

impl HeapFiles {
    pub(crate) fn new(backend: Arc<dyn StorageBackend>, dir: PathBuf) -> HeapFiles {
        HeapFiles {
            backend,
            dir,
            files: RwLock::new(HashMap::new()),
            wal: RwLock::new(None),
        }
    }

    /// Opens (or with `create`, creates) heap `id`'s file and registers it.
    pub(crate) fn open_heap(&self, id: u32, create: bool) -> Result<Arc<HeapFile>> {
        let path = heap_path(&self.dir, id);
        let file = if create {
            self.backend
                .create(&path)
                .map_err(|e| Error::io(&path, "create", e))?
        } else {
            self.backend
                .open(&path)
                .map_err(|e| Error::io(&path, "open", e))?
        };
        let heap = Arc::new(HeapFile { path, file });
        self.files.write().insert(id, heap.clone());
        Ok(heap)
    }

    /// Unregisters heap `id` and removes its file.
    pub(crate) fn remove_heap(&self, id: u32) -> Result<()> {
        self.files.write().remove(&id);
        let path = heap_path(&self.dir, id);
        if self.backend.exists(&path) {
            self.backend
                .remove_file(&path)
                .map_err(|e| Error::io(&path, "remove", e))?;
        }
        Ok(())
    }

    /// Empties the double-write file. Its content only matters while a round is in
    /// flight; emptying it when a heap is dropped keeps old pages of a dropped heap from
    /// being "restored" into a new heap that reuses the id.
    pub(crate) fn clear_doublewrite(&self) -> Result<()> {
        let dw_path = self.dir.join(DOUBLEWRITE);
        if !self.backend.exists(&dw_path) {
            return Ok(());
        }
        let dw = self
            .backend
            .open(&dw_path)
            .map_err(|e| Error::io(&dw_path, "open", e))?;
        dw.set_len(0)
            .map_err(|e| Error::io(&dw_path, "truncate", e))?;
        dw.sync_data().map_err(|e| Error::io(&dw_path, "fsync", e))
    }

    pub(crate) fn get(&self, id: u32) -> Option<Arc<HeapFile>> {
        self.files.read().get(&id).cloned()
    }

    pub(crate) fn path_of(&self, id: u32) -> PathBuf {
        heap_path(&self.dir, id)
    }

    fn write_round(&self, pages: &mut [(PageKey, Box<Page>)]) -> Result<()> {
        let dw_path = self.dir.join(DOUBLEWRITE);
        let mut image = Vec::with_capacity(pages.len() * (ENTRY_HEADER + PAGE_SIZE));
        for (key, page) in pages.iter_mut() {
            page.seal(key.page_no);
            let mut crc = crc32c::crc32c(&key.file.to_le_bytes());
            crc = crc32c::crc32c_append(crc, &key.page_no.to_le_bytes());
            crc = crc32c::crc32c_append(crc, &page.bytes);
            image.extend_from_slice(&key.file.to_le_bytes());
            image.extend_from_slice(&key.page_no.to_le_bytes());
            image.extend_from_slice(&crc.to_le_bytes());
            image.extend_from_slice(&[0u8; 4]);
            image.extend_from_slice(&page.bytes);
        }
        let dw = self
            .backend
            .create(&dw_path)
            .map_err(|e| Error::io(&dw_path, "create", e))?;
        dw.write_all_at(&image, 0)
            .map_err(|e| Error::io(&dw_path, "write", e))?;
        dw.set_len(image.len() as u64)
            .map_err(|e| Error::io(&dw_path, "truncate", e))?;
        dw.sync_data()
            .map_err(|e| Error::io(&dw_path, "fsync", e))?;
        let mut touched: Vec<Arc<HeapFile>> = Vec::new();
        for (key, page) in pages.iter() {
            // A heap dropped meanwhile has no file any more: its pages are simply gone.
            let Some(file) = self.get(key.file) else {
                continue;
            };
            file.write_raw(key.page_no, page)?;
            if !touched.iter().any(|t| Arc::ptr_eq(t, &file)) {
                touched.push(file);
            }
        }
        for file in touched {
            file.file
                .sync_data()
                .map_err(|e| Error::io(&file.path, "fsync", e))?;
        }
        // The round is durable in place; the copies are no longer needed. Not fsynced: if
        // the truncation is lost, the copies equal the pages and restoring them is harmless.
        dw.set_len(0)
            .map_err(|e| Error::io(&dw_path, "truncate", e))
    }
}

impl PageIo for HeapFiles {
    fn read_page(&self, key: PageKey, page: &mut Page) -> Result<()> {
        let Some(file) = self.get(key.file) else {
            return Err(Error::NoSuchHeap { heap: key.file });
        };
        file.read_raw(key.page_no, page)?;
        page.verify(&file.path, key.page_no)
    }

    fn write_pages(&self, pages: &mut [(PageKey, Box<Page>)]) -> Result<()> {
        let max_lsn = pages.iter().map(|(_, p)| p.lsn()).max().unwrap_or(Lsn(0));
        if let Some(wal) = self.wal.read().as_ref() {
            wal.flush(max_lsn)?;
        }
        for round in pages.chunks_mut(DOUBLEWRITE_BATCH) {
            self.write_round(round)?;
        }
        Ok(())
    }
}

/// Restores pages from the double-write file where the in-place copy is torn or older.
/// Returns how many pages were restored.
pub(crate) fn repair_from_doublewrite(files: &HeapFiles) -> Result<usize> {
    let dw_path = files.dir.join(DOUBLEWRITE);
    if !files.backend.exists(&dw_path) {
        return Ok(0);
    }
    let dw = files
        .backend
        .open(&dw_path)
        .map_err(|e| Error::io(&dw_path, "open", e))?;
    let len = dw.size().map_err(|e| Error::io(&dw_path, "stat", e))? as usize;
    let mut image = Error::buffer(&dw_path, len as u64)?;
    dw.read_exact_at(&mut image, 0)
        .map_err(|e| Error::io(&dw_path, "read", e))?;
    let mut restored = 0;
    let mut touched = Vec::new();
    for entry in image.chunks_exact(ENTRY_HEADER + PAGE_SIZE) {
        let word = |at: usize| u32::from_le_bytes(entry[at..at + 4].try_into().unwrap_or_default());
        let (heap, page_no, stored) = (word(0), word(4), word(8));
        let mut crc = crc32c::crc32c(&entry[0..4]);
        crc = crc32c::crc32c_append(crc, &entry[4..8]);
        crc = crc32c::crc32c_append(crc, &entry[ENTRY_HEADER..]);
        if crc != stored {
            // A torn double-write file: the in-place writes of that round never started.
            break;
        }
        let Some(file) = files.get(heap) else {
            continue;
        };
        let mut copy = Page::new_boxed();
        copy.bytes.copy_from_slice(&entry[ENTRY_HEADER..]);
        let mut on_disk = Page::new_boxed();
        file.read_raw(page_no, &mut on_disk)?;
        let intact = on_disk.verify(&file.path, page_no).is_ok();
        if !intact || on_disk.lsn() < copy.lsn() {
            file.write_raw(page_no, &copy)?;
            restored += 1;
            if !touched
                .iter()
                .any(|t: &Arc<HeapFile>| Arc::ptr_eq(t, &file))
            {
                touched.push(file);
            }
        }
    }
    for file in touched {
        file.file
            .sync_data()
            .map_err(|e| Error::io(&file.path, "fsync", e))?;
    }
    Ok(restored)
}
