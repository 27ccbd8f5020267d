//! [`ExactIndex`]: a brute-force L2 index over `vector` values, the reference that
//! approximate indexes are measured against and the simplest complete implementation of
//! [`VectorIndex`], snapshot included.

use std::collections::HashSet;
use std::io::{Read, Write};

use crate::build::{BuildHooks, Built, PhaseProgress};
use crate::error::IndexError;
use crate::index::VectorIndex;
use crate::scan::{Cursor, ExactDistance, Hit, ScanOptions};
use crate::vector::VectorRef;

use super::l2;

const MAGIC: &[u8; 8] = b"VECIXEXA";

/// A brute-force index of `vector` values under L2: every scan measures every row.
///
/// # Snapshot format
///
/// All integers little-endian.
///
/// | bytes | field |
/// |---|---|
/// | 8 | magic `VECIXEXA` |
/// | 8 | dimensions |
/// | 8 | rows `n` |
/// | `n` × (8 + 4 × dimensions) | each row: its id, then its values |
/// | 8 | deleted ids `m` |
/// | 8 × `m` | ids deleted but not yet vacuumed |
/// | 8 | checksum (FNV-1a) of everything before it |
#[derive(Clone, Debug, Default)]
pub struct ExactIndex {
    dimensions: usize,
    rows: Vec<(u64, Vec<f32>)>,
    deleted: HashSet<u64>,
}

impl ExactIndex {
    /// An empty index of `dimensions` dimensions (at least one).
    pub fn new(dimensions: usize) -> Result<ExactIndex, IndexError> {
        if dimensions == 0 {
            return Err(IndexError::new("22023", "column does not have dimensions"));
        }
        Ok(ExactIndex {
            dimensions,
            ..ExactIndex::default()
        })
    }

    /// Builds from `(row id, value)` pairs, reporting the phase `"loading tuples"` and
    /// stopping with [`IndexError::cancelled`] when `hooks` asks.
    pub fn build(
        dimensions: usize,
        rows: &[(u64, VectorRef<'_>)],
        hooks: &BuildHooks<'_>,
    ) -> Result<Built, IndexError> {
        let mut index = ExactIndex::new(dimensions)?;
        let phase = PhaseProgress::start(*hooks, "loading tuples", "tuples", rows.len() as u64);
        for (done, (row_id, vector)) in rows.iter().enumerate() {
            if hooks.stopped() {
                return Err(IndexError::cancelled());
            }
            index.insert(*row_id, *vector)?;
            phase.report(done as u64 + 1);
        }
        phase.finish();
        Ok(Built {
            index: Box::new(index),
            notices: Vec::new(),
        })
    }

    /// The `k` nearest live rows to `query`, nearest first (ties by row id).
    pub fn nearest(&self, query: &[f32], k: usize) -> Vec<Hit> {
        let mut hits = self.ranked(query);
        hits.truncate(k);
        hits
    }

    fn ranked(&self, query: &[f32]) -> Vec<Hit> {
        let mut hits: Vec<Hit> = self
            .rows
            .iter()
            .filter(|(row_id, _)| !self.deleted.contains(row_id))
            .map(|(row_id, values)| Hit {
                row_id: *row_id,
                distance: l2(query, values) as f32,
            })
            .collect();
        hits.sort_by(|a, b| {
            a.distance
                .total_cmp(&b.distance)
                .then(a.row_id.cmp(&b.row_id))
        });
        hits
    }

    fn view<'v>(&self, vector: VectorRef<'v>) -> Result<&'v [f32], IndexError> {
        let VectorRef::F32(values) = vector else {
            return Err(IndexError::wrong_type());
        };
        if values.len() != self.dimensions {
            return Err(IndexError::new(
                "22000",
                format!(
                    "expected {} dimensions, not {}",
                    self.dimensions,
                    values.len()
                ),
            ));
        }
        Ok(values)
    }

