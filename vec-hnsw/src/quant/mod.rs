//! Quantized vectors for HNSW: compact codes that searches estimate distances from, while
//! the full vectors stay on disk for exact re-ranking.
//!
//! An index built with a [`Quantization`] other than `None` keeps, per element, a code of
//! [`sq8`] (one byte per dimension) or [`rabitq`] (one bit per dimension and two factors).
//! SEARCH-LAYER evaluates codes only (a few cache lines per element instead of the whole
//! vector), and the `ef` candidates it returns are then re-ranked with exact distances
//! read from the full vectors, which live in a file (`store`'s spilled rows) rather than in
//! memory. SQ8 bounds how far each estimate can be off, so re-ranking (`rerank`) reads a
//! candidate's full vector only while its bound can still beat an exact distance already
//! known; RaBitQ's estimates have no such bound and all its candidates are re-ranked. The
//! graph itself is built, and inserts are linked, with exact distances, so
//! quantization changes what a search reads, not the graph.
//!
//! The quantizer is trained on the vectors at hand when the index is built (per-dimension
//! ranges for SQ8, the centroid for RaBitQ). An index built over few rows (an empty table,
//! then `INSERT`s) trains again, and re-encodes every element, each time its element count
//! doubles, until it has trained on [`RETRAIN_LIMIT`] elements.

pub(crate) mod rabitq;
pub(crate) mod rotation;
pub(crate) mod sq8;

use crate::search::Candidate;
use crate::store::AlignedBytes;
use rabitq::{RaBitQ, RaBitQQuery, RaBitQTrainer};
use sq8::{Sq8, Sq8Query, Sq8Trainer};
use vec_types::simd::codes::CodeKernels;

/// Elements after which a quantizer is no longer retrained as an index grows.
pub(crate) const RETRAIN_LIMIT: usize = 1 << 16;

/// How an index stores the vectors its searches read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Quantization {
    /// Full-precision vectors in memory. The default.
    #[default]
    None,
    /// 8-bit scalar quantization: one byte per dimension (a quarter of an `f32` vector),
    /// full vectors on disk for re-ranking.
    Sq8,
    /// RaBitQ-style 1-bit codes: one bit per dimension (padded to a multiple of 64) and
    /// eight bytes of factors, full vectors on disk for re-ranking.
    RaBitQ,
}

impl Quantization {
    /// The name `WITH (quantization = …)` takes: `none`, `sq8` or `rabitq`.
    pub fn name(self) -> &'static str {
        match self {
            Quantization::None => "none",
            Quantization::Sq8 => "sq8",
            Quantization::RaBitQ => "rabitq",
        }
    }

    /// The quantization of this name (ASCII case ignored).
    pub fn from_name(name: &str) -> Option<Quantization> {
        [Quantization::None, Quantization::Sq8, Quantization::RaBitQ]
            .into_iter()
            .find(|q| q.name().eq_ignore_ascii_case(name))
    }

    /// The byte a snapshot stores it as.
    pub(crate) fn code(self) -> u8 {
        match self {
            Quantization::None => 0,
            Quantization::Sq8 => 1,
            Quantization::RaBitQ => 2,
        }
    }

    /// The quantization a snapshot's byte stands for.
    pub(crate) fn from_code(code: u8) -> Option<Quantization> {
        [Quantization::None, Quantization::Sq8, Quantization::RaBitQ]
            .into_iter()
            .find(|q| q.code() == code)
    }
}

/// How a metric's distance follows from what codes estimate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeDistance {
    /// Squared Euclidean distance.
    L2Squared,
    /// Negative inner product.
    NegativeDot,
    /// One minus the inner product of normalized vectors.
    CosineDot,
}

impl CodeDistance {
    /// The distance for an inner product `dot`.
    #[inline]
    pub(crate) fn of_dot(self, dot: f32) -> f32 {
        match self {
            CodeDistance::CosineDot => 1.0 - dot,
            _ => -dot,
        }
    }
}

