//! pgvecto.rs's access method: `CREATE INDEX … USING vectors (col opclass) WITH (options =
//! $$ … $$)`, on the engine's own index structures.
//!
//! - **Operator classes**: `vector_l2_ops` (`<->`), `vector_dot_ops` (`<#>`),
//!   `vector_cos_ops` (`<=>`) on `vector`, and `vecf16_l2_ops`, `vecf16_dot_ops`,
//!   `vecf16_cos_ops` on `vecf16` (vecsh's name for it is `halfvec`). None is a default
//!   class, as in pgvecto.rs. The operators keep pgvector's meaning (`<->` is the
//!   Euclidean distance, where pgvecto.rs returns its square); the order, and so the rows
//!   an index returns, is the same.
//! - **Options** (`options`): TOML read by `toml`, checked against pgvecto.rs's schema in
//!   `options`, with its defaults (HNSW when `[indexing]` is absent) and error texts.
//! - **`[indexing.hnsw]`** → `vec-hnsw` (`m`, `ef_construction`). vec-hnsw's bounds are
//!   pgvector's, so `m` above 100 builds with 100 and `ef_construction` is raised to
//!   `2 * m` and capped at 1000. `quantization` really quantizes, with vec-hnsw's codes:
//!   `trivial` keeps full-precision vectors, `scalar` is vec-hnsw's SQ8 (one byte per
//!   dimension, as pgvecto.rs's scalar quantization), and `product` is the code closest
//!   to its ratio that vec-hnsw has: `ratio = "x4"` (a byte per dimension) SQ8, `"x8"` and
//!   above RaBitQ's one bit per dimension (vec-hnsw has no product quantizer; its 1-bit
//!   codes are the compact kind). Searches read the codes and re-rank their candidates
//!   with the full vectors, which are kept on disk; `sample` is not used (the quantizer
//!   trains on every row).
//! - **`[indexing.ivf]`** → `vec-ivf` (`nlist` capped at 32,768, `nsample`, `iterations`,
//!   `least_iterations`); `trivial` is IVFFlat, `scalar` and `product` (`sample`, `ratio`)
//!   quantized lists re-ranked exactly from the table's rows (`vec_ivf::DeferredIndex`).
//! - **`[indexing.flat]`** → a one-list index, plain or quantized: exact when trivial.
//! - **Few rows**: k-means and quantizers train on the rows at hand. An IVF or quantized
//!   index over fewer rows than `nlist` (and 256 for a quantizer), as on an empty table,
//!   keeps them aside as pgvecto.rs's growing segment does and is searched exactly; it is
//!   built from its rows when it has that many, and then takes later rows as usual (it is
//!   not rebuilt in the background afterwards; `REINDEX` is not there yet, dropping and
//!   creating the index retrains it).
//! - **`[segment]`, `[optimizing]`**: accepted with their ranges; apart from the rows of an
//!   index too small to train (above), rows enter the index as they are written, so there is
//!   no background sealing or merging to tune. `optimizing_threads` (default √cores, as
//!   pgvecto.rs) sets the build's threads.
//! - **Persistence**: the durable catalog keeps the method, class and options text; the
//!   index is snapshotted at checkpoints in its structure's own format (`vec-hnsw`'s, or
//!   `vec-ivf`'s deferred index for IVF and flat) and opened from it, as `hnsw` and
//!   `ivfflat` indexes are.
//! - **`CREATE EXTENSION vectors`** is accepted (the types and the method are built in), and
//!   `vecf16(n)` is `halfvec(n)` in column types and casts.
//! - **Settings**: `vectors.hnsw_ef_search` (1..65535, default 100; vec-hnsw searches with
//!   at most 1000), `vectors.ivf_nprobe` (1..1,000,000, default 10), `vectors.search_mode`
//!   (`vbase`, the default: scans go on past the first candidates, HNSW as pgvector's
//!   `strict_order` iterative scan within `hnsw.max_scan_tuples`, IVF probing more lists,
//!   so filters and large limits are served; `basic`: one round), `vectors.enable_index`
//!   (off: the planner leaves `vectors` indexes unused).

mod legacy;
pub mod options;

use options::{Indexing, Quantization};
use vec_index::{Built, IterativeScan, ScanOptions, VectorIndex};
use vec_ivf::{BuildOptions, DeferredSpec, QuantizedOptions, MAX_LISTS};

use super::registry::{BuildRequest, OpenRequest};
use crate::error::Result;
use crate::settings::{self, Settings};

/// vec-hnsw's (pgvector's) largest `m`, `ef_construction` and `ef_search`.
const HNSW_MAX_M: usize = vec_hnsw::MAX_M;
const HNSW_MAX_EF_CONSTRUCTION: usize = vec_hnsw::MAX_EF_CONSTRUCTION;
const HNSW_MAX_EF_SEARCH: usize = vec_hnsw::MAX_EF_SEARCH;

/// The structure a `vectors` index's options ask for.
enum Structure {
    /// `[indexing.hnsw]`: an HNSW graph with these options.
    Graph(vec_hnsw::HnswOptions),
    /// `[indexing.ivf]` or `[indexing.flat]`: lists, plain or quantized.
    Lists(DeferredSpec),
}

/// The lists a `vectors` index's own options say to probe (pgvecto.rs 0.1's `nprobe`).
pub fn default_probes(with: &[(String, String)]) -> Option<u32> {
    let probes = options::parse_with(with).ok()?.probes?;
    Some(probes.clamp(1, u64::from(MAX_LISTS)) as u32)
}

