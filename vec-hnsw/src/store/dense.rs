//! Dense vectors (`f32`, `f16`, packed bits) in one contiguous, cache-line-aligned array
//! with a fixed row length. Rows opened from a snapshot are read in place from the memory
//! map; rows added afterwards go to an owned overlay, and the first overwrite of a mapped
//! row copies the mapped rows into owned memory (copy-on-write).

use super::aligned::AlignedVec;
use super::VectorStore;
use crate::error::HnswError;
use crate::prefetch::prefetch_slice;
use crate::snapshot::MappedFile;
use vec_types::f16;

/// An element type of a dense store.
pub trait DenseElement: bytemuck::Pod + PartialEq + Send + Sync + 'static {
    /// The kind's number in the snapshot header.
    const KIND: u8;
    /// The most dimensions an HNSW index accepts (pgvector: 2,000 for `vector`, 4,000 for
    /// `halfvec`, 64,000 for `bit`).
    const MAX_DIMENSIONS: usize;
    /// Elements per row for `dimensions` dimensions.
    fn row_len(dimensions: usize) -> usize {
        dimensions
    }
    /// Writes `values` as `f32`s into `out`; false for bits.
    fn widen(values: &[Self], out: &mut Vec<f32>) -> bool;
}

/// 16,000 dimensions, the most a `vector` or `halfvec` value has (pgvector's HNSW stops at
/// 2,000 and 4,000, what fits on its 8 KiB pages).
pub const MAX_VECTOR_DIMENSIONS: usize = 16_000;

impl DenseElement for f32 {
    const KIND: u8 = 0;
    const MAX_DIMENSIONS: usize = MAX_VECTOR_DIMENSIONS;
    fn widen(values: &[f32], out: &mut Vec<f32>) -> bool {
        out.clear();
        out.extend_from_slice(values);
        true
    }
}

impl DenseElement for f16 {
    const KIND: u8 = 1;
    const MAX_DIMENSIONS: usize = MAX_VECTOR_DIMENSIONS;
    fn widen(values: &[f16], out: &mut Vec<f32>) -> bool {
        out.clear();
        out.extend(values.iter().map(|v| v.to_f32()));
        true
    }
}

/// Bit vectors: eight dimensions per byte, most significant bit first.
impl DenseElement for u8 {
    const KIND: u8 = 2;
    const MAX_DIMENSIONS: usize = 64000;
    fn row_len(dimensions: usize) -> usize {
        dimensions.div_ceil(8)
    }
    fn widen(_: &[u8], _: &mut Vec<f32>) -> bool {
        false
    }
}

/// Rows read in place from a snapshot.
struct MappedRows {
    file: MappedFile,
    start: usize,
}

/// Dense vectors of one row length.
pub struct DenseStore<E: DenseElement> {
    dimensions: usize,
    row_len: usize,
    mapped: Option<MappedRows>,
    n_mapped: usize,
    owned: AlignedVec<E>,
    /// Where rows go once [`VectorStore::spill`] moved them to disk.
    spill_dir: Option<std::path::PathBuf>,
}

impl<E: DenseElement> DenseStore<E> {
    fn row_bytes(&self) -> usize {
        self.row_len * std::mem::size_of::<E>()
    }

    /// Moves the mapped rows into owned memory, so that any row may be overwritten.
    /// When memory runs out the store stays as it was (still mapped) and the error holds
    /// the bytes asked for.
    fn materialize(&mut self) -> Result<(), usize> {
        let Some(mapped) = &self.mapped else {
            return Ok(());
        };
        let mut owned = AlignedVec::new();
        if let Some(dir) = &self.spill_dir {
            // Without room on disk the rows stay in memory: slower to hold, just as correct.
            let _ = owned.spill(dir);
        }
        owned.reserve((self.n_mapped * self.row_len) + self.owned.len())?;
        let bytes =
            &mapped.file.bytes()[mapped.start..mapped.start + self.n_mapped * self.row_bytes()];
        owned.extend_from_slice(bytemuck::cast_slice(bytes))?;
        owned.extend_from_slice(self.owned.as_slice())?;
        self.owned = owned;
        self.mapped = None;
        self.n_mapped = 0;
        Ok(())
    }
}

impl<E: DenseElement> VectorStore for DenseStore<E> {
    type Ref<'a> = &'a [E];
    type Buf = Vec<E>;
    const KIND: u8 = E::KIND;
    const MAX_DIMENSIONS: usize = E::MAX_DIMENSIONS;
    const SECTIONS: usize = 1;

