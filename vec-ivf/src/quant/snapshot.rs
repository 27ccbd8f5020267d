//! The quantized snapshot file, written by [`QuantizedIvf::save`] (or
//! [`QuantizedIvf::write_snapshot`]) and read back whole by [`QuantizedIvf::open`]. Unlike the IVFFlat file it is read into memory rather than mapped:
//! codes are a quarter of the rows or less, and reading them keeps the lists growable vectors.
//! Every byte is checksummed; a damaged or truncated file is an [`IvfError::Corrupted`].
//!
//! All integers little-endian; sections follow each other without padding.
//!
//! | offset | bytes | field |
//! |---|---|---|
//! | 0 | 8 | magic `VECSHIVQ` |
//! | 8 | 4 | format version, 1 |
//! | 12 | 1 | element kind |
//! | 13 | 1 | metric kind |
//! | 14 | 1 | quantizer: 1 scalar, 2 product |
//! | 15 | 1 | product: dimensions per subvector; scalar: 0 |
//! | 16 | 8 | dimensions |
//! | 24 | 8 | stride: elements per row |
//! | 32 | 8 | `lists` |
//! | 40 | 8 | number of deleted ids |
//! | 48 | 8 | file length in bytes |
//! | 56 | 8 | checksum of bytes 0..56 and 64..end |
//! | 64 | 8 | code bytes per row |
//! | 72 | 8 | product: centroid slots used per subspace; scalar: 0 |
//! | 80 | 8 × `lists` | rows per list |
//! | … | 8 × deleted | ids deleted but not yet vacuumed |
//! | … | 4 × values | scalar: `dimensions` minimums then steps; product: the transposed codebooks, `code bytes × subvector dimensions × 256` values |
//! | … | `lists` × stride × element size | centers |
//! | … per list | 8 × rows, then rows × code bytes | the list's row ids, then its codes |

use std::collections::HashSet;
use std::marker::PhantomData;
use std::path::Path;

use super::codec::Codec;
use super::ivf::{CodeList, QuantizedIvf};
use super::product::{ProductQuantizer, ProductRatio};
use super::scalar::ScalarQuantizer;
use crate::element::Element;
use crate::error::IvfError;
use crate::ivf::check_dimensions;
use crate::metric::Metric;
use crate::options::MAX_LISTS;
use crate::snapshot::{checksum, io_error};

const MAGIC: &[u8; 8] = b"VECSHIVQ";
const VERSION: u32 = 1;

fn push_words(bytes: &mut Vec<u8>, words: impl IntoIterator<Item = u64>) {
    for word in words {
        bytes.extend_from_slice(&word.to_le_bytes());
    }
}

/// Reads sections front to back; running past the end is corruption.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, len: Option<usize>) -> Option<&'a [u8]> {
        let end = self.at.checked_add(len?)?;
        let part = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(part)
    }

    fn words(&mut self, count: usize) -> Option<Vec<u64>> {
        let part = self.take(count.checked_mul(8))?;
        Some(
            part.chunks_exact(8)
                .map(|raw| u64::from_le_bytes(raw.try_into().unwrap_or([0; 8])))
                .collect(),
        )
    }

    fn values<T: bytemuck::Pod + Default>(&mut self, count: usize) -> Option<Vec<T>> {
        let part = self.take(count.checked_mul(std::mem::size_of::<T>()))?;
        let mut values = vec![T::default(); count];
        bytemuck::cast_slice_mut::<T, u8>(&mut values).copy_from_slice(part);
        Some(values)
    }
}

impl<E: Element, M: Metric<E>> QuantizedIvf<E, M> {
    /// Writes the index to `path` (replacing it) and syncs it to disk.
    pub fn save(&self, path: &Path) -> Result<(), IvfError> {
        let bytes = self.snapshot_bytes();
        let write = || -> std::io::Result<()> {
            let file = std::fs::File::create(path)?;
            std::io::Write::write_all(&mut &file, &bytes)?;
            file.sync_all()
        };
        write().map_err(|error| io_error(path, error))
    }

    /// Writes the index in the snapshot format to `writer` (what [`QuantizedIvf::save`]
    /// writes to its file), for callers that place snapshots themselves.
    pub fn write_snapshot(&self, writer: &mut dyn std::io::Write) -> std::io::Result<()> {
        writer.write_all(&self.snapshot_bytes())?;
        writer.flush()
    }

