//! Opening a store and crash recovery:
//!
//! 1. take the directory lock; create the layout if the database is new;
//! 2. read `MANIFEST` (checkpoint LSN, heaps, side files); remove a leftover
//!    `MANIFEST.tmp` and unregistered side files from an interrupted checkpoint;
//! 3. open the heap files and restore torn pages from the double-write file;
//! 4. fsync the WAL segments (their tail may only be in the page cache), then read the
//!    committed transactions after the checkpoint LSN and redo each one into the heaps —
//!    a page whose LSN is at or past the transaction's commit LSN already has it;
//! 5. tell a torn tail from damage in the middle of the log (`wal::damage`): damage fails
//!    the open with [`Error::CorruptWal`] unless [`WalRecovery::TruncateAtCorruption`] was
//!    asked for; then cut the log after the last complete commit (a torn record or a
//!    transaction without its commit record is discarded) and open it for appending there;
//! 6. rebuild each heap's free-space map by reading its pages (which verifies them).

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use parking_lot::{Mutex, RwLock};

use super::access::ReplayAccess;
use super::files::{self, HeapFiles};
use super::log::{Change, CommittedTxn, TxnReader};
use super::versions::Versions;
use super::{
    pool_frames, Catalog, RecoveryReport, Store, StoreOptions, WalRecovery, WalTruncation, Writer,
};
use crate::buffer_pool::{BufferPool, PageKey};
use crate::error::{Error, Result};
use crate::heap::tuple::Header;
use crate::heap::{self, HeapMeta};
use crate::lock::DirLock;
use crate::manifest::{Manifest, MANIFEST_TMP};
use crate::wal::reader::WalReader;
use crate::wal::{segment, Wal, WalOptions};
use crate::Lsn;

fn io_dir(backend: &dyn crate::file_io::StorageBackend, path: &Path) -> Result<()> {
    backend
        .create_dir_all(path)
        .map_err(|e| Error::io(path, "create directory", e))
}

