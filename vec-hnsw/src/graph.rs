//! The layered neighbour lists of the HNSW graph.
//!
//! Layer 0 is one flat array: slot `s` owns `1 + 2m` words starting at `s · (1 + 2m)`, a
//! count followed by a fixed-size array of neighbour slots. Upper layers live in a second
//! arena: an element of level `L` owns `L` blocks of `1 + m` words there. Lists are atomic
//! words so that searches read them without locks while inserts write them; a writer holds
//! the element's lock (one byte, `parking_lot`) for its read-modify-write. A reader may see a
//! list half updated, which costs a little recall in that one search but every id it reads
//! is a valid element. Layer 0 opened from a snapshot is read in place from the memory map
//! until the first write copies it into owned memory.

use crate::snapshot::MappedFile;
use parking_lot::{Mutex, MutexGuard};
use std::sync::atomic::{AtomicU32, Ordering};

const NO_UPPER: u32 = u32::MAX;

enum Layer0 {
    Owned(Vec<AtomicU32>),
    Mapped { file: MappedFile, start: usize },
}

/// Neighbour lists of every element at every level.
pub(crate) struct Graph {
    m: usize,
    stride0: usize,
    layer0: Layer0,
    n_slots: usize,
    upper: Vec<AtomicU32>,
    upper_start: Vec<u32>,
    levels: Vec<u8>,
    locks: Vec<Mutex<()>>,
}

impl Graph {
    /// An empty graph for connections `m`.
    pub(crate) fn new(m: usize) -> Self {
        Graph {
            m,
            stride0: 1 + 2 * m,
            layer0: Layer0::Owned(Vec::new()),
            n_slots: 0,
            upper: Vec::new(),
            upper_start: Vec::new(),
            levels: Vec::new(),
            locks: Vec::new(),
        }
    }

    /// Capacity of a list at `level`: `2m` on layer 0, `m` above.
    #[inline]
    pub(crate) fn capacity(&self, level: usize) -> usize {
        if level == 0 {
            2 * self.m
        } else {
            self.m
        }
    }

    /// Number of slots.
    pub(crate) fn len(&self) -> usize {
        self.n_slots
    }

    /// The level of `slot`.
    #[inline]
    pub(crate) fn level(&self, slot: u32) -> usize {
        self.levels[slot as usize] as usize
    }

