//! The codec of a quantized index: scalar (SQ8) or product quantization, how rows become codes
//! and how a query scores the codes of one list.
//!
//! SQ8 encodes rows as they are. Product quantization encodes each row's *residual* against
//! its list's center (`row - center`), as IVFADC in Jégou et al. and pgvecto.rs's IVF-PQ do:
//! residuals of one list are small and centered, so 256 centroids per subspace describe them
//! far more finely than they describe raw rows spread over the whole space. A flat index has
//! one list, whose center is the mean (or mean direction) of all rows.
//!
//! Scoring a list with product codes: for inner product and cosine, `q · x = q · c + q · r`, so
//! one table per query serves every list and `q · c` is added per list; for L2,
//! `|q - x|² = |(q - c) - r|²`, so each probed list gets its own table for `q - c`
//! (`256 × d` multiply-adds, about the cost of 256 exact distances).

use super::codebook::CENTROIDS;
use super::product::{table_distance, ProductQuantizer};
use super::scalar::{PreparedQuery, ScalarQuantizer};

/// A trained quantizer of either kind.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Codec {
    Scalar(ScalarQuantizer),
    Product(ProductQuantizer),
}

impl Codec {
    /// Bytes per code.
    pub(crate) fn code_len(&self) -> usize {
        match self {
            Codec::Scalar(quantizer) => quantizer.code_len(),
            Codec::Product(quantizer) => quantizer.code_len(),
        }
    }

    /// Whether rows are encoded relative to their list's center.
    pub(crate) fn uses_residuals(&self) -> bool {
        matches!(self, Codec::Product(_))
    }

    /// Bytes held by the quantizer's parameters.
    pub(crate) fn memory_bytes(&self) -> usize {
        match self {
            Codec::Scalar(quantizer) => quantizer.code_len() * 8,
            Codec::Product(quantizer) => quantizer.memory_bytes(),
        }
    }

    /// Encodes `row` stored in the list with `center` (both `f32`, `dimensions` long);
    /// `scratch` holds the residual.
    pub(crate) fn encode(&self, row: &[f32], center: &[f32], scratch: &mut [f32], code: &mut [u8]) {
        match self {
            Codec::Scalar(quantizer) => quantizer.encode(row, code),
            Codec::Product(quantizer) => {
                for ((out, &value), &mean) in scratch.iter_mut().zip(row).zip(center) {
                    *out = value - mean;
                }
                quantizer.encode(scratch, code);
            }
        }
    }

    /// Prepares `query` (`f32`, already normalized for cosine) for scoring codes.
    pub(crate) fn prepare<'a>(&'a self, query: &[f32], inner_product: bool) -> QueryScorer<'a> {
        match self {
            Codec::Scalar(quantizer) => {
                QueryScorer::Scalar(quantizer.prepare(query, inner_product))
            }
            Codec::Product(quantizer) => {
                let mut table = Vec::new();
                if inner_product {
                    quantizer.fill_table(query, true, &mut table);
                }
                QueryScorer::Product {
                    quantizer,
                    query: query.to_vec(),
                    inner_product,
                    table,
                    shifted: vec![0.0; query.len()],
                }
            }
        }
    }
}

/// A query ready to score codes: raw squared L2 distances or inner products.
pub(crate) enum QueryScorer<'a> {
    Scalar(PreparedQuery),
    Product {
        quantizer: &'a ProductQuantizer,
        query: Vec<f32>,
        inner_product: bool,
        table: Vec<[f32; CENTROIDS]>,
        shifted: Vec<f32>,
    },
}

impl QueryScorer<'_> {
    /// Scores every code of one list (codes of `code_len` bytes, back to back, stored in the
    /// list with `center`), calling `each(row_idx, value)`.
    pub(crate) fn score_list(
        &mut self,
        center: &[f32],
        codes: &[u8],
        code_len: usize,
        mut each: impl FnMut(usize, f32),
    ) {
        let code_len = code_len.max(1);
        match self {
            QueryScorer::Scalar(prepared) => {
                for (row_idx, code) in codes.chunks_exact(code_len).enumerate() {
                    each(row_idx, prepared.evaluate(code));
                }
            }
            QueryScorer::Product {
                quantizer,
                query,
                inner_product,
                table,
                shifted,
            } => {
                let offset = if *inner_product {
                    query.iter().zip(center).map(|(q, c)| q * c).sum()
                } else {
                    for ((out, &value), &mean) in shifted.iter_mut().zip(query.iter()).zip(center) {
                        *out = value - mean;
                    }
                    quantizer.fill_table(shifted, false, table);
                    0.0
                };
                for (row_idx, code) in codes.chunks_exact(code_len).enumerate() {
                    each(row_idx, offset + table_distance(table, code));
                }
            }
        }
    }
}
