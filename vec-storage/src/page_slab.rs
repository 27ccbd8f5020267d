//! Memory for the buffer pool's frames, taken from the system a slab of pages at a time.
//!
//! A frame allocated on its own (an 8 kB `Box`) costs an allocator call that grows the
//! allocator's arena (an `mprotect` now and then, and its bookkeeping each time); a
//! stream of queries reading thousands of pages into a fresh pool spent 5% of its time
//! there. A slab is one anonymous mapping of up to [`SLAB_PAGES`] pages (2 MiB), taken
//! with one system call, its pages mapped by that call (`MAP_POPULATE` on Linux: a fresh
//! frame's first touch used to fault, about 2 µs per 4 kB page on a virtual machine, which
//! was 6% of a first pass of queries fetching their rows into an empty pool); its memory is
//! zero and goes back to the system when the last frame of the slab is dropped.
//!
//! On Linux a whole slab is one transparent huge page where the system allows it: the slab
//! is placed on a 2 MiB boundary, advised `MADV_HUGEPAGE` and populated at once
//! (`MADV_POPULATE_WRITE`). A scan that reads every frame then misses the TLB once per
//! 2 MiB instead of once per 4 kB: an exact scan of the walkthrough table (25,000 frames)
//! went from 14.8 to 10.4–11.2 ms per query on an AMD EPYC, its first, cold query from
//! 0.21 to 0.14 s. (An earlier try, which let the huge pages be zeroed on first touch
//! instead of when the slab is made, had made a cold scan 20% slower.) Where the system
//! refuses huge pages the slab is made of ordinary pages, populated all the same.
//!
//! ```
//! use vec_storage::page_slab::PageSlab;
//! let mut pages = PageSlab::allocate(3);
//! assert_eq!(pages.len(), 3);
//! let mut page = pages.pop().unwrap();
//! assert!(page.bytes.iter().all(|&b| b == 0));
//! page.bytes[0] = 7;
//! assert_eq!(page.bytes[0], 7);
//! ```

use std::ops::{Deref, DerefMut};
use std::ptr::NonNull;
use std::sync::Arc;

use crate::page::{Page, PAGE_SIZE};

/// Pages per slab: 2 MiB.
pub const SLAB_PAGES: usize = 256;

/// One mapping holding consecutive page images; unmapped when dropped.
struct Slab {
    base: NonNull<u8>,
    /// The bytes mapped from `base` (the pages, rounded to what was asked of the system).
    len: usize,
}

// SAFETY: a slab is plain memory; each page in it is owned by exactly one `SlabPage`,
// which hands out references under Rust's borrowing rules.
unsafe impl Send for Slab {}
// SAFETY: as above: the slab itself is never read or written through a shared reference.
unsafe impl Sync for Slab {}

/// One page image in a slab, owned: a `Box<Page>` whose memory comes from a slab.
pub struct SlabPage {
    page: NonNull<Page>,
    _slab: Arc<Slab>,
}

// SAFETY: a `SlabPage` owns its page exclusively (no other `SlabPage` points to it), like
// a `Box<Page>`; the shared slab is only kept alive, never accessed.
unsafe impl Send for SlabPage {}
// SAFETY: shared references give only `&Page`, as for a `Box<Page>`.
unsafe impl Sync for SlabPage {}

impl Deref for SlabPage {
    type Target = Page;

    fn deref(&self) -> &Page {
        // SAFETY: the page lies inside the live slab (kept by `_slab`), is aligned (pages
        // start at multiples of PAGE_SIZE from a page-aligned base), was zeroed by the
        // system (a valid `Page`: plain bytes), and only this `SlabPage` refers to it.
        unsafe { self.page.as_ref() }
    }
}

impl DerefMut for SlabPage {
    fn deref_mut(&mut self) -> &mut Page {
        // SAFETY: as in `deref`; `&mut self` makes the access exclusive.
        unsafe { self.page.as_mut() }
    }
}

/// A set of fresh, all-zero pages from one slab.
pub struct PageSlab;

impl PageSlab {
    /// `count` all-zero pages (at most [`SLAB_PAGES`]; a larger count is clamped) from
    /// one new slab, last page first when popped.
    pub fn allocate(count: usize) -> Vec<SlabPage> {
        let count = count.clamp(1, SLAB_PAGES);
        let slab = Arc::new(Slab::map(count * PAGE_SIZE));
        (0..count)
            .rev()
            .map(|i| SlabPage {
                // SAFETY: `i * PAGE_SIZE` is inside the mapping, which holds `count` pages.
                page: unsafe { NonNull::new_unchecked(slab.base.as_ptr().add(i * PAGE_SIZE)) }
                    .cast::<Page>(),
                _slab: slab.clone(),
            })
            .collect()
    }
}

/// Bytes of a huge page, and of the boundary a slab that can be one is placed on.
#[cfg(any(target_os = "linux", target_os = "android"))]
const HUGE_PAGE: usize = 2 << 20;

