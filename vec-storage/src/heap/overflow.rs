//! Overflow chains for rows longer than [`super::slotted::MAX_INLINE`]. The row's slot holds
//! a 12-byte reference (total length, first page); the bytes follow in a singly linked chain
//! of overflow pages, each owned by exactly one row and freed when the row is updated or
//! deleted. A 16,000-dimension `f32` vector (64 KB) takes nine pages.
//!
//! | offset | size      | field                                   |
//! |-------:|----------:|-----------------------------------------|
//! | 0      | 24        | common page header, kind 3              |
//! | 24     | 4         | next page, `u32::MAX` at the end        |
//! | 28     | 4         | bytes of row data on this page          |
//! | 32     | ≤ 8160    | row data                                |

use crate::page::{Page, PageKind, PAGE_SIZE};

const NEXT: usize = 24;
const LEN: usize = 28;
const DATA: usize = 32;
/// Row bytes carried by one overflow page.
pub const CHUNK: usize = PAGE_SIZE - DATA;
/// Marks the end of a chain.
pub const NO_PAGE: u32 = u32::MAX;

/// Number of overflow pages a row of `len` bytes needs.
pub fn pages_needed(len: usize) -> usize {
    len.div_ceil(CHUNK)
}

/// Makes `page` an overflow page holding `chunk`, linked to `next`.
pub fn write(page: &mut Page, next: u32, chunk: &[u8]) {
    page.init(PageKind::Overflow);
    page.put_u32(NEXT, next);
    page.put_u32(LEN, chunk.len() as u32);
    page.bytes[DATA..DATA + chunk.len()].copy_from_slice(chunk);
}

/// The link and data of an overflow page, or `None` if it is not a well-formed one.
pub fn read(page: &Page) -> Option<(u32, &[u8])> {
    if page.kind() != Some(PageKind::Overflow) {
        return None;
    }
    let len = page.u32_at(LEN) as usize;
    let data = page.bytes.get(DATA..DATA.checked_add(len)?)?;
    Some((page.u32_at(NEXT), data))
}