/// A trained quantizer.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Quantizer {
    Sq8(Sq8),
    RaBitQ(RaBitQ),
}

/// A query prepared for one quantizer.
#[derive(Clone, Debug)]
pub(crate) enum PreparedQuery {
    Sq8(Sq8Query),
    RaBitQ(RaBitQQuery),
}

/// The codes of an index: the quantizer and one code per slot, `stride` bytes apart in
/// huge-page-advised memory.
pub(crate) struct Codes {
    pub(crate) quantization: Quantization,
    pub(crate) distance: CodeDistance,
    pub(crate) quantizer: Quantizer,
    pub(crate) stride: usize,
    pub(crate) bytes: AlignedBytes,
    /// SQ8: each slot's radius (`Sq8::radius`), what bounds its estimates; empty for
    /// RaBitQ, whose estimates have no such bound.
    radii: Vec<f32>,
    /// Elements the quantizer was trained on.
    pub(crate) trained_on: usize,
    dimensions: usize,
    seed: u64,
}

/// Rounds a code's size up to a multiple of 16 bytes (64 when that wastes at most an
/// eighth), so codes start on cache lines where that is cheap.
fn stride_for(code_bytes: usize) -> usize {
    let line = code_bytes.div_ceil(64) * 64;
    if line - code_bytes <= code_bytes / 8 {
        line
    } else {
        code_bytes.div_ceil(16) * 16
    }
}

impl Codes {
    /// An untrained quantizer (trained on nothing) with no codes.
    pub(crate) fn new(
        quantization: Quantization,
        distance: CodeDistance,
        dimensions: usize,
        seed: u64,
    ) -> Codes {
        let mut codes = Codes {
            quantization,
            distance,
            quantizer: Quantizer::Sq8(Sq8Trainer::new(dimensions).finish()),
            stride: 0,
            bytes: AlignedBytes::new(),
            radii: Vec::new(),
            trained_on: 0,
            dimensions,
            seed,
        };
        codes.train(0, |_| {});
        codes
    }

    /// Reassembles codes from a snapshot's quantizer parameters and code bytes. The
    /// snapshot does not hold SQ8's radii: [`Codes::restore_radius`] measures them again.
    pub(crate) fn from_parts(
        quantization: Quantization,
        distance: CodeDistance,
        dimensions: usize,
        parameters: &[u8],
        trained_on: usize,
        code_bytes: &[u8],
        slots: usize,
    ) -> Result<Codes, String> {
        let quantizer = match quantization {
            Quantization::Sq8 => Quantizer::Sq8(Sq8::from_bytes(dimensions, parameters)?),
            Quantization::RaBitQ => Quantizer::RaBitQ(RaBitQ::from_bytes(dimensions, parameters)?),
            Quantization::None => return Err("codes of an unquantized index".into()),
        };
        let seed = match &quantizer {
            Quantizer::RaBitQ(rabitq) => rabitq.seed,
            Quantizer::Sq8(_) => 0,
        };
        let stride = stride_for(quantizer_code_bytes(&quantizer));
        if code_bytes.len() != slots * stride {
            return Err("code section has the wrong length".into());
        }
        let mut bytes = AlignedBytes::new();
        bytes
            .extend_from_slice(code_bytes)
            .map_err(|size| format!("out of memory (failed on request of size {size})"))?;
        Ok(Codes {
            quantization,
            distance,
            quantizer,
            stride,
            bytes,
            radii: Vec::new(),
            trained_on,
            dimensions,
            seed,
        })
    }

