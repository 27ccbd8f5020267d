//! The buffer pool: a bounded cache of page images shared by all heap files, with pin/unpin
//! guards, clock (second-chance) eviction and batched write-back of dirty pages.
//!
//! A page is addressed by a [`PageKey`] (file id and page number). [`BufferPool::pin`] returns
//! a [`PinnedPage`]; while it lives the frame cannot be evicted, and its page is read or
//! written through a `parking_lot` read-write lock, so many readers share a page. Eviction
//! sweeps a clock hand over unpinned frames, giving each recently used frame a second chance.
//! When the victim is dirty, every dirty unpinned page is written in one batch through
//! [`PageIo::write_pages`], which is where the store enforces the WAL rule (log before data)
//! and the double-write protection against torn pages.
//!
//! A missing page is read outside the page table's lock: the table maps the page to its
//! frame first, with the frame's page lock held for writing until the read is done, so a
//! pin of that page waits on the page lock while pins of other pages go on (a read that
//! fails unmaps the page, and whoever waited starts over).
//!
//! A reader that only looks at a page can ask for it with [`BufferPool::read_page`]: a page
//! the pool does not hold is then read in place where the I/O can map its file
//! ([`PageIo::read_in_place`]), and takes no frame.
//!
//! The budget is soft in one case: when every frame is pinned, the pool grows rather than
//! fail, because pins are short and bounded by the work in flight.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};

thread_local! {
    /// Pages this thread has found in a pool and read into one.
    static THREAD_PAGES: std::cell::Cell<(u64, u64)> = const { std::cell::Cell::new((0, 0)) };
}

/// The pages the calling thread has pinned so far in any pool: found there (hits) and
/// read into it (misses). A statement's difference of two readings is its own share,
/// whatever other threads do (`EXPLAIN (ANALYZE, BUFFERS)`).
pub fn thread_page_counts() -> (u64, u64) {
    THREAD_PAGES.with(std::cell::Cell::get)
}
use std::sync::Arc;

use parking_lot::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use crate::error::Result;
use crate::page::Page;
use crate::page_slab::{PageSlab, SlabPage, SLAB_PAGES};
use crate::page_table::PageTable;

/// Identifies a page file registered with the pool.
pub type FileId = u32;

/// A page address: file and page number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PageKey {
    /// The file.
    pub file: FileId,
    /// The page number within the file.
    pub page_no: u32,
}

/// How the pool reads missing pages and writes dirty ones.
pub trait PageIo: Send + Sync {
    /// Reads and verifies a page; a page past the end of the file reads as all zero.
    fn read_page(&self, key: PageKey, page: &mut Page) -> Result<()>;
    /// Durably writes a batch of dirty pages (sealing each with its checksum first).
    fn write_pages(&self, pages: &mut [(PageKey, Box<Page>)]) -> Result<()>;
    /// Calls `f` with the page as its file holds it, read in place without copying it into
    /// a frame, if this I/O can (the default cannot): `Some` with what `f` returned and
    /// whether the page was verified (read from the file) by this call, `None` to have the
    /// pool read it. Only asked for a page the pool does not hold, whose latest image is
    /// therefore the file's; it must not report damage (answer `None`, and the pool's own
    /// read reports it).
    fn read_in_place(
        &self,
        _key: PageKey,
        _f: &mut dyn FnMut(&Page) -> Result<()>,
    ) -> Option<(Result<()>, bool)> {
        None
    }
}

struct Frame {
    page: RwLock<SlabPage>,
    pins: AtomicU32,
    referenced: AtomicBool,
    dirty: AtomicBool,
    /// False while the page is being read in (its lock held for writing by the reader);
    /// a pin that finds the frame then waits on the page lock.
    loaded: AtomicBool,
    /// The read failed: the frame holds no page, and a pin that waited for it starts over.
    failed: AtomicBool,
}

struct PoolState {
    map: PageTable,
    frames: Vec<Arc<Frame>>,
    keys: Vec<Option<PageKey>>,
    hand: usize,
    /// Pages of the last slab not yet made frames.
    spare: Vec<SlabPage>,
}

/// Counters for tests and benches.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    /// Pins served from memory.
    pub hits: u64,
    /// Pins that read the page from its file.
    pub misses: u64,
    /// Pages written back.
    pub writes: u64,
}

