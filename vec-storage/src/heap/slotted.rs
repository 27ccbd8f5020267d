//! The slotted heap page: a slot directory growing up from the header and tuple bytes
//! growing down from the end of the page, as in PostgreSQL. A row's slot number never
//! changes while the row lives, which is what makes row ids stable; tuples move only when the
//! page is compacted, and compaction is a deterministic function of the page so that WAL
//! replay reproduces it byte for byte.
//!
//! | offset         | size | field                                                  |
//! |---------------:|-----:|--------------------------------------------------------|
//! | 0              | 24   | common page header ([`crate::page`])                   |
//! | 24             | 2    | number of slots `n`                                    |
//! | 26             | 2    | start of the tuple area (`free_end`)                   |
//! | 28             | 4    | reserved, zero                                         |
//! | 32 + 6·i       | 6    | slot i: tuple offset u16, length u16, kind u16         |
//! | `free_end`..8192 |    | tuples                                                 |
//!
//! Slot kinds: 0 unused, 1 inline row, 2 overflow reference. A tuple is a 16-byte version
//! header ([`super::tuple`]) followed by the row's bytes (inline) or a 12-byte reference
//! (total length u64, first overflow page u32). Every tuple occupies at least 28 bytes, so an
//! inline row can always be turned into an overflow reference in place when it grows.

use crate::page::{Page, PageKind, PAGE_SIZE};

const N_SLOTS: usize = 24;
const FREE_END: usize = 26;
const SLOTS: usize = 32;
const SLOT_SIZE: usize = 6;
/// Smallest space a tuple takes (a version header and an overflow reference).
pub const MIN_TUPLE: usize = 28;
/// Largest row stored inline on a heap page; longer rows go to overflow pages.
pub const MAX_INLINE: usize = PAGE_SIZE - SLOTS - SLOT_SIZE;

/// What a slot holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotKind {
    /// Row bytes on this page.
    Inline,
    /// Reference to an overflow chain.
    Overflow,
}

/// Space a tuple of `len` bytes takes in the tuple area.
pub fn tuple_space(len: usize) -> usize {
    len.max(MIN_TUPLE)
}

/// Makes `page` an empty heap page.
pub fn init(page: &mut Page) {
    page.init(PageKind::Heap);
    page.put_u16(FREE_END, PAGE_SIZE as u16);
}

/// Number of slots in the directory.
pub fn n_slots(page: &Page) -> usize {
    page.u16_at(N_SLOTS) as usize
}

fn free_end(page: &Page) -> usize {
    match page.u16_at(FREE_END) as usize {
        0 => PAGE_SIZE,
        end => end,
    }
}

fn slot_entry(page: &Page, slot: usize) -> (usize, usize, u16) {
    let at = SLOTS + slot * SLOT_SIZE;
    (
        page.u16_at(at) as usize,
        page.u16_at(at + 2) as usize,
        page.u16_at(at + 4),
    )
}

fn put_slot_entry(page: &mut Page, slot: usize, offset: usize, len: usize, kind: u16) {
    let at = SLOTS + slot * SLOT_SIZE;
    page.put_u16(at, offset as u16);
    page.put_u16(at + 2, len as u16);
    page.put_u16(at + 4, kind);
}

/// Where slot `slot`'s entry in the directory lies in the page.
pub fn entry_offset(slot: usize) -> usize {
    SLOTS + slot * SLOT_SIZE
}

/// Where the bytes of slot `slot` start in the page, read from the directory alone;
/// `None` if the slot is out of range.
pub fn bytes_offset(page: &Page, slot: usize) -> Option<usize> {
    (slot < n_slots(page)).then(|| slot_entry(page, slot).0)
}

/// The kind of a slot, read from the directory alone; `None` if unused or out of range.
#[inline]
pub fn kind(page: &Page, slot: usize) -> Option<SlotKind> {
    if slot >= n_slots(page) {
        return None;
    }
    match slot_entry(page, slot).2 {
        1 => Some(SlotKind::Inline),
        2 => Some(SlotKind::Overflow),
        _ => None,
    }
}

