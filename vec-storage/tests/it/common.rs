//! Shared helpers: small store options that exercise segment switches and eviction, and a
//! tiny deterministic random generator (seeded, so failures reproduce).

use std::path::Path;

use vec_storage::{HeapId, Store, StoreOptions};

/// The heap most tests use.
pub const HEAP: HeapId = HeapId(1);

/// Options with a small pool and small WAL segments.
pub fn small_options() -> StoreOptions {
    StoreOptions {
        buffer_pool_bytes: 32 * 8192,
        wal_segment_size: 64 << 10,
        ..StoreOptions::default()
    }
}

/// Opens `dir` with [`small_options`] and makes sure [`HEAP`] exists.
pub fn open_with_heap(dir: &Path, options: StoreOptions) -> Store {
    let store = Store::open(dir, options).unwrap();
    if !store.heap_exists(HEAP) {
        let mut txn = store.begin();
        txn.create_heap(HEAP).unwrap();
        txn.commit().unwrap();
    }
    store
}

/// SplitMix64: small, fast, good enough for test data.
#[derive(Debug, Clone)]
pub struct Rng(pub u64);

impl Rng {
    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// A row length: mostly small, sometimes a page-sized or multi-page row.
    pub fn row_len(&mut self) -> usize {
        match self.below(20) {
            0 => 8000 + self.below(60_000) as usize,
            1 => 3000 + self.below(5000) as usize,
            _ => self.below(1600) as usize,
        }
    }
}

/// Deterministic row bytes for (key, version): 8-byte header then pseudo-random filler.
pub fn row_bytes(key: u32, version: u32, len: usize) -> Vec<u8> {
    let len = len.max(8);
    let mut out = Vec::with_capacity(len);
    out.extend_from_slice(&key.to_le_bytes());
    out.extend_from_slice(&version.to_le_bytes());
    let mut rng = Rng(((key as u64) << 32) | version as u64);
    while out.len() < len {
        out.extend_from_slice(&rng.next_u64().to_le_bytes());
    }
    out.truncate(len);
    out
}

/// Splits row bytes made by [`row_bytes`] into (key, version).
pub fn row_key(bytes: &[u8]) -> (u32, u32) {
    let key = u32::from_le_bytes(bytes[0..4].try_into().unwrap());
    let version = u32::from_le_bytes(bytes[4..8].try_into().unwrap());
    (key, version)
}
