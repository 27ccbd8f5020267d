//! Sparse vectors in an arena: all indices in one array, all values in another, and each
//! slot's start and length. Overwriting a slot appends its new pairs to the arena (the old
//! pairs stay until the next snapshot compacts them). Snapshots are read back into memory.

use super::VectorStore;
use crate::error::HnswError;
use crate::snapshot::MappedFile;
use vec_types::simd::sparse::SparseSlice;

/// pgvector's limit on non-zero elements of a `sparsevec` in an HNSW index.
pub const MAX_NNZ: usize = 1000;

/// An owned sparse vector: strictly increasing `indices` and their `values`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SparseBuf {
    /// Indices of the non-zero elements, strictly increasing.
    pub indices: Vec<u32>,
    /// Values at those indices.
    pub values: Vec<f32>,
}

/// Sparse vectors in an arena.
pub struct SparseStore {
    dimensions: usize,
    indices: Vec<u32>,
    values: Vec<f32>,
    starts: Vec<u64>,
    lens: Vec<u32>,
}

impl SparseStore {
    /// Reserves room for `nnz` more elements and `slots` more slots, or fails with
    /// [`HnswError::OutOfMemory`] having changed nothing a reader can see.
    fn make_room(&mut self, nnz: usize, slots: usize) -> Result<(), HnswError> {
        let oom = |bytes: usize| move |_| HnswError::OutOfMemory { bytes };
        self.indices.try_reserve(nnz).map_err(oom(nnz * 4))?;
        self.values.try_reserve(nnz).map_err(oom(nnz * 4))?;
        self.starts.try_reserve(slots).map_err(oom(slots * 8))?;
        self.lens.try_reserve(slots).map_err(oom(slots * 4))
    }
}

impl VectorStore for SparseStore {
    type Ref<'a> = SparseSlice<'a>;
    type Buf = SparseBuf;
    const KIND: u8 = 3;
    const MAX_DIMENSIONS: usize = 1_000_000_000;
    const SECTIONS: usize = 4;

    fn with_dimensions(dimensions: usize) -> Self {
        SparseStore {
            dimensions,
            indices: Vec::new(),
            values: Vec::new(),
            starts: Vec::new(),
            lens: Vec::new(),
        }
    }

    fn check(&self, vector: SparseSlice<'_>) -> Result<(), HnswError> {
        let indices = vector.indices();
        if indices.len() > MAX_NNZ {
            return Err(HnswError::TooManyNonZero { max: MAX_NNZ });
        }
        let increasing = indices.windows(2).all(|pair| pair[0] < pair[1]);
        let in_range = !matches!(indices.last(), Some(&last) if last as usize >= self.dimensions);
        if !increasing || !in_range {
            return Err(HnswError::InvalidSparse);
        }
        Ok(())
    }

    fn view(buf: &SparseBuf) -> SparseSlice<'_> {
        let n = buf.indices.len().min(buf.values.len());
        SparseSlice::new(&buf.indices[..n], &buf.values[..n])
    }

    fn len(&self) -> usize {
        self.starts.len()
    }

    #[inline]
    fn get(&self, slot: u32) -> SparseSlice<'_> {
        let start = self.starts[slot as usize] as usize;
        let end = start + self.lens[slot as usize] as usize;
        SparseSlice::new(&self.indices[start..end], &self.values[start..end])
    }

    fn push(&mut self, vector: SparseSlice<'_>) -> Result<(), HnswError> {
        self.make_room(vector.indices().len(), 1)?;
        self.starts.push(self.indices.len() as u64);
        self.lens.push(vector.indices().len() as u32);
        self.indices.extend_from_slice(vector.indices());
        self.values.extend_from_slice(vector.values());
        Ok(())
    }

    fn replace(&mut self, slot: u32, vector: SparseSlice<'_>) -> Result<(), HnswError> {
        self.make_room(vector.indices().len(), 0)?;
        self.starts[slot as usize] = self.indices.len() as u64;
        self.lens[slot as usize] = vector.indices().len() as u32;
        self.indices.extend_from_slice(vector.indices());
        self.values.extend_from_slice(vector.values());
        Ok(())
    }

    fn same(a: SparseSlice<'_>, b: SparseSlice<'_>) -> bool {
        a.indices() == b.indices() && a.values() == b.values()
    }

    fn prefetch(&self, _slot: u32) {}

    fn widen(_: SparseSlice<'_>, _: &mut Vec<f32>) -> bool {
        false
    }

    fn spill(&mut self, _: &std::path::Path) -> std::io::Result<()> {
        Err(std::io::Error::new(
            std::io::ErrorKind::Unsupported,
            "sparse vectors are not quantized",
        ))
    }

    fn memory_bytes(&self) -> usize {
        self.indices.capacity() * 4
            + self.values.capacity() * 4
            + self.starts.capacity() * 8
            + self.lens.capacity() * 4
    }

    fn used_bytes(&self) -> usize {
        self.indices.len() * 8 + self.starts.len() * 12
    }

    fn reserve(&mut self, additional: usize) {
        self.starts.reserve(additional);
        self.lens.reserve(additional);
    }

    fn sections(&self) -> Vec<Vec<&[u8]>> {
        vec![
            vec![bytemuck::cast_slice(&self.starts)],
            vec![bytemuck::cast_slice(&self.lens)],
            vec![bytemuck::cast_slice(&self.indices)],
            vec![bytemuck::cast_slice(&self.values)],
        ]
    }

    fn from_sections(
        dimensions: usize,
        slots: usize,
        file: &MappedFile,
        sections: &[std::ops::Range<usize>],
    ) -> Result<Self, String> {
        let [starts, lens, indices, values] = sections else {
            return Err("missing sparse sections".into());
        };
        let bytes = file.bytes();
        let read_u64 = |r: &std::ops::Range<usize>| -> Vec<u64> {
            bytes[r.clone()]
                .chunks_exact(8)
                .map(|c| u64::from_le_bytes(c.try_into().unwrap_or([0; 8])))
                .collect()
        };
        let read_u32 = |r: &std::ops::Range<usize>| -> Vec<u32> {
            bytes[r.clone()]
                .chunks_exact(4)
                .map(|c| u32::from_le_bytes(c.try_into().unwrap_or([0; 4])))
                .collect()
        };
        let store = SparseStore {
            dimensions,
            starts: read_u64(starts),
            lens: read_u32(lens),
            indices: read_u32(indices),
            values: read_u32(values).into_iter().map(f32::from_bits).collect(),
        };
        if store.starts.len() != slots
            || store.lens.len() != slots
            || store.indices.len() != store.values.len()
        {
            return Err("sparse sections have the wrong lengths".into());
        }
        for (start, len) in store.starts.iter().zip(&store.lens) {
            let end = start.saturating_add(*len as u64);
            if end > store.indices.len() as u64 {
                return Err("sparse offsets point outside the arena".into());
            }
            let slot_indices = &store.indices[*start as usize..end as usize];
            if slot_indices.windows(2).any(|pair| pair[0] >= pair[1]) {
                return Err("sparse indices are not increasing".into());
            }
        }
        Ok(store)
    }
}