/// A bounded cache of pages.
pub struct BufferPool {
    capacity: usize,
    io: Arc<dyn PageIo>,
    /// The page table: read-locked to find a cached page (pins of cached pages run side
    /// by side), write-locked to map a page being read in, evict or forget one.
    state: RwLock<PoolState>,
    hits: AtomicU64,
    misses: AtomicU64,
    writes: AtomicU64,
}

/// A pinned page; the frame stays in memory until this is dropped.
pub struct PinnedPage {
    frame: Arc<Frame>,
}

impl PinnedPage {
    /// Shared access to the page.
    pub fn read(&self) -> RwLockReadGuard<'_, SlabPage> {
        self.frame.page.read()
    }

    /// Shared access if no writer holds the page now.
    pub fn try_read(&self) -> Option<RwLockReadGuard<'_, SlabPage>> {
        self.frame.page.try_read()
    }

    /// Exclusive access; the page is marked dirty.
    pub fn write(&self) -> RwLockWriteGuard<'_, SlabPage> {
        let guard = self.frame.page.write();
        self.frame.dirty.store(true, Ordering::Release);
        guard
    }
}

impl Drop for PinnedPage {
    fn drop(&mut self) {
        self.frame.pins.fetch_sub(1, Ordering::AcqRel);
    }
}

impl BufferPool {
    /// A pool holding at most `capacity_pages` pages (at least 8).
    pub fn new(capacity_pages: usize, io: Arc<dyn PageIo>) -> BufferPool {
        BufferPool {
            capacity: capacity_pages.max(8),
            io,
            state: RwLock::new(PoolState {
                map: PageTable::default(),
                frames: Vec::new(),
                keys: Vec::new(),
                hand: 0,
                spare: Vec::new(),
            }),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            writes: AtomicU64::new(0),
        }
    }

    /// Pins a page, reading it from its file if it is not cached. The read runs outside
    /// the page table's lock, so that other pages are pinned, and other pages read, while
    /// it waits on the file; a pin of the same page waits for it on the page's own lock.
    pub fn pin(&self, key: PageKey) -> Result<PinnedPage> {
        loop {
            // A cached page under the shared lock: eviction, which needs the exclusive
            // one, cannot pick the frame until the pin is counted.
            let cached = self.pin_cached(&self.state.read(), key);
            if let Some(pinned) = cached {
                match Self::when_loaded(pinned) {
                    Some(pinned) => return Ok(pinned),
                    None => continue,
                }
            }
            let mut st = self.state.write();
            // Another thread may have read it in (or begun to) between the two locks.
            if let Some(pinned) = self.pin_cached(&st, key) {
                drop(st);
                match Self::when_loaded(pinned) {
                    Some(pinned) => return Ok(pinned),
                    None => continue,
                }
            }
            self.misses.fetch_add(1, Ordering::Relaxed);
            THREAD_PAGES.with(|pages| pages.set((pages.get().0, pages.get().1 + 1)));
            let idx = self.free_frame(&mut st)?;
            let frame = st.frames[idx].clone();
            // Unmapped and unpinned, so no one else holds the page lock.
            let mut page = frame.page.write();
            frame.loaded.store(false, Ordering::Release);
            frame.failed.store(false, Ordering::Release);
            frame.dirty.store(false, Ordering::Release);
            frame.pins.fetch_add(1, Ordering::AcqRel);
            frame.referenced.store(true, Ordering::Relaxed);
            st.map.insert(key, idx);
            st.keys[idx] = Some(key);
            drop(st);
            let read = self.io.read_page(key, &mut page);
            if let Err(e) = read {
                page.bytes.fill(0);
                frame.failed.store(true, Ordering::Release);
                // Still holding the page lock: no one holding the table's lock waits for
                // it (the frame is pinned and clean), and a pin that found the frame sees
                // `failed` once the lock is free, with the page already unmapped.
                let mut st = self.state.write();
                if st.map.get(key) == Some(idx) {
                    st.map.remove(key);
                    st.keys[idx] = None;
                }
                drop(st);
                drop(page);
                drop(PinnedPage { frame });
                return Err(e);
            }
            frame.loaded.store(true, Ordering::Release);
            drop(page);
            return Ok(PinnedPage { frame });
        }
    }

