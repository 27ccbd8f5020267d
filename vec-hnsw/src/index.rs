//! The index type [`Hnsw`]: its fields, construction, inserts and top-k search. The graph
//! procedures live in their own modules (`search`, `select`, `insert`), as do the build,
//! the iterative scan, vacuum and snapshots; each adds an `impl` block to this type.

use crate::error::HnswError;
use crate::estimate::{Estimator, Exact, Excluding};
use crate::graph::Graph;
use crate::level::level_for;
use crate::link_cache::LinkCache;
use crate::metric::{Metric, VectorBuf, VectorRef};
use crate::options::{HnswOptions, SearchOptions};
use crate::quant::{CodeEstimator, Codes, Quantization};
use crate::rerank::{Nearest, RerankQueue};
use crate::search::{Candidate, ScratchPool};
use crate::store::VectorStore;
use parking_lot::Mutex;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};

/// pgvector keeps at most this many heap rows on one element (identical vectors share it).
pub const MAX_ROWS_PER_ELEMENT: usize = 10;

/// Slot flag: the slot holds no element and may be reused.
pub(crate) const FREE: u8 = 1;
/// Slot flag: the element has rows besides its first, in `extra_rows`.
pub(crate) const EXTRA_ROWS: u8 = 2;
/// Slot flag: every row of the element is deleted; vacuum is unlinking it.
pub(crate) const DEAD: u8 = 4;

/// The entry point word when the index is empty.
pub(crate) const NO_ENTRY: u64 = u64::MAX;

/// One row found by a search.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hit {
    /// The row id given when the vector was inserted.
    pub row_id: u64,
    /// The distance the SQL operator returns (L2 rather than squared L2, for instance).
    pub distance: f32,
}

/// A vector copied into the index by [`Hnsw::stage_insert`], waiting to be linked by
/// [`Hnsw::link_staged`].
#[derive(Debug)]
#[must_use = "a staged vector must be linked"]
pub struct Staged {
    slot: u32,
}

/// What an insert did with its vector.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Inserted {
    /// The vector became a new element of the graph.
    Added,
    /// An identical vector was already indexed; the row joined its element.
    Merged,
    /// The vector is not indexed (a zero vector under cosine), as in pgvector.
    Skipped,
}

/// An HNSW index over vectors of the kind `M` measures.
///
/// ```
/// use vec_hnsw::{Hnsw, HnswOptions, L2, SearchOptions};
/// let mut index = Hnsw::<L2<f32>>::new(2, HnswOptions::default())?;
/// index.insert(7, &[1.0, 1.0])?;
/// index.insert(8, &[5.0, 5.0])?;
/// let hits = index.search(&[4.0, 4.0], 1, &SearchOptions::default())?;
/// assert_eq!(hits[0].row_id, 8);
/// # Ok::<(), vec_hnsw::HnswError>(())
/// ```
pub struct Hnsw<M: Metric> {
    pub(crate) options: HnswOptions,
    pub(crate) dimensions: usize,
    pub(crate) store: M::Store,
    pub(crate) graph: Graph,
    pub(crate) rows: Vec<u64>,
    pub(crate) flags: Vec<AtomicU8>,
    pub(crate) extra_rows: Mutex<HashMap<u32, Vec<u64>>>,
    pub(crate) entry: AtomicU64,
    pub(crate) entry_lock: Mutex<()>,
    pub(crate) free: Mutex<Vec<u32>>,
    pub(crate) pending_deletes: HashSet<u64>,
    pub(crate) n_rows: AtomicU64,
    pub(crate) scratch: ScratchPool,
    /// Distances and heuristic flags of the layer-0 lists, while a build links.
    pub(crate) link_cache: LinkCache,
    /// Pruned candidates of the layer-0 lists, while a build links (see `fill`).
    pub(crate) fill: crate::fill::FillPool,
    /// The codes searches read, when the index is quantized.
    pub(crate) codes: Option<Codes>,
    /// The recall each `ef_search` reached, for target recall.
    pub(crate) calibration: Option<vec_index::Calibration>,
    /// How many tuples the build had staged when its memory passed the budget (a build
    /// that went on past it; `None` otherwise).
    pub(crate) outgrew_budget: Option<u64>,
}

/// Packs an entry point into one word: level in the high half, slot in the low half.
pub(crate) fn pack_entry(slot: u32, level: usize) -> u64 {
    ((level as u64) << 32) | slot as u64
}

