//! The three ways heap code reaches pages ([`PageAccess`]): a transaction's private overlay
//! (copy-on-write over the committed pages in the buffer pool), read-only committed pages for
//! readers, and recovery's redo access, which skips pages that already hold a transaction's
//! effects (page LSN at or past the commit LSN), making replay idempotent.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use crate::buffer_pool::{BufferPool, PageKey};
use crate::error::{Error, Result};
use crate::heap::PageAccess;
use crate::page::Page;
use crate::store::files::HeapFiles;
use crate::Lsn;

fn corrupt(path: &std::path::Path, page_no: u32, reason: String) -> Error {
    Error::CorruptPage {
        path: path.to_path_buf(),
        page_no,
        reason,
    }
}

/// Committed pages, read-only.
pub(crate) struct CommittedAccess<'a> {
    pub(crate) pool: &'a BufferPool,
    pub(crate) heap: u32,
    /// The heap files, whose path a damage report names (made only then: a point fetch
    /// makes one of these per row).
    pub(crate) files: &'a HeapFiles,
}

impl PageAccess for CommittedAccess<'_> {
    fn read(&mut self, page_no: u32, f: &mut dyn FnMut(&Page) -> Result<()>) -> Result<()> {
        self.pool.read_page(
            PageKey {
                file: self.heap,
                page_no,
            },
            f,
        )
    }
    fn modify(&mut self, page_no: u32, _f: &mut dyn FnMut(&mut Page) -> Result<()>) -> Result<()> {
        Err(Error::InvalidArgument {
            reason: format!("page {page_no} modified outside a transaction"),
        })
    }
    fn corrupt(&self, page_no: u32, reason: String) -> Error {
        corrupt(&self.files.path_of(self.heap), page_no, reason)
    }
}

/// A transaction's copy-on-write view of one heap.
pub(crate) struct OverlayAccess<'a> {
    pub(crate) pool: &'a BufferPool,
    pub(crate) heap: u32,
    pub(crate) path: PathBuf,
    pub(crate) overlay: &'a mut HashMap<(u32, u32), Box<Page>>,
    /// Pages at or past this number do not exist in committed state.
    pub(crate) committed_pages: u32,
    /// Pages modified, in first-touch order.
    pub(crate) touched: Vec<u32>,
}

impl OverlayAccess<'_> {
    fn load(&mut self, page_no: u32) -> Result<&mut Box<Page>> {
        let key = (self.heap, page_no);
        if !self.overlay.contains_key(&key) {
            let mut copy = Page::new_boxed();
            if page_no < self.committed_pages {
                let pin = self.pool.pin(PageKey {
                    file: self.heap,
                    page_no,
                })?;
                copy.bytes.copy_from_slice(&pin.read().bytes);
            }
            self.overlay.insert(key, copy);
        }
        self.overlay
            .get_mut(&key)
            .ok_or_else(|| corrupt(&self.path, page_no, "overlay lost a page".into()))
    }
}

impl PageAccess for OverlayAccess<'_> {
    fn read(&mut self, page_no: u32, f: &mut dyn FnMut(&Page) -> Result<()>) -> Result<()> {
        read_overlaid(
            self.pool,
            self.heap,
            self.overlay,
            self.committed_pages,
            page_no,
            f,
        )
    }
    fn modify(&mut self, page_no: u32, f: &mut dyn FnMut(&mut Page) -> Result<()>) -> Result<()> {
        if !self.touched.contains(&page_no) {
            self.touched.push(page_no);
        }
        let page = self.load(page_no)?;
        f(page)
    }
    fn corrupt(&self, page_no: u32, reason: String) -> Error {
        corrupt(&self.path, page_no, reason)
    }
}

/// A transaction's view of one heap, read-only: its private pages over the committed ones.
pub(crate) struct OverlayRead<'a> {
    pub(crate) pool: &'a BufferPool,
    pub(crate) heap: u32,
    pub(crate) path: PathBuf,
    pub(crate) overlay: &'a HashMap<(u32, u32), Box<Page>>,
    /// Pages at or past this number do not exist in committed state.
    pub(crate) committed_pages: u32,
}

impl PageAccess for OverlayRead<'_> {
    fn read(&mut self, page_no: u32, f: &mut dyn FnMut(&Page) -> Result<()>) -> Result<()> {
        read_overlaid(
            self.pool,
            self.heap,
            self.overlay,
            self.committed_pages,
            page_no,
            f,
        )
    }
    fn modify(&mut self, page_no: u32, _f: &mut dyn FnMut(&mut Page) -> Result<()>) -> Result<()> {
        Err(Error::InvalidArgument {
            reason: format!("page {page_no} modified through a read-only view"),
        })
    }
    fn corrupt(&self, page_no: u32, reason: String) -> Error {
        corrupt(&self.path, page_no, reason)
    }
}

/// Redo access for one committed transaction during recovery.
pub(crate) struct ReplayAccess<'a> {
    pub(crate) pool: &'a BufferPool,
    pub(crate) heap: u32,
    pub(crate) path: PathBuf,
    pub(crate) commit_lsn: Lsn,
    pub(crate) claimed: &'a mut HashSet<(u32, u32)>,
    pub(crate) skipped: &'a mut HashSet<(u32, u32)>,
}

impl PageAccess for ReplayAccess<'_> {
    fn read(&mut self, page_no: u32, f: &mut dyn FnMut(&Page) -> Result<()>) -> Result<()> {
        let pin = self.pool.pin(PageKey {
            file: self.heap,
            page_no,
        })?;
        let page = pin.read();
        f(&page)
    }
    fn modify(&mut self, page_no: u32, f: &mut dyn FnMut(&mut Page) -> Result<()>) -> Result<()> {
        let key = (self.heap, page_no);
        if self.skipped.contains(&key) {
            return Ok(());
        }
        let pin = self.pool.pin(PageKey {
            file: self.heap,
            page_no,
        })?;
        let mut page = pin.write();
        if !self.claimed.contains(&key) {
            if page.lsn() >= self.commit_lsn {
                // The page was written after this transaction: its effects are there.
                self.skipped.insert(key);
                return Ok(());
            }
            self.claimed.insert(key);
        }
        f(&mut page)
    }
    fn corrupt(&self, page_no: u32, reason: String) -> Error {
        corrupt(&self.path, page_no, reason)
    }
}

/// Reads a page of `heap` as a transaction sees it: its private copy if it has one, an
/// empty page past the committed end, the committed page from the pool otherwise.
fn read_overlaid(
    pool: &BufferPool,
    heap: u32,
    overlay: &HashMap<(u32, u32), Box<Page>>,
    committed_pages: u32,
    page_no: u32,
    f: &mut dyn FnMut(&Page) -> Result<()>,
) -> Result<()> {
    if let Some(page) = overlay.get(&(heap, page_no)) {
        return f(page);
    }
    if page_no >= committed_pages {
        return f(&Page::new_boxed());
    }
    pool.read_page(
        PageKey {
            file: heap,
            page_no,
        },
        f,
    )
}
