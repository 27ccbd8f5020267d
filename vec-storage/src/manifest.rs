//! The manifest: the small file that says where recovery starts (the checkpoint LSN), which
//! heaps exist, and which immutable side files (index snapshots) belong to the database. It
//! is replaced atomically at each checkpoint: written to `MANIFEST.tmp`, fsynced, renamed
//! over `MANIFEST`, and the directory fsynced. A crash at any point leaves either the old or
//! the new manifest, never a mix; a leftover `MANIFEST.tmp` is ignored and removed.
//!
//! | offset | size | field                              |
//! |-------:|-----:|------------------------------------|
//! | 0      | 8    | magic `VECSHMAN`                   |
//! | 8      | 4    | format version (3)                 |
//! | 12     | 4    | body length                        |
//! | 16     | 4    | CRC32C of the body                 |
//! | 20     | 4    | reserved, zero                     |
//! | 24     | …    | body                               |
//!
//! Body: checkpoint LSN u64, next side-file sequence u64, heap count u32 and heap ids u32,
//! side-file count u32 and per side file: name length u16, name, file-name length u16, file
//! name, length u64, CRC32C u32, LSN u64, then the page maps: map count u32 and
//! per heap: heap id u32, page count u32, CRC32C of the map's bytes u32, then one u32 per
//! page, the CRC32C in that page's header on disk at the checkpoint (0 for a page never
//! written). Recovery compares every page it reads with its map entry, so a page that
//! was zeroed, cut off with the end of its file or replaced by an older copy is reported
//! as damaged instead of being taken for an empty page.
//!
//! Format 3 is the first with multi-versioned rows ([`crate::heap::tuple`]); directories
//! of formats 1 and 2 (single-version rows; 2 added the page maps) are refused with a
//! message saying how to move their data.

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::{Error, Result};
use crate::file_io::StorageBackend;
use crate::Lsn;

const MAGIC: &[u8; 8] = b"VECSHMAN";
/// The storage format: 3 since row versions carry their creation and deletion stamps
/// ([`crate::heap::tuple`]); 2 added the page maps.
pub const FORMAT_VERSION: u32 = 3;
const HEADER: usize = 24;
/// File name of the manifest inside the database directory.
pub const MANIFEST: &str = "MANIFEST";
/// File name of a manifest being written.
pub const MANIFEST_TMP: &str = "MANIFEST.tmp";

/// A registered side file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SideFileEntry {
    /// File name inside `index/`.
    pub file_name: String,
    /// Length in bytes.
    pub len: u64,
    /// CRC32C of the whole file.
    pub crc: u32,
    /// Checkpoint LSN at which the file was registered: it reflects every commit before it.
    pub lsn: Lsn,
}

/// The decoded manifest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    /// Recovery replays the WAL from here.
    pub checkpoint_lsn: Lsn,
    /// Sequence for naming side-file versions.
    pub next_seq: u64,
    /// Heaps that existed at the checkpoint.
    pub heaps: Vec<u32>,
    /// Side files by logical name.
    pub side_files: BTreeMap<String, SideFileEntry>,
    /// Each heap's page map at the checkpoint: its page count is the map's length.
    pub page_maps: BTreeMap<u32, Vec<u32>>,
}

fn push_str(out: &mut Vec<u8>, text: &str) {
    out.extend_from_slice(&(text.len() as u16).to_le_bytes());
    out.extend_from_slice(text.as_bytes());
}