/// Unpacks an entry point word.
pub(crate) fn unpack_entry(word: u64) -> Option<(u32, usize)> {
    (word != NO_ENTRY).then_some((word as u32, (word >> 32) as usize))
}

impl<M: Metric> Hnsw<M> {
    /// An empty index for vectors of `dimensions` dimensions (bits for bit vectors). A
    /// quantized index keeps its full vectors in a file from the start.
    pub fn new(dimensions: usize, options: HnswOptions) -> Result<Self, HnswError> {
        let mut index = Self::new_in_memory(dimensions, options)?;
        index.spill_vectors()?;
        Ok(index)
    }

    /// An empty index whose full vectors stay in memory even when it is quantized, until
    /// [`Hnsw::spill_vectors`]: a bulk build links faster on huge pages than on a file map.
    pub(crate) fn new_in_memory(
        dimensions: usize,
        options: HnswOptions,
    ) -> Result<Self, HnswError> {
        options.validate()?;
        if dimensions == 0 {
            return Err(HnswError::NoDimensions);
        }
        if dimensions > M::Store::MAX_DIMENSIONS {
            return Err(HnswError::TooManyDimensions {
                max: M::Store::MAX_DIMENSIONS,
            });
        }
        let codes = match options.quantization {
            Quantization::None => None,
            quantization => {
                let distance = M::CODE_DISTANCE.ok_or(HnswError::QuantizationUnsupported {
                    quantization: quantization.name(),
                })?;
                Some(Codes::new(quantization, distance, dimensions, options.seed))
            }
        };
        Ok(Hnsw {
            graph: Graph::new(options.m),
            options,
            dimensions,
            store: M::Store::with_dimensions(dimensions),
            rows: Vec::new(),
            flags: Vec::new(),
            extra_rows: Mutex::new(HashMap::new()),
            entry: AtomicU64::new(NO_ENTRY),
            entry_lock: Mutex::new(()),
            free: Mutex::new(Vec::new()),
            pending_deletes: HashSet::new(),
            n_rows: AtomicU64::new(0),
            scratch: ScratchPool::default(),
            link_cache: LinkCache::default(),
            fill: Default::default(),
            codes,
            calibration: None,
            outgrew_budget: None,
        })
    }

    /// Moves a quantized index's full vectors to an unlinked file in `vector_dir` (the
    /// temporary directory by default); nothing for an unquantized index.
    pub(crate) fn spill_vectors(&mut self) -> Result<(), HnswError> {
        if self.codes.is_none() {
            return Ok(());
        }
        let dir = self
            .options
            .vector_dir
            .clone()
            .unwrap_or_else(std::env::temp_dir);
        self.store
            .spill(&dir)
            .map_err(|source| HnswError::Io { path: dir, source })
    }

    /// After how many tuples the build's memory passed `maintenance_work_mem`, when it
    /// went on past it ([`HnswOptions::continue_past_budget`]); `None` when it fitted,
    /// and for an index opened from a snapshot.
    pub fn outgrew_budget_after(&self) -> Option<u64> {
        self.outgrew_budget
    }

    /// The options the index was built with.
    pub fn options(&self) -> &HnswOptions {
        &self.options
    }

    /// The vectors' dimensions.
    pub fn dimensions(&self) -> usize {
        self.dimensions
    }

    /// Number of indexed rows (deleted rows count until vacuum).
    pub fn len(&self) -> usize {
        self.n_rows.load(Ordering::Relaxed) as usize
    }

    /// Whether no row is indexed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of graph elements, including free slots waiting for reuse.
    pub fn slots(&self) -> usize {
        self.graph.len()
    }

    /// Bytes of memory held by the vectors, the graph and the row table (mapped bytes of a
    /// reopened snapshot included). A quantized index counts its codes instead of its full
    /// vectors, which are on disk ([`Hnsw::vector_file_bytes`]) and read only to re-rank.
    pub fn memory_bytes(&self) -> usize {
        let vectors = match &self.codes {
            Some(codes) => codes.memory_bytes(),
            None => self.store.memory_bytes(),
        };
        vectors
            + self.graph.memory_bytes()
            + self.rows.capacity() * 8
            + self.flags.capacity()
            + self.free.lock().capacity() * 4
    }

