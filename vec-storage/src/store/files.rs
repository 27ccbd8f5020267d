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
//!
//! Page maps: [`HeapFiles`] also knows the checksum each page has on disk (its header's
//! CRC32C, 0 for a page never written), starting from the map the last checkpoint
//! recorded in the manifest and kept current by every read and write. A page read back
//! with another checksum and an LSN older than that checkpoint was changed behind the
//! store's back (zeroed, cut off with the end of the file, or an old copy): it is
//! reported as [`Error::CorruptPage`] even though an all-zero page would otherwise pass
//! for a new one.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parking_lot::{Mutex, RwLock};

use super::mapped::{MappedFile, MappedRead};
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
    /// The file mapped for reading pages in place, made on first use.
    pub(crate) mapped: MappedFile,
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
        self.mapped.write(page_no, || {
            self.file
                .write_all_at(&page.bytes, page_no as u64 * PAGE_SIZE as u64)
                .map_err(|e| Error::io(&self.path, "write", e))
        })
    }
}

/// All open heap files, plus what page write-back needs.
pub(crate) struct HeapFiles {
    pub(crate) backend: Arc<dyn StorageBackend>,
    pub(crate) dir: PathBuf,
    pub(crate) files: RwLock<HashMap<u32, Arc<HeapFile>>>,
    pub(crate) wal: RwLock<Option<Arc<Wal>>>,
    /// The checksum each page has on disk, per heap (see the module documentation).
    pub(crate) page_maps: Mutex<HashMap<u32, Vec<u32>>>,
    /// The checkpoint the page maps were recorded at when the store was opened: a page
    /// older than it must match its map.
    pub(crate) map_lsn: Lsn,
}

impl HeapFiles {
    pub(crate) fn new(
        backend: Arc<dyn StorageBackend>,
        dir: PathBuf,
        (page_maps, map_lsn): (HashMap<u32, Vec<u32>>, Lsn),
    ) -> HeapFiles {
        HeapFiles {
            backend,
            dir,
            files: RwLock::new(HashMap::new()),
            wal: RwLock::new(None),
            page_maps: Mutex::new(page_maps),
            map_lsn,
        }
    }

    /// Pages of heap `id` that its page map knows of (the file may be shorter).
    pub(crate) fn mapped_pages(&self, id: u32) -> u32 {
        self.page_maps.lock().get(&id).map_or(0, |m| m.len() as u32)
    }

    /// Checks a page just read against its map entry and records its checksum.
    fn check_map(&self, key: PageKey, page: &Page, path: &Path) -> Result<()> {
        let stored = page.u32_at(0);
        let mut maps = self.page_maps.lock();
        let map = maps.entry(key.file).or_default();
        let index = key.page_no as usize;
        if let Some(&expected) = map.get(index) {
            if expected != stored && page.lsn() < self.map_lsn {
                let what = if page.bytes.iter().all(|&b| b == 0) {
                    "the page is zeroed or missing from the file"
                } else {
                    "the page is older than the last checkpoint"
                };
                return Err(Error::CorruptPage {
                    path: path.to_path_buf(),
                    page_no: key.page_no,
                    reason: format!(
                        "checksum {stored:08x} does not match the checkpoint's page map ({expected:08x}): {what}"
                    ),
                });
            }
        }
        if map.len() <= index {
            map.resize(index + 1, 0);
        }
        map[index] = stored;
        Ok(())
    }

    /// Whether a page read in place agrees with its map entry, without recording
    /// anything: a page written back meanwhile may have changed the entry already, so
    /// a disagreement here only sends the read through the pool, which decides.
    fn agrees_with_map(&self, key: PageKey, page: &Page) -> bool {
        let maps = self.page_maps.lock();
        let expected = maps
            .get(&key.file)
            .and_then(|map| map.get(key.page_no as usize));
        match expected {
            Some(&expected) => expected == page.u32_at(0) || page.lsn() >= self.map_lsn,
            None => true,
        }
    }

    /// Records the checksum of a page written to disk.
    fn note_written(&self, key: PageKey, crc: u32) {
        let mut maps = self.page_maps.lock();
        let map = maps.entry(key.file).or_default();
        let index = key.page_no as usize;
        if map.len() <= index {
            map.resize(index + 1, 0);
        }
        map[index] = crc;
    }

    /// The page map of every open heap, for the manifest: as long as the file, each
    /// page's on-disk checksum (read from the file for a page not seen yet).
    pub(crate) fn snapshot_maps(&self, heaps: &[u32]) -> Result<Vec<(u32, Vec<u32>)>> {
        let mut out = Vec::with_capacity(heaps.len());
        for &heap in heaps {
            let Some(file) = self.get(heap) else {
                continue;
            };
            let n_pages = file.n_pages()? as usize;
            let known = self
                .page_maps
                .lock()
                .get(&heap)
                .cloned()
                .unwrap_or_default();
            let mut map = known;
            if map.len() < n_pages {
                let mut page = Page::new_boxed();
                for page_no in map.len()..n_pages {
                    file.read_raw(page_no as u32, &mut page)?;
                    map.push(page.u32_at(0));
                }
            }
            map.truncate(n_pages);
            out.push((heap, map));
        }
        Ok(out)
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
        if create {
            // A new heap (perhaps reusing a dropped one's id) has no pages yet.
            self.page_maps.lock().remove(&id);
        }
        let heap = Arc::new(HeapFile {
            path,
            file,
            mapped: MappedFile::default(),
        });
        self.files.write().insert(id, heap.clone());
        Ok(heap)
    }

    /// Unregisters heap `id` and removes its file.
    pub(crate) fn remove_heap(&self, id: u32) -> Result<()> {
        self.files.write().remove(&id);
        self.page_maps.lock().remove(&id);
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
            self.note_written(*key, page.u32_at(0));
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
        page.verify(&file.path, key.page_no)?;
        self.check_map(key, page, &file.path)
    }

    fn read_in_place(
        &self,
        key: PageKey,
        f: &mut dyn FnMut(&Page) -> Result<()>,
    ) -> Option<(Result<()>, bool)> {
        let file = self.get(key.file)?;
        let mut verify = |page: &Page| {
            page.verify(&file.path, key.page_no)?;
            if self.agrees_with_map(key, page) {
                Ok(())
            } else {
                Err(Error::CorruptPage {
                    path: file.path.clone(),
                    page_no: key.page_no,
                    reason: "the page disagrees with the checkpoint's page map".into(),
                })
            }
        };
        match file
            .mapped
            .read(file.file.as_ref(), key.page_no, &mut verify, f)
        {
            MappedRead::Read {
                result,
                verified_now,
            } => Some((result, verified_now)),
            MappedRead::Unavailable => None,
        }
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
