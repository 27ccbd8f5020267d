//! Checking a closed database without changing it, as PostgreSQL's `pg_amcheck` checks
//! relations: every heap page against its checksum and the last checkpoint's page map,
//! every registered side file (index snapshot) against the CRC32C in the manifest, and
//! the write-ahead log after the checkpoint record by record, telling a torn tail (normal
//! after a crash) from damage in its middle. Nothing is written, replayed or repaired;
//! the directory is locked while it is read.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::file_io::{OsBackend, StorageBackend};
use crate::lock::DirLock;
use crate::manifest::{Manifest, MANIFEST};
use crate::page::{Page, PAGE_SIZE};
use crate::side_file::SideFile;
use crate::store::files::heap_path;
use crate::store::log::KIND_COMMIT;
use crate::wal::reader::WalReader;
use crate::wal::{damage, segment};
use crate::Lsn;

/// What [`check_directory`] found.
#[derive(Debug, Default)]
pub struct CheckReport {
    /// Heap files checked.
    pub heaps: usize,
    /// Heap pages checked.
    pub pages: u64,
    /// Side files (index snapshots) checked.
    pub side_files: usize,
    /// Valid log records after the checkpoint.
    pub wal_records: u64,
    /// Commit records among them.
    pub wal_commits: u64,
    /// Bytes after the last valid record (a torn tail; not damage).
    pub torn_tail_bytes: u64,
    /// Everything damaged, one error per finding, each naming its file.
    pub damage: Vec<Error>,
}

/// Checks the database in `dir` (see the module documentation). Fails only when the
/// directory cannot be checked at all (no manifest, locked by a running process).
pub fn check_directory(dir: &Path) -> Result<CheckReport> {
    let backend: Arc<dyn StorageBackend> = Arc::new(OsBackend);
    if !backend.exists(&dir.join(MANIFEST)) {
        return Err(Error::NotFound {
            path: dir.join(MANIFEST),
            operation: "open",
        });
    }
    let _lock = DirLock::acquire(&dir.join("LOCK"))?;
    let manifest = Manifest::load(&*backend, dir)?.ok_or_else(|| Error::NotFound {
        path: dir.join(MANIFEST),
        operation: "open",
    })?;
    let mut report = CheckReport::default();
    check_heaps(&*backend, dir, &manifest, &mut report)?;
    for entry in manifest.side_files.values() {
        report.side_files += 1;
        let path = dir.join("index").join(&entry.file_name);
        let checked = SideFile::open(&path, entry.len, entry.crc).and_then(|f| f.verify_checksum());
        if let Err(error) = checked {
            report.damage.push(error);
        }
    }
    check_wal(&backend, dir, manifest.checkpoint_lsn, &mut report)?;
    Ok(report)
}

fn check_heaps(
    backend: &dyn StorageBackend,
    dir: &Path,
    manifest: &Manifest,
    report: &mut CheckReport,
) -> Result<()> {
    let heap_dir = dir.join("heap");
    let mut page = Page::new_boxed();
    for &heap in &manifest.heaps {
        report.heaps += 1;
        let path: PathBuf = heap_path(&heap_dir, heap);
        let file = match backend.open(&path) {
            Ok(file) => file,
            Err(e) => {
                report.damage.push(Error::io(&path, "open", e));
                continue;
            }
        };
        let len = file.size().map_err(|e| Error::io(&path, "stat", e))?;
        let map = manifest.page_maps.get(&heap);
        let file_pages = len.div_ceil(PAGE_SIZE as u64);
        let n_pages = file_pages.max(map.map_or(0, |m| m.len() as u64));
        for page_no in 0..n_pages {
            report.pages += 1;
            page.bytes.fill(0);
            let offset = page_no * PAGE_SIZE as u64;
            if offset < len {
                let available = ((len - offset) as usize).min(PAGE_SIZE);
                file.read_exact_at(&mut page.bytes[..available], offset)
                    .map_err(|e| Error::io(&path, "read", e))?;
            }
            let page_no = page_no as u32;
            if let Err(error) = page.verify(&path, page_no) {
                report.damage.push(error);
                continue;
            }
            let expected = map.and_then(|m| m.get(page_no as usize)).copied();
            let stored = page.u32_at(0);
            if let Some(expected) = expected {
                if expected != stored && page.lsn() < manifest.checkpoint_lsn {
                    report.damage.push(Error::CorruptPage {
                        path: path.clone(),
                        page_no,
                        reason: format!(
                            "checksum {stored:08x} does not match the checkpoint's page map ({expected:08x})"
                        ),
                    });
                }
            }
        }
    }
    Ok(())
}

fn check_wal(
    backend: &Arc<dyn StorageBackend>,
    dir: &Path,
    checkpoint: Lsn,
    report: &mut CheckReport,
) -> Result<()> {
    let wal_dir = dir.join("wal");
    let mut reader = WalReader::open(backend.clone(), &wal_dir, checkpoint)?;
    for record in reader.by_ref() {
        let record = record?;
        report.wal_records += 1;
        if record.kind == KIND_COMMIT {
            report.wal_commits += 1;
        }
    }
    let end = reader.end();
    if let Some(found) = damage::find_damage(&**backend, &wal_dir, (checkpoint, end), KIND_COMMIT)?
    {
        report.damage.push(Error::CorruptWal {
            path: found.path,
            offset: found.offset,
            lsn: found.lsn,
            later_commits: found.later_commits,
        });
        return Ok(());
    }
    for start in segment::list_segments(&**backend, &wal_dir)? {
        let path = segment::segment_path(&wal_dir, start);
        let file = backend
            .open(&path)
            .map_err(|e| Error::io(&path, "open", e))?;
        let seg_end = start + file.size().map_err(|e| Error::io(&path, "stat", e))?;
        report.torn_tail_bytes += seg_end.saturating_sub(end.0.max(start));
    }
    Ok(())
}
