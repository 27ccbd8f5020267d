//! Heap unit tests over an in-memory page map: inline and overflow rows, updates that move
//! rows to chains and back, and reuse of freed space.

use std::collections::HashMap;

use super::*;

#[derive(Default)]
struct MemPages {
    pages: HashMap<u32, Box<Page>>,
}

impl PageAccess for MemPages {
    fn read(&mut self, page_no: u32, f: &mut dyn FnMut(&Page) -> Result<()>) -> Result<()> {
        let page = self.pages.entry(page_no).or_insert_with(Page::new_boxed);
        f(page)
    }
    fn modify(&mut self, page_no: u32, f: &mut dyn FnMut(&mut Page) -> Result<()>) -> Result<()> {
        let page = self.pages.entry(page_no).or_insert_with(Page::new_boxed);
        f(page)
    }
    fn corrupt(&self, page_no: u32, reason: String) -> Error {
        Error::CorruptPage {
            path: "mem".into(),
            page_no,
            reason,
        }
    }
}

fn refresh(meta: &mut HeapMeta, pages: &MemPages) {
    for (&page_no, page) in &pages.pages {
        meta.note_page(page_no, page);
    }
}

fn insert(meta: &mut HeapMeta, pages: &mut MemPages, bytes: &[u8]) -> RowId {
    let placement = plan_insert(meta, pages, bytes.len()).unwrap();
    apply_put(pages, &placement, tuple::Header::new_mine(), bytes).unwrap();
    refresh(meta, pages);
    placement.row
}

#[test]
fn inline_and_overflow_rows_round_trip() {
    let mut meta = HeapMeta::default();
    let mut pages = MemPages::default();
    let small = insert(&mut meta, &mut pages, b"hello");
    let big_bytes: Vec<u8> = (0..64_000u32).map(|i| (i % 251) as u8).collect();
    let big = insert(&mut meta, &mut pages, &big_bytes);
    assert_eq!(read_row(&mut pages, small).unwrap().unwrap().1, b"hello");
    assert_eq!(read_row(&mut pages, big).unwrap().unwrap().1, big_bytes);
    assert_eq!(row_chain(&mut pages, big).unwrap().unwrap().len(), 8);
}

#[test]
fn update_keeps_row_id_and_frees_chains() {
    let mut meta = HeapMeta::default();
    let mut pages = MemPages::default();
    let row = insert(&mut meta, &mut pages, &[1u8; 100]);
    let neighbours: Vec<RowId> = (0..4)
        .map(|_| insert(&mut meta, &mut pages, &[2u8; 1900]))
        .collect();
    assert!(neighbours.iter().all(|r| r.page_no() == row.page_no()));
    // Grows past what the page holds: moves to a chain, same row id.
    let placement = plan_update(&mut meta, &mut pages, 1, row, 3000).unwrap();
    assert_eq!(placement.overflow.len(), 1);
    apply_put(
        &mut pages,
        &placement,
        tuple::Header::new_mine(),
        &[3u8; 3000],
    )
    .unwrap();
    refresh(&mut meta, &pages);
    assert_eq!(
        read_row(&mut pages, row).unwrap().unwrap().1,
        vec![3u8; 3000]
    );
    // Shrinks back: chain page freed and reused by the next long row.
    let chain_page = placement.overflow[0];
    let placement = plan_update(&mut meta, &mut pages, 1, row, 10).unwrap();
    assert_eq!(placement.freed, vec![chain_page]);
    apply_put(
        &mut pages,
        &placement,
        tuple::Header::new_mine(),
        &[4u8; 10],
    )
    .unwrap();
    refresh(&mut meta, &pages);
    let long = insert(&mut meta, &mut pages, &[5u8; 9000]);
    assert!(row_chain(&mut pages, long)
        .unwrap()
        .unwrap()
        .contains(&chain_page));
    for n in &neighbours {
        assert_eq!(
            read_row(&mut pages, *n).unwrap().unwrap().1,
            vec![2u8; 1900]
        );
    }
}

#[test]
fn deleted_space_is_reused() {
    let mut meta = HeapMeta::default();
    let mut pages = MemPages::default();
    let rows: Vec<RowId> = (0..50)
        .map(|_| insert(&mut meta, &mut pages, &[7u8; 1500]))
        .collect();
    let n_pages = meta.n_pages;
    for row in &rows {
        let freed = plan_delete(&mut meta, &mut pages, 1, *row).unwrap();
        apply_delete(&mut pages, *row, &freed).unwrap();
    }
    refresh(&mut meta, &pages);
    for _ in 0..50 {
        insert(&mut meta, &mut pages, &[8u8; 1500]);
    }
    assert_eq!(meta.n_pages, n_pages);
    assert!(matches!(
        plan_delete(&mut meta, &mut pages, 1, RowId::new(999, 0)),
        Err(Error::NoSuchRow { .. })
    ));
}

#[test]
fn visiting_borrowed_rows_matches_page_rows_and_defers_chains() {
    let mut meta = HeapMeta::default();
    let mut pages = MemPages::default();
    let first = insert(&mut meta, &mut pages, b"one");
    insert(&mut meta, &mut pages, b"two");
    let page_no = first.page_no();
    let page = pages.pages[&page_no].clone();
    let mut visited = Vec::new();
    let done = visit_inline_rows(page_no, &page, &mut |_| true, &mut |row, bytes| {
        visited.push((row, bytes.to_vec()))
    });
    assert!(done);
    let listed: Vec<(RowId, Vec<u8>)> = page_rows(page_no, &page, &mut |_| true)
        .into_iter()
        .map(|(row, _, bytes)| match bytes {
            RowBytes::Inline(bytes) => (row, bytes),
            RowBytes::Chain { .. } => panic!("a short row in a chain"),
        })
        .collect();
    assert_eq!(visited, listed);
    assert_eq!(visited.len(), 2);
    // A kept row in an overflow chain: nothing is visited and the caller falls back.
    insert(&mut meta, &mut pages, &vec![7u8; 64_000]);
    let page = pages.pages[&page_no].clone();
    let mut calls = 0;
    let done = visit_inline_rows(page_no, &page, &mut |_| true, &mut |_, _| calls += 1);
    assert!(!done && calls == 0);
    // Rows `keep` refuses are skipped, chains among them too.
    let mut calls = 0;
    assert!(visit_inline_rows(
        page_no,
        &page,
        &mut |_| false,
        &mut |_, _| calls += 1
    ));
    assert_eq!(calls, 0);
}
