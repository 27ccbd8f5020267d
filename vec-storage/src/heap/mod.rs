//! The heap: variable-length rows addressed by stable [`RowId`]s, on slotted pages
//! ([`slotted`]) with overflow chains ([`overflow`]) for long rows. Every stored tuple
//! starts with the version header of [`tuple`] (creation and deletion stamps); the rest of
//! the slot is the row's bytes, or a reference to its overflow chain, which holds the
//! bytes alone.
//!
//! The functions here are split by who calls them. The *planning* functions
//! ([`plan_insert`], [`plan_update`], [`plan_delete`]) run only at commit-preparation time: they
//! consult the free-space map ([`HeapMeta`]) and decide where bytes go (which slot, which
//! overflow pages, which pages are freed). The *apply* functions ([`apply_put`],
//! [`apply_delete`]) carry out such a decision on pages; they are deterministic, and WAL replay
//! calls the very same functions with the decision read back from the log, so redo
//! reproduces every page exactly. Both work through [`PageAccess`], which is the
//! transaction's private page overlay at run time and the buffer pool (skipping pages whose
//! LSN shows the change is already there) during recovery.

pub mod overflow;
pub mod slotted;
pub mod tuple;

use std::collections::{BTreeSet, HashMap};

use crate::error::{Error, Result};
use crate::page::{Page, PageKind};
use crate::RowId;
use slotted::SlotKind;
use tuple::{Header, HEADER_LEN};

/// Length of an overflow reference (total length u64, first page u32).
const REF_LEN: usize = 12;

/// The longest row stored on its slot's page; a longer row goes to an overflow chain.
pub const MAX_INLINE_ROW: usize = slotted::MAX_INLINE - HEADER_LEN;

/// Whether a row of `len` bytes is stored on its slot's page (else in a chain).
fn inline_fits(len: usize) -> bool {
    len <= MAX_INLINE_ROW
}

/// Page-level access used by the heap functions.
pub trait PageAccess {
    /// Runs `f` on the current image of page `page_no`.
    fn read(&mut self, page_no: u32, f: &mut dyn FnMut(&Page) -> Result<()>) -> Result<()>;
    /// Runs `f` to modify page `page_no`. During recovery `f` is not run for pages that
    /// already contain the change.
    fn modify(&mut self, page_no: u32, f: &mut dyn FnMut(&mut Page) -> Result<()>) -> Result<()>;
    /// Builds the error for a page whose content makes no sense.
    fn corrupt(&self, page_no: u32, reason: String) -> Error;
}

/// Pages with at least this much free space are insertion candidates.
const CANDIDATE_MIN_FREE: usize = 64;

/// In-memory free-space map of one heap. Opening a store reads no page: the map is
/// built from the heap's pages the first time a transaction writes to it
/// ([`HeapMeta::unscanned`], [`HeapMeta::is_scanned`]).
#[derive(Debug, Clone)]
pub struct HeapMeta {
    /// Number of pages in the heap (allocated, committed or not).
    pub n_pages: u32,
    /// Whether the free space of the pages was read (a new heap has nothing to read).
    scanned: bool,
    free_pages: BTreeSet<u32>,
    /// Heap pages with room, ordered by free bytes then page number (best fit first).
    candidates: BTreeSet<(u32, u32)>,
    free_space: HashMap<u32, u32>,
}

impl Default for HeapMeta {
    fn default() -> Self {
        HeapMeta {
            n_pages: 0,
            scanned: true,
            free_pages: BTreeSet::new(),
            candidates: BTreeSet::new(),
            free_space: HashMap::new(),
        }
    }
}

impl HeapMeta {
    /// The map of a heap of `n_pages` whose pages were not read yet.
    pub fn unscanned(n_pages: u32) -> HeapMeta {
        HeapMeta {
            n_pages,
            scanned: false,
            ..HeapMeta::default()
        }
    }

    /// Whether the pages' free space is known.
    pub fn is_scanned(&self) -> bool {
        self.scanned
    }

    /// Marks the pages' free space known (after a note of every page).
    pub fn mark_scanned(&mut self) {
        self.scanned = true;
    }