    /// Trains the quantizer on the `count` vectors that `vectors` hands to the callback it
    /// is given, and clears every code (the caller encodes again).
    pub(crate) fn train(&mut self, count: usize, vectors: impl FnOnce(&mut dyn FnMut(&[f32]))) {
        self.quantizer = match self.quantization {
            Quantization::RaBitQ => {
                let mut trainer = RaBitQTrainer::new(self.dimensions);
                vectors(&mut |vector| trainer.add(vector));
                Quantizer::RaBitQ(trainer.finish(self.seed))
            }
            _ => {
                let mut trainer = Sq8Trainer::new(self.dimensions);
                vectors(&mut |vector| trainer.add(vector));
                Quantizer::Sq8(trainer.finish())
            }
        };
        self.stride = stride_for(quantizer_code_bytes(&self.quantizer));
        self.trained_on = count;
        self.bytes = AlignedBytes::new();
        self.radii = Vec::new();
    }

    /// Makes room for the codes of `slots` slots in all, so that encoding them grows
    /// nothing (a doubling growth would leave up to half the memory unused). On failure,
    /// the bytes asked for.
    pub(crate) fn reserve(&mut self, slots: usize) -> Result<(), usize> {
        let needed = (slots * self.stride).saturating_sub(self.bytes.len());
        self.bytes.reserve(needed)?;
        self.reserve_radii(slots)
    }

    /// Makes room for the radii of `slots` slots (SQ8 only); on failure, the bytes asked for.
    fn reserve_radii(&mut self, slots: usize) -> Result<(), usize> {
        if !matches!(self.quantizer, Quantizer::Sq8(_)) {
            return Ok(());
        }
        let more = slots.saturating_sub(self.radii.len());
        self.radii
            .try_reserve(more)
            .map_err(|_| more * std::mem::size_of::<f32>())
    }

    /// Records the radius of `slot` (SQ8 only), growing the radii as needed.
    fn set_radius(&mut self, slot: usize, radius: f32) -> Result<(), usize> {
        if slot >= self.radii.len() {
            self.reserve_radii(slot + 1)?;
            self.radii.resize(slot + 1, f32::INFINITY);
        }
        self.radii[slot] = radius;
        Ok(())
    }

    /// Measures the radius of `slot`'s code again from its vector, for codes read back from
    /// a snapshot; nothing for RaBitQ. On failure, the bytes asked for.
    pub(crate) fn restore_radius(&mut self, slot: u32, vector: &[f32]) -> Result<(), usize> {
        let Quantizer::Sq8(sq8) = &self.quantizer else {
            return Ok(());
        };
        let code = self.code(slot);
        if code.len() < sq8.code_bytes() {
            return Ok(());
        }
        let radius = sq8.radius(vector, &code[..sq8.code_bytes()]);
        self.set_radius(slot as usize, radius)
    }

    /// A distance that `candidate`'s exact distance to the query is never below, given its
    /// estimate; minus infinity where the codes have no such bound (RaBitQ).
    #[inline]
    pub(crate) fn lower_bound(&self, query: &PreparedQuery, candidate: Candidate) -> f32 {
        match (&self.quantizer, query) {
            (Quantizer::Sq8(_), PreparedQuery::Sq8(query)) => {
                let radius = self
                    .radii
                    .get(candidate.slot as usize)
                    .copied()
                    .unwrap_or(f32::INFINITY);
                Sq8::lower_bound(query, self.distance, candidate.distance, radius)
            }
            _ => f32::NEG_INFINITY,
        }
    }

    /// Sets the code of `slot` (the next slot, or an existing one) from its vector. When
    /// the codes cannot grow, nothing changes and the error holds the bytes asked for.
    pub(crate) fn encode(
        &mut self,
        slot: u32,
        vector: &[f32],
        scratch: &mut Vec<f32>,
    ) -> Result<(), usize> {
        let slot = slot as usize;
        self.reserve_radii(slot + 1)?;
        let needed = (slot + 1) * self.stride;
        if self.bytes.len() < needed {
            let zeros = vec![0u8; needed - self.bytes.len()];
            self.bytes.extend_from_slice(&zeros)?;
        }
        let code = &mut self.bytes.as_mut_slice()[slot * self.stride..needed];
        match &self.quantizer {
            Quantizer::Sq8(sq8) => {
                let radius = sq8.encode(vector, code);
                self.set_radius(slot, radius)?;
            }
            Quantizer::RaBitQ(rabitq) => rabitq.encode(vector, code, scratch),
        }
        Ok(())
    }