    /// Calls `f` with page `key` for reading: the pool's frame if it holds the page, else
    /// the page read in place from its file where the I/O can ([`PageIo::read_in_place`]),
    /// else a frame it is read into. A reader fetching rows from pages no one read before
    /// then neither copies them nor takes fresh frames for them; the page stays out of the
    /// pool (the operating system's cache holds it). Counted as a hit, or a miss when the
    /// page came from the file.
    pub fn read_page(&self, key: PageKey, f: &mut dyn FnMut(&Page) -> Result<()>) -> Result<()> {
        if let Some(pinned) = self.pin_if_cached(key) {
            return f(&pinned.read());
        }
        if let Some((result, from_file)) = self.io.read_in_place(key, f) {
            if from_file {
                self.misses.fetch_add(1, Ordering::Relaxed);
                THREAD_PAGES.with(|pages| pages.set((pages.get().0, pages.get().1 + 1)));
            } else {
                self.hits.fetch_add(1, Ordering::Relaxed);
                THREAD_PAGES.with(|pages| pages.set((pages.get().0 + 1, pages.get().1)));
            }
            return result;
        }
        let pinned = self.pin(key)?;
        let page = pinned.read();
        f(&page)
    }

    /// `pinned` once its page is in the frame; `None` (unpinned) if reading it failed, for
    /// the caller to start over (and meet the error itself).
    fn when_loaded(pinned: PinnedPage) -> Option<PinnedPage> {
        if pinned.frame.loaded.load(Ordering::Acquire) {
            return Some(pinned);
        }
        drop(pinned.frame.page.read());
        (!pinned.frame.failed.load(Ordering::Acquire)).then_some(pinned)
    }

    /// Pins `key` if the pool holds it (counted as a hit), without reading it in: a scan
    /// looking one page ahead to prefetch it.
    pub fn pin_if_cached(&self, key: PageKey) -> Option<PinnedPage> {
        let pinned = self.pin_cached(&self.state.read(), key)?;
        // A page still being read in is not there yet.
        pinned
            .frame
            .loaded
            .load(Ordering::Acquire)
            .then_some(pinned)
    }

    /// Asks the CPU to start loading the cache lines of `key`'s page if the pool holds it
    /// and no writer has it now; pins nothing and counts nothing (a scan's hint about the
    /// page it reads next).
    pub fn prefetch(&self, key: PageKey) {
        let st = self.state.read();
        if let Some(idx) = st.map.get(key) {
            // Under the page table's lock the frame cannot be evicted.
            if let Some(page) = st.frames[idx].page.try_read() {
                page.prefetch();
            }
        }
    }

    /// Pins `key` if the pool holds it (counted as a hit).
    fn pin_cached(&self, st: &PoolState, key: PageKey) -> Option<PinnedPage> {
        let idx = st.map.get(key)?;
        let frame = st.frames[idx].clone();
        frame.pins.fetch_add(1, Ordering::AcqRel);
        frame.referenced.store(true, Ordering::Relaxed);
        self.hits.fetch_add(1, Ordering::Relaxed);
        THREAD_PAGES.with(|pages| pages.set((pages.get().0 + 1, pages.get().1)));
        Some(PinnedPage { frame })
    }

    /// Replaces a page's content with `page` (dirty), without reading the old image.
    pub fn install(&self, key: PageKey, page: &Page) -> Result<()> {
        loop {
            let mut st = self.state.write();
            let Some(idx) = st.map.get(key) else {
                // A failed write-back must not fail a commit that is already logged: grow
                // past the budget instead; the error shows up again at the next checkpoint.
                let idx = match self.free_frame(&mut st) {
                    Ok(idx) => idx,
                    Err(_) => self.grow(&mut st),
                };
                // The frame is unmapped and unpinned, so its lock is free; the page is
                // copied in before it is mapped, so that no pin ever finds the frame's
                // previous page under this key.
                let frame = st.frames[idx].clone();
                frame.page.write().bytes.copy_from_slice(&page.bytes);
                frame.loaded.store(true, Ordering::Release);
                frame.failed.store(false, Ordering::Release);
                frame.dirty.store(true, Ordering::Release);
                frame.referenced.store(true, Ordering::Relaxed);
                st.map.insert(key, idx);
                st.keys[idx] = Some(key);
                return Ok(());
            };
            let frame = st.frames[idx].clone();
            frame.referenced.store(true, Ordering::Relaxed);
            // Pin, then take the page lock without holding the pool lock.
            let pinned = PinnedPage { frame };
            pinned.frame.pins.fetch_add(1, Ordering::AcqRel);
            drop(st);
            let mut guard = pinned.frame.page.write();
            // A read of the old image that failed meanwhile left the frame unmapped.
            if pinned.frame.failed.load(Ordering::Acquire) {
                continue;
            }
            guard.bytes.copy_from_slice(&page.bytes);
            pinned.frame.dirty.store(true, Ordering::Release);
            return Ok(());
        }
    }

