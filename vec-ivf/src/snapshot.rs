//! The IVFFlat snapshot file: written by [`IvfIndex::save`], opened by [`IvfIndex::open`]
//! through `memmap2` without rebuilding or copying: every list's ids and rows are contiguous
//! and 64-byte aligned in the file, and the opened index scans them in place. The byte table
//! is in [`IvfIndex`]'s documentation.

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::marker::PhantomData;
use std::path::Path;
use std::sync::Arc;

use memmap2::Mmap;

use crate::element::Element;
use crate::error::IvfError;
use crate::ivf::{check_dimensions, IvfIndex, List};
use crate::metric::Metric;
use crate::options::MAX_LISTS;
use crate::store::Store;

const MAGIC: &[u8; 8] = b"VECSHIVF";
const VERSION: u32 = 2;
const HEADER_BYTES: usize = 64;
const DIRECTORY_ENTRY_BYTES: usize = 24;
const ALIGN: usize = 64;

fn align_up(offset: usize) -> usize {
    offset.div_ceil(ALIGN) * ALIGN
}

/// A 64-bit checksum over 8-byte words (a multiply-xorshift mix; detects torn and flipped
/// data, not an adversary).
pub(crate) fn checksum(parts: &[&[u8]]) -> u64 {
    let mut hash = 0x243F_6A88_85A3_08D3u64;
    for part in parts {
        let mut words = part.chunks_exact(8);
        for word in &mut words {
            let value = u64::from_le_bytes(word.try_into().unwrap_or([0; 8]));
            hash = (hash ^ value)
                .wrapping_mul(0x9E37_79B9_7F4A_7C15)
                .rotate_left(29);
        }
        for &byte in words.remainder() {
            hash = (hash ^ byte as u64)
                .wrapping_mul(0x9E37_79B9_7F4A_7C15)
                .rotate_left(29);
        }
    }
    hash
}

pub(crate) fn io_error(path: &Path, error: std::io::Error) -> IvfError {
    IvfError::Io {
        path: path.to_path_buf(),
        message: error.to_string(),
    }
}

impl<E: Element, M: Metric<E>> IvfIndex<E, M> {
    /// Writes the index to `path` (replacing it) and syncs it to disk. Rows deleted but not
    /// vacuumed are written with their ids in the deleted set.
    pub fn save(&self, path: &Path) -> Result<(), IvfError> {
        let bytes = self.snapshot_bytes();
        let file = File::create(path).map_err(|error| io_error(path, error))?;
        let mut writer = BufWriter::new(file);
        writer
            .write_all(&bytes)
            .map_err(|error| io_error(path, error))?;
        let file = writer
            .into_inner()
            .map_err(|error| io_error(path, error.into_error()))?;
        file.sync_all().map_err(|error| io_error(path, error))
    }

    /// Writes the index in the snapshot format to `writer` (what [`IvfIndex::save`]
    /// writes to its file), for callers that place snapshots themselves.
    pub fn write_snapshot(&self, writer: &mut dyn Write) -> std::io::Result<()> {
        writer.write_all(&self.snapshot_bytes())?;
        writer.flush()
    }

