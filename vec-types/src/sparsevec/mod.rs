//! pgvector's `sparsevec`: a vector of up to 1,000,000,000 dimensions that stores only its
//! non-zero elements (at most 16,000), as sorted 0-based indices and their values.
//!
//! The type's `impl` blocks are split by concern:
//! - `text`: `sparsevec_in` / `sparsevec_out` (`{1:1.5,3:2}/5`, 1-based indices);
//! - `binary`: `sparsevec_send` / `sparsevec_recv`;
//! - `distance`: distances, `l2_norm`, `l2_normalize`;
//! - `compare`: pgvector's `sparsevec_cmp` ordering;
//! - `cast`: casts from arrays and dense vectors, and to `vector` / `halfvec`.

mod binary;
mod cast;
mod compare;
mod distance;
mod text;

use crate::typmod::Typmod;
use crate::TypeError;

/// The SQL name of the type, as error messages spell it.
pub(crate) const TYPE_NAME: &str = "sparsevec";

/// Most dimensions a `sparsevec` may have (`SPARSEVEC_MAX_DIM`).
pub const SPARSEVEC_MAX_DIM: usize = 1_000_000_000;

/// Most non-zero elements a `sparsevec` may store (`SPARSEVEC_MAX_NNZ`).
pub const SPARSEVEC_MAX_NNZ: usize = 16_000;

/// A sparse vector: its number of dimensions and its non-zero elements.
///
/// Invariants: `1 <= dim <= SPARSEVEC_MAX_DIM`; `indices` strictly increasing, each
/// `< dim`; `values` the same length, finite and non-zero; at most
/// [`SPARSEVEC_MAX_NNZ`] elements. Indices are 0-based here and in the binary format,
/// 1-based in text.
#[derive(Clone, Debug, PartialEq)]
pub struct SparseVector {
    dim: u32,
    indices: Vec<u32>,
    values: Vec<f32>,
}

// Values are never NaN, so equality is an equivalence.
impl Eq for SparseVector {}

impl std::hash::Hash for SparseVector {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // Values are never zero (so never -0) nor NaN: equal values have equal bits.
        self.dim.hash(state);
        self.indices.hash(state);
        for value in &self.values {
            value.to_bits().hash(state);
        }
    }
}

impl SparseVector {
    /// Most dimensions a `sparsevec` may have ([`SPARSEVEC_MAX_DIM`]).
    pub const MAX_DIM: usize = SPARSEVEC_MAX_DIM;

    /// Most non-zero elements a `sparsevec` may store ([`SPARSEVEC_MAX_NNZ`]).
    pub const MAX_NNZ: usize = SPARSEVEC_MAX_NNZ;

    /// The zero vector of `dim` dimensions (`{}/dim`).
    pub fn zeros(dim: usize) -> Result<SparseVector, TypeError> {
        check_dim(dim as i64)?;
        Ok(SparseVector {
            dim: dim as u32,
            indices: Vec::new(),
            values: Vec::new(),
        })
    }

    /// Builds a vector from `(0-based index, value)` pairs in any order, as `sparsevec_in`
    /// does after parsing: each value must be finite; zero values are dropped; then the
    /// dimensions, the count, the bounds and duplicates are checked, in pgvector's order.
    pub fn from_entries(
        dim: usize,
        entries: impl IntoIterator<Item = (usize, f32)>,
    ) -> Result<SparseVector, TypeError> {
        let mut non_zero = Vec::new();
        for (index, value) in entries {
            check_element(value)?;
            if value != 0.0 {
                if non_zero.len() == SPARSEVEC_MAX_NNZ {
                    return Err(TypeError::TooManyNonZero {
                        max: SPARSEVEC_MAX_NNZ,
                    });
                }
                non_zero.push((i64::try_from(index).unwrap_or(i64::MAX), value));
            }
        }
        let dim = i64::try_from(dim).unwrap_or(i64::MAX);
        check_dim(dim)?;
        SparseVector::from_checked_parts(dim as u32, non_zero)
    }