    /// The code of `slot`.
    #[inline]
    pub(crate) fn code(&self, slot: u32) -> &[u8] {
        let start = slot as usize * self.stride;
        self.bytes
            .as_slice()
            .get(start..start + self.stride)
            .unwrap_or(&[])
    }

    /// Prepares a query (as `f32`, normalized under cosine) for estimates.
    pub(crate) fn prepare(&self, query: &[f32]) -> PreparedQuery {
        match &self.quantizer {
            Quantizer::Sq8(sq8) => {
                let mut prepared = Sq8Query::default();
                sq8.prepare(query, self.distance, &mut prepared);
                PreparedQuery::Sq8(prepared)
            }
            Quantizer::RaBitQ(rabitq) => {
                let mut prepared = RaBitQQuery::default();
                rabitq.prepare(query, self.distance, &mut prepared);
                PreparedQuery::RaBitQ(prepared)
            }
        }
    }

    /// The quantizer's parameters as bytes, for a snapshot.
    pub(crate) fn parameter_bytes(&self) -> Vec<u8> {
        match &self.quantizer {
            Quantizer::Sq8(sq8) => sq8.to_bytes(),
            Quantizer::RaBitQ(rabitq) => rabitq.to_bytes(),
        }
    }

    /// Bytes of memory the codes and the quantizer take.
    pub(crate) fn memory_bytes(&self) -> usize {
        let parameters = match &self.quantizer {
            Quantizer::Sq8(sq8) => sq8.min.capacity() * 8,
            Quantizer::RaBitQ(rabitq) => {
                rabitq.centroid.capacity() * 4 + rotation::ROUNDS * rabitq.rotation.padded() * 4
            }
        };
        self.bytes.capacity_bytes() + self.radii.capacity() * 4 + parameters
    }
}

fn quantizer_code_bytes(quantizer: &Quantizer) -> usize {
    match quantizer {
        Quantizer::Sq8(sq8) => sq8.code_bytes(),
        Quantizer::RaBitQ(rabitq) => rabitq.code_bytes(),
    }
}

/// Distances estimated from codes for one prepared query: what SEARCH-LAYER evaluates in a
/// quantized index.
pub(crate) struct CodeEstimator<'a> {
    codes: &'a Codes,
    query: &'a PreparedQuery,
    kernels: &'static CodeKernels,
}

impl<'a> CodeEstimator<'a> {
    /// An estimator of `query`'s distances to the codes.
    pub(crate) fn new(codes: &'a Codes, query: &'a PreparedQuery) -> CodeEstimator<'a> {
        CodeEstimator {
            codes,
            query,
            kernels: vec_types::simd::codes::selected(),
        }
    }
}

impl crate::estimate::Estimator for CodeEstimator<'_> {
    #[inline]
    fn distance(&self, slot: u32) -> f32 {
        let code = self.codes.code(slot);
        if code.is_empty() {
            return f32::INFINITY;
        }
        match (&self.codes.quantizer, self.query) {
            (Quantizer::Sq8(sq8), PreparedQuery::Sq8(query)) => sq8.estimate(
                self.kernels,
                query,
                self.codes.distance,
                &code[..sq8.code_bytes()],
            ),
            (Quantizer::RaBitQ(rabitq), PreparedQuery::RaBitQ(query)) => rabitq.estimate(
                self.kernels,
                query,
                self.codes.distance,
                &code[..rabitq.code_bytes()],
            ),
            _ => f32::INFINITY,
        }
    }

    #[inline]
    fn prefetch(&self, slot: u32) {
        crate::prefetch::prefetch_slice(self.codes.code(slot));
    }

    #[inline]
    fn prefetch_ahead(&self) -> usize {
        crate::prefetch::CODE_PREFETCH_AHEAD
    }
}