    /// Locks `slot`'s lists for a read-modify-write.
    pub(crate) fn lock(&self, slot: u32) -> MutexGuard<'_, ()> {
        self.locks[slot as usize].lock()
    }

    /// Copies layer 0 into owned memory if it is still read from a snapshot.
    fn materialize(&mut self) {
        if let Layer0::Mapped { .. } = self.layer0 {
            let mut owned = Vec::with_capacity(self.n_slots * self.stride0);
            let mut list = Vec::with_capacity(self.stride0);
            for slot in 0..self.n_slots {
                // Read through the checked path, so ids from a damaged file are dropped.
                self.read(slot as u32, 0, &mut list);
                owned.push(AtomicU32::new(list.len() as u32));
                owned.extend(list.iter().map(|&id| AtomicU32::new(id)));
                owned.extend((list.len() + 1..self.stride0).map(|_| AtomicU32::new(0)));
            }
            self.layer0 = Layer0::Owned(owned);
        }
    }

    fn mapped_words(&self, slot: u32) -> &[u32] {
        match &self.layer0 {
            Layer0::Mapped { file, start } => {
                let begin = start + slot as usize * self.stride0 * 4;
                let bytes = &file.bytes()[begin..begin + self.stride0 * 4];
                // Checked for alignment and length when the snapshot was opened.
                bytemuck::try_cast_slice(bytes).unwrap_or(&[])
            }
            Layer0::Owned(_) => &[],
        }
    }

    fn upper_block(&self, slot: u32, level: usize) -> usize {
        self.upper_start[slot as usize] as usize + (level - 1) * (1 + self.m)
    }

    fn allocate_upper(&mut self, level: usize) -> u32 {
        if level == 0 {
            return NO_UPPER;
        }
        let start = self.upper.len() as u32;
        let words = level * (1 + self.m);
        self.upper.extend((0..words).map(|_| AtomicU32::new(0)));
        start
    }

    /// Adds a slot of `level` with empty lists.
    pub(crate) fn push(&mut self, level: usize) -> u32 {
        self.materialize();
        let slot = self.n_slots as u32;
        if let Layer0::Owned(words) = &mut self.layer0 {
            words.extend((0..self.stride0).map(|_| AtomicU32::new(0)));
        }
        let start = self.allocate_upper(level);
        self.upper_start.push(start);
        self.levels.push(level as u8);
        self.locks.push(Mutex::new(()));
        self.n_slots += 1;
        slot
    }

    /// Empties every list of `slot` and gives it `level` (reuse of a freed slot).
    pub(crate) fn reset(&mut self, slot: u32, level: usize) {
        self.materialize();
        let old_level = self.level(slot);
        for l in 0..=old_level.min(level) {
            self.write(slot, l, &[]);
        }
        if level > old_level {
            self.upper_start[slot as usize] = self.allocate_upper(level);
        }
        self.levels[slot as usize] = level as u8;
    }

    /// Empties every list of `slot`, keeping its level.
    pub(crate) fn clear(&mut self, slot: u32) {
        self.materialize();
        for level in 0..=self.level(slot) {
            self.write(slot, level, &[]);
        }
    }

    /// Reserves room for `additional` more slots on layer 0.
    pub(crate) fn reserve(&mut self, additional: usize) {
        self.materialize();
        if let Layer0::Owned(words) = &mut self.layer0 {
            words.reserve(additional * self.stride0);
        }
        self.upper_start.reserve(additional);
        self.levels.reserve(additional);
        self.locks.reserve(additional);
    }

    /// Hints the CPU to load `slot`'s layer-0 list (a search about to expand it).
    #[inline]
    pub(crate) fn prefetch_layer0(&self, slot: u32) {
        let start = slot as usize * self.stride0;
        match &self.layer0 {
            Layer0::Owned(words) => {
                if let Some(list) = words.get(start..start + self.stride0) {
                    crate::prefetch::prefetch_slice(list);
                }
            }
            Layer0::Mapped { .. } => crate::prefetch::prefetch_slice(self.mapped_words(slot)),
        }
    }

    /// Copies the neighbours of `slot` at `level` into `out`.
    #[inline]
    pub(crate) fn read(&self, slot: u32, level: usize, out: &mut Vec<u32>) {
        out.clear();
        let capacity = self.capacity(level);
        let n_slots = self.n_slots as u32;
        if level == 0 {
            match &self.layer0 {
                Layer0::Owned(words) => {
                    let base = slot as usize * self.stride0;
                    let list = &words[base..base + self.stride0];
                    let count = (list[0].load(Ordering::Acquire) as usize).min(capacity);
                    out.extend(list[1..=count].iter().map(|w| w.load(Ordering::Acquire)));
                }
                Layer0::Mapped { .. } => {
                    let list = self.mapped_words(slot);
                    if let Some((&count, ids)) = list.split_first() {
                        let count = (count as usize).min(ids.len());
                        // Ids out of range come only from a damaged file; skip them.
                        out.extend(ids[..count].iter().copied().filter(|&id| id < n_slots));
                    }
                }
            }
        } else if level <= self.level(slot) {
            let base = self.upper_block(slot, level);
            let list = &self.upper[base..base + 1 + self.m];
            let count = (list[0].load(Ordering::Acquire) as usize).min(capacity);
            out.extend(list[1..=count].iter().map(|w| w.load(Ordering::Acquire)));
        }
    }

    /// Replaces the neighbours of `slot` at `level`. The caller holds `slot`'s lock, or has
    /// the graph to itself. Ignored while layer 0 is still mapped (callers that write through
    /// a shared reference materialize first with [`Graph::make_writable`]).
    pub(crate) fn write(&self, slot: u32, level: usize, ids: &[u32]) {
        let count = ids.len().min(self.capacity(level));
        let list = if level == 0 {
            match &self.layer0 {
                Layer0::Owned(words) => {
                    let base = slot as usize * self.stride0;
                    &words[base..base + self.stride0]
                }
                Layer0::Mapped { .. } => return,
            }
        } else {
            if level > self.level(slot) {
                return;
            }
            let base = self.upper_block(slot, level);
            &self.upper[base..base + 1 + self.m]
        };
        // Publish a shorter count first, so that a concurrent reader never reads past the
        // entries being replaced into stale ones of another length.
        list[0].store(0, Ordering::Release);
        for (word, &id) in list[1..=count].iter().zip(ids) {
            word.store(id, Ordering::Release);
        }
        list[0].store(count as u32, Ordering::Release);
    }

    /// Makes layer 0 writable (copies it out of a snapshot's map if needed).
    pub(crate) fn make_writable(&mut self) {
        self.materialize();
    }

    /// Bytes of memory the graph owns or maps.
    pub(crate) fn memory_bytes(&self) -> usize {
        let layer0 = match &self.layer0 {
            Layer0::Owned(words) => words.capacity() * 4,
            Layer0::Mapped { .. } => self.n_slots * self.stride0 * 4,
        };
        layer0
            + self.upper.capacity() * 4
            + self.upper_start.capacity() * 4
            + self.levels.capacity()
            + self.locks.capacity() * std::mem::size_of::<Mutex<()>>()
    }

    /// Layer 0 as little-endian words, for a snapshot.
    pub(crate) fn layer0_words(&self) -> Vec<u32> {
        match &self.layer0 {
            Layer0::Owned(words) => words.iter().map(|w| w.load(Ordering::Acquire)).collect(),
            Layer0::Mapped { file, start } => {
                let bytes = &file.bytes()[*start..start + self.n_slots * self.stride0 * 4];
                bytemuck::try_cast_slice(bytes).unwrap_or(&[]).to_vec()
            }
        }
    }

    /// Levels, upper-arena starts and the upper arena, for a snapshot.
    pub(crate) fn upper_parts(&self) -> (&[u8], &[u32], Vec<u32>) {
        let upper = self
            .upper
            .iter()
            .map(|w| w.load(Ordering::Acquire))
            .collect();
        (&self.levels, &self.upper_start, upper)
    }

    /// Reassembles a graph from a snapshot: layer 0 stays in the map.
    pub(crate) fn from_parts(
        m: usize,
        layer0: (MappedFile, std::ops::Range<usize>),
        levels: Vec<u8>,
        upper_start: Vec<u32>,
        upper: Vec<u32>,
    ) -> Result<Self, String> {
        let n_slots = levels.len();
        let stride0 = 1 + 2 * m;
        let (file, range) = layer0;
        if range.len() != n_slots * stride0 * 4 || upper_start.len() != n_slots {
            return Err("graph sections have the wrong lengths".into());
        }
        if (file.bytes().as_ptr() as usize + range.start) & 3 != 0 {
            return Err("layer 0 is misaligned".into());
        }
        for (slot, (&level, &start)) in levels.iter().zip(&upper_start).enumerate() {
            let level = level as usize;
            let fits = level == 0 || (start as usize + level * (1 + m) <= upper.len());
            if level > crate::level::max_level(m) || !fits {
                return Err(format!("element {slot} has a bad level"));
            }
        }
        let graph = Graph {
            m,
            stride0,
            layer0: Layer0::Mapped {
                file,
                start: range.start,
            },
            n_slots,
            upper: upper
                .iter()
                .map(|&w| AtomicU32::new(if w as usize >= n_slots { 0 } else { w }))
                .collect(),
            upper_start,
            levels,
            locks: (0..n_slots).map(|_| Mutex::new(())).collect(),
        };
        Ok(graph)
    }
}