impl Manifest {
    /// Serialises the manifest.
    pub fn encode(&self) -> Vec<u8> {
        let mut body = Vec::new();
        body.extend_from_slice(&self.checkpoint_lsn.0.to_le_bytes());
        body.extend_from_slice(&self.next_seq.to_le_bytes());
        body.extend_from_slice(&(self.heaps.len() as u32).to_le_bytes());
        for heap in &self.heaps {
            body.extend_from_slice(&heap.to_le_bytes());
        }
        body.extend_from_slice(&(self.side_files.len() as u32).to_le_bytes());
        for (name, entry) in &self.side_files {
            push_str(&mut body, name);
            push_str(&mut body, &entry.file_name);
            body.extend_from_slice(&entry.len.to_le_bytes());
            body.extend_from_slice(&entry.crc.to_le_bytes());
            body.extend_from_slice(&entry.lsn.0.to_le_bytes());
        }
        body.extend_from_slice(&(self.page_maps.len() as u32).to_le_bytes());
        for (heap, map) in &self.page_maps {
            let bytes: Vec<u8> = map.iter().flat_map(|crc| crc.to_le_bytes()).collect();
            body.extend_from_slice(&heap.to_le_bytes());
            body.extend_from_slice(&(map.len() as u32).to_le_bytes());
            body.extend_from_slice(&crc32c::crc32c(&bytes).to_le_bytes());
            body.extend_from_slice(&bytes);
        }
        let mut out = Vec::with_capacity(HEADER + body.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&(body.len() as u32).to_le_bytes());
        out.extend_from_slice(&crc32c::crc32c(&body).to_le_bytes());
        out.extend_from_slice(&[0u8; 4]);
        out.extend_from_slice(&body);
        out
    }

    /// Parses a manifest read from `path`.
    pub fn decode(bytes: &[u8], path: &Path) -> Result<Manifest> {
        let bad = |reason: &str| Error::corrupt_file(path, reason.to_string());
        if bytes.len() < HEADER || &bytes[0..8] != MAGIC {
            return Err(bad("not a manifest (bad magic)"));
        }
        let word = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap_or_default());
        let version = word(8);
        if version == 1 || version == 2 {
            return Err(bad(
                "storage format 1 or 2 (rows without version stamps), written by an older vecsh: \
                 this build reads format 3; export the data with the older vecsh (COPY … TO) and \
                 load it again",
            ));
        }
        if version != FORMAT_VERSION {
            return Err(bad("unsupported manifest version"));
        }
        let body_len = word(12) as usize;
        let body = bytes
            .get(HEADER..HEADER + body_len)
            .ok_or_else(|| bad("manifest is truncated"))?;
        if crc32c::crc32c(body) != word(16) {
            return Err(bad("manifest checksum mismatch"));
        }
        Self::decode_body(body, version).ok_or_else(|| bad("malformed manifest body"))
    }

    fn decode_body(body: &[u8], version: u32) -> Option<Manifest> {
        let mut pos = 0usize;
        let mut take = |n: usize| -> Option<&[u8]> {
            let out = body.get(pos..pos + n)?;
            pos += n;
            Some(out)
        };
        let mut manifest = Manifest {
            checkpoint_lsn: Lsn(u64::from_le_bytes(take(8)?.try_into().ok()?)),
            next_seq: u64::from_le_bytes(take(8)?.try_into().ok()?),
            ..Manifest::default()
        };
        let n_heaps = u32::from_le_bytes(take(4)?.try_into().ok()?);
        for _ in 0..n_heaps {
            manifest
                .heaps
                .push(u32::from_le_bytes(take(4)?.try_into().ok()?));
        }
        let n_side = u32::from_le_bytes(take(4)?.try_into().ok()?);
        for _ in 0..n_side {
            let len = u16::from_le_bytes(take(2)?.try_into().ok()?) as usize;
            let name = String::from_utf8(take(len)?.to_vec()).ok()?;
            let len = u16::from_le_bytes(take(2)?.try_into().ok()?) as usize;
            let file_name = String::from_utf8(take(len)?.to_vec()).ok()?;
            let entry = SideFileEntry {
                file_name,
                len: u64::from_le_bytes(take(8)?.try_into().ok()?),
                crc: u32::from_le_bytes(take(4)?.try_into().ok()?),
                lsn: Lsn(u64::from_le_bytes(take(8)?.try_into().ok()?)),
            };
            manifest.side_files.insert(name, entry);
        }
        if version >= 3 {
            let n_maps = u32::from_le_bytes(take(4)?.try_into().ok()?);
            for _ in 0..n_maps {
                let heap = u32::from_le_bytes(take(4)?.try_into().ok()?);
                let n_pages = u32::from_le_bytes(take(4)?.try_into().ok()?) as usize;
                let crc = u32::from_le_bytes(take(4)?.try_into().ok()?);
                let bytes = take(n_pages.checked_mul(4)?)?;
                if crc32c::crc32c(bytes) != crc {
                    return None;
                }
                let map = bytes
                    .chunks_exact(4)
                    .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                    .collect();
                manifest.page_maps.insert(heap, map);
            }
        }
        Some(manifest)
    }

    /// Reads `dir/MANIFEST`; `Ok(None)` if there is none.
    pub fn load(backend: &dyn StorageBackend, dir: &Path) -> Result<Option<Manifest>> {
        let path = dir.join(MANIFEST);
        if !backend.exists(&path) {
            return Ok(None);
        }
        let file = backend
            .open(&path)
            .map_err(|e| Error::io(&path, "open", e))?;
        let len = file.size().map_err(|e| Error::io(&path, "stat", e))?;
        let mut bytes = Error::buffer(&path, len)?;
        file.read_exact_at(&mut bytes, 0)
            .map_err(|e| Error::io(&path, "read", e))?;
        Manifest::decode(&bytes, &path).map(Some)
    }

    /// Atomically replaces `dir/MANIFEST` with this manifest.
    pub fn store(&self, backend: &dyn StorageBackend, dir: &Path) -> Result<()> {
        let tmp = dir.join(MANIFEST_TMP);
        let path = dir.join(MANIFEST);
        write_file_atomically(backend, &tmp, &path, &self.encode())
    }
}