    /// Records what page `page_no` looks like now.
    pub fn note_page(&mut self, page_no: u32, page: &Page) {
        self.n_pages = self.n_pages.max(page_no + 1);
        self.free_pages.remove(&page_no);
        self.forget_candidate(page_no);
        match page.kind() {
            Some(PageKind::New) | Some(PageKind::Free) => {
                self.free_pages.insert(page_no);
            }
            Some(PageKind::Heap) => {
                let free = slotted::free_space(page) as u32;
                if free as usize >= CANDIDATE_MIN_FREE {
                    self.candidates.insert((free, page_no));
                    self.free_space.insert(page_no, free);
                }
            }
            _ => {}
        }
    }

    fn forget_candidate(&mut self, page_no: u32) {
        if let Some(free) = self.free_space.remove(&page_no) {
            self.candidates.remove(&(free, page_no));
        }
    }

    /// Counts a page that cannot be read (corrupt) without offering it for reuse.
    pub fn note_unusable(&mut self, page_no: u32) {
        self.n_pages = self.n_pages.max(page_no + 1);
        self.free_pages.remove(&page_no);
        self.forget_candidate(page_no);
    }

    /// Forgets pages at or past `n_pages` (a rolled-back extension).
    pub fn truncate(&mut self, n_pages: u32) {
        self.n_pages = n_pages;
        self.free_pages.retain(|&p| p < n_pages);
        self.candidates.retain(|&(_, p)| p < n_pages);
        self.free_space.retain(|&p, _| p < n_pages);
    }

    fn allocate(&mut self) -> u32 {
        if let Some(page_no) = self.free_pages.pop_first() {
            return page_no;
        }
        self.n_pages += 1;
        self.n_pages - 1
    }
}

/// Where a put goes and what it frees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    /// The row.
    pub row: RowId,
    /// Overflow pages for the new bytes, in chain order (empty for an inline row).
    pub overflow: Vec<u32>,
    /// Overflow pages of the old version, now free.
    pub freed: Vec<u32>,
}

fn allocate_chain(meta: &mut HeapMeta, len: usize) -> Vec<u32> {
    if inline_fits(len) {
        return Vec::new();
    }
    (0..overflow::pages_needed(len))
        .map(|_| meta.allocate())
        .collect()
}

fn slot_len(len: usize, overflow: &[u32]) -> usize {
    HEADER_LEN + if overflow.is_empty() { len } else { REF_LEN }
}

/// Chooses a slot (and overflow pages) for a new row of `len` bytes.
pub fn plan_insert(
    meta: &mut HeapMeta,
    pages: &mut dyn PageAccess,
    len: usize,
) -> Result<Placement> {
    let overflow = allocate_chain(meta, len);
    let need = slot_len(len, &overflow);
    // Best fit: the fullest page that still has room, by the map's (slightly stale) counts.
    let wanted = (slotted::tuple_space(need) + 6) as u32;
    let candidates: Vec<u32> = meta
        .candidates
        .range((wanted, 0)..)
        .take(4)
        .map(|&(_, p)| p)
        .collect();
    for page_no in candidates {
        let mut found = None;
        pages.read(page_no, &mut |page| {
            let slot = slotted::first_unused_slot(page);
            if page.kind() == Some(PageKind::Heap) && slotted::fits(page, slot, need) {
                found = Some(slot);
            }
            Ok(())
        })?;
        match found {
            Some(slot) if slot <= u16::MAX as usize => {
                let row = RowId::new(page_no, slot as u16);
                return Ok(Placement {
                    row,
                    overflow,
                    freed: Vec::new(),
                });
            }
            _ => meta.forget_candidate(page_no),
        }
    }
    let page_no = meta.allocate();
    Ok(Placement {
        row: RowId::new(page_no, 0),
        overflow,
        freed: Vec::new(),
    })
}

