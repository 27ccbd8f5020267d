//! Writes after build: inserts go to the list with the nearest center (pgvector's
//! `FindInsertPage`), deletes mark ids dead until vacuum removes them from their lists
//! (`ivfbulkdelete`), and [`IvfIndex::bulk_delete`] removes at once by a callback.

use super::{nearest_center, prepared_row, IvfIndex};
use crate::element::Element;
use crate::error::IvfError;
use crate::metric::Metric;

impl<E: Element, M: Metric<E>> IvfIndex<E, M> {
    /// Whether [`IvfIndex::insert`] would accept `row`, without changing the index.
    pub fn check(&self, row: &[E]) -> Result<(), IvfError> {
        self.check_row(row)
    }

    /// Adds a row to the list with the nearest center. Returns `Ok(false)` when the row is
    /// not indexed (a zero vector in a cosine index, as pgvector skips it).
    pub fn insert(&mut self, id: u64, row: &[E]) -> Result<bool, IvfError> {
        self.check_row(row)?;
        let mut scratch = vec![E::default(); self.stride];
        let Some(row) = prepared_row::<E, M>(row, &mut scratch) else {
            return Ok(false);
        };
        let list_idx = nearest_center::<E, M>(self.centers.as_slice(), self.stride, row);
        let list = &mut self.lists[list_idx];
        list.ids.to_mut().push(id);
        list.rows.to_mut().extend_from_slice(row);
        self.deleted.remove(&id);
        Ok(true)
    }

    /// Rows that scans can return: [`IvfIndex::len`] less the rows deleted and not yet
    /// vacuumed. While deletes are pending this walks every list's ids.
    pub fn live_len(&self) -> usize {
        if self.deleted.is_empty() {
            return self.len();
        }
        let lists = self.lists.iter();
        lists
            .map(|list| {
                let ids = list.ids.as_slice().iter();
                ids.filter(|id| !self.deleted.contains(id)).count()
            })
            .sum()
    }

    /// Marks `id` dead: scans skip it from now on, and [`IvfIndex::vacuum`] reclaims its space.
    pub fn delete(&mut self, id: u64) {
        self.deleted.insert(id);
    }

    /// Removes every row marked by [`IvfIndex::delete`] from its list; returns how many.
    pub fn vacuum(&mut self) -> usize {
        if self.deleted.is_empty() {
            return 0;
        }
        let deleted = std::mem::take(&mut self.deleted);
        self.bulk_delete(|id| deleted.contains(&id))
    }

    /// Removes every row whose id `is_dead` accepts (pgvector's bulk delete callback);
    /// returns how many. Lists keep their order.
    pub fn bulk_delete(&mut self, mut is_dead: impl FnMut(u64) -> bool) -> usize {
        let stride = self.stride;
        let mut removed = 0;
        for list in &mut self.lists {
            if !list.ids.as_slice().iter().any(|&id| is_dead(id)) {
                continue;
            }
            let ids = list.ids.to_mut();
            let rows = list.rows.to_mut();
            let mut kept = 0;
            for row_idx in 0..ids.len() {
                if is_dead(ids[row_idx]) {
                    continue;
                }
                ids[kept] = ids[row_idx];
                rows.copy_within(row_idx * stride..(row_idx + 1) * stride, kept * stride);
                kept += 1;
            }
            removed += ids.len() - kept;
            ids.truncate(kept);
            rows.truncate(kept * stride);
        }
        removed
    }
}