    /// Reads a snapshot written by [`VectorIndex::write_snapshot`]; a damaged or truncated
    /// one is an [`IndexError::corrupt`] error.
    pub fn read_snapshot(reader: &mut dyn Read) -> Result<ExactIndex, IndexError> {
        let mut bytes = Vec::new();
        reader
            .read_to_end(&mut bytes)
            .map_err(IndexError::corrupt)?;
        ExactIndex::parse(&bytes).ok_or_else(|| IndexError::corrupt("not an exact index"))
    }

    fn parse(bytes: &[u8]) -> Option<ExactIndex> {
        let body_len = bytes.len().checked_sub(8)?;
        let (body, sum) = bytes.split_at(body_len);
        if body.get(..8)? != MAGIC || u64::from_le_bytes(sum.try_into().ok()?) != fnv(body) {
            return None;
        }
        let mut reader = Reader { bytes: body, at: 8 };
        let dimensions = usize::try_from(reader.u64()?).ok()?;
        let n_rows = reader.u64()?;
        let mut index = ExactIndex::new(dimensions).ok()?;
        for _ in 0..n_rows {
            let row_id = reader.u64()?;
            let values = reader.take(dimensions.checked_mul(4)?)?;
            let values = values
                .chunks_exact(4)
                .map(|raw| f32::from_le_bytes([raw[0], raw[1], raw[2], raw[3]]))
                .collect();
            index.rows.push((row_id, values));
        }
        for _ in 0..reader.u64()? {
            index.deleted.insert(reader.u64()?);
        }
        (reader.at == body.len()).then_some(index)
    }
}

/// Reads a snapshot front to back; running past the end gives `None`.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, len: usize) -> Option<&'a [u8]> {
        let part = self.bytes.get(self.at..self.at.checked_add(len)?)?;
        self.at += len;
        Some(part)
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

impl VectorIndex for ExactIndex {
    fn dimensions(&self) -> usize {
        self.dimensions
    }

    fn len(&self) -> usize {
        self.rows
            .iter()
            .filter(|(row_id, _)| !self.deleted.contains(row_id))
            .count()
    }

    fn check(&self, vector: VectorRef<'_>) -> Result<(), IndexError> {
        self.view(vector).map(|_| ())
    }

    fn insert(&mut self, row_id: u64, vector: VectorRef<'_>) -> Result<(), IndexError> {
        let values = self.view(vector)?;
        self.rows.push((row_id, values.to_vec()));
        Ok(())
    }

    fn delete(&mut self, row_id: u64) {
        self.deleted.insert(row_id);
    }

    fn vacuum(&mut self) -> usize {
        let before = self.rows.len();
        let deleted = std::mem::take(&mut self.deleted);
        self.rows.retain(|(row_id, _)| !deleted.contains(row_id));
        before - self.rows.len()
    }

    fn scan<'a>(
        &'a self,
        query: VectorRef<'_>,
        _options: &ScanOptions,
        _exact: Option<ExactDistance<'a>>,
    ) -> Result<Cursor<'a>, IndexError> {
        let query = self.view(query)?;
        Ok(Box::new(self.ranked(query).into_iter()))
    }

    fn write_snapshot(&self, writer: &mut dyn Write) -> std::io::Result<()> {
        let put = |bytes: &mut Vec<u8>, value: u64| bytes.extend_from_slice(&value.to_le_bytes());
        let mut bytes = MAGIC.to_vec();
        put(&mut bytes, self.dimensions as u64);
        put(&mut bytes, self.rows.len() as u64);
        for (row_id, values) in &self.rows {
            put(&mut bytes, *row_id);
            for value in values {
                bytes.extend_from_slice(&value.to_le_bytes());
            }
        }
        let mut deleted: Vec<u64> = self.deleted.iter().copied().collect();
        deleted.sort_unstable();
        put(&mut bytes, deleted.len() as u64);
        for row_id in deleted {
            put(&mut bytes, row_id);
        }
        let sum = fnv(&bytes);
        bytes.extend_from_slice(&sum.to_le_bytes());
        writer.write_all(&bytes)
    }

    fn memory_bytes(&self) -> usize {
        self.rows.capacity() * std::mem::size_of::<(u64, Vec<f32>)>()
            + self.rows.len() * self.dimensions * 4
            + self.deleted.capacity() * 16
    }
}
