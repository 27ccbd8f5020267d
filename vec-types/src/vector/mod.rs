//! pgvector's `vector`: 1 to 16,000 finite `f32` elements.
//!
//! The type's `impl` blocks are split by concern:
//! - `text` — `FromStr`/`Display` in pgvector's text format (`[1,2,3]`);
//! - `binary` — `vector_send`/`vector_recv`'s binary format;
//! - `ops` — `+ - *`, `||` and pgvector's btree ordering;
//! - `functions` — norms, `l2_normalize`, `subvector`, `binary_quantize` and distances;
//! - `cast` — arrays to and from `vector`;
//! - `aggregate` — `avg(vector)` and `sum(vector)`.

mod aggregate;
mod binary;
mod cast;
mod functions;
mod ops;
mod text;

pub use aggregate::{vector_accum, vector_avg, VectorAccumulator};
pub(crate) use functions::{cosine_from_parts, cosine_surely_at_least};

use crate::typmod::Typmod;
use crate::TypeError;

/// The SQL name of the type, as messages spell it.
pub(crate) const TYPE_NAME: &str = "vector";

/// A pgvector `vector` value: between 1 and [`Vector::MAX_DIM`] elements, none of them NaN
/// or infinite.
///
/// Equality and ordering are pgvector's btree semantics (`vector_cmp`): element by element
/// with `-0 == 0`, then by dimension count. They are total, since elements are finite.
///
/// ```
/// use vec_types::Vector;
/// let a: Vector = "[1,2,3]".parse().unwrap();
/// let b: Vector = " [ 4, 5 ,6 ] ".parse().unwrap();
/// assert_eq!((&a + &b).unwrap().to_string(), "[5,7,9]");
/// assert_eq!(a.l2_distance(&b).unwrap(), 27f64.sqrt());
/// ```
#[derive(Clone, Debug)]
pub struct Vector {
    elements: Vec<f32>,
}

impl Vector {
    /// The most dimensions a `vector` may have.
    pub const MAX_DIM: usize = 16_000;

    /// Builds a vector, checking the dimension count and that every element is finite
    /// (`NaN not allowed in vector`, `infinite value not allowed in vector`).
    pub fn new(elements: Vec<f32>) -> Result<Self, TypeError> {
        check_dims(elements.len())?;
        for value in &elements {
            check_element(*value)?;
        }
        Ok(Vector { elements })
    }

    /// Builds a vector from elements already known to be finite and of a valid count.
    pub(crate) fn from_checked(elements: Vec<f32>) -> Self {
        debug_assert!(!elements.is_empty() && elements.len() <= Self::MAX_DIM);
        Vector { elements }
    }

    /// The number of dimensions (pgvector's `vector_dims`).
    pub fn dims(&self) -> usize {
        self.elements.len()
    }

    /// The elements.
    pub fn as_slice(&self) -> &[f32] {
        &self.elements
    }

    /// The elements, by value.
    pub fn into_vec(self) -> Vec<f32> {
        self.elements
    }

    /// pgvector's `vector(vector, integer, boolean)`: the value unchanged if it fits the
    /// column's type modifier, else `expected 3 dimensions, not 2`.
    pub fn check_typmod(&self, typmod: Typmod) -> Result<(), TypeError> {
        typmod.check(self.dims())
    }

    /// Validates a type modifier written after `vector` (`vector(3)`).
    pub fn typmod_in(modifiers: &[i32]) -> Result<Typmod, TypeError> {
        Typmod::from_modifiers(TYPE_NAME, Self::MAX_DIM, modifiers)
    }
}

/// pgvector's `CheckDim` for `vector`.
pub(crate) fn check_dims(dims: usize) -> Result<(), TypeError> {
    if dims < 1 {
        return Err(TypeError::TooFewDimensions {
            type_name: TYPE_NAME,
        });
    }
    if dims > Vector::MAX_DIM {
        return Err(TypeError::TooManyDimensions {
            type_name: TYPE_NAME,
            max: Vector::MAX_DIM,
        });
    }
    Ok(())
}

/// pgvector's `CheckElement` for `vector`.
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