/// The content of a slot, or `None` if unused, out of range or malformed.
pub fn get(page: &Page, slot: usize) -> Option<(SlotKind, &[u8])> {
    if slot >= n_slots(page) {
        return None;
    }
    let (offset, len, kind) = slot_entry(page, slot);
    let kind = match kind {
        1 => SlotKind::Inline,
        2 => SlotKind::Overflow,
        _ => return None,
    };
    page.bytes.get(offset..offset + len).map(|b| (kind, b))
}

/// The content of a slot, for changing in place (same length), or `None` if unused.
pub fn get_mut(page: &mut Page, slot: usize) -> Option<&mut [u8]> {
    if slot >= n_slots(page) {
        return None;
    }
    let (offset, len, kind) = slot_entry(page, slot);
    if !matches!(kind, 1 | 2) {
        return None;
    }
    page.bytes.get_mut(offset..offset + len)
}

/// Bytes available for new tuples and slots, counting space that compaction would reclaim.
pub fn free_space(page: &Page) -> usize {
    let n = n_slots(page);
    let live: usize = (0..n)
        .filter_map(|s| get(page, s).map(|(_, b)| tuple_space(b.len())))
        .sum();
    PAGE_SIZE.saturating_sub(SLOTS + n * SLOT_SIZE + live)
}

/// The slot an insert would use: the first unused one, or a new one at the end.
pub fn first_unused_slot(page: &Page) -> usize {
    let n = n_slots(page);
    (0..n).find(|&s| get(page, s).is_none()).unwrap_or(n)
}

/// Whether `len` more tuple bytes (plus a new slot if `slot` is past the end) fit.
pub fn fits(page: &Page, slot: usize, len: usize) -> bool {
    let n = n_slots(page);
    let new_slots = (slot + 1).saturating_sub(n);
    let reclaimed = get(page, slot).map_or(0, |(_, b)| tuple_space(b.len()));
    free_space(page) + reclaimed >= tuple_space(len) + new_slots * SLOT_SIZE
}

/// Rewrites the tuple area without holes, in slot order.
fn compact(page: &mut Page) {
    let n = n_slots(page);
    let mut tuples: Vec<(usize, Vec<u8>, u16)> = Vec::new();
    for slot in 0..n {
        let (offset, len, kind) = slot_entry(page, slot);
        if kind != 0 {
            tuples.push((slot, page.bytes[offset..offset + len].to_vec(), kind));
        }
    }
    let mut end = PAGE_SIZE;
    for (slot, bytes, kind) in tuples {
        end -= tuple_space(bytes.len());
        page.bytes[end..end + bytes.len()].copy_from_slice(&bytes);
        put_slot_entry(page, slot, end, bytes.len(), kind);
    }
    page.put_u16(FREE_END, end as u16);
}

/// Stores `data` in `slot`, replacing what was there. Returns `false` (page untouched) if
/// it cannot fit; callers check [`fits`] first, so `false` means the page is damaged.
pub fn set(page: &mut Page, slot: usize, kind: SlotKind, data: &[u8]) -> bool {
    if !fits(page, slot, data.len()) {
        return false;
    }
    let n = n_slots(page);
    if slot < n {
        put_slot_entry(page, slot, 0, 0, 0);
    }
    // Make room first: a growing slot directory must not overwrite the lowest tuple.
    let need = tuple_space(data.len());
    let dir_end = SLOTS + n.max(slot + 1) * SLOT_SIZE;
    if free_end(page) < dir_end + need {
        compact(page);
    }
    if slot >= n {
        for new_slot in n..=slot {
            put_slot_entry(page, new_slot, 0, 0, 0);
        }
        page.put_u16(N_SLOTS, (slot + 1) as u16);
    }
    let start = free_end(page) - need;
    page.bytes[start..start + data.len()].copy_from_slice(data);
    let kind = match kind {
        SlotKind::Inline => 1,
        SlotKind::Overflow => 2,
    };
    put_slot_entry(page, slot, start, data.len(), kind);
    page.put_u16(FREE_END, start as u16);
    true
}

