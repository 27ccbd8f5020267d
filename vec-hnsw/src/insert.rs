//! INSERT (Algorithm 1 of Malkov & Yashunin): descend greedily to the new element's level,
//! then on each layer below run SEARCH-LAYER with `ef_construction`, choose neighbours with
//! SELECT-NEIGHBORS-HEURISTIC, link them, and add the back-links, shrinking a full
//! neighbour's list with the same heuristic.
//!
//! It runs through a shared reference so that build threads can link elements side by side:
//! each list is written under its element's lock, and an element whose level exceeds the
//! entry point's holds the entry lock for its whole insert (as hnswlib does). All of an
//! element's own lists are written before any back-link makes it reachable. Before linking,
//! an identical vector among the nearest found on layer 0 takes the row instead (pgvector's
//! duplicate handling).

use crate::estimate::{Estimator, Exact};
use crate::index::{
    pack_entry, unpack_entry, Hnsw, Inserted, EXTRA_ROWS, FREE, MAX_ROWS_PER_ELEMENT,
};
use crate::metric::Metric;
use crate::search::{Candidate, Scratch};
use crate::select::Member;
use crate::store::VectorStore;
use std::sync::atomic::Ordering;

impl<M: Metric> Hnsw<M> {
    /// Links the staged element in `slot` into the graph.
    pub(crate) fn link(&self, slot: u32, scratch: &mut Scratch) -> Inserted {
        let outcome = self.link_inner(slot, scratch);
        if outcome == Inserted::Merged {
            self.set_flag(slot, FREE);
        }
        self.n_rows.fetch_add(1, Ordering::Relaxed);
        outcome
    }

    fn link_inner(&self, slot: u32, scratch: &mut Scratch) -> Inserted {
        let query = self.store.get(slot);
        let level = self.graph.level(slot);
        let mut entry = self.entry.load(Ordering::Acquire);
        let mut entry_guard = None;
        if !matches!(unpack_entry(entry), Some((_, entry_level)) if level <= entry_level) {
            entry_guard = Some(self.entry_lock.lock());
            entry = self.entry.load(Ordering::Acquire);
        }
        let Some((entry_slot, entry_level)) = unpack_entry(entry) else {
            self.entry.store(pack_entry(slot, level), Ordering::Release);
            return Inserted::Added;
        };
        if level <= entry_level {
            entry_guard = None;
        }

        let exact = Exact::<M>::new(query, &self.store);
        let mut current = Candidate {
            distance: exact.distance(entry_slot),
            slot: entry_slot,
        };
        for layer in (level + 1..=entry_level).rev() {
            current = self.greedy(&exact, current, layer, scratch);
        }

        let top = level.min(entry_level);
        let mut layers = std::mem::take(&mut scratch.layers);
        layers.resize_with(top + 1, Vec::new);
        let mut found = std::mem::take(&mut scratch.found);
        let mut pruned = std::mem::take(&mut scratch.pruned);
        scratch.begin(self.graph.len());
        scratch.seed(current);
        let mut merged = false;
        for layer in (0..=top).rev() {
            let mut tuples = 0;
            self.search_layer(
                &exact,
                layer,
                self.options.ef_construction,
                scratch,
                None,
                &mut tuples,
            );
            scratch.drain_sorted(&mut found);
            found
                .retain(|c| c.slot != slot && self.flag(c.slot) & (FREE | crate::index::DEAD) == 0);
            if layer == 0 && self.merge_duplicate(slot, &found) {
                merged = true;
                break;
            }
            let defer_to = (layer == 0 && self.fill.covers(slot)).then_some(slot);
            self.select_neighbors(
                &found,
                self.graph.capacity(layer),
                &mut layers[layer],
                &mut pruned,
                defer_to,
            );
            scratch.begin(self.graph.len());
            for &candidate in &found {
                scratch.seed(candidate);
            }
            if found.is_empty() {
                scratch.seed(current);
            }
        }

        if !merged {
            let mut ids = std::mem::take(&mut scratch.unvisited);
            {
                let _guard = self.graph.lock(slot);
                for (layer, selected) in layers.iter().enumerate().take(top + 1) {
                    ids.clear();
                    ids.extend(selected.iter().map(|c| c.slot));
                    self.graph.write(slot, layer, &ids);
                }
                if self.link_cache.covers(slot) {
                    let members = layers[0].iter().map(|&candidate| Member {
                        candidate,
                        closer: false,
                        fresh: false,
                        chosen: false,
                    });
                    self.link_cache.store(slot, members, false);
                }
            }
            scratch.unvisited = ids;
            for (layer, selected) in layers.iter().enumerate().take(top + 1) {
                for &neighbour in selected {
                    let back = Candidate {
                        distance: neighbour.distance,
                        slot,
                    };
                    self.connect(neighbour.slot, back, layer, scratch);
                }
            }
            if entry_guard.is_some() {
                self.entry.store(pack_entry(slot, level), Ordering::Release);
            }
        }
        scratch.layers = layers;
        scratch.found = found;
        scratch.pruned = pruned;
        drop(entry_guard);
        if merged {
            Inserted::Merged
        } else {
            Inserted::Added
        }
    }

    /// If one of the nearest elements holds exactly the vector of `slot` and has room,
    /// moves `slot`'s row onto it.
    fn merge_duplicate(&self, slot: u32, nearest: &[Candidate]) -> bool {
        let vector = self.store.get(slot);
        for candidate in nearest.iter().take(4) {
            if !M::Store::same(vector, self.store.get(candidate.slot)) {
                continue;
            }
            let _guard = self.graph.lock(candidate.slot);
            let mut extra = self.extra_rows.lock();
            let rows = extra.entry(candidate.slot).or_default();
            if rows.len() + 1 < MAX_ROWS_PER_ELEMENT {
                rows.push(self.rows[slot as usize]);
                self.set_flag(candidate.slot, EXTRA_ROWS);
                return true;
            }
        }
        false
    }
}
