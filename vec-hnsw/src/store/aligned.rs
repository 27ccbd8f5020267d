//! A growable array of plain elements in its own anonymous memory map: page-aligned (so
//! every row whose size is a multiple of 64 bytes starts on a cache line) and advised to use
//! transparent huge pages, so that a search touching rows scattered over hundreds of
//! megabytes does not also miss the TLB on nearly every row.
//!
//! Growing is fallible: when the new map cannot be had (address space or memory
//! exhausted), the array is left exactly as it was and the caller gets the size it asked
//! for, so that no element is ever dropped silently.

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

    /// Grows the map to hold at least `elements` elements, copying what it holds. On
    /// failure nothing changes and the error holds the bytes asked for.
    fn grow_to(&mut self, elements: usize) -> Result<(), usize> {
        if elements <= self.capacity() {
            return Ok(());
        }
        let bytes = elements
            .max(16)
            .checked_mul(std::mem::size_of::<E>())
            .ok_or(usize::MAX)?;
        let mut map = map_anon(bytes)?;
        // Only a hint: huge pages may be unavailable, and the map works either way.
        let _ = map.advise(Advice::HugePage);
        let used = self.len * std::mem::size_of::<E>();
        if let Some(old) = &self.map {
            map[..used].copy_from_slice(&old[..used]);
        }
        self.map = Some(map);
        Ok(())
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

    /// Reserves room for `additional` more elements; on failure, the bytes asked for.
    pub(crate) fn reserve(&mut self, additional: usize) -> Result<(), usize> {
        self.grow_to(self.len + additional)
    }

    /// Appends `values`, doubling the capacity when full. When the array cannot grow,
    /// nothing is appended and the error holds the bytes asked for.
    pub(crate) fn extend_from_slice(&mut self, values: &[E]) -> Result<(), usize> {
        let new_len = self.len + values.len();
        if new_len > self.capacity() {
            if self.grow_to(new_len.max(self.capacity() * 2)).is_err() {
                // Doubling asks for more than is needed: try the exact size before failing.
                self.grow_to(new_len)?;
            }
        }
        let start = self.len;
        self.len = new_len;
        self.as_mut_slice()[start..].copy_from_slice(values);
        Ok(())
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

/// A new anonymous map of `bytes` bytes; the error is the size that could not be had.
/// Tests can make maps larger than a limit fail ([`tests::limit_maps`]).
fn map_anon(bytes: usize) -> Result<MmapMut, usize> {
    #[cfg(test)]
    if bytes > tests::MAP_LIMIT.with(std::cell::Cell::get) {
        return Err(bytes);
    }
    MmapMut::map_anon(bytes).map_err(|_| bytes)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    thread_local! {
        /// The largest map this thread's tests may make.
        pub(crate) static MAP_LIMIT: std::cell::Cell<usize> = const { std::cell::Cell::new(usize::MAX) };
    }

    /// Makes maps larger than `bytes` fail on this thread, as if memory had run out.
    pub(crate) fn limit_maps(bytes: usize) {
        MAP_LIMIT.with(|limit| limit.set(bytes));
    }

    #[test]
    fn a_failed_growth_keeps_every_element() {
        let mut v = AlignedVec::<f32>::new();
        v.extend_from_slice(&[1.0; 16]).unwrap();
        limit_maps(64);
        assert_eq!(v.extend_from_slice(&[2.0; 4]), Err(80));
        assert_eq!(v.len(), 16);
        assert!(v.as_slice().iter().all(|&x| x == 1.0));
        limit_maps(usize::MAX);
        v.extend_from_slice(&[2.0; 4]).unwrap();
        assert_eq!(v.len(), 20);
    }

    #[test]
    fn aligned_and_growing() {
        let mut v = AlignedVec::<f32>::new();
        for i in 0..100 {
            v.extend_from_slice(&[i as f32, 0.5]).unwrap();
        }
        assert_eq!(v.len(), 200);
        assert_eq!(v.as_slice()[198], 99.0);
        assert_eq!(v.as_slice().as_ptr() as usize % 64, 0);
        assert_eq!(v.as_bytes().len(), 800);
    }
}