    /// Bytes of full-precision vectors a quantized index keeps on disk for re-ranking (in
    /// an unlinked file, or in the snapshot file it was opened from); 0 when unquantized.
    pub fn vector_file_bytes(&self) -> usize {
        if self.codes.is_some() {
            self.store.used_bytes()
        } else {
            0
        }
    }

    /// How searches read vectors: full precision, or which codes.
    pub fn quantization(&self) -> Quantization {
        self.codes
            .as_ref()
            .map_or(Quantization::None, |codes| codes.quantization)
    }

    pub(crate) fn flag(&self, slot: u32) -> u8 {
        self.flags[slot as usize].load(Ordering::Acquire)
    }

    pub(crate) fn set_flag(&self, slot: u32, flag: u8) {
        self.flags[slot as usize].fetch_or(flag, Ordering::AcqRel);
    }

    /// Checks and prepares an input vector; `None` when it is not indexed.
    pub(crate) fn prepare(
        &self,
        vector: VectorRef<'_, M>,
    ) -> Result<Option<VectorBuf<M>>, HnswError> {
        self.store.check(vector)?;
        let mut buf = VectorBuf::<M>::default();
        Ok(M::prepare(vector, &mut buf).then_some(buf))
    }

    /// Puts a prepared vector into a slot (a freed one if any) with empty lists.
    pub(crate) fn stage(
        &mut self,
        row_id: u64,
        vector: VectorRef<'_, M>,
    ) -> Result<u32, HnswError> {
        let level = level_for(self.options.seed, row_id, self.options.m);
        if let Some(slot) = self.free.get_mut().pop() {
            if let Err(error) = self.store.replace(slot, vector) {
                self.free.get_mut().push(slot);
                return Err(error);
            }
            self.graph.reset(slot, level);
            self.rows[slot as usize] = row_id;
            self.flags[slot as usize].store(0, Ordering::Release);
            self.extra_rows.lock().remove(&slot);
            return Ok(slot);
        }
        if self.graph.len() >= u32::MAX as usize - 1 {
            return Err(HnswError::TooManyElements);
        }
        // The vector first: if memory runs out, no graph node is left without one.
        self.store.push(vector)?;
        let slot = self.graph.push(level);
        self.rows.push(row_id);
        self.flags.push(AtomicU8::new(0));
        Ok(slot)
    }

    /// Whether [`Hnsw::insert`] would accept `vector` (dimensions, non-zero elements),
    /// without changing the index: callers check every row before committing them.
    pub fn check(&self, vector: VectorRef<'_, M>) -> Result<(), HnswError> {
        self.prepare(vector).map(|_| ())
    }

    /// Adds the vector of `row_id`. Zero vectors under cosine are skipped, and an identical
    /// vector already indexed takes the row onto its element (up to
    /// [`MAX_ROWS_PER_ELEMENT`] rows), as pgvector does.
    pub fn insert(&mut self, row_id: u64, vector: VectorRef<'_, M>) -> Result<Inserted, HnswError> {
        match self.stage_insert(row_id, vector)? {
            Some(staged) => Ok(self.link_staged(staged)),
            None => Ok(Inserted::Skipped),
        }
    }

    /// The first half of an insert that lets searches run while the graph is linked:
    /// copies the vector into the index (briefly needing `&mut self`, e.g. under a write
    /// lock); [`Hnsw::link_staged`] then links it through `&self` (under a read lock, beside
    /// searches and other links). A staged vector is invisible to searches until it is
    /// linked, and must be linked. `None` when the vector is not indexed.
    pub fn stage_insert(
        &mut self,
        row_id: u64,
        vector: VectorRef<'_, M>,
    ) -> Result<Option<Staged>, HnswError> {
        let Some(prepared) = self.prepare(vector)? else {
            return Ok(None);
        };
        self.graph.make_writable();
        let slot = self.stage(row_id, M::Store::view(&prepared))?;
        if let Err(error) = self.encode_staged(slot) {
            // Without its code the element cannot be searched: it goes back to the free
            // list, unlinked, and the insert fails having added nothing a search can see.
            self.flags[slot as usize].store(FREE, Ordering::Release);
            self.free.get_mut().push(slot);
            return Err(error);
        }
        Ok(Some(Staged { slot }))
    }