    pub(crate) fn snapshot_bytes(&self) -> Vec<u8> {
        let element_bytes = std::mem::size_of::<E>();
        let n_lists = self.lists.len();
        let mut deleted: Vec<u64> = self.deleted.iter().copied().collect();
        deleted.sort_unstable();

        // Lay out the sections first, then fill them.
        let directory_end = HEADER_BYTES + n_lists * DIRECTORY_ENTRY_BYTES;
        let centers_offset = align_up(directory_end + deleted.len() * 8);
        let mut offset = align_up(centers_offset + self.centers.as_slice().len() * element_bytes);
        let mut directory = Vec::with_capacity(n_lists);
        for list in &self.lists {
            let n_rows = list.ids.as_slice().len();
            let ids_offset = offset;
            let rows_offset = align_up(ids_offset + n_rows * 8);
            offset = align_up(rows_offset + n_rows * self.stride * element_bytes);
            directory.push((ids_offset, n_rows, rows_offset));
        }
        let calibration = self
            .calibration
            .as_ref()
            .map(vec_index::Calibration::to_bytes)
            .unwrap_or_default();
        // A calibration is a few hundred bytes; one that does not fit the 16-bit length is
        // left out (the index is then calibrated again by `ANALYZE`).
        let calibration = if calibration.len() <= usize::from(u16::MAX) {
            calibration
        } else {
            Vec::new()
        };
        let calibration_offset = offset;
        let file_len = offset + calibration.len();

        let mut bytes = vec![0u8; file_len];
        bytes[0..8].copy_from_slice(MAGIC);
        bytes[8..12].copy_from_slice(&VERSION.to_le_bytes());
        bytes[12] = E::KIND.code();
        bytes[13] = M::KIND.code();
        bytes[14..16].copy_from_slice(&(calibration.len() as u16).to_le_bytes());
        bytes[calibration_offset..].copy_from_slice(&calibration);
        for (field_idx, value) in [
            self.dimensions,
            self.stride,
            n_lists,
            deleted.len(),
            file_len,
        ]
        .into_iter()
        .enumerate()
        {
            let start = 16 + field_idx * 8;
            bytes[start..start + 8].copy_from_slice(&(value as u64).to_le_bytes());
        }
        for (list_idx, &(ids_offset, n_rows, rows_offset)) in directory.iter().enumerate() {
            let start = HEADER_BYTES + list_idx * DIRECTORY_ENTRY_BYTES;
            for (field_idx, value) in [ids_offset, n_rows, rows_offset].into_iter().enumerate() {
                let at = start + field_idx * 8;
                bytes[at..at + 8].copy_from_slice(&(value as u64).to_le_bytes());
            }
        }
        bytes[directory_end..directory_end + deleted.len() * 8]
            .copy_from_slice(bytemuck::cast_slice(&deleted));
        let centers: &[u8] = bytemuck::cast_slice(self.centers.as_slice());
        bytes[centers_offset..centers_offset + centers.len()].copy_from_slice(centers);
        for (list, &(ids_offset, n_rows, rows_offset)) in self.lists.iter().zip(&directory) {
            bytes[ids_offset..ids_offset + n_rows * 8]
                .copy_from_slice(bytemuck::cast_slice(list.ids.as_slice()));
            let rows: &[u8] = bytemuck::cast_slice(list.rows.as_slice());
            bytes[rows_offset..rows_offset + rows.len()].copy_from_slice(rows);
        }
        let sum = checksum(&[&bytes[..56], &bytes[HEADER_BYTES..]]);
        bytes[56..64].copy_from_slice(&sum.to_le_bytes());
        bytes
    }

    /// Opens a snapshot written by [`IvfIndex::save`] for the same element type and metric.
    /// The lists are read in place from the map; the first write to a list copies it. Every
    /// byte is checksummed on open; a damaged or truncated file is an
    /// [`IvfError::Corrupted`], never a panic.
    pub fn open(path: &Path) -> Result<Self, IvfError> {
        let file = File::open(path).map_err(|error| io_error(path, error))?;
        // SAFETY: the map is read-only and the index treats the file as immutable; the engine
        // writes every new snapshot to a new file and renames it into place, so a mapped file
        // is never written while it is open.
        let map = unsafe { Mmap::map(&file) }.map_err(|error| io_error(path, error))?;
        Self::from_map(Arc::new(map), 0, path)
    }