    /// The snapshot file's bytes.
    pub(crate) fn snapshot_bytes(&self) -> Vec<u8> {
        let mut deleted: Vec<u64> = self.deleted.iter().copied().collect();
        deleted.sort_unstable();
        let (kind, width, used, parameters): (u8, usize, usize, Vec<f32>) = match &self.codec {
            Codec::Scalar(quantizer) => {
                let (min, step) = quantizer.parts();
                (1, 0, 0, [min, step].concat())
            }
            Codec::Product(quantizer) => {
                let (_, ratio, used, codebooks) = quantizer.parts();
                (2, ratio.subvector_dimensions(), used, codebooks.to_vec())
            }
        };
        let mut bytes = Vec::new();
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&VERSION.to_le_bytes());
        bytes.extend_from_slice(&[E::KIND.code(), M::KIND.code(), kind, width as u8]);
        let header = [
            self.dimensions,
            self.stride,
            self.lists.len(),
            deleted.len(),
        ];
        push_words(&mut bytes, header.map(|value| value as u64));
        push_words(&mut bytes, [0, 0]); // File length and checksum, filled in below.
        push_words(&mut bytes, [self.codec.code_len() as u64, used as u64]);
        push_words(
            &mut bytes,
            self.lists.iter().map(|list| list.ids.len() as u64),
        );
        push_words(&mut bytes, deleted);
        bytes.extend_from_slice(bytemuck::cast_slice(&parameters));
        bytes.extend_from_slice(bytemuck::cast_slice(&self.centers));
        for list in &self.lists {
            push_words(&mut bytes, list.ids.iter().copied());
            bytes.extend_from_slice(&list.codes);
        }
        let file_len = bytes.len() as u64;
        bytes[48..56].copy_from_slice(&file_len.to_le_bytes());
        let sum = checksum(&[&bytes[..56], &bytes[64..]]);
        bytes[56..64].copy_from_slice(&sum.to_le_bytes());
        bytes
    }

    /// Opens a file written by [`QuantizedIvf::save`] for the same element type and metric.
    pub fn open(path: &Path) -> Result<Self, IvfError> {
        let bytes = std::fs::read(path).map_err(|error| io_error(path, error))?;
        Self::from_bytes(&bytes, path)
    }

    /// Reads a snapshot held in `bytes` (all of them); `path` names the file in errors.
    pub(crate) fn from_bytes(bytes: &[u8], path: &Path) -> Result<Self, IvfError> {
        let corrupted = |reason: &str| IvfError::Corrupted {
            path: path.to_path_buf(),
            reason: reason.to_string(),
        };
        if bytes.len() < 80 || &bytes[0..8] != MAGIC {
            return Err(corrupted("not a quantized ivf snapshot"));
        }
        if bytes[8..12] != VERSION.to_le_bytes() {
            return Err(corrupted("unknown format version"));
        }
        if bytes[12] != E::KIND.code() || bytes[13] != M::KIND.code() {
            return Err(corrupted("element type or metric differs"));
        }
        let mut reader = Reader { bytes, at: 16 };
        let header = reader.words(8).unwrap_or_default();
        let word = |idx: usize| usize::try_from(header[idx]).unwrap_or(usize::MAX);
        let (dimensions, stride, n_lists, n_deleted) = (word(0), word(1), word(2), word(3));
        if word(4) != bytes.len() {
            return Err(corrupted(
                "file length differs from its header (truncated?)",
            ));
        }
        if header[5] != checksum(&[&bytes[..56], &bytes[64..]]) {
            return Err(corrupted("checksum mismatch"));
        }
        check_dimensions::<E, M>(dimensions).map_err(|_| corrupted("bad dimensions"))?;
        if stride != E::stride(dimensions) || n_lists == 0 || n_lists > MAX_LISTS as usize {
            return Err(corrupted("bad stride or list count"));
        }
        let (code_len, used) = (word(6), word(7));
        let counts = reader
            .words(n_lists)
            .ok_or_else(|| corrupted("directory out of bounds"))?;
        let deleted: HashSet<u64> = reader
            .words(n_deleted)
            .ok_or_else(|| corrupted("directory out of bounds"))?
            .into_iter()
            .collect();
        let codec = match (bytes[14], bytes[15]) {
            (1, 0) if code_len == dimensions => {
                let values = reader.values::<f32>(2 * dimensions);
                let mut min = values.ok_or_else(|| corrupted("quantizer out of bounds"))?;
                let step = min.split_off(dimensions);
                Codec::Scalar(ScalarQuantizer::from_parts(min, step))
            }
            (2, width) => {
                let ratio = ProductRatio::ALL
                    .into_iter()
                    .find(|ratio| ratio.subvector_dimensions() == width as usize)
                    .ok_or_else(|| corrupted("unknown product ratio"))?;
                let values = (code_len == ratio.code_bytes(dimensions))
                    .then(|| reader.values::<f32>(code_len * width as usize * 256))
                    .flatten()
                    .ok_or_else(|| corrupted("quantizer out of bounds"))?;
                let quantizer = ProductQuantizer::from_parts(dimensions, ratio, used, values)
                    .ok_or_else(|| corrupted("bad product quantizer"))?;
                Codec::Product(quantizer)
            }
            _ => return Err(corrupted("unknown quantizer")),
        };
        let centers = reader
            .values::<E>(n_lists * stride)
            .ok_or_else(|| corrupted("centers out of bounds"))?;
        let mut lists = Vec::with_capacity(n_lists);
        for count in counts {
            let n_rows = usize::try_from(count).unwrap_or(usize::MAX);
            let ids = reader.words(n_rows);
            let codes = reader
                .take(n_rows.checked_mul(code_len))
                .map(<[u8]>::to_vec);
            let (Some(ids), Some(codes)) = (ids, codes) else {
                return Err(corrupted("list out of bounds"));
            };
            lists.push(CodeList { ids, codes });
        }
        if reader.at != bytes.len() {
            return Err(corrupted("trailing bytes"));
        }
        Ok(QuantizedIvf {
            dimensions,
            stride,
            centers,
            codec,
            lists,
            deleted,
            metric: PhantomData,
        })
    }
}
