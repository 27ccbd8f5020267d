//! The datum: one SQL value of any supported type, with PostgreSQL's text output and
//! ordering. Text input lives in `input`, casts in `cast`, array literals in
//! `array_text`, the exact `numeric` type in `numeric`, type tags in `types`, their OIDs
//! in `oid`, and PostgreSQL's binary formats in `binary` (`text_search` for
//! `tsvector` and `tsquery`).

pub mod array_text;
pub mod binary;
pub mod cast;
pub mod input;
pub mod numeric;
pub mod oid;
pub mod text_search;
pub mod types;

use std::cmp::Ordering;

use vec_types::float_text::{format_float4, format_float8};
use vec_types::{BitVector, HalfVector, SparseVector, Vector};

pub use numeric::Numeric;
pub use types::{SqlType, TypeMod};

/// One SQL value.
#[derive(Clone, Debug, PartialEq)]
pub enum Datum {
    /// SQL NULL.
    Null,
    /// `boolean`
    Bool(bool),
    /// `integer`
    Int4(i32),
    /// `bigint`
    Int8(i64),
    /// `real`
    Float4(f32),
    /// `double precision`
    Float8(f64),
    /// `numeric`
    Numeric(Numeric),
    /// `text` and `character varying`
    Text(String),
    /// `vector`
    Vector(Vector),
    /// `halfvec`
    HalfVec(HalfVector),
    /// `sparsevec`
    SparseVec(SparseVector),
    /// `bit` and `bit varying`
    Bit(BitVector),
    /// An array.
    Array(Array),
    /// `tsvector`
    TsVector(Box<vec_text::TsVector>),
    /// `tsquery`
    TsQuery(Box<vec_text::TsQuery>),
}

/// An array value: its dimensions (empty for `'{}'`) and its elements in row-major order.
#[derive(Clone, Debug, PartialEq)]
pub struct Array {
    /// The length of each dimension.
    pub dims: Vec<usize>,
    /// The elements, flattened.
    pub elements: Vec<Datum>,
}

impl Array {
    /// A one-dimensional array (zero-dimensional when empty).
    pub fn one_dimensional(elements: Vec<Datum>) -> Self {
        let dims = if elements.is_empty() {
            Vec::new()
        } else {
            vec![elements.len()]
        };
        Array { dims, elements }
    }
}

impl Datum {
    /// Whether the value is NULL.
    pub fn is_null(&self) -> bool {
        matches!(self, Datum::Null)
    }

    /// The value as PostgreSQL's output function prints it; `None` for NULL.
    pub fn to_text(&self) -> Option<String> {
        Some(match self {
            Datum::Null => return None,
            Datum::Bool(b) => (if *b { "t" } else { "f" }).to_string(),
            Datum::Int4(v) => v.to_string(),
            Datum::Int8(v) => v.to_string(),
            Datum::Float4(v) => format_float4(*v),
            Datum::Float8(v) => format_float8(*v),
            Datum::Numeric(v) => v.to_string(),
            Datum::Text(s) => s.clone(),
            Datum::Vector(v) => v.to_string(),
            Datum::HalfVec(v) => v.to_string(),
            Datum::SparseVec(v) => v.to_string(),
            Datum::Bit(v) => v.to_string(),
            Datum::Array(array) => array_text::format_array(array),
            Datum::TsVector(v) => v.to_string(),
            Datum::TsQuery(q) => q.to_string(),
        })
    }

    /// The value's identity for `GROUP BY`, `DISTINCT` and the set operations: its text,
    /// except that a `numeric` drops trailing fraction zeros (`1.0` and `1.00` are one
    /// group, as PostgreSQL's numeric equality makes them); `None` for NULL.
    pub fn group_key(&self) -> Option<String> {
        match self {
            Datum::Numeric(n) if n.scale() > 0 => {
                let text = n.to_string();
                Some(text.trim_end_matches('0').trim_end_matches('.').to_string())
            }
            other => other.to_text(),
        }
    }

    /// Compares two non-null values of the same type with PostgreSQL's btree ordering
    /// (NaN sorts above every other float). Values of different types compare by their
    /// numeric value where both are numbers, and are otherwise equal.
    pub fn compare(&self, other: &Datum) -> Ordering {
        match (self, other) {
            (Datum::Bool(a), Datum::Bool(b)) => a.cmp(b),
            (Datum::Int4(a), Datum::Int4(b)) => a.cmp(b),
            (Datum::Int8(a), Datum::Int8(b)) => a.cmp(b),
            (Datum::Int4(a), Datum::Int8(b)) => i64::from(*a).cmp(b),
            (Datum::Int8(a), Datum::Int4(b)) => a.cmp(&i64::from(*b)),
            (Datum::Numeric(a), Datum::Numeric(b)) => a.compare(b),
            (Datum::Numeric(a), Datum::Int4(b)) => a.compare(&Numeric::from_i64(i64::from(*b))),
            (Datum::Numeric(a), Datum::Int8(b)) => a.compare(&Numeric::from_i64(*b)),
            (Datum::Int4(a), Datum::Numeric(b)) => Numeric::from_i64(i64::from(*a)).compare(b),
            (Datum::Int8(a), Datum::Numeric(b)) => Numeric::from_i64(*a).compare(b),
            (Datum::Text(a), Datum::Text(b)) => a.cmp(b),
            (Datum::Vector(a), Datum::Vector(b)) => a.compare(b),
            (Datum::HalfVec(a), Datum::HalfVec(b)) => a.compare(b),
            (Datum::SparseVec(a), Datum::SparseVec(b)) => a.cmp(b),
            (Datum::Bit(a), Datum::Bit(b)) => a.cmp(b),
            (Datum::Array(a), Datum::Array(b)) => compare_arrays(a, b),
            (a, b) => match (a.as_f64(), b.as_f64()) {
                (Some(x), Some(y)) => compare_floats(x, y),
                _ => Ordering::Equal,
            },
        }
    }

    /// A numeric value as `f64`, for comparisons with floats (a `numeric` converts to
    /// the nearest double, as `numeric_float8` does).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Datum::Int4(v) => Some(f64::from(*v)),
            Datum::Int8(v) => Some(*v as f64),
            Datum::Float4(v) => Some(f64::from(*v)),
            Datum::Float8(v) => Some(*v),
            Datum::Numeric(v) => Some(v.to_f64()),
            _ => None,
        }
    }
}

/// Orders floats as PostgreSQL does: NaN equals NaN and sorts above everything.
pub fn compare_floats(a: f64, b: f64) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
    }
}

fn compare_arrays(a: &Array, b: &Array) -> Ordering {
    for (x, y) in a.elements.iter().zip(&b.elements) {
        let order = match (x.is_null(), y.is_null()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => x.compare(y),
        };
        if order != Ordering::Equal {
            return order;
        }
    }
    a.elements
        .len()
        .cmp(&b.elements.len())
        .then_with(|| a.dims.len().cmp(&b.dims.len()))
}