/// Whether a `vectors` index with these options is an HNSW graph (its scans read the
/// HNSW settings) rather than lists.
pub fn is_graph(with: &[(String, String)]) -> bool {
    matches!(
        options::parse_with(with).map(|o| o.indexing),
        Ok(Indexing::Hnsw { .. })
    )
}

/// What the options `WITH (options = …)` describe.
fn structure(with: &[(String, String)]) -> Result<Structure> {
    let options = options::parse_with(with)?;
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(options.optimizing.optimizing_threads as usize)
        .max(1);
    let quantized = |quantization: &Quantization| match quantization {
        Quantization::Trivial => None,
        Quantization::Scalar => Some(QuantizedOptions {
            quantization: vec_ivf::Quantization::Scalar,
            threads,
            ..QuantizedOptions::default()
        }),
        Quantization::Product { sample, ratio } => Some(QuantizedOptions {
            quantization: vec_ivf::Quantization::Product { ratio: *ratio },
            sample_rows: *sample as usize,
            threads,
        }),
    };
    let base = BuildOptions {
        threads,
        memory_budget_bytes: usize::MAX / 4,
        ..BuildOptions::default()
    };
    Ok(match &options.indexing {
        Indexing::Hnsw {
            m,
            ef_construction,
            quantization,
        } => {
            let mut hnsw = super::options::hnsw(&[], threads)?;
            hnsw.m = (*m as usize).min(HNSW_MAX_M);
            hnsw.ef_construction = (*ef_construction as usize)
                .max(2 * hnsw.m)
                .min(HNSW_MAX_EF_CONSTRUCTION);
            hnsw.quantization = graph_quantization(quantization);
            Structure::Graph(hnsw)
        }
        Indexing::Ivf {
            least_iterations,
            iterations,
            nlist,
            nsample,
            quantization,
        } => Structure::Lists(DeferredSpec {
            build: BuildOptions {
                lists: (*nlist).min(u64::from(MAX_LISTS)) as u32,
                sample_rows: Some(*nsample as usize),
                iterations: *iterations as u32,
                least_iterations: *least_iterations as u32,
                ..base
            },
            quantized: quantized(quantization),
            flat: false,
        }),
        Indexing::Flat { quantization } => Structure::Lists(DeferredSpec {
            build: base,
            quantized: quantized(quantization),
            flat: true,
        }),
    })
}

/// The HNSW codes for pgvecto.rs's `quantization`: `scalar` is SQ8, `product` SQ8 at its
/// 4× ratio (a byte per dimension) and RaBitQ's 1-bit codes at higher ratios.
fn graph_quantization(quantization: &Quantization) -> vec_hnsw::Quantization {
    match quantization {
        Quantization::Trivial => vec_hnsw::Quantization::None,
        Quantization::Scalar
        | Quantization::Product {
            ratio: vec_ivf::ProductRatio::X4,
            ..
        } => vec_hnsw::Quantization::Sq8,
        Quantization::Product { .. } => vec_hnsw::Quantization::RaBitQ,
    }
}

/// Builds the index `WITH (options = …)` describes: an HNSW graph of metric `G`, or
/// lists of element `E` under metric `M`.
pub fn build<G, E, M>(request: &BuildRequest<'_>) -> Result<Built>
where
    G: vec_hnsw::ViewRef,
    E: vec_ivf::ViewRef,
    M: vec_ivf::Metric<E>,
{
    match structure(request.with)? {
        Structure::Graph(options) => Ok(vec_hnsw::build::<G>(
            request.dimensions,
            options,
            request.rows,
            request.hooks,
        )?),
        Structure::Lists(spec) => Ok(vec_ivf::build_deferred::<E, M>(
            request.dimensions,
            &spec,
            request.rows,
            request.hooks,
        )?),
    }
}

/// Opens the snapshot of an index `WITH (options = …)` describes.
pub fn open<G, E, M>(request: &OpenRequest<'_>) -> Result<Box<dyn VectorIndex>>
where
    G: vec_hnsw::ViewRef,
    E: vec_ivf::ViewRef,
    M: vec_ivf::Metric<E>,
{
    Ok(match structure(request.with)? {
        Structure::Graph(..) => vec_hnsw::open::<G>(request.path)?,
        Structure::Lists(_) => vec_ivf::open_deferred::<E, M>(request.path)?,
    })
}

/// Scan options of a `vectors` index from the session's `vectors.*` settings (with the
/// HNSW scan bounds of `hnsw.*`): `vbase` goes on past the first candidates (an HNSW
/// graph as a strict-order iterative scan, lists by probing more), `basic` stops.
pub fn scan_options(
    settings: &Settings,
    graph: bool,
    default_probes: Option<u32>,
    hnsw: ScanOptions,
) -> ScanOptions {
    let vbase = settings.word(&settings::VECTORS_SEARCH_MODE) != "basic";
    if graph {
        return ScanOptions {
            ef_search: (settings.int(&settings::VECTORS_HNSW_EF_SEARCH) as usize)
                .min(HNSW_MAX_EF_SEARCH),
            iterative_scan: if vbase {
                IterativeScan::StrictOrder
            } else {
                IterativeScan::Off
            },
            ..hnsw
        };
    }
    ScanOptions {
        probes: match default_probes {
            Some(probes) if !settings.is_set(&settings::VECTORS_IVF_NPROBE) => probes,
            _ => settings.int(&settings::VECTORS_IVF_NPROBE) as u32,
        }
        .clamp(1, MAX_LISTS),
        iterative_scan: if vbase {
            IterativeScan::RelaxedOrder
        } else {
            IterativeScan::Off
        },
        max_probes: MAX_LISTS,
        ..hnsw
    }
}
