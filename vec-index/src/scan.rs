//! The query side of the interface: [`ScanOptions`] (every index's query-time settings in
//! one value), the [`Hit`]s a [`Cursor`] yields, and [`ExactDistance`], through which an
//! index that keeps only codes re-ranks its candidates with the table's values.

/// How a scan continues once its first round of candidates is used up (`hnsw.iterative_scan`,
/// `ivfflat.iterative_scan`, pgvecto.rs's `vectors.search_mode = vbase`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IterativeScan {
    /// One round only.
    Off,
    /// Keep going; never yield a row nearer than one already yielded (HNSW; IVF treats it
    /// as [`IterativeScan::RelaxedOrder`]).
    StrictOrder,
    /// Keep going; rows come in approximately ascending distance.
    RelaxedOrder,
}

/// Query-time options; each index reads the fields it has a use for. There is no `Default`:
/// the engine fills every field from its settings, whose defaults are the index crates'
/// constants (`vec_hnsw::DEFAULT_EF_SEARCH`, `vec_ivf::DEFAULT_PROBES`, …).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScanOptions {
    /// HNSW: size of the dynamic candidate list (`hnsw.ef_search`).
    pub ef_search: usize,
    /// IVF: lists probed per round (`ivfflat.probes`, `vectors.ivf_nprobe`).
    pub probes: u32,
    /// Whether and how the scan goes on past its first round.
    pub iterative_scan: IterativeScan,
    /// HNSW: elements an iterative scan may visit (`hnsw.max_scan_tuples`).
    pub max_scan_tuples: u64,
    /// HNSW: bytes an iterative scan may use (`work_mem × hnsw.scan_mem_multiplier`).
    pub scan_memory: usize,
    /// IVF: the most lists an iterative scan probes (`ivfflat.max_probes`).
    pub max_probes: u32,
}

/// One result of a scan.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hit {
    /// The row id given when the vector was inserted.
    pub row_id: u64,
    /// The distance the SQL operator returns (L2, not squared L2), as the index computed it
    /// (approximate for quantized codes that were not re-ranked).
    pub distance: f32,
}

/// A row's exact distance to the query, read from the table, for indexes that re-rank
/// quantized candidates; `None` when the row is gone.
pub type ExactDistance<'a> = Box<dyn Fn(u64) -> Option<f64> + 'a>;

/// A cursor over hits, nearest first; iterative scans keep producing past the first round.
pub type Cursor<'a> = Box<dyn Iterator<Item = Hit> + 'a>;
