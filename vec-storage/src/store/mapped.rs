//! Heap pages read in place: a read-only mapping of a heap file, through which a reader that
//! fetches a row the buffer pool does not hold looks at the page where the operating system
//! keeps it, instead of copying it into a pool frame.
//!
//! Why: a stream of `ORDER BY … LIMIT 10` queries fetches about ten rows each from pages
//! no query read before. Through the pool each of those pages costs a `pread` (a copy of
//! 8 KiB) into a frame the kernel first had to zero, and on a virtual machine the fresh
//! frames were the larger share: 18% of a first pass over 1,000 such statements.
//!
//! Rules that keep this exactly as correct as reading through the pool:
//!
//! - The pool is asked first ([`crate::buffer_pool::BufferPool::read_page`]): a page it
//!   holds may be newer than the file, and is read there. A page it does not hold has its
//!   latest committed image in the file, since the pool writes a dirty page back before it
//!   lets it go. A transaction that installs a newer image after that check is one the
//!   reader's snapshot does not see, so reading the file's image is reading the page a
//!   moment earlier.
//! - Every write of a page into the file ([`MappedFile::write`]) holds the mapping's lock
//!   for writing, and a reader holds it for reading while it looks at the page: no reader
//!   ever sees a page half written.
//! - A page is verified (checksum, page number, kind, the checkpoint's page map) the first
//!   time it is read through the mapping, and again after each write. A page that fails is
//!   not reported from here: the caller reads it through the pool, whose read is the one
//!   that decides, and reports, damage.
//! - The mapping covers the whole pages the file had when it was made; a write past them
//!   drops it, and the next read maps the file again at its new length. The store never
//!   shortens a heap file, and the directory lock keeps other processes of the store out;
//!   a file cut short behind the store's back while it is open would fault the reader
//!   (`SIGBUS`), as with any mapped file.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use parking_lot::{RwLock, RwLockWriteGuard};

use crate::error::Result;
use crate::file_io::BackendFile;
use crate::page::{Page, PAGE_SIZE};

/// A mapping of a heap file's whole pages, and which of them have been verified.
struct Mapping {
    map: memmap2::Mmap,
    pages: u32,
    /// One bit per page: verified since it was last written.
    verified: Box<[AtomicU64]>,
}

impl Mapping {
    fn page(&self, page_no: u32) -> &Page {
        let start = page_no as usize * PAGE_SIZE;
        let bytes: &[u8; PAGE_SIZE] = self.map[start..start + PAGE_SIZE]
            .try_into()
            .expect("a page's slice is one page long");
        // SAFETY: `Page` is `repr(transparent)` over `[u8; PAGE_SIZE]`, so the reference
        // is to a valid `Page` of the same size and alignment.
        unsafe { &*(bytes as *const [u8; PAGE_SIZE]).cast::<Page>() }
    }

    fn is_verified(&self, page_no: u32) -> bool {
        let word = &self.verified[page_no as usize / 64];
        word.load(Ordering::Acquire) & (1 << (page_no % 64)) != 0
    }

    fn set_verified(&self, page_no: u32, verified: bool) {
        let word = &self.verified[page_no as usize / 64];
        let bit = 1u64 << (page_no % 64);
        if verified {
            word.fetch_or(bit, Ordering::AcqRel);
        } else {
            word.fetch_and(!bit, Ordering::AcqRel);
        }
    }
}

/// How a read through the mapping went.
pub(crate) enum MappedRead {
    /// The page was read in place; `verified_now` when this read was its first since the
    /// file was mapped or the page written (it came from the file, as a pool miss would).
    Read {
        /// What the reader's function returned.
        result: Result<()>,
        /// Whether the page was verified by this read.
        verified_now: bool,
    },
    /// The page cannot be read in place (no mapping, past the mapped pages, or it failed
    /// verification): read it through the pool.
    Unavailable,
}

/// The read-only mapping of one heap file, made on first use.
#[derive(Default)]
pub(crate) struct MappedFile {
    mapping: RwLock<Option<Mapping>>,
    /// The backend cannot map this file: never try again.
    unmappable: AtomicBool,
}

impl MappedFile {
    /// Calls `f` with page `page_no` as the file holds it, verifying it first with
    /// `verify` unless it has been since it was last written.
    pub(crate) fn read(
        &self,
        file: &dyn BackendFile,
        page_no: u32,
        verify: &mut dyn FnMut(&Page) -> Result<()>,
        f: &mut dyn FnMut(&Page) -> Result<()>,
    ) -> MappedRead {
        if self.unmappable.load(Ordering::Relaxed) {
            return MappedRead::Unavailable;
        }
        let mut guard = self.mapping.read();
        if guard.is_none() {
            drop(guard);
            let mut writing = self.mapping.write();
            if writing.is_none() {
                *writing = self.map(file);
            }
            guard = RwLockWriteGuard::downgrade(writing);
        }
        let Some(mapping) = guard.as_ref() else {
            return MappedRead::Unavailable;
        };
        if page_no >= mapping.pages {
            return MappedRead::Unavailable;
        }
        let page = mapping.page(page_no);
        let verified_now = !mapping.is_verified(page_no);
        if verified_now {
            if verify(page).is_err() {
                return MappedRead::Unavailable;
            }
            mapping.set_verified(page_no, true);
        }
        MappedRead::Read {
            result: f(page),
            verified_now,
        }
    }

    /// Calls `f` with page `page_no` as the mapping holds it, only if it is mapped and
    /// verified already (a hint's path: it never maps, verifies or waits for a writer).
    pub(crate) fn with_verified_page(&self, page_no: u32, f: impl FnOnce(&Page)) {
        let Some(guard) = self.mapping.try_read() else {
            return;
        };
        if let Some(mapping) = guard.as_ref() {
            if page_no < mapping.pages && mapping.is_verified(page_no) {
                f(mapping.page(page_no));
            }
        }
    }

    /// Maps the file's whole pages; `None` if it has none or the backend cannot map it.
    fn map(&self, file: &dyn BackendFile) -> Option<Mapping> {
        let pages = file.size().ok()? / PAGE_SIZE as u64;
        let pages = u32::try_from(pages).ok()?;
        if pages == 0 {
            return None;
        }
        let Some(map) = file.map_read_only() else {
            self.unmappable.store(true, Ordering::Relaxed);
            return None;
        };
        if map.len() < pages as usize * PAGE_SIZE {
            return None;
        }
        let words = (pages as usize).div_ceil(64);
        Some(Mapping {
            map,
            pages,
            verified: (0..words).map(|_| AtomicU64::new(0)).collect(),
        })
    }

    /// Runs `write`, which writes page `page_no` into the file, with no reader looking at
    /// the page meanwhile; afterwards the page is verified again on its next read, and a
    /// page past the mapping drops it (to be mapped again at the file's new length).
    pub(crate) fn write(&self, page_no: u32, write: impl FnOnce() -> Result<()>) -> Result<()> {
        let mut guard = self.mapping.write();
        let result = write();
        match guard.as_ref() {
            Some(mapping) if page_no < mapping.pages => mapping.set_verified(page_no, false),
            Some(_) => *guard = None,
            None => {}
        }
        result
    }
}