    /// Sorts finite, non-zero `(0-based index, value)` pairs and checks their indices
    /// against `dim` (already checked) as pgvector's `CheckIndex` does after sorting.
    fn from_checked_parts(
        dim: u32,
        mut entries: Vec<(i64, f32)>,
    ) -> Result<SparseVector, TypeError> {
        entries.sort_by_key(|(index, _)| *index);
        let mut indices = Vec::with_capacity(entries.len());
        let mut values = Vec::with_capacity(entries.len());
        for (position, (index, value)) in entries.iter().enumerate() {
            if *index < 0 || *index >= i64::from(dim) {
                return Err(TypeError::SparsevecIndexOutOfBounds);
            }
            if position > 0 && entries[position - 1].0 == *index {
                return Err(TypeError::SparsevecDuplicateIndices);
            }
            indices.push(*index as u32);
            values.push(*value);
        }
        Ok(SparseVector {
            dim,
            indices,
            values,
        })
    }

    /// Number of dimensions.
    pub fn dims(&self) -> usize {
        self.dim as usize
    }

    /// Number of stored (non-zero) elements.
    pub fn nnz(&self) -> usize {
        self.indices.len()
    }

    /// The 0-based indices of the non-zero elements, strictly increasing.
    pub fn indices(&self) -> &[u32] {
        &self.indices
    }

    /// The non-zero values, in index order.
    pub fn values(&self) -> &[f32] {
        &self.values
    }

    /// The `(0-based index, value)` pairs in index order.
    pub fn iter(&self) -> impl Iterator<Item = (usize, f32)> + '_ {
        self.indices
            .iter()
            .zip(&self.values)
            .map(|(index, value)| (*index as usize, *value))
    }

    /// The stored elements as a `vec-simd` sparse slice.
    pub fn as_sparse_slice(&self) -> vec_simd::sparse::SparseSlice<'_> {
        vec_simd::sparse::SparseSlice::new(&self.indices, &self.values)
    }

    /// Checks the dimensions against a `sparsevec(n)` type modifier, as pgvector's
    /// `sparsevec()` coercion does: `expected 3 dimensions, not 2`.
    pub fn check_typmod(&self, typmod: Typmod) -> Result<(), TypeError> {
        typmod.check(self.dims())
    }

    /// Validates the modifiers written after `sparsevec` as `sparsevec_typmod_in` does:
    /// `invalid type modifier`, `dimensions for type sparsevec must be at least 1`,
    /// `dimensions for type sparsevec cannot exceed 1000000000`.
    pub fn typmod_in(modifiers: &[i32]) -> Result<Typmod, TypeError> {
        Typmod::from_modifiers(TYPE_NAME, SPARSEVEC_MAX_DIM, modifiers)
    }
}

/// pgvector's `CheckDim` for sparsevec: `sparsevec must have at least 1 dimension`,
/// `sparsevec cannot have more than 1000000000 dimensions`.
pub(crate) fn check_dim(dim: i64) -> Result<(), TypeError> {
    if dim < 1 {
        return Err(TypeError::TooFewDimensions {
            type_name: TYPE_NAME,
        });
    }
    if dim > SPARSEVEC_MAX_DIM as i64 {
        return Err(TypeError::TooManyDimensions {
            type_name: TYPE_NAME,
            max: SPARSEVEC_MAX_DIM,
        });
    }
    Ok(())
}

/// pgvector's `CheckElement`: `NaN not allowed in sparsevec`, `infinite value not allowed
/// in sparsevec`.
pub(crate) fn check_element(value: f32) -> Result<(), TypeError> {
    if value.is_nan() {
        return Err(TypeError::NanNotAllowed {
            type_name: TYPE_NAME,
        });
    }
    if value.is_infinite() {
        return Err(TypeError::InfiniteNotAllowed {
            type_name: TYPE_NAME,
        });
    }
    Ok(())
}
