//! Table storage: rows live in `vec-storage`'s heaps (`durable`: the store, in a directory
//! or in memory, and its transactions), as multi-versioned records encoded by `codec`,
//! read through a snapshot or an open transaction (`view`). Nothing is loaded whole: a
//! scan reads one page of rows at a time through the store's buffer pool. The btree
//! indexes over rows (`btree`) map keys to row ids and are kept in memory.

pub mod btree;
pub mod codec;
pub mod durable;
pub mod gin;
pub mod view;

use crate::value::Datum;

/// A row: one datum per column.
pub type Row = Vec<Datum>;

/// A stable identifier of a stored row version (its place in its heap).
pub type RowId = u64;
