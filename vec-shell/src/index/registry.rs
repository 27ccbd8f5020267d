//! The one table from (access method, operator class) to what makes an index of it: a
//! build function and a snapshot-opening function, each monomorphized for the class's
//! element type and metric in `vec-hnsw` or `vec-ivf`. Every vector index the engine
//! holds is built or opened through it, so every access method gets progress reports,
//! cancellation and snapshots alike; this is also the only place that lists which
//! classes each method has and what they are called.

use std::path::Path;

use vec_hnsw::{Cosine, Hamming, InnerProduct, Jaccard, Sparse, L1, L2};
use vec_index::{BuildHooks, Built, VectorIndex, VectorRef};
use vec_types::f16;

use super::method::AccessMethod;
use super::opclass::Opclass;
use super::{options, vectors};
use crate::error::Result;

/// What a build needs.
pub struct BuildRequest<'a> {
    /// The vectors' dimensions.
    pub dimensions: usize,
    /// The `WITH` options as written.
    pub with: &'a [(String, String)],
    /// The rows' ids and vectors.
    pub rows: &'a [(u64, VectorRef<'a>)],
    /// Where progress goes and whether to stop.
    pub hooks: &'a BuildHooks<'a>,
    /// Threads the build may use.
    pub threads: usize,
    /// Bytes the build may fill before it goes on the slower way
    /// (`maintenance_work_mem`).
    pub build_memory: usize,
}

/// What opening a snapshot needs.
pub struct OpenRequest<'a> {
    /// The snapshot file.
    pub path: &'a Path,
    /// The `WITH` options as written (they say which structure a `vectors` index has).
    pub with: &'a [(String, String)],
}

