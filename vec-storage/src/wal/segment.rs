//! WAL segment files. A segment is named after the LSN of its first byte,
//! `wal/<start lsn as 16 hex digits>.wal`; LSNs are byte positions in the endless log, and a
//! segment covers `[start, start + length)`. Records never cross a segment: when the next
//! batch does not fit, the writer ends the segment with a switch record and the next segment
//! starts at the switch record's end. Segment header:
//!
//! | offset | size | field                          |
//! |-------:|-----:|--------------------------------|
//! | 0      | 8    | magic `VECSHWAL`               |
//! | 8      | 4    | format version (1)             |
//! | 12     | 4    | reserved, zero                 |
//! | 16     | 8    | start LSN                      |
//! | 24     | 4    | CRC32C of bytes 0..24          |
//! | 28     | 4    | reserved, zero                 |

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::file_io::StorageBackend;

/// Size of the segment header; the first record of a segment starts this far in.
pub const SEGMENT_HEADER_SIZE: usize = 32;
const MAGIC: &[u8; 8] = b"VECSHWAL";

/// The file name of the segment starting at `start`.
pub fn segment_path(dir: &Path, start: u64) -> PathBuf {
    dir.join(format!("{start:016x}.wal"))
}

/// Appends a segment header for `start` to `out`.
pub(crate) fn encode_header(out: &mut Vec<u8>, start: u64) {
    let begin = out.len();
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&1u32.to_le_bytes());
    out.extend_from_slice(&[0u8; 4]);
    out.extend_from_slice(&start.to_le_bytes());
    let crc = crc32c::crc32c(&out[begin..begin + 24]);
    out.extend_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(&[0u8; 4]);
}

/// Whether `bytes` start with a valid header for a segment at `start`.
pub(crate) fn header_is_valid(bytes: &[u8], start: u64) -> bool {
    if bytes.len() < SEGMENT_HEADER_SIZE || &bytes[0..8] != MAGIC {
        return false;
    }
    let stored = u32::from_le_bytes(bytes[24..28].try_into().unwrap_or_default());
    let named = u64::from_le_bytes(bytes[16..24].try_into().unwrap_or_default());
    stored == crc32c::crc32c(&bytes[0..24]) && named == start
}

/// Start LSNs of the segments in `dir`, ascending. Files that do not look like segments are
/// ignored.
pub fn list_segments(backend: &dyn StorageBackend, dir: &Path) -> Result<Vec<u64>> {
    let entries = backend
        .read_dir(dir)
        .map_err(|e| Error::io(dir, "read directory", e))?;
    let mut starts: Vec<u64> = entries
        .iter()
        .filter_map(|path| {
            let name = path.file_name()?.to_str()?;
            let hex = name.strip_suffix(".wal")?;
            if hex.len() != 16 {
                return None;
            }
            u64::from_str_radix(hex, 16).ok()
        })
        .collect();
    starts.sort_unstable();
    Ok(starts)
}

/// Reads a whole segment file into memory.
pub(crate) fn read_segment(backend: &dyn StorageBackend, path: &Path) -> Result<Vec<u8>> {
    let file = backend.open(path).map_err(|e| Error::io(path, "open", e))?;
    let len = file.size().map_err(|e| Error::io(path, "stat", e))?;
    let mut bytes = Error::buffer(path, len)?;
    file.read_exact_at(&mut bytes, 0)
        .map_err(|e| Error::io(path, "read", e))?;
    Ok(bytes)
}