    fn with_dimensions(dimensions: usize) -> Self {
        DenseStore {
            dimensions,
            row_len: E::row_len(dimensions),
            mapped: None,
            n_mapped: 0,
            owned: AlignedVec::new(),
            spill_dir: None,
        }
    }

    fn check(&self, vector: &[E]) -> Result<(), HnswError> {
        if vector.len() != self.row_len {
            let actual = if E::KIND == u8::KIND {
                vector.len() * 8
            } else {
                vector.len()
            };
            return Err(HnswError::DimensionMismatch {
                expected: self.dimensions,
                actual,
            });
        }
        Ok(())
    }

    fn view(buf: &Vec<E>) -> &[E] {
        buf
    }

    fn len(&self) -> usize {
        self.n_mapped + self.owned.len() / self.row_len.max(1)
    }

    #[inline]
    fn get(&self, slot: u32) -> &[E] {
        let slot = slot as usize;
        if slot < self.n_mapped {
            if let Some(mapped) = &self.mapped {
                let start = mapped.start + slot * self.row_bytes();
                let bytes = &mapped.file.bytes()[start..start + self.row_bytes()];
                // The section's offset is 64-byte aligned and its length was checked when
                // the file was opened, so this cast cannot fail.
                return bytemuck::try_cast_slice(bytes).unwrap_or(&[]);
            }
        }
        let start = (slot - self.n_mapped) * self.row_len;
        &self.owned.as_slice()[start..start + self.row_len]
    }

    fn push(&mut self, vector: &[E]) -> Result<(), HnswError> {
        self.owned
            .extend_from_slice(vector)
            .map_err(|bytes| HnswError::OutOfMemory { bytes })
    }

    fn replace(&mut self, slot: u32, vector: &[E]) -> Result<(), HnswError> {
        self.materialize()
            .map_err(|bytes| HnswError::OutOfMemory { bytes })?;
        let start = slot as usize * self.row_len;
        self.owned.as_mut_slice()[start..start + self.row_len].copy_from_slice(vector);
        Ok(())
    }

    fn same(a: &[E], b: &[E]) -> bool {
        a == b
    }

    #[inline]
    fn prefetch(&self, slot: u32) {
        if (slot as usize) < self.len() {
            prefetch_slice(self.get(slot));
        }
    }

    fn widen(vector: &[E], out: &mut Vec<f32>) -> bool {
        E::widen(vector, out)
    }

    fn spill(&mut self, dir: &std::path::Path) -> std::io::Result<()> {
        if E::KIND == u8::KIND {
            return Err(std::io::Error::new(
                std::io::ErrorKind::Unsupported,
                "bit vectors are not quantized",
            ));
        }
        self.owned.spill(dir)?;
        self.spill_dir = Some(dir.to_path_buf());
        Ok(())
    }

    fn memory_bytes(&self) -> usize {
        self.owned.capacity_bytes() + self.n_mapped * self.row_bytes()
    }

    fn used_bytes(&self) -> usize {
        self.len() * self.row_bytes()
    }

    fn reserve(&mut self, additional: usize) {
        // Only a hint: a push that finds no room grows (or fails) by itself.
        let _ = self.owned.reserve(additional * self.row_len);
    }

    fn sections(&self) -> Vec<Vec<&[u8]>> {
        let mut parts = Vec::new();
        if let Some(mapped) = &self.mapped {
            let end = mapped.start + self.n_mapped * self.row_bytes();
            parts.push(&mapped.file.bytes()[mapped.start..end]);
        }
        parts.push(self.owned.as_bytes());
        vec![parts]
    }

    fn from_sections(
        dimensions: usize,
        slots: usize,
        file: &MappedFile,
        sections: &[std::ops::Range<usize>],
    ) -> Result<Self, String> {
        let mut store = Self::with_dimensions(dimensions);
        let range = sections.first().ok_or("missing vector section")?;
        if range.len() != slots * store.row_bytes() {
            return Err("vector section has the wrong length".into());
        }
        let align_mask = std::mem::align_of::<E>() - 1;
        if (file.bytes().as_ptr() as usize + range.start) & align_mask != 0 {
            return Err("vector section is misaligned".into());
        }
        store.mapped = Some(MappedRows {
            file: file.clone(),
            start: range.start,
        });
        store.n_mapped = slots;
        Ok(store)
    }
}
