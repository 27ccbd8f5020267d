//! pgvector's `halfvec`: 1 to 16,000 finite half-precision (`f16`) elements.
//!
//! The type mirrors [`Vector`](crate::Vector) and its `impl` blocks are split the same
//! way: `text`, `binary`, `ops`, `functions`, `cast` (arrays and `vector`) and
//! `aggregate`. Arithmetic widens to `f32`, then rounds back to `f16` (to nearest, ties to
//! even), as pgvector does on machines without native `_Float16`.

mod aggregate;
mod binary;
mod cast;
mod functions;
mod ops;
mod text;

pub use aggregate::{halfvec_accum, halfvec_avg, HalfVectorAccumulator};

use half::f16;

use crate::float_text::format_float4;
use crate::typmod::Typmod;
use crate::TypeError;

/// The SQL name of the type, as messages spell it.
pub(crate) const TYPE_NAME: &str = "halfvec";

/// A pgvector `halfvec` value: between 1 and [`HalfVector::MAX_DIM`] elements, none of
/// them NaN or infinite.
///
/// Equality and ordering are pgvector's btree semantics (`halfvec_cmp`): element by
/// element with `-0 == 0`, then by dimension count.
///
/// ```
/// use vec_types::HalfVector;
/// let v: HalfVector = "[1.23456,65519]".parse().unwrap();
/// assert_eq!(v.to_string(), "[1.234375,65504]");
/// ```
#[derive(Clone, Debug)]
pub struct HalfVector {
    elements: Vec<f16>,
}

impl HalfVector {
    /// The most dimensions a `halfvec` may have.
    pub const MAX_DIM: usize = 16_000;

    /// Builds a half vector, checking the dimension count and that every element is
    /// finite (`NaN not allowed in halfvec`, `infinite value not allowed in halfvec`).
    pub fn new(elements: Vec<f16>) -> Result<Self, TypeError> {
        check_dims(elements.len())?;
        for value in &elements {
            check_element(*value)?;
        }
        Ok(HalfVector { elements })
    }

    /// Builds a half vector from `f32` values, rounding each to the nearest `f16` as
    /// pgvector's `Float4ToHalf` does: a finite value beyond the half range is
    /// `"65520" is out of range for type halfvec`.
    pub fn from_f32s(values: &[f32]) -> Result<Self, TypeError> {
        check_dims(values.len())?;
        let elements = values
            .iter()
            .map(|value| f32_to_half(*value))
            .collect::<Result<Vec<_>, _>>()?;
        HalfVector::new(elements)
    }

    /// Builds a half vector from elements already known to be finite and of a valid count.
    pub(crate) fn from_checked(elements: Vec<f16>) -> Self {
        debug_assert!(!elements.is_empty() && elements.len() <= Self::MAX_DIM);
        HalfVector { elements }
    }

    /// The number of dimensions (pgvector's `vector_dims(halfvec)`).
    pub fn dims(&self) -> usize {
        self.elements.len()
    }

    /// The elements.
    pub fn as_slice(&self) -> &[f16] {
        &self.elements
    }

    /// The elements, by value.
    pub fn into_vec(self) -> Vec<f16> {
        self.elements
    }

    /// The elements widened to `f32`.
    pub fn to_f32_vec(&self) -> Vec<f32> {
        self.elements.iter().map(|value| value.to_f32()).collect()
    }

    /// pgvector's `halfvec(halfvec, integer, boolean)`: checks the value against a
    /// column's type modifier (`expected 3 dimensions, not 2`).
    pub fn check_typmod(&self, typmod: Typmod) -> Result<(), TypeError> {
        typmod.check(self.dims())
    }

    /// Validates a type modifier written after `halfvec` (`halfvec(3)`).
    pub fn typmod_in(modifiers: &[i32]) -> Result<Typmod, TypeError> {
        Typmod::from_modifiers(TYPE_NAME, Self::MAX_DIM, modifiers)
    }
}

/// pgvector's `CheckDim` for `halfvec`.
pub(crate) fn check_dims(dims: usize) -> Result<(), TypeError> {
    if dims < 1 {
        return Err(TypeError::TooFewDimensions {
            type_name: TYPE_NAME,
        });
    }
    if dims > HalfVector::MAX_DIM {
        return Err(TypeError::TooManyDimensions {
            type_name: TYPE_NAME,
            max: HalfVector::MAX_DIM,
        });
    }
    Ok(())
}

/// pgvector's `CheckElement` for `halfvec`.
pub(crate) fn check_element(value: f16) -> Result<(), TypeError> {
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

/// pgvector's `Float4ToHalf`: rounds to the nearest `f16`; a finite value that becomes
/// infinite is out of range (NaN and infinities pass, for `check_element` to refuse).
pub(crate) fn f32_to_half(value: f32) -> Result<f16, TypeError> {
    let half = f16::from_f32(value);
    if half.is_infinite() && !value.is_infinite() {
        return Err(TypeError::OutOfRange {
            type_name: TYPE_NAME,
            token: format_float4(value),
        });
    }
    Ok(half)
}
