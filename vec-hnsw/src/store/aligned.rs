//! A growable array of plain elements in its own memory map: page-aligned (so every row
//! whose size is a multiple of 64 bytes starts on a cache line). By default the map is
//! anonymous memory advised to use transparent huge pages, so that a search touching rows
//! scattered over hundreds of megabytes does not also miss the TLB on nearly every row.
//!
//! A quantized index moves its full vectors to disk with [`AlignedVec::spill`]: the map then
//! becomes a shared map of an unlinked file in a directory of the caller's choosing, which
//! the operating system writes back and evicts as memory is needed; only re-ranking reads
//! it, a few rows per query.
//!
//! Growing is fallible: when the new map (or the file's new length) cannot be had, the
//! array is left exactly as it was and the caller gets the size it asked for, so that no
//! element is ever dropped silently.

use bytemuck::Pod;
use memmap2::{Advice, MmapMut};
use std::fs::File;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// A vector of `E` in page-aligned memory: anonymous and huge-page-advised, or a file.
pub(crate) struct AlignedVec<E> {
    map: Option<MmapMut>,
    len: usize,
    file: Option<File>,
    _element: std::marker::PhantomData<E>,
}

/// Bytes of plain data (quantized codes) in page-aligned, huge-page-advised memory.
pub(crate) type AlignedBytes = AlignedVec<u8>;

/// Distinguishes the spill files one process creates.
static SPILL_FILES: AtomicU64 = AtomicU64::new(0);

/// Creates a file in `dir` that no other process can open: it is unlinked at once, and lives
/// as long as the returned handle.
fn unlinked_file(dir: &Path) -> std::io::Result<File> {
    let number = SPILL_FILES.fetch_add(1, Ordering::Relaxed);
    let name = format!("vecsh-hnsw-{}-{number}.vectors", std::process::id());
    let path = dir.join(name);
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&path)?;
    // Where an open file cannot be removed (not on Linux), it stays behind until the
    // directory is cleaned; the data in it is only a copy of the table's vectors.
    let _ = std::fs::remove_file(&path);
    Ok(file)
}

impl<E: Pod> AlignedVec<E> {
    /// An empty array.
    pub(crate) fn new() -> Self {
        AlignedVec {
            map: None,
            len: 0,
            file: None,
            _element: std::marker::PhantomData,
        }
    }

    /// Moves the elements into an unlinked file in `dir`, mapped shared; later growth stays
    /// in the file. Does nothing if they already are in a file.
    pub(crate) fn spill(&mut self, dir: &Path) -> std::io::Result<()> {
        if self.file.is_some() {
            return Ok(());
        }
        let file = unlinked_file(dir)?;
        let bytes = (self.capacity().max(16) * std::mem::size_of::<E>()) as u64;
        file.set_len(bytes)?;
        // SAFETY: the file was just created and unlinked; no other process can open it, and
        // this array is the only holder of its handle, so nothing changes the mapped bytes
        // but writes through this map.
        let mut map = unsafe { MmapMut::map_mut(&file) }?;
        // Re-ranking reads scattered rows: read-ahead would only fetch rows nobody asked for.
        let _ = map.advise(Advice::Random);
        let used = self.len * std::mem::size_of::<E>();
        if let Some(old) = &self.map {
            map[..used].copy_from_slice(&old[..used]);
        }
        self.map = Some(map);
        self.file = Some(file);
        Ok(())
    }

    /// Whether the elements live in a file.
    #[cfg(test)]
    pub(crate) fn is_spilled(&self) -> bool {
        self.file.is_some()
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
        if let Some(file) = &self.file {
            // The data is in the file already: grow it and map it again.
            let map = file
                .set_len(bytes as u64)
                .and_then(|()| {
                    // SAFETY: as in `spill`: an unlinked file only this array holds.
                    unsafe { MmapMut::map_mut(file) }
                })
                .map_err(|_| bytes)?;
            let _ = map.advise(Advice::Random);
            self.map = Some(map);
            return Ok(());
        }
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

    /// Bytes allocated (of memory or of the file).
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

    #[test]
    fn spilled_to_a_file_keeps_and_grows() {
        let dir = tempfile::tempdir().unwrap();
        let mut v = AlignedVec::<f32>::new();
        v.extend_from_slice(&[1.0, 2.0]).unwrap();
        v.spill(dir.path()).unwrap();
        assert!(v.is_spilled());
        for i in 0..10_000 {
            v.extend_from_slice(&[i as f32]).unwrap();
        }
        assert_eq!(&v.as_slice()[..3], &[1.0, 2.0, 0.0]);
        assert_eq!(v.as_slice()[10_001], 9999.0);
        v.as_mut_slice()[0] = 5.0;
        assert_eq!(v.as_slice()[0], 5.0);
        // The file is unlinked: the directory stays empty.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