/// The overflow pages currently owned by `row` (empty for an inline row); `None` if the
/// row does not exist.
pub fn row_chain(pages: &mut dyn PageAccess, row: RowId) -> Result<Option<Vec<u32>>> {
    let mut first = None;
    let mut exists = false;
    pages.read(row.page_no(), &mut |page| {
        if page.kind() != Some(PageKind::Heap) {
            return Ok(());
        }
        if let Some((kind, bytes)) = slotted::get(page, row.slot() as usize) {
            exists = true;
            if kind == SlotKind::Overflow {
                first = bytes
                    .get(HEADER_LEN..)
                    .and_then(slotted::parse_overflow_ref)
                    .map(|(_, p)| p);
            }
        }
        Ok(())
    })?;
    if !exists {
        return Ok(None);
    }
    let mut chain = Vec::new();
    let mut next = first.unwrap_or(overflow::NO_PAGE);
    while next != overflow::NO_PAGE {
        if chain.len() > (1 << 20) || chain.contains(&next) {
            return Err(pages.corrupt(next, "overflow chain loops".into()));
        }
        chain.push(next);
        let page_no = next;
        let mut link = None;
        pages.read(page_no, &mut |page| {
            link = overflow::read(page).map(|(n, _)| n);
            Ok(())
        })?;
        next = link.ok_or_else(|| pages.corrupt(page_no, "expected an overflow page".into()))?;
    }
    Ok(Some(chain))
}

/// Plans replacing `row`'s bytes with `len` new bytes, keeping the row id.
pub fn plan_update(
    meta: &mut HeapMeta,
    pages: &mut dyn PageAccess,
    heap: u32,
    row: RowId,
    len: usize,
) -> Result<Placement> {
    let freed = row_chain(pages, row)?.ok_or(Error::NoSuchRow { heap, row: row.0 })?;
    for &page_no in &freed {
        meta.free_pages.insert(page_no);
    }
    let mut fits_inline = false;
    if inline_fits(len) {
        pages.read(row.page_no(), &mut |page| {
            fits_inline = slotted::fits(page, row.slot() as usize, HEADER_LEN + len);
            Ok(())
        })?;
    }
    let overflow = if fits_inline {
        Vec::new()
    } else {
        // Too long, or no longer fits beside its neighbours: move the bytes to a chain and
        // leave a reference, which always fits in the old tuple's space.
        (0..overflow::pages_needed(len).max(1))
            .map(|_| meta.allocate())
            .collect()
    };
    Ok(Placement {
        row,
        overflow,
        freed,
    })
}

/// Plans deleting `row`: returns the overflow pages it frees.
pub fn plan_delete(
    meta: &mut HeapMeta,
    pages: &mut dyn PageAccess,
    heap: u32,
    row: RowId,
) -> Result<Vec<u32>> {
    let freed = row_chain(pages, row)?.ok_or(Error::NoSuchRow { heap, row: row.0 })?;
    for &page_no in &freed {
        meta.free_pages.insert(page_no);
    }
    Ok(freed)
}

fn free_pages(pages: &mut dyn PageAccess, freed: &[u32]) -> Result<()> {
    for &page_no in freed {
        pages.modify(page_no, &mut |page| {
            page.init(PageKind::Free);
            Ok(())
        })?;
    }
    Ok(())
}

/// Carries out a put (insert or update) decided by a plan function or read from the WAL:
/// the tuple gets `header` and the row `bytes`.
pub fn apply_put(
    pages: &mut dyn PageAccess,
    placement: &Placement,
    header: Header,
    bytes: &[u8],
) -> Result<()> {
    free_pages(pages, &placement.freed)?;
    let mut slot_bytes: Vec<u8> = Vec::with_capacity(HEADER_LEN + REF_LEN.max(bytes.len()));
    slot_bytes.extend_from_slice(&header.encode());
    let kind = if placement.overflow.is_empty() {
        slot_bytes.extend_from_slice(bytes);
        SlotKind::Inline
    } else {
        let chunks: Vec<&[u8]> = if bytes.is_empty() {
            vec![&[][..]]
        } else {
            bytes.chunks(overflow::CHUNK).collect()
        };
        if chunks.len() != placement.overflow.len() {
            return Err(Error::InvalidArgument {
                reason: format!(
                    "row of {} bytes planned on {} overflow pages",
                    bytes.len(),
                    placement.overflow.len()
                ),
            });
        }
        for (i, chunk) in chunks.iter().enumerate() {
            let next = placement
                .overflow
                .get(i + 1)
                .copied()
                .unwrap_or(overflow::NO_PAGE);
            pages.modify(placement.overflow[i], &mut |page| {
                overflow::write(page, next, chunk);
                Ok(())
            })?;
        }
        slot_bytes.extend_from_slice(&slotted::overflow_ref(
            bytes.len() as u64,
            placement.overflow[0],
        ));
        SlotKind::Overflow
    };
    let data: &[u8] = &slot_bytes;
    let row = placement.row;
    let page_no = row.page_no();
    let mut ok = true;
    pages.modify(page_no, &mut |page| {
        if page.kind() != Some(PageKind::Heap) {
            slotted::init(page);
        }
        ok = slotted::set(page, row.slot() as usize, kind, data);
        Ok(())
    })?;
    if !ok {
        return Err(pages.corrupt(
            page_no,
            format!("no room for slot {} on heap page", row.slot()),
        ));
    }
    Ok(())
}