    /// The second half of an insert: links a staged vector into the graph. Safe to call
    /// from several threads at once and while searches run.
    pub fn link_staged(&self, staged: Staged) -> Inserted {
        let mut scratch = self.scratch.take();
        let outcome = self.link(staged.slot, &mut scratch);
        self.scratch.give(scratch);
        if outcome == Inserted::Merged {
            self.free.lock().push(staged.slot);
        }
        outcome
    }

    /// The rows of `slot` that are not deleted, appended to `out`.
    pub(crate) fn rows_of(&self, slot: u32, out: &mut Vec<u64>) {
        let start = out.len();
        out.push(self.rows[slot as usize]);
        if self.flag(slot) & EXTRA_ROWS != 0 {
            if let Some(extra) = self.extra_rows.lock().get(&slot) {
                out.extend_from_slice(extra);
            }
        }
        if !self.pending_deletes.is_empty() {
            let mut index = start;
            while index < out.len() {
                if self.pending_deletes.contains(&out[index]) {
                    out.remove(index);
                } else {
                    index += 1;
                }
            }
        }
    }

    /// The `ef` nearest elements to a prepared query on layer 0, nearest first by exact
    /// distance: found by exact distances, or in a quantized index by the codes' estimates
    /// and re-ranked as they are taken. The element in `exclude`, if any, is treated as if
    /// it were not in the graph: never evaluated, followed or returned (calibration
    /// searches for an element's own vector this way, as for a query the index has not
    /// seen).
    pub(crate) fn nearest<'a>(
        &'a self,
        query: VectorRef<'a, M>,
        ef: usize,
        exclude: Option<u32>,
    ) -> Nearest<'a, M> {
        let mut found = Vec::new();
        let mut queue = RerankQueue::default();
        match (self.prepare_codes(query), &self.codes) {
            (Some(prepared), Some(codes)) => {
                let estimator = CodeEstimator::new(codes, &prepared);
                self.nearest_with(&Excluding(&estimator, exclude), ef, exclude, &mut found);
                queue.add(codes, Some(&prepared), found.drain(..));
            }
            _ => {
                let estimator = Exact::<M>::new(query, &self.store);
                self.nearest_with(&Excluding(&estimator, exclude), ef, exclude, &mut found);
                found.reverse();
            }
        }
        Nearest::new(self, query, found, queue)
    }

    /// The `ef` nearest elements by `estimator`'s distances, nearest first, never
    /// expanding `exclude` on layer 0.
    fn nearest_with<E: Estimator>(
        &self,
        estimator: &E,
        ef: usize,
        exclude: Option<u32>,
        out: &mut Vec<Candidate>,
    ) {
        out.clear();
        let Some((entry_slot, entry_level)) = unpack_entry(self.entry.load(Ordering::Acquire))
        else {
            return;
        };
        let mut scratch = self.scratch.take();
        let mut current = Candidate {
            distance: estimator.distance(entry_slot),
            slot: entry_slot,
        };
        for level in (1..=entry_level).rev() {
            current = self.greedy(estimator, current, level, &mut scratch);
        }
        scratch.begin(self.graph.len());
        if let Some(slot) = exclude {
            scratch.visited.insert(slot);
        }
        scratch.seed(current);
        let mut tuples = 0;
        self.search_layer(estimator, 0, ef, &mut scratch, None, &mut tuples);
        scratch.drain_sorted(out);
        out.retain(|c| Some(c.slot) != exclude);
        self.scratch.give(scratch);
    }

    /// The `k` nearest rows to `query`, searching with `max(ef_search, k)` candidates.
    /// A zero query under cosine finds nothing.
    pub fn search(
        &self,
        query: VectorRef<'_, M>,
        k: usize,
        options: &SearchOptions,
    ) -> Result<Vec<Hit>, HnswError> {
        options.validate()?;
        let Some(prepared) = self.prepare(query)? else {
            return Ok(Vec::new());
        };
        let ef = options.ef_search.max(k);
        let mut hits = Vec::with_capacity(k.min(64));
        let mut rows = Vec::new();
        for element in self.nearest(M::Store::view(&prepared), ef, None) {
            if self.flag(element.slot) & FREE != 0 {
                continue;
            }
            rows.clear();
            self.rows_of(element.slot, &mut rows);
            for &row_id in &rows {
                if hits.len() == k {
                    return Ok(hits);
                }
                hits.push(Hit {
                    row_id,
                    distance: M::report(element.distance),
                });
            }
        }
        Ok(hits)
    }
}