/// Writes `bytes` to `tmp`, fsyncs, renames over `path` and fsyncs the parent directory.
pub(crate) fn write_file_atomically(
    backend: &dyn StorageBackend,
    tmp: &Path,
    path: &Path,
    bytes: &[u8],
) -> Result<()> {
    let file = backend
        .create(tmp)
        .map_err(|e| Error::io(tmp, "create", e))?;
    file.set_len(0).map_err(|e| Error::io(tmp, "truncate", e))?;
    file.write_all_at(bytes, 0)
        .map_err(|e| Error::io(tmp, "write", e))?;
    file.sync_data().map_err(|e| Error::io(tmp, "fsync", e))?;
    drop(file);
    backend
        .rename(tmp, path)
        .map_err(|e| Error::io(path, "rename", e))?;
    let parent = path.parent().unwrap_or(Path::new("."));
    backend
        .sync_dir(parent)
        .map_err(|e| Error::io(parent, "fsync directory", e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file_io::OsBackend;

    #[test]
    fn round_trip_and_corruption() {
        let dir = tempfile::tempdir().unwrap();
        let mut manifest = Manifest {
            checkpoint_lsn: Lsn(1234),
            next_seq: 3,
            heaps: vec![1, 5],
            side_files: BTreeMap::new(),
            page_maps: BTreeMap::from([(1, vec![0x1234, 0, 7]), (5, Vec::new())]),
        };
        manifest.side_files.insert(
            "idx".into(),
            SideFileEntry {
                file_name: "idx.0000000000000002".into(),
                len: 10,
                crc: 99,
                lsn: Lsn(1000),
            },
        );
        manifest.store(&OsBackend, dir.path()).unwrap();
        let loaded = Manifest::load(&OsBackend, dir.path()).unwrap().unwrap();
        assert_eq!(loaded, manifest);
        let path = dir.path().join(MANIFEST);
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[30] ^= 0xff;
        std::fs::write(&path, &bytes).unwrap();
        let err = Manifest::load(&OsBackend, dir.path()).unwrap_err();
        assert!(matches!(err, Error::CorruptFile { .. }), "{err}");
        assert!(err.to_string().contains("MANIFEST"));
    }
}
