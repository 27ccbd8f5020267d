//! Contiguous storage that is either owned or a view into a memory-mapped snapshot.
//!
//! An index opened from a snapshot scans its lists straight from the map; the first write to
//! a list copies that list (and only it) into memory.

use std::sync::Arc;

use memmap2::Mmap;

/// A run of `T` owned in memory or borrowed from a snapshot map.
#[derive(Debug, Clone)]
pub(crate) enum Store<T> {
    Owned(Vec<T>),
    Mapped {
        map: Arc<Mmap>,
        byte_offset: usize,
        len: usize,
    },
}

impl<T: bytemuck::Pod> Store<T> {
    /// The elements.
    #[inline]
    pub(crate) fn as_slice(&self) -> &[T] {
        match self {
            Store::Owned(values) => values,
            Store::Mapped {
                map,
                byte_offset,
                len,
            } => {
                let bytes = &map[*byte_offset..*byte_offset + len * std::mem::size_of::<T>()];
                // The snapshot reader checked bounds and alignment of every section before it
                // built this view, so the cast cannot fail.
                bytemuck::cast_slice(bytes)
            }
        }
    }

    /// The elements as an owned vector, copying them out of the map the first time.
    pub(crate) fn to_mut(&mut self) -> &mut Vec<T> {
        if let Store::Mapped { .. } = self {
            *self = Store::Owned(self.as_slice().to_vec());
        }
        match self {
            Store::Owned(values) => values,
            Store::Mapped { .. } => unreachable!("converted to owned above"),
        }
    }

    /// Bytes this store holds in memory (mapped bytes are counted: they are resident once read).
    pub(crate) fn bytes(&self) -> usize {
        match self {
            Store::Owned(values) => values.capacity() * std::mem::size_of::<T>(),
            Store::Mapped { len, .. } => len * std::mem::size_of::<T>(),
        }
    }
}

impl<T> Default for Store<T> {
    fn default() -> Self {
        Store::Owned(Vec::new())
    }
}