    /// Reads a snapshot that fills `map` from byte `base` (a multiple of 64) to its end;
    /// the lists stay in the map. `path` names the file in errors.
    pub(crate) fn from_map(map: Arc<Mmap>, base: usize, path: &Path) -> Result<Self, IvfError> {
        let corrupted = |reason: &str| IvfError::Corrupted {
            path: path.to_path_buf(),
            reason: reason.to_string(),
        };
        if !base.is_multiple_of(ALIGN) {
            return Err(corrupted("snapshot does not start on a 64-byte boundary"));
        }
        let Some(bytes) = map.get(base..) else {
            return Err(corrupted("not an ivfflat snapshot"));
        };
        if bytes.len() < HEADER_BYTES || &bytes[0..8] != MAGIC {
            return Err(corrupted("not an ivfflat snapshot"));
        }
        let word = |at: usize| -> usize {
            let mut raw = [0u8; 8];
            raw.copy_from_slice(&bytes[at..at + 8]);
            usize::try_from(u64::from_le_bytes(raw)).unwrap_or(usize::MAX)
        };
        let mut version = [0u8; 4];
        version.copy_from_slice(&bytes[8..12]);
        let version = u32::from_le_bytes(version);
        if !(1..=VERSION).contains(&version) {
            return Err(corrupted("unknown format version"));
        }
        let calibration_len = usize::from(u16::from_le_bytes([bytes[14], bytes[15]]));
        if version == 1 && calibration_len != 0 {
            return Err(corrupted("unknown format version"));
        }
        if bytes[12] != E::KIND.code() || bytes[13] != M::KIND.code() {
            return Err(corrupted("element type or metric differs"));
        }
        let (dimensions, stride, n_lists, n_deleted, file_len) =
            (word(16), word(24), word(32), word(40), word(48));
        if file_len != bytes.len() {
            return Err(corrupted(
                "file length differs from its header (truncated?)",
            ));
        }
        if word(56) as u64 != checksum(&[&bytes[..56], &bytes[HEADER_BYTES..]]) {
            return Err(corrupted("checksum mismatch"));
        }
        let Some(sections_end) = file_len.checked_sub(calibration_len) else {
            return Err(corrupted("calibration out of bounds"));
        };
        let calibration = vec_index::Calibration::from_bytes(&bytes[sections_end..file_len])
            .map_err(|reason| corrupted(&reason))?;
        check_dimensions::<E, M>(dimensions).map_err(|_| corrupted("bad dimensions"))?;
        if stride != E::stride(dimensions) || n_lists == 0 || n_lists > MAX_LISTS as usize {
            return Err(corrupted("bad stride or list count"));
        }

        let element_bytes = std::mem::size_of::<E>();
        let directory_end = HEADER_BYTES + n_lists * DIRECTORY_ENTRY_BYTES;
        let deleted_end = n_deleted
            .checked_mul(8)
            .and_then(|len| len.checked_add(directory_end));
        let Some(deleted_end) = deleted_end.filter(|&end| end <= bytes.len()) else {
            return Err(corrupted("directory out of bounds"));
        };
        let deleted: HashSet<u64> = bytes[directory_end..deleted_end]
            .chunks_exact(8)
            .map(|raw| u64::from_le_bytes(raw.try_into().unwrap_or([0; 8])))
            .collect();
        let section = |offset: usize, len: usize, size: usize| -> Result<(), IvfError> {
            let end = len
                .checked_mul(size)
                .and_then(|bytes_len| bytes_len.checked_add(offset));
            match end {
                Some(end) if end <= sections_end && offset % ALIGN == 0 => Ok(()),
                _ => Err(corrupted("section out of bounds")),
            }
        };
        let centers_offset = align_up(deleted_end);
        section(centers_offset, n_lists * stride, element_bytes)?;
        let centers = Store::Mapped {
            map: Arc::clone(&map),
            byte_offset: base + centers_offset,
            len: n_lists * stride,
        };
        let mut lists = Vec::with_capacity(n_lists);
        for list_idx in 0..n_lists {
            let entry = HEADER_BYTES + list_idx * DIRECTORY_ENTRY_BYTES;
            let (ids_offset, n_rows, rows_offset) =
                (word(entry), word(entry + 8), word(entry + 16));
            section(ids_offset, n_rows, 8)?;
            section(rows_offset, n_rows.saturating_mul(stride), element_bytes)?;
            lists.push(List {
                ids: Store::Mapped {
                    map: Arc::clone(&map),
                    byte_offset: base + ids_offset,
                    len: n_rows,
                },
                rows: Store::Mapped {
                    map: Arc::clone(&map),
                    byte_offset: base + rows_offset,
                    len: n_rows * stride,
                },
            });
        }
        Ok(IvfIndex {
            dimensions,
            stride,
            centers,
            lists,
            deleted,
            calibration,
            metric: PhantomData,
        })
    }
}