pub(super) fn open(dir: &Path, options: StoreOptions) -> Result<Store> {
    let backend = options.backend.clone();
    if !backend.exists(dir) {
        if !options.create_if_missing {
            return Err(Error::NotFound {
                path: dir.to_path_buf(),
                operation: "open",
            });
        }
        io_dir(&*backend, dir)?;
    } else {
        refuse_foreign_directory(&*backend, dir)?;
    }
    let lock = if backend.locks_directory() {
        Some(DirLock::acquire(&dir.join("LOCK"))?)
    } else {
        None
    };
    let wal_dir = dir.join("wal");
    let heap_dir = dir.join("heap");
    let index_dir = dir.join("index");
    for sub in [&wal_dir, &heap_dir, &index_dir] {
        io_dir(&*backend, sub)?;
    }

    let manifest = match Manifest::load(&*backend, dir)? {
        Some(manifest) => manifest,
        None => {
            if !segment::list_segments(&*backend, &wal_dir)?.is_empty() {
                return Err(Error::corrupt_file(
                    &dir.join(crate::manifest::MANIFEST),
                    "MANIFEST is missing but the WAL is not empty",
                ));
            }
            let manifest = Manifest::default();
            manifest.store(&*backend, dir)?;
            manifest
        }
    };
    let tmp = dir.join(MANIFEST_TMP);
    if backend.exists(&tmp) {
        backend
            .remove_file(&tmp)
            .map_err(|e| Error::io(&tmp, "remove", e))?;
    }
    remove_unregistered_side_files(&*backend, &index_dir, &manifest)?;

    let maps = (
        manifest.page_maps.clone().into_iter().collect(),
        manifest.checkpoint_lsn,
    );
    let files = Arc::new(HeapFiles::new(backend.clone(), heap_dir.clone(), maps));
    // Heaps in the manifest whose file is missing are an error unless the WAL drops them.
    let mut missing = Vec::new();
    for &heap_id in &manifest.heaps {
        if backend.exists(&files.path_of(heap_id)) {
            files.open_heap(heap_id, false)?;
        } else {
            missing.push(heap_id);
        }
    }
    let restored_pages = files::repair_from_doublewrite(&files)?;
    files.clear_doublewrite()?;

    let pool = BufferPool::new(pool_frames(options.buffer_pool_bytes), files.clone());
    let mut heaps: BTreeMap<u32, u32> = BTreeMap::new();
    for &heap_id in &manifest.heaps {
        if let Some(file) = files.get(heap_id) {
            // Pages the page map knows of count even when the file lost them: reading one
            // then reports it as damaged instead of the rows on it going missing.
            heaps.insert(heap_id, file.n_pages()?.max(files.mapped_pages(heap_id)));
        }
    }

    for start in segment::list_segments(&*backend, &wal_dir)? {
        let path = segment::segment_path(&wal_dir, start);
        let file = backend
            .open(&path)
            .map_err(|e| Error::io(&path, "open", e))?;
        file.sync_data().map_err(|e| Error::io(&path, "fsync", e))?;
    }
    let reader = WalReader::open(backend.clone(), &wal_dir, manifest.checkpoint_lsn)?;
    let mut txns = TxnReader::new(reader, manifest.checkpoint_lsn, &wal_dir);
    let mut replayed_txns = 0;
    let mut max_txn_id = 0;
    for txn in txns.by_ref() {
        let txn = txn?;
        max_txn_id = max_txn_id.max(txn.txn_id);
        redo(&txn, &files, &pool, &mut heaps, &mut missing)?;
        replayed_txns += 1;
    }
    if let Some(&heap_id) = missing.first() {
        return Err(Error::NotFound {
            path: files.path_of(heap_id),
            operation: "open",
        });
    }
    let wal_end = txns.last_commit_end();
    // A record that fails its check with valid records after it is damage, not a torn
    // tail: refuse (or, when asked, discard the rest and say how much).
    let mut wal_truncation = None;
    if let Some(damage) = crate::wal::damage::find_damage(
        &*backend,
        &wal_dir,
        (manifest.checkpoint_lsn, txns.log_end()),
        super::log::KIND_COMMIT,
    )? {
        match options.wal_recovery {
            WalRecovery::Strict => {
                return Err(Error::CorruptWal {
                    path: damage.path,
                    offset: damage.offset,
                    lsn: damage.lsn,
                    later_commits: damage.later_commits,
                })
            }
            WalRecovery::TruncateAtCorruption => {
                wal_truncation = Some(WalTruncation {
                    path: damage.path,
                    offset: damage.offset,
                    discarded_txns: damage.later_commits,
                })
            }
        }
    }
    let discarded_bytes = wal_tail_bytes(&*backend, &wal_dir, wal_end)?;
    let wal_options = WalOptions {
        segment_size: options.wal_segment_size,
        synchronous_commit: options.synchronous_commit,
        writer_delay: options.wal_writer_delay,
        buffer_size: options.wal_buffer_bytes,
    };
    let wal = Arc::new(Wal::open(backend.clone(), &wal_dir, wal_end, wal_options)?);
    *files.wal.write() = Some(wal.clone());

    let mut metas = BTreeMap::new();
    let mut corrupt_pages = Vec::new();
    for (&heap_id, &n_pages) in &heaps {
        let mut meta = HeapMeta::default();
        for page_no in 0..n_pages {
            let key = PageKey {
                file: heap_id,
                page_no,
            };
            match pool.pin(key) {
                Ok(pin) => meta.note_page(page_no, &pin.read()),
                Err(Error::CorruptPage { path, page_no, .. }) => {
                    // Reported now and on every access; never reused for new rows.
                    corrupt_pages.push((path, page_no));
                    meta.note_unusable(page_no);
                }
                Err(e) => return Err(e),
            }
        }
        meta.truncate(n_pages);
        metas.insert(heap_id, meta);
    }
    let recovery = RecoveryReport {
        checkpoint_lsn: manifest.checkpoint_lsn,
        replayed_txns,
        wal_end,
        discarded_bytes,
        restored_pages,
        corrupt_pages,
        wal_truncation,
    };
    Ok(Store {
        dir: dir.to_path_buf(),
        options,
        wal,
        pool,
        files,
        writer: Arc::new(Mutex::new(Writer {
            metas,
            next_txn_id: max_txn_id + 1,
        })),
        catalog: RwLock::new(Catalog { heaps }),
        manifest: Mutex::new(manifest),
        recovery,
        poisoned: Mutex::new(None),
        // Every version on the pages is committed: the watermark is the end of the log.
        versions: Arc::new(Versions::new(wal_end)),
        _lock: lock,
    })
}

/// Refuses to turn an existing directory into a database when it holds anything but a
/// database: files of its own (a directory created for something else), or a
/// database's heaps without its `MANIFEST` (a damaged database, which must not be
/// re-initialised over its data).
fn refuse_foreign_directory(
    backend: &dyn crate::file_io::StorageBackend,
    dir: &Path,
) -> Result<()> {
    if backend.exists(&dir.join(crate::manifest::MANIFEST)) {
        return Ok(());
    }
    let entries = backend
        .read_dir(dir)
        .map_err(|e| Error::io(dir, "read directory", e))?;
    const OWN: &[&str] = &["LOCK", "wal", "heap", "index", MANIFEST_TMP];
    let foreign = entries.iter().any(|path| {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        !OWN.contains(&name)
    });
    if foreign {
        return Err(Error::NotADatabase {
            path: dir.to_path_buf(),
        });
    }
    let heap_dir = dir.join("heap");
    if backend.exists(&heap_dir) {
        let heaps = backend
            .read_dir(&heap_dir)
            .map_err(|e| Error::io(&heap_dir, "read directory", e))?;
        if heaps
            .iter()
            .any(|p| p.extension().is_some_and(|e| e == "heap"))
        {
            return Err(Error::corrupt_file(
                &dir.join(crate::manifest::MANIFEST),
                "MANIFEST is missing but the heap files of a database are there",
            ));
        }
    }
    Ok(())
}