/// Builds an index from rows.
pub type BuildFn = fn(&BuildRequest<'_>) -> Result<Built>;

/// Opens an index's snapshot.
pub type OpenFn = fn(&OpenRequest<'_>) -> Result<Box<dyn VectorIndex>>;

/// One operator class of one access method.
pub struct Entry {
    /// The access method.
    pub method: AccessMethod,
    /// The class's name under that method.
    pub name: &'static str,
    /// The class.
    pub opclass: Opclass,
    /// Builds an index of it.
    pub build: BuildFn,
    /// Opens a snapshot of one.
    pub open: OpenFn,
}

fn hnsw_build<M: vec_hnsw::ViewRef>(request: &BuildRequest<'_>) -> Result<Built> {
    let mut options = options::hnsw(request.with, request.threads)?;
    // As pgvector: past maintenance_work_mem, a NOTICE and a slower build.
    options.maintenance_work_mem = request.build_memory;
    options.continue_past_budget = true;
    Ok(vec_hnsw::build::<M>(
        request.dimensions,
        options,
        request.rows,
        request.hooks,
    )?)
}

fn hnsw_open<M: vec_hnsw::ViewRef>(request: &OpenRequest<'_>) -> Result<Box<dyn VectorIndex>> {
    Ok(vec_hnsw::open::<M>(request.path)?)
}

fn ivfflat_build<E: vec_ivf::ViewRef, M: vec_ivf::Metric<E>>(
    request: &BuildRequest<'_>,
) -> Result<Built> {
    let options = options::ivfflat(request.with, request.threads)?;
    Ok(vec_ivf::build_ivfflat::<E, M>(
        request.dimensions,
        &options,
        request.rows,
        request.hooks,
    )?)
}

fn ivfflat_open<E: vec_ivf::ViewRef, M: vec_ivf::Metric<E>>(
    request: &OpenRequest<'_>,
) -> Result<Box<dyn VectorIndex>> {
    Ok(vec_ivf::open_ivfflat::<E, M>(request.path)?)
}

macro_rules! entry {
    (hnsw $name:literal $opclass:ident $metric:ty) => {
        Entry {
            method: AccessMethod::Hnsw,
            name: $name,
            opclass: Opclass::$opclass,
            build: hnsw_build::<$metric>,
            open: hnsw_open::<$metric>,
        }
    };
    (ivfflat $name:literal $opclass:ident $element:ty, $metric:ty) => {
        Entry {
            method: AccessMethod::IvfFlat,
            name: $name,
            opclass: Opclass::$opclass,
            build: ivfflat_build::<$element, $metric>,
            open: ivfflat_open::<$element, $metric>,
        }
    };
    (vectors $name:literal $opclass:ident $graph:ty, $element:ty, $metric:ty) => {
        Entry {
            method: AccessMethod::Vectors,
            name: $name,
            opclass: Opclass::$opclass,
            build: vectors::build::<$graph, $element, $metric>,
            open: vectors::open::<$graph, $element, $metric>,
        }
    };
}

/// Every operator class of every vector access method.
static ENTRIES: &[Entry] = &[
    entry!(hnsw "vector_l2_ops" VectorL2 L2<f32>),
    entry!(hnsw "vector_ip_ops" VectorIp InnerProduct<f32>),
    entry!(hnsw "vector_cosine_ops" VectorCosine Cosine<f32>),
    entry!(hnsw "vector_l1_ops" VectorL1 L1<f32>),
    entry!(hnsw "halfvec_l2_ops" HalfL2 L2<f16>),
    entry!(hnsw "halfvec_ip_ops" HalfIp InnerProduct<f16>),
    entry!(hnsw "halfvec_cosine_ops" HalfCosine Cosine<f16>),
    entry!(hnsw "halfvec_l1_ops" HalfL1 L1<f16>),
    entry!(hnsw "sparsevec_l2_ops" SparseL2 L2<Sparse>),
    entry!(hnsw "sparsevec_ip_ops" SparseIp InnerProduct<Sparse>),
    entry!(hnsw "sparsevec_cosine_ops" SparseCosine Cosine<Sparse>),
    entry!(hnsw "sparsevec_l1_ops" SparseL1 L1<Sparse>),
    entry!(hnsw "bit_hamming_ops" BitHamming Hamming),
    entry!(hnsw "bit_jaccard_ops" BitJaccard Jaccard),
    entry!(ivfflat "vector_l2_ops" VectorL2 f32, vec_ivf::L2),
    entry!(ivfflat "vector_ip_ops" VectorIp f32, vec_ivf::InnerProduct),
    entry!(ivfflat "vector_cosine_ops" VectorCosine f32, vec_ivf::Cosine),
    entry!(ivfflat "halfvec_l2_ops" HalfL2 f16, vec_ivf::L2),
    entry!(ivfflat "halfvec_ip_ops" HalfIp f16, vec_ivf::InnerProduct),
    entry!(ivfflat "halfvec_cosine_ops" HalfCosine f16, vec_ivf::Cosine),
    entry!(ivfflat "bit_hamming_ops" BitHamming u8, vec_ivf::Hamming),
    entry!(vectors "vector_l2_ops" VectorL2 L2<f32>, f32, vec_ivf::L2),
    entry!(vectors "vector_dot_ops" VectorIp InnerProduct<f32>, f32, vec_ivf::InnerProduct),
    entry!(vectors "vector_cos_ops" VectorCosine Cosine<f32>, f32, vec_ivf::Cosine),
    entry!(vectors "vecf16_l2_ops" HalfL2 L2<f16>, f16, vec_ivf::L2),
    entry!(vectors "vecf16_dot_ops" HalfIp InnerProduct<f16>, f16, vec_ivf::InnerProduct),
    entry!(vectors "vecf16_cos_ops" HalfCosine Cosine<f16>, f16, vec_ivf::Cosine),
];

/// The class called `name` under `method` (for `vectors`, pgvecto.rs 0.1's short names
/// `l2_ops`, `dot_ops` and `cosine_ops` too, its classes on `vector`).
pub fn find(method: AccessMethod, name: &str) -> Option<&'static Entry> {
    let name = match (method, name) {
        (AccessMethod::Vectors, "l2_ops") => "vector_l2_ops",
        (AccessMethod::Vectors, "dot_ops") => "vector_dot_ops",
        (AccessMethod::Vectors, "cosine_ops") => "vector_cos_ops",
        _ => name,
    };
    ENTRIES
        .iter()
        .find(|e| e.method == method && e.name == name)
}

/// The entry of `opclass` under `method`.
pub fn entry(method: AccessMethod, opclass: Opclass) -> Option<&'static Entry> {
    ENTRIES
        .iter()
        .find(|e| e.method == method && e.opclass == opclass)
}

/// The name `opclass` has under `method`, if the method has it.
pub fn name_of(method: AccessMethod, opclass: Opclass) -> Option<&'static str> {
    entry(method, opclass).map(|e| e.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_class_is_listed_once_per_method() {
        for (i, a) in ENTRIES.iter().enumerate() {
            for b in &ENTRIES[i + 1..] {
                assert!(
                    a.method != b.method || (a.name != b.name && a.opclass != b.opclass),
                    "{} {} listed twice",
                    a.method,
                    a.name
                );
            }
        }
        assert_eq!(
            ENTRIES
                .iter()
                .filter(|e| e.method == AccessMethod::IvfFlat)
                .count(),
            7
        );
        assert_eq!(
            name_of(AccessMethod::Vectors, Opclass::VectorCosine),
            Some("vector_cos_ops")
        );
        assert_eq!(name_of(AccessMethod::IvfFlat, Opclass::VectorL1), None);
    }
}
