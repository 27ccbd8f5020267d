//! Deletes and vacuum, after pgvector's `hnswvacuum.c`. A deleted row is hidden from every
//! search at once; [`Hnsw::vacuum`] then removes the rows, turns elements left without rows
//! into dead elements, repairs every live element that pointed to a dead one (its lists are
//! found again by INSERT's search, through the dead elements, which still guide the search
//! but are never chosen), moves the entry point off a dead element, and finally frees the
//! dead slots so that new inserts reuse them.

use crate::estimate::{Estimator, Exact};
use crate::index::{pack_entry, unpack_entry, Hnsw, DEAD, EXTRA_ROWS, FREE, NO_ENTRY};
use crate::metric::Metric;
use crate::search::{Candidate, Scratch};
use crate::store::VectorStore;
use std::sync::atomic::Ordering;

/// What a vacuum did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VacuumStats {
    /// Rows removed from the index.
    pub rows_removed: u64,
    /// Elements freed for reuse (all their rows were deleted).
    pub elements_freed: u64,
    /// Live elements whose neighbour lists were rebuilt.
    pub elements_repaired: u64,
}

impl<M: Metric> Hnsw<M> {
    /// Deletes `row_id`: searches skip it from now on; [`Hnsw::vacuum`] reclaims it.
    /// Unknown row ids are ignored.
    pub fn delete(&mut self, row_id: u64) {
        self.pending_deletes.insert(row_id);
    }

    /// Rows that scans can return: [`Hnsw::len`] less the rows deleted and not yet
    /// vacuumed. While deletes are pending this walks every element's rows.
    pub fn live_len(&self) -> usize {
        if self.pending_deletes.is_empty() {
            return self.len();
        }
        let mut rows = Vec::new();
        let mut live = 0;
        for slot in 0..self.graph.len() as u32 {
            if self.flag(slot) & (FREE | DEAD) == 0 {
                rows.clear();
                self.rows_of(slot, &mut rows);
                live += rows.len();
            }
        }
        live
    }

    /// Removes the deleted rows, repairs the graph around elements that lost all their rows,
    /// and frees those elements' slots for reuse.
    pub fn vacuum(&mut self) -> VacuumStats {
        let mut stats = VacuumStats::default();
        if self.pending_deletes.is_empty() {
            return stats;
        }
        self.graph.make_writable();
        let slots = self.graph.len() as u32;
        let mut dead = Vec::new();
        {
            let pending = std::mem::take(&mut self.pending_deletes);
            let extra_rows = self.extra_rows.get_mut();
            for slot in 0..slots {
                let flags = self.flags[slot as usize].load(Ordering::Acquire);
                if flags & FREE != 0 {
                    continue;
                }
                let mut extra = extra_rows.remove(&slot).unwrap_or_default();
                let before = extra.len();
                extra.retain(|row| !pending.contains(row));
                stats.rows_removed += (before - extra.len()) as u64;
                let mut alive = true;
                if pending.contains(&self.rows[slot as usize]) {
                    stats.rows_removed += 1;
                    match extra.pop() {
                        Some(row) => self.rows[slot as usize] = row,
                        None => alive = false,
                    }
                }
                if extra.is_empty() {
                    self.flags[slot as usize].fetch_and(!EXTRA_ROWS, Ordering::AcqRel);
                } else {
                    extra_rows.insert(slot, extra);
                }
                if !alive {
                    self.flags[slot as usize].fetch_or(DEAD, Ordering::AcqRel);
                    dead.push(slot);
                }
            }
        }
        self.n_rows.fetch_sub(stats.rows_removed, Ordering::Relaxed);
        if dead.is_empty() {
            return stats;
        }
        self.repair_entry_point();
        let mut scratch = self.scratch.take();
        for slot in 0..slots {
            if self.flag(slot) & (FREE | DEAD) == 0 && self.points_to_dead(slot, &mut scratch) {
                self.relink(slot, &mut scratch);
                stats.elements_repaired += 1;
            }
        }
        self.scratch.give(scratch);
        for &slot in &dead {
            self.graph.clear(slot);
            self.flags[slot as usize].store(FREE, Ordering::Release);
            self.free.get_mut().push(slot);
        }
        stats.elements_freed = dead.len() as u64;
        stats
    }

    /// Moves the entry point to a live element of the highest level if it is dead.
    fn repair_entry_point(&mut self) {
        let entry = unpack_entry(self.entry.load(Ordering::Acquire));
        if entry.is_some_and(|(slot, _)| self.flag(slot) & (DEAD | FREE) == 0) {
            return;
        }
        let best = (0..self.graph.len() as u32)
            .filter(|&slot| self.flag(slot) & (DEAD | FREE) == 0)
            .max_by_key(|&slot| (self.graph.level(slot), std::cmp::Reverse(slot)));
        let word = best.map_or(NO_ENTRY, |slot| pack_entry(slot, self.graph.level(slot)));
        self.entry.store(word, Ordering::Release);
    }

    fn points_to_dead(&self, slot: u32, scratch: &mut Scratch) -> bool {
        for level in 0..=self.graph.level(slot) {
            self.graph.read(slot, level, &mut scratch.neighbours);
            if scratch.neighbours.iter().any(|&n| self.flag(n) & DEAD != 0) {
                return true;
            }
        }
        false
    }

    /// Finds new neighbour lists for the live element in `slot` and adds back-links.
    fn relink(&self, slot: u32, scratch: &mut Scratch) {
        let Some((entry_slot, entry_level)) = unpack_entry(self.entry.load(Ordering::Acquire))
        else {
            return;
        };
        let query = self.store.get(slot);
        let exact = Exact::<M>::new(query, &self.store);
        let level = self.graph.level(slot);
        let mut current = Candidate {
            distance: exact.distance(entry_slot),
            slot: entry_slot,
        };
        for layer in (level + 1..=entry_level).rev() {
            current = self.greedy(&exact, current, layer, scratch);
        }
        let mut found = std::mem::take(&mut scratch.found);
        let mut pruned = std::mem::take(&mut scratch.pruned);
        let mut selected = std::mem::take(&mut scratch.rescored);
        let mut ids = Vec::new();
        scratch.begin(self.graph.len());
        scratch.seed(current);
        for layer in (0..=level.min(entry_level)).rev() {
            let mut tuples = 0;
            // One more than ef_construction: the element itself is among the results.
            let ef = self.options.ef_construction + 1;
            self.search_layer(&exact, layer, ef, scratch, None, &mut tuples);
            scratch.drain_sorted(&mut found);
            let seeds = found.clone();
            found.retain(|c| c.slot != slot && self.flag(c.slot) & (FREE | DEAD) == 0);
            self.select_neighbors(
                &found,
                self.graph.capacity(layer),
                &mut selected,
                &mut pruned,
                None,
            );
            ids.clear();
            ids.extend(selected.iter().map(|c| c.slot));
            {
                let _guard = self.graph.lock(slot);
                self.graph.write(slot, layer, &ids);
            }
            let chosen = selected.clone();
            for neighbour in chosen {
                let back = Candidate {
                    distance: neighbour.distance,
                    slot,
                };
                self.connect(neighbour.slot, back, layer, scratch);
            }
            scratch.begin(self.graph.len());
            for candidate in seeds {
                scratch.seed(candidate);
            }
        }
        scratch.found = found;
        scratch.pruned = pruned;
        scratch.rescored = selected;
    }
}