/// Bytes present in the log files past `end` (a torn or uncommitted tail).
fn wal_tail_bytes(
    backend: &dyn crate::file_io::StorageBackend,
    wal_dir: &Path,
    end: Lsn,
) -> Result<u64> {
    let mut total = 0;
    for start in segment::list_segments(backend, wal_dir)? {
        let path = segment::segment_path(wal_dir, start);
        let file = backend
            .open(&path)
            .map_err(|e| Error::io(&path, "open", e))?;
        let seg_end = start + file.size().map_err(|e| Error::io(&path, "stat", e))?;
        total += seg_end.saturating_sub(end.0.max(start));
    }
    Ok(total)
}

fn redo(
    txn: &CommittedTxn,
    files: &HeapFiles,
    pool: &BufferPool,
    heaps: &mut BTreeMap<u32, u32>,
    missing: &mut Vec<u32>,
) -> Result<()> {
    let mut claimed = HashSet::new();
    let mut skipped = HashSet::new();
    for (logged, placement) in txn.changes.iter().zip(&txn.placements) {
        let heap_id = match &logged.change {
            Change::CreateHeap { heap } => {
                if files.get(heap.0).is_none() {
                    files.open_heap(heap.0, true)?;
                }
                let n_pages = files.get(heap.0).map(|f| f.n_pages()).transpose()?;
                heaps.insert(heap.0, n_pages.unwrap_or(0));
                continue;
            }
            Change::DropHeap { heap } => {
                pool.discard_file(heap.0);
                files.remove_heap(heap.0)?;
                files.clear_doublewrite()?;
                heaps.remove(&heap.0);
                missing.retain(|&h| h != heap.0);
                claimed.retain(|&(h, _)| h != heap.0);
                skipped.retain(|&(h, _)| h != heap.0);
                continue;
            }
            Change::User { .. } => continue,
            Change::Insert { heap, .. }
            | Change::Update { heap, .. }
            | Change::Delete { heap, .. }
            | Change::Expire { heap, .. } => heap.0,
        };
        if !heaps.contains_key(&heap_id) {
            return Err(Error::corrupt_file(
                &files.path_of(heap_id),
                format!(
                    "the WAL at {} changes a heap that does not exist",
                    logged.lsn
                ),
            ));
        }
        let mut access = ReplayAccess {
            pool,
            heap: heap_id,
            path: files.path_of(heap_id),
            commit_lsn: txn.commit_lsn,
            claimed: &mut claimed,
            skipped: &mut skipped,
        };
        if let Change::Expire { row, .. } = &logged.change {
            let commit = txn.commit_lsn.0;
            heap::set_header(&mut access, *row, &mut |h| h.xmax = commit)?;
            continue;
        }
        let Some(placement) = placement else { continue };
        match &logged.change {
            Change::Insert { bytes, .. } | Change::Update { bytes, .. } => {
                let header = Header {
                    xmin: txn.commit_lsn.0,
                    xmax: 0,
                };
                heap::apply_put(&mut access, placement, header, bytes)?
            }
            _ => heap::apply_delete(&mut access, placement.row, &placement.freed)?,
        }
        let top = placement
            .overflow
            .iter()
            .chain(&placement.freed)
            .copied()
            .chain([placement.row.page_no()])
            .max()
            .unwrap_or(0);
        if let Some(n_pages) = heaps.get_mut(&heap_id) {
            *n_pages = (*n_pages).max(top + 1);
        }
    }
    for (heap_id, page_no) in claimed {
        let pin = pool.pin(PageKey {
            file: heap_id,
            page_no,
        })?;
        pin.write().set_lsn(txn.commit_lsn);
    }
    Ok(())
}

fn remove_unregistered_side_files(
    backend: &dyn crate::file_io::StorageBackend,
    index_dir: &Path,
    manifest: &Manifest,
) -> Result<()> {
    let registered: HashSet<&str> = manifest
        .side_files
        .values()
        .map(|e| e.file_name.as_str())
        .collect();
    for path in backend
        .read_dir(index_dir)
        .map_err(|e| Error::io(index_dir, "read directory", e))?
    {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if !registered.contains(name) {
            backend
                .remove_file(&path)
                .map_err(|e| Error::io(&path, "remove", e))?;
        }
    }
    Ok(())
}