/// Carries out a delete.
pub fn apply_delete(pages: &mut dyn PageAccess, row: RowId, freed: &[u32]) -> Result<()> {
    free_pages(pages, freed)?;
    pages.modify(row.page_no(), &mut |page| {
        if page.kind() == Some(PageKind::Heap) {
            slotted::clear(page, row.slot() as usize);
        }
        Ok(())
    })
}

/// Reads a row version's header and bytes, following its overflow chain; `None` if the
/// slot is unused.
pub fn read_row(pages: &mut dyn PageAccess, row: RowId) -> Result<Option<(Header, Vec<u8>)>> {
    let mut found = None;
    visit_row(pages, row, &mut |header, bytes| {
        found = Some((header, bytes.to_vec()))
    })?;
    Ok(found)
}

/// Calls `f` with a row version's header and bytes, the bytes of a row stored inline
/// borrowed from its page (no copy; `f` runs while the page is held, so it must not
/// read pages itself), those of an overflowed row assembled from its chain. Returns
/// whether the slot held a row (`f` is not called for an unused slot).
pub fn visit_row(
    pages: &mut dyn PageAccess,
    row: RowId,
    f: &mut dyn FnMut(Header, &[u8]),
) -> Result<bool> {
    let mut seen = false;
    let mut chain = None;
    pages.read(row.page_no(), &mut |page| {
        if page.kind() != Some(PageKind::Heap) {
            return Ok(());
        }
        if let Some((kind, bytes)) = slotted::get(page, row.slot() as usize) {
            let header = Header::decode(bytes);
            let rest = bytes.get(HEADER_LEN..).unwrap_or_default();
            match (kind, header) {
                (SlotKind::Inline, Some(header)) => {
                    seen = true;
                    f(header, rest);
                }
                (SlotKind::Overflow, Some(header)) => {
                    chain = slotted::parse_overflow_ref(rest).map(|c| (header, c))
                }
                _ => {}
            }
        }
        Ok(())
    })?;
    if seen {
        return Ok(true);
    }
    let Some((header, (total, first))) = chain else {
        return Ok(false);
    };
    f(header, &read_chain(pages, total, first)?);
    Ok(true)
}

/// A row version's header, without its bytes; `None` if the slot is unused.
pub fn read_header(pages: &mut dyn PageAccess, row: RowId) -> Result<Option<Header>> {
    let mut found = None;
    pages.read(row.page_no(), &mut |page| {
        if page.kind() == Some(PageKind::Heap) {
            found = slotted::get(page, row.slot() as usize).and_then(|(_, b)| Header::decode(b));
        }
        Ok(())
    })?;
    Ok(found)
}

/// Changes a row version's header in place (stamping a commit, marking a deletion);
/// `false` if the slot holds no row.
pub fn set_header(
    pages: &mut dyn PageAccess,
    row: RowId,
    change: &mut dyn FnMut(&mut Header),
) -> Result<bool> {
    let mut done = false;
    pages.modify(row.page_no(), &mut |page| {
        if page.kind() != Some(PageKind::Heap) {
            return Ok(());
        }
        if let Some(bytes) = slotted::get_mut(page, row.slot() as usize) {
            if let Some(mut header) = Header::decode(bytes) {
                change(&mut header);
                bytes[..HEADER_LEN].copy_from_slice(&header.encode());
                done = true;
            }
        }
        Ok(())
    })?;
    Ok(done)
}

