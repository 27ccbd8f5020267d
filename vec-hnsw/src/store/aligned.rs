//! A growable array of plain elements in its own anonymous memory map: page-aligned (so
//! every row whose size is a multiple of 64 bytes starts on a cache line) and advised to use
//! transparent huge pages, so that a search touching rows scattered over hundreds of
//! megabytes does not also miss the TLB on nearly every row.

use bytemuck::Pod;
use memmap2::{Advice, MmapMut};

/// A vector of `E` in page-aligned, huge-page-advised memory.
pub(crate) struct AlignedVec<E> {
    map: Option<MmapMut>,
    len: usize,
    _element: std::marker::PhantomData<E>,
}

impl<E: Pod> AlignedVec<E> {
    /// An empty array.
    pub(crate) fn new() -> Self {
        AlignedVec {
            map: None,
            len: 0,
            _element: std::marker::PhantomData,
        }
    }

    fn capacity(&self) -> usize {
        self.map.as_ref().map_or(0, |m| m.len()) / std::mem::size_of::<E>().max(1)
    }

    /// Grows the map to hold at least `elements` elements, copying what it holds.
    fn grow_to(&mut self, elements: usize) {
        if elements <= self.capacity() {
            return;
        }
        let bytes = elements.max(16) * std::mem::size_of::<E>();
        let Ok(mut map) = MmapMut::map_anon(bytes) else {
            // Out of address space: the caller's next write will find no room and
            // `extend_from_slice` grows again; there is nothing better to do here.
            return;
        };
        // Only a hint: huge pages may be unavailable, and the map works either way.
        let _ = map.advise(Advice::HugePage);
        let used = self.len * std::mem::size_of::<E>();
        if let Some(old) = &self.map {
            map[..used].copy_from_slice(&old[..used]);
        }
        self.map = Some(map);
    }

    /// The elements.
    #[inline]
    pub(crate) fn as_slice(&self) -> &[E] {
        match &self.map {
            Some(map) => {
                let all: &[E] = bytemuck::cast_slice(&map[..]);
                &all[..self.len]
            }
            None => &[],
        }
    }

    /// The elements, mutably.
    pub(crate) fn as_mut_slice(&mut self) -> &mut [E] {
        let len = self.len;
        match &mut self.map {
            Some(map) => {
                let all: &mut [E] = bytemuck::cast_slice_mut(&mut map[..]);
                &mut all[..len]
            }
            None => &mut [],
        }
    }

    /// Reserves room for `additional` more elements.
    pub(crate) fn reserve(&mut self, additional: usize) {
        self.grow_to(self.len + additional);
    }

    /// Appends `values`, doubling the capacity when full.
    pub(crate) fn extend_from_slice(&mut self, values: &[E]) {
        let new_len = self.len + values.len();
        if new_len > self.capacity() {
            self.grow_to(new_len.max(self.capacity() * 2));
        }
        if new_len > self.capacity() {
            return;
        }
        let start = self.len;
        self.len = new_len;
        self.as_mut_slice()[start..].copy_from_slice(values);
    }

    /// Bytes allocated.
    pub(crate) fn capacity_bytes(&self) -> usize {
        self.map.as_ref().map_or(0, |m| m.len())
    }

    /// The elements as bytes.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        bytemuck::cast_slice(self.as_slice())
    }

    /// Number of elements.
    pub(crate) fn len(&self) -> usize {
        self.len
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligned_and_growing() {
        let mut v = AlignedVec::<f32>::new();
        for i in 0..100 {
            v.extend_from_slice(&[i as f32, 0.5]);
        }
        assert_eq!(v.len(), 200);
        assert_eq!(v.as_slice()[198], 99.0);
        assert_eq!(v.as_slice().as_ptr() as usize % 64, 0);
        assert_eq!(v.as_bytes().len(), 800);
    }
}
