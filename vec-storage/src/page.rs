//! Fixed-size 8 KiB pages with a checksummed header. Pages are the unit of caching
//! ([`crate::buffer_pool`]) and of heap-file I/O; the checksum is set just before a page is
//! written and verified on every read, so a flipped bit on disk is reported with file and
//! page number instead of being served as data.
//!
//! Header layout (little-endian), followed by kind-specific content:
//!
//! | offset | size | field                                                        |
//! |-------:|-----:|--------------------------------------------------------------|
//! | 0      | 4    | CRC32C of bytes 4..8192                                      |
//! | 4      | 4    | page number (catches misdirected writes)                     |
//! | 8      | 8    | LSN: commit LSN of the last transaction applied to the page  |
//! | 16     | 1    | kind: 0 new, 1 free, 2 heap, 3 overflow                      |
//! | 17     | 7    | reserved, zero                                               |
//!
//! An all-zero page (a hole left by extending the file) is a valid "new" page.

use std::path::Path;

use crate::error::Error;
use crate::Lsn;

/// Size of every page in bytes (PostgreSQL's `BLCKSZ`).
pub const PAGE_SIZE: usize = 8192;
/// Size of the common page header.
pub const PAGE_HEADER_SIZE: usize = 24;

/// What a page holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageKind {
    /// Never written (all zero).
    New,
    /// Free: available for reuse.
    Free,
    /// A slotted heap page.
    Heap,
    /// One link of an overflow chain.
    Overflow,
}

impl PageKind {
    fn to_byte(self) -> u8 {
        match self {
            PageKind::New => 0,
            PageKind::Free => 1,
            PageKind::Heap => 2,
            PageKind::Overflow => 3,
        }
    }
    fn from_byte(byte: u8) -> Option<PageKind> {
        Some(match byte {
            0 => PageKind::New,
            1 => PageKind::Free,
            2 => PageKind::Heap,
            3 => PageKind::Overflow,
            _ => return None,
        })
    }
}

/// One page image.
#[derive(Clone)]
#[repr(transparent)]
pub struct Page {
    /// The raw bytes, header included.
    pub bytes: [u8; PAGE_SIZE],
}

impl std::fmt::Debug for Page {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Page")
            .field("lsn", &self.lsn())
            .field("kind", &self.kind())
            .finish_non_exhaustive()
    }
}

impl Page {
    /// Asks the CPU to start loading every cache line of the page: a scan about to read
    /// all its rows then waits for memory once rather than row by row (the slots point
    /// into the page in no order a hardware prefetcher follows). Only a hint: it changes
    /// nothing and costs a few nanoseconds; on targets other than x86-64 it does nothing.
    #[inline]
    pub fn prefetch(&self) {
        #[cfg(target_arch = "x86_64")]
        for line in self.bytes.chunks(64) {
            // SAFETY: a prefetch only hints: it never faults and reads no value into the
            // program; the address is inside the page, and SSE is in x86-64's baseline.
            unsafe {
                core::arch::x86_64::_mm_prefetch::<{ core::arch::x86_64::_MM_HINT_T0 }>(
                    line.as_ptr().cast::<i8>(),
                )
            };
        }
    }