    /// Finds an unused frame, evicting (and writing back) if the pool is full. Called with
    /// the state lock held; returns a frame that is unmapped and unpinned.
    fn free_frame(&self, st: &mut PoolState) -> Result<usize> {
        if st.frames.len() < self.capacity {
            return Ok(self.grow(st));
        }
        let n_frames = st.frames.len();
        for _ in 0..2 * n_frames {
            let idx = st.hand;
            st.hand = (st.hand + 1) % n_frames;
            let frame = &st.frames[idx];
            if frame.pins.load(Ordering::Acquire) > 0 {
                continue;
            }
            if frame.referenced.swap(false, Ordering::Relaxed) {
                continue;
            }
            if frame.dirty.load(Ordering::Acquire) {
                self.write_back(st)?;
            }
            if let Some(old) = st.keys[idx].take() {
                st.map.remove(old);
            }
            return Ok(idx);
        }
        Ok(self.grow(st))
    }

    /// Adds a frame, taking its page from the current slab or a new one (sized to what the
    /// budget has left, a few pages when past it).
    fn grow(&self, st: &mut PoolState) -> usize {
        let page = match st.spare.pop() {
            Some(page) => page,
            None => {
                let left = self.capacity.saturating_sub(st.frames.len());
                st.spare = PageSlab::allocate(if left > 0 { left.min(SLAB_PAGES) } else { 8 });
                st.spare.pop().expect("a slab holds at least one page")
            }
        };
        st.frames.push(Arc::new(Frame {
            page: RwLock::new(page),
            pins: AtomicU32::new(0),
            referenced: AtomicBool::new(false),
            dirty: AtomicBool::new(false),
            loaded: AtomicBool::new(true),
            failed: AtomicBool::new(false),
        }));
        st.keys.push(None);
        st.frames.len() - 1
    }

    /// Writes every dirty, unpinned page in one batch.
    fn write_back(&self, st: &PoolState) -> Result<()> {
        let mut batch = Vec::new();
        let mut written = Vec::new();
        for (idx, frame) in st.frames.iter().enumerate() {
            let Some(key) = st.keys[idx] else { continue };
            if frame.dirty.load(Ordering::Acquire) && frame.pins.load(Ordering::Acquire) == 0 {
                let page = frame.page.read();
                frame.dirty.store(false, Ordering::Release);
                batch.push((key, Box::new((**page).clone())));
                written.push(idx);
            }
        }
        self.write_batch(st, batch, &written)
    }

