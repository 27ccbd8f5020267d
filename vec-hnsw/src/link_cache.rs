//! What a build remembers about each layer-0 neighbour list so that shrinking a full list
//! for a back-link stays cheap: every member's distance to the list's owner (found when the
//! member was linked, so it is never recomputed) and whether the member passed the neighbour
//! heuristic when the list was last pruned (pgvector's per-candidate `closer` flag). With
//! both known, a back-link into a full list costs a few distance computations instead of
//! the whole heuristic over the list.
//!
//! The cache lives only while a build links its elements (its memory, five bytes per list
//! entry, counts against `maintenance_work_mem`); inserts afterwards shrink lists the slow
//! way, with the same outcome. Every entry is read and written under the owner's lock.

use crate::select::Member;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU8, Ordering};

/// The list's distances are not known.
const UNKNOWN: u8 = 0;
/// The distances are known, the flags are not (the list has not been pruned since it last
/// grew).
const DISTANCES: u8 = 1;
/// Distances and flags are known.
const FLAGS: u8 = 2;

/// Per-list distances and heuristic flags of layer 0, while a build runs.
#[derive(Default)]
pub(crate) struct LinkCache {
    stride: usize,
    distances: Vec<AtomicU32>,
    closer: Vec<AtomicBool>,
    state: Vec<AtomicU8>,
}

impl LinkCache {
    /// Bytes a cache for `slots` lists of `stride` entries takes.
    pub(crate) fn bytes_for(slots: usize, stride: usize) -> usize {
        slots * (stride * 5 + 1)
    }

    /// A cache for `slots` lists of `stride` entries, all of them empty.
    pub(crate) fn new(slots: usize, stride: usize) -> Self {
        LinkCache {
            stride,
            distances: (0..slots * stride).map(|_| AtomicU32::new(0)).collect(),
            closer: (0..slots * stride)
                .map(|_| AtomicBool::new(false))
                .collect(),
            state: (0..slots).map(|_| AtomicU8::new(DISTANCES)).collect(),
        }
    }

    /// Whether `slot`'s list is covered.
    #[inline]
    pub(crate) fn covers(&self, slot: u32) -> bool {
        (slot as usize) < self.state.len()
    }

    /// Loads the cached distances (and flags, if known) of `slot`'s list, whose ids are
    /// `ids`, into `out`. Returns `None` when the distances are not known, otherwise whether
    /// the flags are.
    pub(crate) fn load(&self, slot: u32, ids: &[u32], out: &mut Vec<Member>) -> Option<bool> {
        let state = self.state[slot as usize].load(Ordering::Relaxed);
        if state == UNKNOWN || ids.len() > self.stride {
            return None;
        }
        let base = slot as usize * self.stride;
        for (position, &id) in ids.iter().enumerate() {
            out.push(Member {
                candidate: crate::search::Candidate {
                    distance: f32::from_bits(
                        self.distances[base + position].load(Ordering::Relaxed),
                    ),
                    slot: id,
                },
                closer: self.closer[base + position].load(Ordering::Relaxed),
                fresh: false,
                chosen: false,
            });
        }
        Some(state == FLAGS)
    }

    /// Records the members of `slot`'s list, in list order; `flags` says whether their
    /// `closer` flags are those of a heuristic run over exactly this list.
    pub(crate) fn store(&self, slot: u32, members: impl Iterator<Item = Member>, flags: bool) {
        let base = slot as usize * self.stride;
        for (position, member) in members.take(self.stride).enumerate() {
            let bits = member.candidate.distance.to_bits();
            self.distances[base + position].store(bits, Ordering::Relaxed);
            self.closer[base + position].store(member.closer, Ordering::Relaxed);
        }
        let state = if flags { FLAGS } else { DISTANCES };
        self.state[slot as usize].store(state, Ordering::Relaxed);
    }

    /// Records one member appended at `position` of `slot`'s list; the flags are no longer
    /// known.
    pub(crate) fn append(&self, slot: u32, position: usize, distance: f32) {
        let base = slot as usize * self.stride;
        if position < self.stride {
            self.distances[base + position].store(distance.to_bits(), Ordering::Relaxed);
        }
        let state = &self.state[slot as usize];
        if state.load(Ordering::Relaxed) == FLAGS {
            state.store(DISTANCES, Ordering::Relaxed);
        }
    }
}
