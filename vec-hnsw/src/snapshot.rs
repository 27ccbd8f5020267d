//! Snapshot files: an index written so that reopening it maps the file instead of
//! rebuilding. The vectors and the layer-0 neighbour lists (almost all of the bytes) are
//! read in place through `memmap2` when first touched; the small tables are read and
//! checked when the file is opened. Inserts after reopening go to owned memory: new vectors
//! to an overlay, and layer 0 is copied out of the map on the first write (copy-on-write).
//!
//! # Format (all integers little-endian)
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 8 | magic `VSHNSW\0\x01` |
//! | 8 | 4 | format version: 2 (this crate reads 1 and 2) |
//! | 12 | 1 | vector kind (0 `f32`, 1 `f16`, 2 bits, 3 sparse) |
//! | 13 | 1 | metric (0 L2, 1 inner product, 2 cosine, 3 L1, 4 Hamming, 5 Jaccard) |
//! | 14 | 1 | keep pruned connections (0 or 1) |
//! | 15 | 1 | quantization (0 none, 1 SQ8, 2 RaBitQ); 0 in version 1 |
//! | 16 | 8 | dimensions |
//! | 24 | 8 | `m` |
//! | 32 | 8 | `ef_construction` |
//! | 40 | 8 | seed |
//! | 48 | 8 | slots `n` |
//! | 56 | 8 | entry point: level << 32 \| slot, or all ones when empty |
//! | 64 | 8 | indexed rows |
//! | 72 | 8 | number of sections `s` |
//! | 80 | 8 | FNV-1a 64 checksum of bytes 0..80 and (version 2) 88..128, the section table and every section except layer 0, the codes and the vectors |
//! | 88 | 8 | elements the quantizer was trained on (version 2; 0 when unquantized) |
//! | 96 | 32 | reserved, 0 |
//! | 128 | 16·`s` | section table: offset and length of each section |
//!
//! Each section starts at a multiple of 64 bytes. Sections, in order:
//!
//! | # | contents |
//! |---|---|
//! | 0 | layer 0: `n` × (`1 + 2m`) u32, a count then the neighbour slots |
//! | 1 | levels: `n` × u8 |
//! | 2 | upper-arena start of each slot: `n` × u32 (all ones for level 0) |
//! | 3 | upper arena: blocks of `1 + m` u32, a count then the neighbour slots |
//! | 4 | first row id of each slot: `n` × u64 |
//! | 5 | flags of each slot: `n` × u8 (1 free, 2 more rows) |
//! | 6 | more rows: u64 words, per element: slot, count, then the row ids |
//! | 7 | free slots: u32 each |
//! | 8 | deleted rows not yet vacuumed: u64 each |
//! | 9 | (version 2) the calibration: `vec_index::Calibration::to_bytes`, empty when there is none |
//! | 10, 11 | (version 2, quantized only) the quantizer's parameters (SQ8: `min` then `step`, `f32` per dimension; RaBitQ: the rotation's seed, u64, then the centroid, `f32` per dimension) and the codes, `n` × stride bytes |
//! | then | the vector store's sections: for dense kinds one, the rows of `n` vectors (of a quantized index: the full vectors it re-ranks with, read in place from the file); for sparse four (u64 starts, u32 lengths, u32 indices, f32 values) |

use crate::error::HnswError;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The magic bytes at the start of a snapshot.
pub const MAGIC: [u8; 8] = *b"VSHNSW\0\x01";
/// The format version this crate writes and reads.
pub const VERSION: u32 = 2;
/// Bytes before the section table.
pub(crate) const HEADER: usize = 128;
/// Sections before the vector store's.
pub(crate) const GRAPH_SECTIONS: usize = 9;

/// A read-only memory map of a snapshot file, shared by the parts of an index that read
/// from it in place.
#[derive(Clone)]
pub struct MappedFile {
    map: Arc<memmap2::Mmap>,
    path: Arc<PathBuf>,
}

impl MappedFile {
    /// Maps `path` read-only.
    pub fn open(path: &Path) -> Result<Self, HnswError> {
        let io = |source| HnswError::Io {
            path: path.to_path_buf(),
            source,
        };
        let file = std::fs::File::open(path).map_err(io)?;
        // SAFETY: the map is read-only and snapshot files are never modified in place: they
        // are written whole, then renamed over the old one, so the mapped bytes cannot change
        // under us. Every length and offset read from them is checked before use.
        let map = unsafe { memmap2::Mmap::map(&file) }.map_err(io)?;
        // A search reads a few thousand scattered rows. Without this hint a kernel whose
        // page cache holds the file in large folios (as after the checksum pass reads it
        // whole) may map a 2 MB block per fault: one KNN query over a 168 MB snapshot then
        // counted 162 MB of it in the process's resident memory, against 54 MB with it.
        // Only a hint: the map works the same without it.
        let _ = map.advise(memmap2::Advice::NoHugePage);
        Ok(MappedFile {
            map: Arc::new(map),
            path: Arc::new(path.to_path_buf()),
        })
    }

    /// The file's bytes.
    #[inline]
    pub fn bytes(&self) -> &[u8] {
        &self.map
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// FNV-1a, 64 bits: a checksum that needs no tables and no dependency.
#[derive(Clone, Copy)]
pub(crate) struct Fnv(u64);

impl Fnv {
    pub(crate) fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    pub(crate) fn update(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0 ^ byte as u64).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    pub(crate) fn finish(self) -> u64 {
        self.0
    }
}

/// Rounds `offset` up to the next multiple of 64.
pub(crate) fn align64(offset: usize) -> usize {
    offset.div_ceil(64) * 64
}

/// Reads a little-endian u64 at `at`, or 0 past the end (callers check lengths first).
pub(crate) fn read_u64(bytes: &[u8], at: usize) -> u64 {
    bytes
        .get(at..at + 8)
        .and_then(|b| b.try_into().ok())
        .map_or(0, u64::from_le_bytes)
}

/// Decodes little-endian u32 words.
pub(crate) fn u32s(bytes: &[u8]) -> Vec<u32> {
    bytes
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

/// Decodes little-endian u64 words.
pub(crate) fn u64s(bytes: &[u8]) -> Vec<u64> {
    bytes
        .chunks_exact(8)
        .map(|c| u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
        .collect()
}
