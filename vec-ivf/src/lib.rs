//! IVFFlat (pgvector's `ivfflat`) and quantized IVF and flat indexes (pgvecto.rs's `ivf` and
//! `flat` with scalar or product quantization), generic over the element type and the metric.
//!
//! An index is built from plain slices of rows with their row ids, searched with a query
//! slice, and monomorphized over an [`Element`] (`f32`, [`f16`](vec_types::f16), or `u8` bit
//! bytes) and a [`Metric`] ([`L2`], [`InnerProduct`], [`Cosine`], [`Hamming`]): no dynamic
//! dispatch in the scan loop. Each list's rows are contiguous, so probing a list is one
//! streaming pass. Options use pgvector's names and defaults, and errors and notices carry
//! pgvector's texts.
//!
//! [`DeferredIndex`] is pgvecto.rs's IVF or flat index as one type: rows kept aside and
//! searched exactly until there are enough to train on, then plain or quantized lists.
//! [`IvfIndex`] and [`DeferredIndex`] implement `vec-index`'s `VectorIndex`;
//! [`build_ivfflat`], [`build_deferred`], [`open_ivfflat`] and [`open_deferred`] return them
//! boxed, for an engine that holds every index as a `Box<dyn VectorIndex>`.
//!
//! Invariant: depends only on `vec-types` (distance kernels come through `vec_types::simd`)
//! and `vec-index` among the project's crates; never on `vec-storage`, `vec-shell` or
//! `vec-hnsw`; never prints.
//!
//! ```
//! use vec_ivf::{BuildOptions, IvfIndex, L2, Rows, SearchOptions};
//!
//! // Four 2-d rows with ids 10..=13, in two lists.
//! let data = [0.0f32, 0.0, 0.1, 0.0, 5.0, 5.0, 5.1, 5.0];
//! let ids = [10, 11, 12, 13];
//! let rows = Rows::new(2, &ids, &data)?;
//! let options = BuildOptions { lists: 2, ..BuildOptions::default() };
//! let built = IvfIndex::<f32, L2>::build(rows, &options)?;
//! assert!(built.notices.is_empty());
//!
//! let nearest = built.index.search(&[5.0, 4.9], 1, &SearchOptions::default())?;
//! assert_eq!(nearest[0].id, 12);
//! # Ok::<(), vec_ivf::IvfError>(())
//! ```

mod deferred;
mod dynamic;
mod element;
mod error;
mod ivf;
mod kmeans;
mod metric;
mod options;
mod parallel;
mod quant;
mod rng;
mod snapshot;
mod store;
mod topk;

pub use deferred::{
    DeferredCursor, DeferredIndex, DeferredSpec, DeferredState, QUANTIZER_TRAINING_ROWS,
};
pub use dynamic::{build_deferred, build_ivfflat, open_deferred, open_ivfflat, ViewRef};
pub use element::{Element, ElementKind};
pub use error::{IvfError, Notice};
pub use ivf::{BuildHooks, BuildOutcome, IvfIndex, Rows, ScanCursor, PROBES_GRID};
pub use metric::{Cosine, Hamming, InnerProduct, Metric, MetricKind, L2};
pub use options::{
    BuildOptions, BuildPhase, BuildProgress, IterativeScan, SearchOptions, DEFAULT_ITERATIONS,
    DEFAULT_LISTS, DEFAULT_MAX_PROBES, DEFAULT_MEMORY_BUDGET, DEFAULT_PROBES, MAX_LISTS,
};
pub use quant::{
    DenseRows, FlatIndex, ProductQuantizer, ProductRatio, Quantization, QuantizedIvf,
    QuantizedOptions, QuantizedSearchOptions, ScalarQuantizer, VectorSource,
};
pub use topk::Neighbor;
