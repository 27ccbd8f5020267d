//! HNSW approximate nearest-neighbour index (Malkov & Yashunin), generic over the element
//! type and the metric, with pgvector's parameters, messages and behaviour: `m`,
//! `ef_construction` and `ef_search` with pgvector's defaults and ranges; `f32` and `f16`
//! vectors under L2, negative inner product, cosine and L1; bit vectors under Hamming and
//! Jaccard; sparse vectors under L2, inner product, cosine and L1. Levels are derived from a
//! seed and the row id, so replaying inserts rebuilds the same graph. Builds run on several
//! threads within a memory budget and report progress; scans can continue past `ef_search`
//! for filtered queries; deletes take effect at once and vacuum repairs the graph; snapshots
//! reopen through a memory map without a rebuild. `Hnsw<M>` implements `vec-index`'s
//! `VectorIndex`, and [`build`] and [`open`] return it boxed, for an engine that holds every
//! index as a `Box<dyn VectorIndex>`.
//!
//! Invariant: depends only on `vec-types` (and through it `vec-simd`) and `vec-index`; never
//! on `vec-storage` or `vec-shell`; never prints. The only `unsafe` code is a prefetch hint
//! and the memory map of a snapshot file, each with its safety argument.
//!
//! ```
//! use vec_hnsw::{Cosine, Hnsw, HnswOptions, IterativeScan, SearchOptions};
//!
//! let rows: Vec<(u64, [f32; 3])> = (0..1000)
//!     .map(|i| (i, [1.0 + (i % 10) as f32, (i / 10) as f32, 1.0]))
//!     .collect();
//! let options = HnswOptions { threads: 2, ..HnswOptions::default() };
//! let mut index = Hnsw::<Cosine<f32>>::build(3, options, rows.iter().map(|(id, v)| (*id, &v[..])))?;
//! index.insert(5000, &[3.0, 4.0, 1.0])?;
//!
//! let hits = index.search(&[3.0, 4.0, 1.0], 5, &SearchOptions::default())?;
//! assert_eq!(hits.len(), 5);
//! assert!(hits[0].distance < 1e-6);
//!
//! // A filtered query keeps scanning past ef_search until it has its rows.
//! let scan = SearchOptions { iterative_scan: IterativeScan::RelaxedOrder, ..SearchOptions::default() };
//! let odd = index.search_filtered(&[3.0, 4.0, 1.0], 50, &scan, |row| row % 2 == 1)?;
//! assert_eq!(odd.len(), 50);
//! # Ok::<(), vec_hnsw::HnswError>(())
//! ```

mod build;
mod calibrate;
mod connect;
mod dynamic;
mod error;
mod estimate;
mod fill;
mod graph;
mod index;
mod insert;
mod level;
mod link_cache;
mod metric;
mod options;
mod persist;
mod prefetch;
mod quant;
mod quantized;
mod rerank;
mod scan;
mod search;
mod select;
pub mod snapshot;
pub mod store;
mod vacuum;

pub use build::{BuildHooks, BuildProgress};
pub use calibrate::EF_SEARCH_GRID;
pub use dynamic::{build, open, ViewRef};
pub use error::HnswError;
pub use index::{Hit, Hnsw, Inserted, Staged, MAX_ROWS_PER_ELEMENT};
pub use metric::{
    Cosine, Hamming, InnerProduct, Jaccard, Metric, Sparse, VectorBuf, VectorRef, L1, L2,
};
pub use options::{
    HnswOptions, IterativeScan, SearchOptions, DEFAULT_EF_CONSTRUCTION, DEFAULT_EF_SEARCH,
    DEFAULT_M, DEFAULT_MAINTENANCE_WORK_MEM, DEFAULT_MAX_SCAN_TUPLES, DEFAULT_SCAN_MEMORY,
    DEFAULT_SCAN_MEM_MULTIPLIER, MAX_EF_CONSTRUCTION, MAX_EF_SEARCH, MAX_M, MAX_MAX_SCAN_TUPLES,
    MIN_EF_CONSTRUCTION, MIN_EF_SEARCH, MIN_M,
};
pub use quant::{CodeDistance, Quantization};
pub use scan::Scan;
pub use vacuum::VacuumStats;
