//! The one interface of vecsh's vector indexes. The engine holds each index as a
//! `Box<dyn VectorIndex>`: it inserts, checks, deletes, vacuums, scans and snapshots any
//! index through [`VectorIndex`] with a borrowed value of any of pgvector's four types
//! ([`VectorRef`]), query-time settings in one [`ScanOptions`], and errors carrying
//! PostgreSQL's fields ([`IndexError`]). The index crates implement it (`vec-hnsw` for
//! `Hnsw<M>`, `vec-ivf` for IVFFlat and pgvecto.rs's IVF and flat indexes) and provide
//! `build` and `open` functions that return boxed indexes, so the engine picks the element
//! type and metric once, when it builds or opens an index, and makes one dynamic call per
//! operation; the distance loops stay monomorphized behind it. Builds report progress and
//! poll for cancellation through [`BuildHooks`].
//!
//! Invariant: depends only on `vec-types`; never prints.
//!
//! ```
//! use vec_index::testing::{as_refs, random_rows, ExactIndex};
//! use vec_index::{BuildHooks, IterativeScan, ScanOptions, VectorIndex, VectorRef};
//!
//! let rows = random_rows(7, 100, 3);
//! let built = ExactIndex::build(3, &as_refs(&rows), &BuildHooks::none())?;
//! let mut index: Box<dyn VectorIndex> = built.index;
//! index.insert(1000, VectorRef::F32(&[0.5, 0.5, 0.5]))?;
//!
//! let options = ScanOptions {
//!     ef_search: 40,
//!     probes: 1,
//!     iterative_scan: IterativeScan::Off,
//!     max_scan_tuples: 20_000,
//!     scan_memory: 4 << 20,
//!     max_probes: 32_768,
//! };
//! let hits: Vec<_> = index.scan(VectorRef::F32(&[0.5, 0.5, 0.5]), &options, None)?.take(3).collect();
//! assert_eq!(hits[0].row_id, 1000);
//! assert!(hits[0].distance <= hits[1].distance);
//!
//! let error = index.check(VectorRef::F32(&[1.0, 2.0])).unwrap_err();
//! assert_eq!((error.sqlstate, error.message.as_str()), ("22000", "expected 3 dimensions, not 2"));
//! # Ok::<(), vec_index::IndexError>(())
//! ```

#![warn(missing_docs)]

mod build;
pub mod calibration;
mod error;
mod index;
mod scan;
#[cfg(feature = "testing")]
pub mod testing;
mod vector;

pub use build::{BuildHooks, BuildProgress, Built, PhaseProgress};
pub use calibration::{Calibration, CalibrationPoint, Knob};
pub use error::{IndexError, Notice};
pub use index::VectorIndex;
pub use scan::{Cursor, ExactDistance, Hit, IterativeScan, ScanOptions};
pub use vector::VectorRef;
