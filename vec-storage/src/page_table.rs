//! The buffer pool's page table: which frame holds a page. Pages are grouped in chunks of
//! consecutive page numbers of one file, each chunk a flat array of frame numbers, found
//! through a small hash map with a cheap hash of (file, chunk). A scan pinning one page
//! after another reads neighbouring entries of one array (sixteen to a cache line) instead
//! of a hash bucket at a random place per page, which missed the cache on every page once
//! the scan's pages had pushed the table out of it.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::buffer_pool::{FileId, PageKey};

/// Pages per chunk: 512 (4 MiB of a file, 2 KiB of entries).
const CHUNK_BITS: u32 = 9;
const CHUNK_PAGES: usize = 1 << CHUNK_BITS;
/// An entry of no frame.
const NONE: u32 = u32::MAX;

/// The frames of one chunk's pages, and how many of them are mapped.
struct Chunk {
    frames: Box<[u32; CHUNK_PAGES]>,
    mapped: usize,
}

/// Maps pages to frame numbers.
#[derive(Default)]
pub(crate) struct PageTable {
    chunks: HashMap<(FileId, u32), Chunk, BuildHasherDefault<KeyHasher>>,
}

/// Where `key` lies: its chunk and its place in it.
fn place(key: PageKey) -> ((FileId, u32), usize) {
    (
        (key.file, key.page_no >> CHUNK_BITS),
        (key.page_no as usize) & (CHUNK_PAGES - 1),
    )
}

impl PageTable {
    /// The frame holding `key`, if any.
    #[inline]
    pub(crate) fn get(&self, key: PageKey) -> Option<usize> {
        let (chunk, at) = place(key);
        let frame = self.chunks.get(&chunk)?.frames[at];
        (frame != NONE).then_some(frame as usize)
    }

    /// Maps `key` to `frame` (replacing any frame it had).
    pub(crate) fn insert(&mut self, key: PageKey, frame: usize) {
        debug_assert!(frame < NONE as usize);
        let (chunk, at) = place(key);
        let chunk = self.chunks.entry(chunk).or_insert_with(|| Chunk {
            frames: Box::new([NONE; CHUNK_PAGES]),
            mapped: 0,
        });
        if chunk.frames[at] == NONE {
            chunk.mapped += 1;
        }
        chunk.frames[at] = frame as u32;
    }

    /// Unmaps `key`; a chunk left with no page is dropped.
    pub(crate) fn remove(&mut self, key: PageKey) {
        let (chunk_key, at) = place(key);
        let Some(chunk) = self.chunks.get_mut(&chunk_key) else {
            return;
        };
        if chunk.frames[at] != NONE {
            chunk.frames[at] = NONE;
            chunk.mapped -= 1;
            if chunk.mapped == 0 {
                self.chunks.remove(&chunk_key);
            }
        }
    }
}

/// A multiplicative hash of the two `u32`s of a chunk's key (the keys are small numbers
/// chosen by the store, not by users, so a keyed hash buys nothing here).
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.write_u32(u32::from(byte));
        }
    }

    fn write_u32(&mut self, value: u32) {
        self.0 = (self.0.rotate_left(26) ^ u64::from(value)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(file: FileId, page_no: u32) -> PageKey {
        PageKey { file, page_no }
    }

    #[test]
    fn pages_map_to_frames_and_unmap() {
        let mut table = PageTable::default();
        for (n, page_no) in [0, 1, 511, 512, 70_000, u32::MAX].into_iter().enumerate() {
            table.insert(key(3, page_no), n);
            table.insert(key(4, page_no), 100 + n);
        }
        assert_eq!(table.get(key(3, 511)), Some(2));
        assert_eq!(table.get(key(4, u32::MAX)), Some(105));
        assert_eq!(table.get(key(3, 2)), None);
        assert_eq!(table.get(key(5, 0)), None);
        table.insert(key(3, 1), 9);
        assert_eq!(table.get(key(3, 1)), Some(9));
        table.remove(key(3, 1));
        table.remove(key(3, 1));
        assert_eq!(table.get(key(3, 1)), None);
        assert_eq!(table.get(key(3, 0)), Some(0));
        table.remove(key(3, 0));
        table.remove(key(3, 511));
        // The chunk's last page gone, so is the chunk.
        assert_eq!(table.chunks.len(), 7);
        for page_no in [512, 70_000, u32::MAX] {
            table.remove(key(3, page_no));
        }
        assert_eq!(table.chunks.len(), 4);
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_a_hash_map(ops in proptest::collection::vec(
            (0u32..3, 0u32..2000, proptest::option::of(0usize..1000)), 0..300)
        ) {
            let mut table = PageTable::default();
            let mut model = HashMap::new();
            for (file, page_no, frame) in ops {
                let key = key(file, page_no);
                match frame {
                    Some(frame) => {
                        table.insert(key, frame);
                        model.insert(key, frame);
                    }
                    None => {
                        table.remove(key);
                        model.remove(&key);
                    }
                }
                proptest::prop_assert_eq!(table.get(key), model.get(&key).copied());
            }
            for (key, frame) in &model {
                proptest::prop_assert_eq!(table.get(*key), Some(*frame));
            }
            let mapped: usize = table.chunks.values().map(|chunk| chunk.mapped).sum();
            proptest::prop_assert_eq!(mapped, model.len());
        }
    }
}