    fn write_batch(
        &self,
        st: &PoolState,
        mut batch: Vec<(PageKey, Box<Page>)>,
        written: &[usize],
    ) -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        batch.sort_by_key(|(key, _)| *key);
        if let Err(e) = self.io.write_pages(&mut batch) {
            for &idx in written {
                st.frames[idx].dirty.store(true, Ordering::Release);
            }
            return Err(e);
        }
        self.writes.fetch_add(batch.len() as u64, Ordering::Relaxed);
        Ok(())
    }

    /// Writes every dirty page, pinned or not (a checkpoint). Pages pinned for writing are
    /// waited for through their locks.
    pub fn flush_all(&self) -> Result<()> {
        let st = self.state.write();
        let mut batch = Vec::new();
        let mut written = Vec::new();
        for (idx, frame) in st.frames.iter().enumerate() {
            let Some(key) = st.keys[idx] else { continue };
            if frame.dirty.load(Ordering::Acquire) {
                let page = frame.page.read();
                frame.dirty.store(false, Ordering::Release);
                batch.push((key, Box::new((**page).clone())));
                written.push(idx);
            }
        }
        self.write_batch(&st, batch, &written)
    }

    /// Forgets every cached page of `file` without writing it (the file is being dropped).
    pub fn discard_file(&self, file: FileId) {
        let mut st = self.state.write();
        for idx in 0..st.frames.len() {
            if let Some(key) = st.keys[idx] {
                if key.file == file {
                    st.frames[idx].dirty.store(false, Ordering::Release);
                    st.map.remove(key);
                    st.keys[idx] = None;
                }
            }
        }
    }

    /// Number of dirty pages (for tests and checkpoint heuristics).
    pub fn dirty_pages(&self) -> usize {
        let st = self.state.read();
        st.frames
            .iter()
            .zip(&st.keys)
            .filter(|(f, k)| k.is_some() && f.dirty.load(Ordering::Acquire))
            .count()
    }

    /// Hit, miss and write counters.
    pub fn stats(&self) -> PoolStats {
        PoolStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            writes: self.writes.load(Ordering::Relaxed),
        }
    }

    /// Pages the pool holds now.
    pub fn cached_pages(&self) -> usize {
        self.state
            .read()
            .keys
            .iter()
            .filter(|k| k.is_some())
            .count()
    }

    /// The configured budget in pages.
    pub fn capacity(&self) -> usize {
        self.capacity
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Lsn;
    use parking_lot::Mutex;
    use std::collections::HashMap;

    #[derive(Default)]
    struct MemIo {
        pages: Mutex<HashMap<PageKey, Box<Page>>>,
    }

    impl PageIo for MemIo {
        fn read_page(&self, key: PageKey, page: &mut Page) -> Result<()> {
            match self.pages.lock().get(&key) {
                Some(stored) => page.bytes.copy_from_slice(&stored.bytes),
                None => page.bytes.fill(0),
            }
            Ok(())
        }
        fn write_pages(&self, pages: &mut [(PageKey, Box<Page>)]) -> Result<()> {
            let mut map = self.pages.lock();
            for (key, page) in pages.iter() {
                map.insert(*key, page.clone());
            }
            Ok(())
        }
    }

    fn key(page_no: u32) -> PageKey {
        PageKey { file: 1, page_no }
    }

    #[test]
    fn evicted_dirty_pages_are_written_back_and_reread() {
        let io = Arc::new(MemIo::default());
        let pool = BufferPool::new(8, io.clone());
        for page_no in 0..40 {
            let pin = pool.pin(key(page_no)).unwrap();
            pin.write().set_lsn(Lsn(page_no as u64 + 1));
        }
        assert!(pool.stats().writes >= 32);
        for page_no in 0..40 {
            let pin = pool.pin(key(page_no)).unwrap();
            assert_eq!(pin.read().lsn(), Lsn(page_no as u64 + 1));
        }
        pool.flush_all().unwrap();
        assert_eq!(pool.dirty_pages(), 0);
        assert_eq!(io.pages.lock().len(), 40);
    }

    #[test]
    fn pinned_pages_are_never_evicted() {
        let pool = BufferPool::new(8, Arc::new(MemIo::default()));
        let held: Vec<_> = (0..8).map(|p| pool.pin(key(p)).unwrap()).collect();
        held[3].write().set_lsn(Lsn(77));
        // Every frame is pinned: the pool grows instead of failing.
        let extra = pool.pin(key(100)).unwrap();
        drop(extra);
        assert_eq!(held[3].read().lsn(), Lsn(77));
        let stats = pool.stats();
        assert_eq!(stats.misses, 9);
        drop(held);
        let again = pool.pin(key(3)).unwrap();
        assert_eq!(again.read().lsn(), Lsn(77));
        assert_eq!(pool.stats().hits, 1);
    }

    #[test]
    fn looking_ahead_never_reads() {
        let pool = BufferPool::new(8, Arc::new(MemIo::default()));
        assert!(pool.pin_if_cached(key(1)).is_none());
        pool.pin(key(1)).unwrap().write().set_lsn(Lsn(5));
        let ahead = pool.pin_if_cached(key(1)).unwrap();
        assert_eq!(ahead.try_read().unwrap().lsn(), Lsn(5));
        // A look-ahead pin holds its frame like any other.
        let others: Vec<_> = (2..20).map(|p| pool.pin(key(p)).unwrap()).collect();
        assert_eq!(ahead.read().lsn(), Lsn(5));
        drop(others);
        let writing = ahead.write();
        assert!(pool.pin_if_cached(key(1)).unwrap().try_read().is_none());
        drop(writing);
        // Two look-ahead pins count as hits; prefetches of a cached page and of one the
        // pool does not hold count and read nothing.
        pool.prefetch(key(1));
        pool.prefetch(key(99));
        assert_eq!(pool.stats().hits, 2);
        assert_eq!(pool.stats().misses, 19);
    }

    /// Reads that wait for a signal, or fail, for one page.
    struct GatedIo {
        inner: MemIo,
        gated: PageKey,
        open: Mutex<bool>,
        opened: parking_lot::Condvar,
        fail: AtomicBool,
    }

    impl PageIo for GatedIo {
        fn read_page(&self, key: PageKey, page: &mut Page) -> Result<()> {
            if key == self.gated {
                let mut open = self.open.lock();
                while !*open {
                    self.opened.wait(&mut open);
                }
                if self.fail.load(Ordering::Acquire) {
                    return Err(crate::error::Error::CorruptPage {
                        path: "gated".into(),
                        page_no: key.page_no,
                        reason: "injected".into(),
                    });
                }
            }
            self.inner.read_page(key, page)
        }
        fn write_pages(&self, pages: &mut [(PageKey, Box<Page>)]) -> Result<()> {
            self.inner.write_pages(pages)
        }
    }

    fn gated(fail: bool) -> Arc<GatedIo> {
        Arc::new(GatedIo {
            inner: MemIo::default(),
            gated: key(7),
            open: Mutex::new(false),
            opened: parking_lot::Condvar::new(),
            fail: AtomicBool::new(fail),
        })
    }

    fn open_gate(io: &GatedIo) {
        *io.open.lock() = true;
        io.opened.notify_all();
    }

    #[test]
    fn a_slow_read_blocks_only_pins_of_its_own_page() {
        let io = gated(false);
        let pool = BufferPool::new(16, io.clone());
        pool.pin(key(1)).unwrap().write().set_lsn(Lsn(11));
        std::thread::scope(|scope| {
            let slow = scope.spawn(|| pool.pin(key(7)).unwrap().read().lsn());
            let waiting = scope.spawn(|| {
                while pool.stats().misses < 2 {
                    std::thread::yield_now();
                }
                pool.pin(key(7)).unwrap().read().lsn()
            });
            while pool.stats().misses < 2 {
                std::thread::yield_now();
            }
            // Page 7's read is stuck; other pages, cached or not, are pinned meanwhile.
            assert_eq!(pool.pin(key(1)).unwrap().read().lsn(), Lsn(11));
            assert_eq!(pool.pin(key(2)).unwrap().read().lsn(), Lsn(0));
            assert!(pool.pin_if_cached(key(7)).is_none());
            open_gate(&io);
            assert_eq!(slow.join().unwrap(), Lsn(0));
            assert_eq!(waiting.join().unwrap(), Lsn(0));
        });
        // Page 7 was read once.
        assert_eq!(pool.stats().misses, 3);
    }

    #[test]
    fn a_failed_read_fails_every_pin_waiting_for_it_and_maps_nothing() {
        let io = gated(true);
        let pool = BufferPool::new(16, io.clone());
        std::thread::scope(|scope| {
            let first = scope.spawn(|| pool.pin(key(7)).err());
            while pool.stats().misses < 1 {
                std::thread::yield_now();
            }
            let second = scope.spawn(|| pool.pin(key(7)).err());
            let installing = scope.spawn(|| {
                let mut page = Page::new_boxed();
                page.set_lsn(Lsn(42));
                pool.install(key(9), &page)
            });
            std::thread::sleep(std::time::Duration::from_millis(20));
            open_gate(&io);
            assert!(first.join().unwrap().is_some());
            // The waiting pin starts over and reads the page itself: it fails too.
            assert!(second.join().unwrap().is_some());
            installing.join().unwrap().unwrap();
        });
        assert!(pool.pin_if_cached(key(7)).is_none());
        io.fail.store(false, Ordering::Release);
        assert_eq!(pool.pin(key(7)).unwrap().read().lsn(), Lsn(0));
        assert_eq!(pool.pin(key(9)).unwrap().read().lsn(), Lsn(42));
        assert_eq!(pool.dirty_pages(), 1);
    }

    #[test]
    fn threads_pin_cached_pages_side_by_side() {
        let pool = BufferPool::new(64, Arc::new(MemIo::default()));
        for page_no in 0..32 {
            pool.pin(key(page_no))
                .unwrap()
                .write()
                .set_lsn(Lsn(u64::from(page_no)));
        }
        std::thread::scope(|scope| {
            for offset in 0..4 {
                let pool = &pool;
                scope.spawn(move || {
                    for round in 0..2000u32 {
                        let page_no = (round + offset) % 40;
                        let pin = pool.pin(key(page_no)).unwrap();
                        let expected = if page_no < 32 { u64::from(page_no) } else { 0 };
                        assert_eq!(pin.read().lsn(), Lsn(expected));
                    }
                });
            }
        });
        let stats = pool.stats();
        assert_eq!(stats.hits + stats.misses, 32 + 4 * 2000);
    }
}
