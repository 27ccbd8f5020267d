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
//! (Transparent huge pages were tried for the slabs: they made a cold sequential scan 20%
//! slower, zeroing whole 2 MiB pages on first touch, and gained nothing on the query
//! stream.)
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

/// Maps a new slab's pages in the same system call.
#[cfg(any(target_os = "linux", target_os = "android"))]
const POPULATE: libc::c_int = libc::MAP_POPULATE;
/// Elsewhere pages are mapped on first touch.
#[cfg(all(unix, not(any(target_os = "linux", target_os = "android"))))]
const POPULATE: libc::c_int = 0;

#[cfg(unix)]
impl Slab {
    /// Maps `len` zero bytes. Aborts like the global allocator when the system has no
    /// memory.
    fn map(len: usize) -> Slab {
        // SAFETY: an anonymous private mapping with no address hint has no preconditions.
        let raw = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | POPULATE,
                -1,
                0,
            )
        };
        if raw == libc::MAP_FAILED {
            std::alloc::handle_alloc_error(std::alloc::Layout::new::<Page>());
        }
        Slab {
            base: NonNull::new(raw.cast::<u8>()).expect("mmap returned a null mapping"),
            len,
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
