//! Vector storage: where an index keeps its elements' vectors, addressed by slot number.
//!
//! [`VectorStore`] is the seam the graph code is monomorphized over. Dense element types
//! (`f32`, `f16`, bit bytes) live in one contiguous, 64-byte-aligned array with a fixed row
//! length ([`DenseStore`]); sparse vectors live in an arena of indices and values with
//! per-slot offsets ([`SparseStore`]). A store opened from a snapshot reads its rows in place
//! from the memory map and appends new rows to an owned overlay.

pub(crate) mod aligned;
mod dense;
mod sparse;

pub(crate) use aligned::AlignedBytes;
pub use dense::{DenseElement, DenseStore};
pub use sparse::{SparseBuf, SparseStore, MAX_NNZ};

use crate::error::HnswError;
use crate::snapshot::MappedFile;

/// Storage of one kind of vector, addressed by slot.
pub trait VectorStore: Send + Sync + Sized + 'static {
    /// A borrowed vector of this kind (`&[f32]`, a sparse slice, …).
    type Ref<'a>: Copy;
    /// An owned vector of this kind, used for prepared queries and scratch copies.
    type Buf: Default + Clone + Send;
    /// The kind's number in the snapshot header.
    const KIND: u8;
    /// The most dimensions an HNSW index accepts for this kind (16,000 for `vector` and
    /// `halfvec`, past pgvector's 2,000 and 4,000; pgvector's 64,000 for `bit`).
    const MAX_DIMENSIONS: usize;

    /// An empty store for vectors of `dimensions` dimensions.
    fn with_dimensions(dimensions: usize) -> Self;
    /// Checks that `vector` fits this store (dimensions, non-zero count).
    fn check(&self, vector: Self::Ref<'_>) -> Result<(), HnswError>;
    /// Borrows an owned vector.
    fn view(buf: &Self::Buf) -> Self::Ref<'_>;
    /// Number of slots.
    fn len(&self) -> usize;
    /// Whether there are no slots.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The vector in `slot`; `slot` must be below [`VectorStore::len`].
    fn get(&self, slot: u32) -> Self::Ref<'_>;
    /// Appends a vector in a new slot; when memory runs out, fails with
    /// [`HnswError::OutOfMemory`] and adds nothing.
    fn push(&mut self, vector: Self::Ref<'_>) -> Result<(), HnswError>;
    /// Overwrites the vector of an existing slot (a slot freed by vacuum); fails like
    /// [`VectorStore::push`], changing nothing.
    fn replace(&mut self, slot: u32, vector: Self::Ref<'_>) -> Result<(), HnswError>;
    /// Whether two vectors are identical element by element.
    fn same(a: Self::Ref<'_>, b: Self::Ref<'_>) -> bool;
    /// Hints the CPU to load `slot`'s vector into cache.
    fn prefetch(&self, slot: u32);
    /// Writes `vector` as `f32` values into `out`; false for kinds that quantization does
    /// not handle (bits, sparse).
    fn widen(vector: Self::Ref<'_>, out: &mut Vec<f32>) -> bool;
    /// Moves the vectors to an unlinked file in `dir` (and keeps later ones there), for a
    /// quantized index that reads them only to re-rank. Kinds that quantization does not
    /// handle refuse.
    fn spill(&mut self, dir: &std::path::Path) -> std::io::Result<()>;
    /// Bytes of memory the store owns or maps.
    fn memory_bytes(&self) -> usize;
    /// Bytes filled with vectors (lengths, not capacities).
    fn used_bytes(&self) -> usize;
    /// Reserves room for `additional` more vectors.
    fn reserve(&mut self, additional: usize);
    /// The snapshot sections of this store, each as a list of byte runs written one after
    /// another.
    fn sections(&self) -> Vec<Vec<&[u8]>>;
    /// Number of sections [`VectorStore::sections`] returns.
    const SECTIONS: usize;
    /// Reopens a store from its snapshot sections (byte ranges of `file`).
    fn from_sections(
        dimensions: usize,
        slots: usize,
        file: &MappedFile,
        sections: &[std::ops::Range<usize>],
    ) -> Result<Self, String>;
}
