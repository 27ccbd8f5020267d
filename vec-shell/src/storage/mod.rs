//! Table storage behind a small trait, so that the executor does not care where rows
//! live. [`MemoryTable`] keeps rows by stable row id. A database opened from a directory
//! also writes every change through `durable` (a `vec-storage` store, rows encoded by
//! `codec`, table definitions by `schema`), and loads the tables from it when opened; the
//! row ids are then the store's. Vector indexes are saved as snapshots at checkpoints
//! and opened from them (`snapshots`). The store also keeps the tables' btree indexes
//! (`btree`) current, so that every change to the rows reaches them.

pub mod btree;
pub mod codec;
pub mod durable;

use std::collections::BTreeMap;

use crate::error::Result;
use crate::value::Datum;
use btree::BtreeIndex;

/// A row: one datum per column.
pub type Row = Vec<Datum>;

/// A stable identifier of a stored row.
pub type RowId = u64;

/// What the executor needs of a table's rows.
pub trait TableStore: Send + Sync {
    /// Stores a new row and returns its id.
    fn insert(&mut self, row: Row) -> Result<RowId>;
    /// Stores a row under a given id (one assigned by the durable store).
    fn insert_at(&mut self, id: RowId, row: Row);
    /// The row with this id, if it exists.
    fn get(&self, id: RowId) -> Option<&Row>;
    /// Replaces a row.
    fn update(&mut self, id: RowId, row: Row) -> Result<()>;
    /// Removes a row.
    fn delete(&mut self, id: RowId) -> Result<()>;
    /// Removes every row.
    fn truncate(&mut self);
    /// Visits the live rows in storage order.
    fn scan(&self) -> Box<dyn Iterator<Item = (RowId, &Row)> + '_>;
    /// The number of live rows.
    fn len(&self) -> usize;
    /// Whether there are no live rows.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The btree index of this name, if the store keeps it.
    fn btree(&self, name: &str) -> Option<&BtreeIndex> {
        let _ = name;
        None
    }
    /// Builds a btree index over the rows (replacing one of the same name) and keeps it
    /// current from now on.
    fn add_btree(&mut self, index: BtreeIndex) {
        let _ = index;
    }
    /// Stops keeping a btree index.
    fn drop_btree(&mut self, name: &str) {
        let _ = name;
    }
}

/// An in-memory table.
#[derive(Default)]
pub struct MemoryTable {
    rows: BTreeMap<RowId, Row>,
    next_id: RowId,
    btrees: Vec<BtreeIndex>,
}

impl TableStore for MemoryTable {
    fn insert(&mut self, row: Row) -> Result<RowId> {
        let id = self.next_id;
        self.insert_at(id, row);
        Ok(id)
    }

    fn insert_at(&mut self, id: RowId, row: Row) {
        for index in &mut self.btrees {
            if let Some(old) = self.rows.get(&id) {
                index.remove(id, old);
            }
            index.insert(id, &row);
        }
        self.rows.insert(id, row);
        self.next_id = self.next_id.max(id.saturating_add(1));
    }

    fn get(&self, id: RowId) -> Option<&Row> {
        self.rows.get(&id)
    }

    fn update(&mut self, id: RowId, row: Row) -> Result<()> {
        if let Some(slot) = self.rows.get_mut(&id) {
            for index in &mut self.btrees {
                index.remove(id, slot);
                index.insert(id, &row);
            }
            *slot = row;
        }
        Ok(())
    }

    fn delete(&mut self, id: RowId) -> Result<()> {
        if let Some(old) = self.rows.remove(&id) {
            for index in &mut self.btrees {
                index.remove(id, &old);
            }
        }
        Ok(())
    }

    fn truncate(&mut self) {
        self.rows.clear();
        for index in &mut self.btrees {
            index.clear();
        }
    }

    fn scan(&self) -> Box<dyn Iterator<Item = (RowId, &Row)> + '_> {
        Box::new(self.rows.iter().map(|(id, row)| (*id, row)))
    }

    fn len(&self) -> usize {
        self.rows.len()
    }

    fn btree(&self, name: &str) -> Option<&BtreeIndex> {
        self.btrees.iter().find(|b| b.name() == name)
    }

    fn add_btree(&mut self, mut index: BtreeIndex) {
        index.clear();
        for (id, row) in &self.rows {
            index.insert(*id, row);
        }
        self.drop_btree(index.name());
        self.btrees.push(index);
    }

    fn drop_btree(&mut self, name: &str) {
        self.btrees.retain(|b| b.name() != name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_stay_stable_across_deletes() {
        let mut table = MemoryTable::default();
        let a = table.insert(vec![Datum::Int4(1)]).unwrap();
        let b = table.insert(vec![Datum::Int4(2)]).unwrap();
        table.delete(a).unwrap();
        assert_eq!(table.get(b), Some(&vec![Datum::Int4(2)]));
        assert_eq!(table.len(), 1);
        assert_eq!(table.scan().count(), 1);
    }
}