/// Empties `slot`; trailing unused slots are dropped from the directory.
pub fn clear(page: &mut Page, slot: usize) {
    let n = n_slots(page);
    if slot >= n {
        return;
    }
    put_slot_entry(page, slot, 0, 0, 0);
    let mut n = n;
    while n > 0 && slot_entry(page, n - 1).2 == 0 {
        n -= 1;
    }
    page.put_u16(N_SLOTS, n as u16);
}

/// Encodes an overflow reference.
pub fn overflow_ref(total_len: u64, first_page: u32) -> [u8; 12] {
    let mut out = [0u8; 12];
    out[0..8].copy_from_slice(&total_len.to_le_bytes());
    out[8..12].copy_from_slice(&first_page.to_le_bytes());
    out
}

/// Decodes an overflow reference.
pub fn parse_overflow_ref(bytes: &[u8]) -> Option<(u64, u32)> {
    let total = u64::from_le_bytes(bytes.get(0..8)?.try_into().ok()?);
    let first = u32::from_le_bytes(bytes.get(8..12)?.try_into().ok()?);
    Some((total, first))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_get_clear_and_compaction_keep_slots() {
        let mut page = Page::new_boxed();
        init(&mut page);
        let empty = free_space(&page);
        for slot in 0..5 {
            assert!(set(&mut page, slot, SlotKind::Inline, &[slot as u8; 1500]));
        }
        assert!(!fits(&page, 5, 1500));
        clear(&mut page, 1);
        clear(&mut page, 3);
        assert_eq!(first_unused_slot(&page), 1);
        // Needs compaction: the freed space is in two holes.
        assert!(set(&mut page, 1, SlotKind::Inline, &[9u8; 2900]));
        assert_eq!(get(&page, 0), Some((SlotKind::Inline, &[0u8; 1500][..])));
        assert_eq!(get(&page, 1), Some((SlotKind::Inline, &[9u8; 2900][..])));
        assert_eq!(get(&page, 4), Some((SlotKind::Inline, &[4u8; 1500][..])));
        assert_eq!(get(&page, 3), None);
        assert!(set(
            &mut page,
            3,
            SlotKind::Overflow,
            &overflow_ref(9000, 7)
        ));
        assert_eq!(kind(&page, 1), Some(SlotKind::Inline));
        assert_eq!(kind(&page, 3), Some(SlotKind::Overflow));
        assert_eq!(kind(&page, 9), None);
        clear(&mut page, 4);
        clear(&mut page, 3);
        assert_eq!(n_slots(&page), 3);
        for slot in 0..3 {
            clear(&mut page, slot);
        }
        assert_eq!(free_space(&page), empty);
    }

    #[test]
    fn growing_directory_never_overwrites_tuples() {
        let mut page = Page::new_boxed();
        init(&mut page);
        // Fill the page, then punch a hole in the middle: the next new slot fits only
        // after compaction, and the directory must not grow into the lowest tuple first.
        let mut n = 0;
        while fits(&page, n, 42) {
            assert!(set(&mut page, n, SlotKind::Inline, &[n as u8 + 1; 42]));
            n += 1;
        }
        clear(&mut page, 1);
        assert!(fits(&page, n, 10));
        assert!(set(&mut page, n, SlotKind::Inline, &[0xEE; 10]));
        for s in (0..n).filter(|&s| s != 1) {
            assert_eq!(
                get(&page, s),
                Some((SlotKind::Inline, &[s as u8 + 1; 42][..])),
                "slot {s}"
            );
        }
        assert_eq!(get(&page, n), Some((SlotKind::Inline, &[0xEE; 10][..])));
    }

    #[test]
    fn tiny_rows_reserve_room_for_an_overflow_reference() {
        let mut page = Page::new_boxed();
        init(&mut page);
        let mut slot = 0;
        while fits(&page, slot, 0) {
            assert!(set(&mut page, slot, SlotKind::Inline, &[]));
            slot += 1;
        }
        assert!(set(
            &mut page,
            0,
            SlotKind::Overflow,
            &overflow_ref(1 << 20, 7)
        ));
        let (kind, bytes) = get(&page, 0).unwrap();
        assert_eq!(kind, SlotKind::Overflow);
        assert_eq!(parse_overflow_ref(bytes), Some((1 << 20, 7)));
    }
}