#[cfg(unix)]
impl Slab {
    /// Maps `len` zero bytes, every page present. Aborts like the global allocator when
    /// the system has no memory.
    fn map(len: usize) -> Slab {
        #[cfg(any(target_os = "linux", target_os = "android"))]
        if len % HUGE_PAGE == 0 {
            if let Some(slab) = Self::map_huge(len) {
                return slab;
            }
        }
        #[cfg(any(target_os = "linux", target_os = "android"))]
        let populate = libc::MAP_POPULATE;
        #[cfg(not(any(target_os = "linux", target_os = "android")))]
        let populate = 0;
        Slab {
            base: Self::map_raw(len, populate).unwrap_or_else(|| {
                std::alloc::handle_alloc_error(std::alloc::Layout::new::<Page>())
            }),
            len,
        }
    }

    /// An anonymous private mapping of `len` bytes; `None` when the system refuses.
    fn map_raw(len: usize, flags: libc::c_int) -> Option<NonNull<u8>> {
        // SAFETY: an anonymous private mapping with no address hint has no preconditions.
        let raw = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | flags,
                -1,
                0,
            )
        };
        if raw == libc::MAP_FAILED {
            return None;
        }
        NonNull::new(raw.cast::<u8>())
    }

    /// `len` bytes (a multiple of [`HUGE_PAGE`]) on a huge-page boundary, advised to be
    /// huge pages and populated; `None` when the system refuses the mapping or cannot
    /// populate it (a kernel before 5.14), for [`Slab::map`] to make an ordinary slab.
    #[cfg(any(target_os = "linux", target_os = "android"))]
    fn map_huge(len: usize) -> Option<Slab> {
        // One huge page more than needed, then the ends trimmed to the boundaries.
        let raw = Self::map_raw(len + HUGE_PAGE, 0)?.as_ptr();
        let head = (HUGE_PAGE - raw as usize % HUGE_PAGE) % HUGE_PAGE;
        let tail = HUGE_PAGE - head;
        // SAFETY: `raw..raw + len + HUGE_PAGE` is the mapping just made; the two trimmed
        // ranges lie inside it, outside `base..base + len`, and nothing refers to them.
        // The advice calls only change how the kernel backs `base..base + len`.
        unsafe {
            let base = raw.add(head);
            if head > 0 {
                libc::munmap(raw.cast(), head);
            }
            if tail > 0 {
                libc::munmap(base.add(len).cast(), tail);
            }
            // Only a hint: without huge pages the slab works the same.
            libc::madvise(base.cast(), len, libc::MADV_HUGEPAGE);
            let slab = Slab {
                base: NonNull::new(base)?,
                len,
            };
            if libc::madvise(base.cast(), len, libc::MADV_POPULATE_WRITE) != 0 {
                // Dropping the slab unmaps it.
                return None;
            }
            Some(slab)
        }
    }
}

#[cfg(unix)]
impl Drop for Slab {
    fn drop(&mut self) {
        // SAFETY: the range is the mapping made in `map`, and no page of it is referenced
        // any more (every `SlabPage` holds the `Arc` this drop ends).
        unsafe {
            libc::munmap(self.base.as_ptr().cast(), self.len);
        }
    }
}

#[cfg(not(unix))]
impl Slab {
    fn layout(len: usize) -> std::alloc::Layout {
        std::alloc::Layout::from_size_align(len, PAGE_SIZE).expect("slab layout")
    }

    fn map(len: usize) -> Slab {
        let layout = Self::layout(len);
        // SAFETY: the layout has a non-zero size.
        let base = unsafe { std::alloc::alloc_zeroed(layout) };
        Slab {
            base: NonNull::new(base).unwrap_or_else(|| std::alloc::handle_alloc_error(layout)),
            len,
        }
    }
}

#[cfg(not(unix))]
impl Drop for Slab {
    fn drop(&mut self) {
        // SAFETY: allocated in `map` with the same layout.
        unsafe { std::alloc::dealloc(self.base.as_ptr(), Self::layout(self.len)) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_zero_distinct_and_outlive_their_siblings() {
        for count in [1, 2, 8, SLAB_PAGES, SLAB_PAGES + 5] {
            let mut pages = PageSlab::allocate(count);
            assert_eq!(pages.len(), count.min(SLAB_PAGES));
            for (i, page) in pages.iter_mut().enumerate() {
                assert!(page.bytes.iter().all(|&b| b == 0));
                page.bytes.fill(i as u8);
            }
            for (i, page) in pages.iter().enumerate() {
                assert!(page.bytes.iter().all(|&b| b == i as u8));
            }
            // Dropping all but one page keeps the slab mapped for the last.
            let last = pages.pop().unwrap();
            let expected = pages.len() as u8;
            drop(pages);
            assert!(last.bytes.iter().all(|&b| b == expected));
        }
    }
}