    /// Asks the CPU to start loading the cache line holding byte `offset` (into the
    /// first-level cache: for a read coming soon). Only a hint; an offset past the page
    /// asks for nothing.
    #[inline]
    pub fn prefetch_line(&self, offset: usize) {
        #[cfg(target_arch = "x86_64")]
        if let Some(byte) = self.bytes.get(offset) {
            // SAFETY: a prefetch only hints: it never faults and reads no value into the
            // program; the address is inside the page, and SSE is in x86-64's baseline.
            unsafe {
                core::arch::x86_64::_mm_prefetch::<{ core::arch::x86_64::_MM_HINT_T0 }>(
                    (byte as *const u8).cast::<i8>(),
                )
            };
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = offset;
    }

    /// Asks for every cache line of the page into the second-level cache (`T1`, for the
    /// reason [`PagePrefetch`] gives), in address order: for a read of the whole page.
    #[inline]
    fn prefetch_all_to_l2(&self) {
        #[cfg(target_arch = "x86_64")]
        for line in self.bytes.chunks_exact(64) {
            // SAFETY: a prefetch only hints: it never faults and reads no value into the
            // program; the address is inside the page, and SSE is in x86-64's baseline.
            unsafe {
                core::arch::x86_64::_mm_prefetch::<{ core::arch::x86_64::_MM_HINT_T1 }>(
                    line.as_ptr().cast::<i8>(),
                )
            };
        }
    }

    /// A cursor that requests the page's cache lines a few at a time (see
    /// [`PagePrefetch`]), for a scan that reads this page after the one it is reading now.
    #[inline]
    pub fn prefetch_cursor(&self) -> PagePrefetch {
        PagePrefetch {
            start: self.bytes.as_ptr(),
            next: 0,
        }
    }

    /// An all-zero ("new") page.
    pub fn new_boxed() -> Box<Page> {
        Box::new(Page {
            bytes: [0; PAGE_SIZE],
        })
    }

    /// The LSN stored in the header.
    pub fn lsn(&self) -> Lsn {
        Lsn(u64::from_le_bytes(
            self.bytes[8..16].try_into().unwrap_or_default(),
        ))
    }

    /// Stores an LSN in the header.
    pub fn set_lsn(&mut self, lsn: Lsn) {
        self.bytes[8..16].copy_from_slice(&lsn.0.to_le_bytes());
    }

    /// The page kind; an unknown kind byte reads as `None`.
    pub fn kind(&self) -> Option<PageKind> {
        PageKind::from_byte(self.bytes[16])
    }

    /// Re-initialises the page as an empty page of `kind`, keeping nothing but the LSN.
    pub fn init(&mut self, kind: PageKind) {
        let lsn = self.lsn();
        self.bytes.fill(0);
        self.set_lsn(lsn);
        self.bytes[16] = kind.to_byte();
    }

    /// Stamps page number and checksum; called just before the page goes to disk.
    pub fn seal(&mut self, page_no: u32) {
        self.bytes[4..8].copy_from_slice(&page_no.to_le_bytes());
        let crc = crc32c::crc32c(&self.bytes[4..]);
        self.bytes[0..4].copy_from_slice(&crc.to_le_bytes());
    }

    /// Checks checksum, page number and kind of a page read from `path` at `page_no`.
    pub fn verify(&self, path: &Path, page_no: u32) -> Result<(), Error> {
        let corrupt = |reason: String| Error::CorruptPage {
            path: path.to_path_buf(),
            page_no,
            reason,
        };
        let stored = u32::from_le_bytes(self.bytes[0..4].try_into().unwrap_or_default());
        if stored == 0 && self.bytes.iter().all(|&b| b == 0) {
            return Ok(());
        }
        // A page being verified is most likely in no cache. Its lines are asked for into
        // the second-level cache first, so that they come in at once rather than as the
        // checksum reaches them: 0.9–1.0 µs a random page against 1.4 µs, measured on a
        // 2-core AMD EPYC. (After the read of `stored` above, which maps a page of a
        // mapped file in: a prefetch of an address not mapped yet is dropped.)
        self.prefetch_all_to_l2();
        let computed = crc32c::crc32c(&self.bytes[4..]);
        if stored != computed {
            return Err(corrupt(format!(
                "page verification failed, calculated checksum {computed:08x} but expected {stored:08x}"
            )));
        }
        let stored_no = u32::from_le_bytes(self.bytes[4..8].try_into().unwrap_or_default());
        if stored_no != page_no {
            return Err(corrupt(format!("page header names page {stored_no}")));
        }
        if self.kind().is_none() {
            return Err(corrupt(format!("unknown page kind {}", self.bytes[16])));
        }
        Ok(())
    }

    /// Reads a little-endian `u16` at `offset`; 0 past the end of the page (a damaged
    /// slot directory must not panic the reader).
    pub(crate) fn u16_at(&self, offset: usize) -> u16 {
        self.bytes
            .get(offset..offset.saturating_add(2))
            .map_or(0, |b| u16::from_le_bytes([b[0], b[1]]))
    }

    /// Writes a little-endian `u16` at `offset`.
    pub(crate) fn put_u16(&mut self, offset: usize, value: u16) {
        self.bytes[offset..offset + 2].copy_from_slice(&value.to_le_bytes());
    }

    /// Reads a little-endian `u32` at `offset`.
    pub(crate) fn u32_at(&self, offset: usize) -> u32 {
        self.bytes
            .get(offset..offset.saturating_add(4))
            .and_then(|b| b.try_into().ok())
            .map_or(0, u32::from_le_bytes)
    }

    /// Writes a little-endian `u32` at `offset`.
    pub(crate) fn put_u32(&mut self, offset: usize, value: u32) {
        self.bytes[offset..offset + 4].copy_from_slice(&value.to_le_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_page_verifies_and_flipped_byte_does_not() {
        let mut page = Page::new_boxed();
        page.init(PageKind::Heap);
        page.set_lsn(Lsn(42));
        page.bytes[100] = 7;
        page.seal(3);
        let path = Path::new("heap/1.heap");
        page.verify(path, 3).unwrap();
        assert!(matches!(
            page.verify(path, 4),
            Err(Error::CorruptPage { page_no: 4, .. })
        ));
        page.bytes[5000] ^= 1;
        let err = page.verify(path, 3).unwrap_err();
        assert!(err.to_string().contains("invalid page 3"), "{err}");
    }

    #[test]
    fn zero_page_is_new() {
        let page = Page::new_boxed();
        page.verify(Path::new("x"), 9).unwrap();
        assert_eq!(page.kind(), Some(PageKind::New));
    }
}

/// Cache lines in a page.
pub const PAGE_LINES: usize = PAGE_SIZE / 64;

/// Requests one page's cache lines in paced steps: a scan asks for a share of the next
/// page's lines as it finishes each row of the current one, so that memory streams the next
/// page while the CPU works on this one. Asking for all 128 lines at once stalls the scan
/// until most of them have arrived (a core tracks only a dozen or so outstanding misses),
/// which puts the page's transfer in series with the work on its rows. The order is the one
/// a slotted page is read in: the header and slot directory first, then the tuples from the
/// page's end downwards. The lines are requested into the second-level cache (`T1`), not the
/// first: requests into L1 hold the core's few L1 miss slots until their lines arrive, and an
/// exact scan of the walkthrough table took 23.7 ms per query with them against 19.0 ms.
///
/// Only hints: the cursor holds an address, never a reference, and a prefetch neither faults
/// nor reads a value, so the cursor is harmless even if the page's frame is reused; its
/// holder keeps the page pinned so that the lines it asks for are the ones it will read.
pub struct PagePrefetch {
    start: *const u8,
    /// Lines requested so far.
    next: usize,
}

impl PagePrefetch {
    /// Requests the next `lines` lines (fewer when the page has no more).
    #[inline]
    pub fn advance(&mut self, lines: usize) {
        let end = (self.next + lines).min(PAGE_LINES);
        while self.next < end {
            // Line 0 first, then from the last line downwards.
            let line = if self.next == 0 {
                0
            } else {
                PAGE_LINES - self.next
            };
            self.request(line);
            self.next += 1;
        }
    }

    /// Requests every line not requested yet.
    #[inline]
    pub fn finish(&mut self) {
        self.advance(PAGE_LINES);
    }

    #[inline(always)]
    fn request(&self, line: usize) {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: a prefetch only hints: it never faults, even at an invalid address, and
        // reads no value into the program; SSE is in x86-64's baseline. The address is formed
        // with `wrapping_add`, which assumes nothing of it.
        unsafe {
            core::arch::x86_64::_mm_prefetch::<{ core::arch::x86_64::_MM_HINT_T1 }>(
                self.start.wrapping_add(line * 64).cast::<i8>(),
            )
        };
        #[cfg(not(target_arch = "x86_64"))]
        let _ = line;
    }
}