/// Reads the bytes of an overflow chain.
pub fn read_chain(pages: &mut dyn PageAccess, total: u64, first: u32) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(total.min(1 << 30) as usize);
    let mut next = first;
    while out.len() < total as usize {
        let page_no = next;
        if page_no == overflow::NO_PAGE {
            return Err(pages.corrupt(first, "overflow chain ends early".into()));
        }
        let mut link = None;
        pages.read(page_no, &mut |page| {
            if let Some((n, data)) = overflow::read(page) {
                out.extend_from_slice(data);
                link = Some(n);
            }
            Ok(())
        })?;
        next = link.ok_or_else(|| pages.corrupt(page_no, "expected an overflow page".into()))?;
    }
    if out.len() != total as usize {
        return Err(pages.corrupt(first, "overflow chain longer than its row".into()));
    }
    Ok(out)
}

/// The row versions of one heap page whose header `keep` accepts, in slot order, as
/// (row id, header, inline bytes or chain reference). Used by scans.
pub fn page_rows(
    page_no: u32,
    page: &Page,
    keep: &mut dyn FnMut(Header) -> bool,
) -> Vec<(RowId, Header, RowBytes)> {
    if page.kind() != Some(PageKind::Heap) {
        return Vec::new();
    }
    (0..slotted::n_slots(page))
        .filter_map(|slot| {
            let (kind, bytes) = slotted::get(page, slot)?;
            let header = Header::decode(bytes)?;
            if !keep(header) {
                return None;
            }
            let rest = bytes.get(HEADER_LEN..)?;
            let row = RowId::new(page_no, slot as u16);
            Some(match kind {
                SlotKind::Inline => (row, header, RowBytes::Inline(rest.to_vec())),
                SlotKind::Overflow => {
                    let (total, first) = slotted::parse_overflow_ref(rest)?;
                    (row, header, RowBytes::Chain { total, first })
                }
            })
        })
        .collect()
}

/// Calls `f` with the row versions of one heap page whose header `keep` accepts, in slot
/// order, their bytes borrowed from the page (no copy). Returns `false` without calling `f`
/// when one of those rows lives in an overflow chain: the caller then reads the page with
/// [`page_rows`] and [`read_chain`].
#[inline]
pub fn visit_inline_rows(
    page_no: u32,
    page: &Page,
    keep: &mut impl FnMut(Header) -> bool,
    f: &mut impl FnMut(RowId, &[u8]),
) -> bool {
    if page.kind() != Some(PageKind::Heap) {
        return true;
    }
    let kept = |slot: usize, keep: &mut dyn FnMut(Header) -> bool| {
        let (kind, bytes) = slotted::get(page, slot)?;
        let header = Header::decode(bytes)?;
        keep(header).then_some((kind, bytes.get(HEADER_LEN..)?))
    };
    let n_slots = slotted::n_slots(page);
    // The slot directory names overflow slots without touching the rows; only those need
    // their header read here.
    let overflow_kept = (0..n_slots).any(|slot| {
        slotted::kind(page, slot) == Some(SlotKind::Overflow)
            && matches!(kept(slot, keep), Some((SlotKind::Overflow, _)))
    });
    if overflow_kept {
        return false;
    }
    for slot in 0..n_slots {
        let Some((_, bytes)) = slotted::get(page, slot) else {
            continue;
        };
        let Some(header) = Header::decode(bytes) else {
            continue;
        };
        if let (true, Some(row)) = (keep(header), bytes.get(HEADER_LEN..)) {
            f(RowId::new(page_no, slot as u16), row);
        }
    }
    true
}

/// A row as found on its heap page.
#[derive(Debug, Clone)]
pub enum RowBytes {
    /// The bytes themselves.
    Inline(Vec<u8>),
    /// An overflow chain still to be read.
    Chain {
        /// Total row length.
        total: u64,
        /// First overflow page.
        first: u32,
    },
}

#[cfg(test)]
mod tests;
