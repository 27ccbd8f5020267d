//! Casts between types, and the length coercion a type modifier applies afterwards.
//!
//! `cast` converts a non-null value from one type tag to another (numbers among
//! themselves, anything to and from text, arrays to vectors, vectors among themselves,
//! arrays element by element). `apply_typmod` then checks or coerces the value against a
//! modifier: dimension checks for the vector types, pad/truncate or check for `bit`,
//! truncate or check for `varchar`, depending on the [`CoercionContext`].

use vec_types::{ArrayElements, ArrayInput, BitTypmod, HalfVector, SparseVector, Typmod, Vector};

use super::input::input;
use super::{Array, Datum, Numeric, SqlType, TypeMod};
use crate::error::{EngineError, Result};

/// Why a value is being converted: PostgreSQL's coercion contexts differ in how a type
/// modifier is enforced (`'1'::bit(3)` pads, storing `B'1'` in a `bit(3)` column fails).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CoercionContext {
    /// An explicit cast (`::`, `CAST`).
    Explicit,
    /// Storing into a column.
    Assignment,
    /// An implicit conversion inside an expression.
    Implicit,
}

/// Whether a cast from `from` to `to` exists in the given context.
pub fn cast_exists(from: &SqlType, to: &SqlType, context: CoercionContext) -> bool {
    use SqlType::*;
    if from == to || *from == Unknown {
        return true;
    }
    let explicit = context == CoercionContext::Explicit;
    let assignment = context != CoercionContext::Implicit;
    match (from, to) {
        (a, b) if a.numeric_rank().is_some() && b.numeric_rank().is_some() => {
            // Widening is implicit; narrowing needs an assignment or explicit cast.
            assignment || a.numeric_rank() < b.numeric_rank()
        }
        (Text | Varchar, Text | Varchar) => true,
        // `oid` is held as `bigint`: a type's OID and its `regtype` convert freely.
        (RegType, Int8 | Int4) | (Int8 | Int4, RegType) => true,
        (_, Text | Varchar) => assignment,
        (Text | Varchar, _) => explicit,
        (Array(e), Vector | HalfVec | SparseVec) => {
            assignment && matches!(**e, Int4 | Float4 | Float8 | Numeric)
        }
        // pgvector's casts: `vector` → `real[]`, `halfvec` and `sparsevec` and `halfvec` →
        // `sparsevec` are implicit; the other directions need an assignment cast, so
        // that `halfvec <-> vector` resolves to the `halfvec` operator.
        (Vector, Array(e)) => **e == Float4,
        (HalfVec, Array(e)) => assignment && **e == Float4,
        (Vector, HalfVec | SparseVec) | (HalfVec, SparseVec) => true,
        (HalfVec | SparseVec, Vector) | (SparseVec, HalfVec) => assignment,
        (Bit | VarBit, Bit | VarBit) => true,
        (Int4, Bool) | (Bool, Int4) => explicit,
        (Array(a), Array(b)) => cast_exists(a, b, context),
        _ => false,
    }
}

fn integer_out_of_range(ty: &SqlType) -> EngineError {
    let name = if *ty == SqlType::Int8 {
        "bigint"
    } else {
        "integer"
    };
    EngineError::new("22003", format!("{name} out of range"))
}

/// Converts a non-null `value` of type `from` to type `to` with modifier `typmod` (used
/// by the array-to-vector casts, which check dimensions themselves).
pub fn cast(value: Datum, from: &SqlType, to: &SqlType, typmod: TypeMod) -> Result<Datum> {
    use SqlType::*;
    if value.is_null() {
        return Ok(Datum::Null);
    }
    if from == to && !matches!(to, Array(_)) {
        return Ok(value);
    }
    let dims = Typmod::from_raw(typmod);
    Ok(match (value, to) {
        (Datum::Text(text), _) => input(to, &text)?,
        (Datum::Int8(oid), Text | Varchar) if *from == RegType => Datum::Text(
            u32::try_from(oid)
                .ok()
                .and_then(super::oid::type_name)
                .unwrap_or_else(|| oid.to_string()),
        ),
        // `boolout` prints `t`, but the cast to text spells the word (`true::text`).
        (Datum::Bool(b), Text | Varchar) => Datum::Text(b.to_string()),
        (value, Text | Varchar) => Datum::Text(value.to_text().unwrap_or_default()),
        (Datum::Int8(oid), RegType) => Datum::Int8(oid),
        (Datum::Int4(oid), RegType) => Datum::Int8(i64::from(oid)),
        (Datum::Int8(oid), Int8) if *from == RegType => Datum::Int8(oid),
        (Datum::Int4(v), Int8) => Datum::Int8(i64::from(v)),
        (Datum::Int4(v), Bool) => Datum::Bool(v != 0),
        (Datum::Bool(v), Int4) => Datum::Int4(i32::from(v)),
        (Datum::Int4(v), Numeric) => Datum::Numeric(super::Numeric::from_i64(i64::from(v))),
        (Datum::Int8(v), Numeric) => Datum::Numeric(super::Numeric::from_i64(v)),
        (Datum::Numeric(n), Float8) => Datum::Float8(n.to_float8()?),
        (Datum::Numeric(n), Float4) => Datum::Float4(n.to_float4()?),
        (Datum::Numeric(n), Int4) => {
            Datum::Int4(n.to_integer("integer", i64::from(i32::MIN), i64::from(i32::MAX))? as i32)
        }
        (Datum::Numeric(n), Int8) => Datum::Int8(n.to_integer("bigint", i64::MIN, i64::MAX)?),
        (Datum::Int8(v), Int4) => {
            Datum::Int4(i32::try_from(v).map_err(|_| integer_out_of_range(to))?)
        }
        (value, Float4) if value.as_f64().is_some() => float_to_real(value)?,
        (value, Float8) if value.as_f64().is_some() => Datum::Float8(value.as_f64().unwrap_or(0.0)),
        (Datum::Float4(v), Numeric) => Datum::Numeric(super::Numeric::from_f32(v)),
        (Datum::Float8(v), Numeric) => Datum::Numeric(super::Numeric::from_f64(v)),
        (value @ (Datum::Float4(_) | Datum::Float8(_)), Int4 | Int8) => {
            float_to_integer(&value, to)?
        }
        (Datum::Array(array), Vector | HalfVec | SparseVec) => {
            let element = from.element().cloned().unwrap_or(Float8);
            array_to_vector(&array, &element, to, dims)?
        }
        (Datum::Vector(v), Array(_)) => float4_array(v.as_slice().to_vec()),
        (Datum::HalfVec(v), Array(_)) => float4_array(v.to_f32_vec()),
        (Datum::Vector(v), HalfVec) => Datum::HalfVec(v.to_halfvec(dims)?),
        (Datum::Vector(v), SparseVec) => Datum::SparseVec(v.to_sparsevec(dims)?),
        (Datum::HalfVec(v), Vector) => Datum::Vector(v.to_vector(dims)?),
        (Datum::HalfVec(v), SparseVec) => Datum::SparseVec(v.to_sparsevec(dims)?),
        (Datum::SparseVec(v), Vector) => Datum::Vector(v.to_vector(dims)?),
        (Datum::SparseVec(v), HalfVec) => Datum::HalfVec(v.to_halfvec(dims)?),
        (value @ Datum::Bit(_), Bit | VarBit) => value,
        (Datum::Array(array), Array(target)) => {
            let source = from.element().cloned().unwrap_or(Unknown);
            let mut elements = Vec::with_capacity(array.elements.len());
            for element in array.elements {
                let converted = cast(element, &source, target, -1)?;
                elements.push(apply_typmod(
                    converted,
                    target,
                    typmod,
                    CoercionContext::Explicit,
                )?);
            }
            Datum::Array(super::Array {
                dims: array.dims,
                elements,
            })
        }
        (value, _) => {
            return Err(EngineError::new(
                "42846",
                format!("cannot cast type {} to {}", from.name(), to.name()),
            )
            .with_detail(format!("value {:?}", value.to_text().unwrap_or_default())))
        }
    })
}

fn float_to_real(value: Datum) -> Result<Datum> {
    let wide = value.as_f64().unwrap_or(0.0);
    let narrow = wide as f32;
    if let Datum::Float8(_) = value {
        if narrow.is_infinite() && wide.is_finite() {
            return Err(EngineError::new("22003", "value out of range: overflow"));
        }
        if narrow == 0.0 && wide != 0.0 {
            return Err(EngineError::new("22003", "value out of range: underflow"));
        }
    }
    Ok(Datum::Float4(narrow))
}

fn float_to_integer(value: &Datum, to: &SqlType) -> Result<Datum> {
    let wide = value.as_f64().unwrap_or(0.0);
    // Floats use rint (half to even); numeric has its own exact rounding.
    let rounded = wide.round_ties_even();
    if rounded.is_nan() {
        return Err(integer_out_of_range(to));
    }
    match to {
        SqlType::Int4 if rounded >= -2_147_483_648.0 && rounded < 2_147_483_648.0 => {
            Ok(Datum::Int4(rounded as i32))
        }
        SqlType::Int8
            if rounded >= -9.223_372_036_854_776e18 && rounded < 9.223_372_036_854_776e18 =>
        {
            Ok(Datum::Int8(rounded as i64))
        }
        _ => Err(integer_out_of_range(to)),
    }
}

fn float4_array(values: Vec<f32>) -> Datum {
    Datum::Array(Array::one_dimensional(
        values.into_iter().map(Datum::Float4).collect(),
    ))
}

/// pgvector's `array_to_vector`, `array_to_halfvec` and `array_to_sparsevec`.
fn array_to_vector(array: &Array, element: &SqlType, to: &SqlType, dims: Typmod) -> Result<Datum> {
    let ints: Vec<Option<i32>>;
    let floats: Vec<Option<f32>>;
    let doubles: Vec<Option<f64>>;
    let elements = match element {
        SqlType::Int4 => {
            ints = array
                .elements
                .iter()
                .map(|d| match d {
                    Datum::Int4(v) => Some(*v),
                    _ => None,
                })
                .collect();
            ArrayElements::Int4(&ints)
        }
        SqlType::Float4 => {
            floats = array
                .elements
                .iter()
                .map(|d| match d {
                    Datum::Float4(v) => Some(*v),
                    _ => None,
                })
                .collect();
            ArrayElements::Float4(&floats)
        }
        SqlType::Numeric | SqlType::Float8 => {
            doubles = array.elements.iter().map(Datum::as_f64).collect();
            if *element == SqlType::Numeric {
                ArrayElements::Numeric(&doubles)
            } else {
                ArrayElements::Float8(&doubles)
            }
        }
        other => {
            return Err(EngineError::new(
                "42846",
                format!("cannot cast type {}[] to {}", other.name(), to.name()),
            ))
        }
    };
    let input = ArrayInput {
        n_dims: array.dims.len(),
        elements,
    };
    Ok(match to {
        SqlType::Vector => Datum::Vector(Vector::from_array(&input, dims)?),
        SqlType::HalfVec => Datum::HalfVec(HalfVector::from_array(&input, dims)?),
        _ => Datum::SparseVec(SparseVector::from_array(&input, dims)?),
    })
}

/// Applies a type modifier to a value of type `ty`, as PostgreSQL's length coercion
/// functions do in the given context.
pub fn apply_typmod(
    value: Datum,
    ty: &SqlType,
    typmod: TypeMod,
    context: CoercionContext,
) -> Result<Datum> {
    if typmod < 0 || value.is_null() {
        return Ok(value);
    }
    let length = typmod as usize;
    Ok(match (value, ty) {
        (Datum::Vector(v), _) => {
            v.check_typmod(Typmod::from_raw(typmod))?;
            Datum::Vector(v)
        }
        (Datum::HalfVec(v), _) => {
            v.check_typmod(Typmod::from_raw(typmod))?;
            Datum::HalfVec(v)
        }
        (Datum::SparseVec(v), _) => {
            v.check_typmod(Typmod::from_raw(typmod))?;
            Datum::SparseVec(v)
        }
        (Datum::Bit(v), SqlType::Bit) => {
            let rule = BitTypmod::Exact(length);
            if context == CoercionContext::Explicit {
                Datum::Bit(v.cast_to_typmod(rule))
            } else {
                v.check_typmod(rule)?;
                Datum::Bit(v)
            }
        }
        (Datum::Bit(v), _) => {
            let rule = BitTypmod::AtMost(length);
            if context == CoercionContext::Explicit {
                Datum::Bit(v.cast_to_typmod(rule))
            } else {
                v.check_typmod(rule)?;
                Datum::Bit(v)
            }
        }
        (Datum::Text(text), SqlType::Varchar) if text.chars().count() > length => {
            if context == CoercionContext::Explicit {
                Datum::Text(text.chars().take(length).collect())
            } else {
                return Err(EngineError::new(
                    "22001",
                    format!("value too long for type character varying({length})"),
                ));
            }
        }
        (Datum::Numeric(n), SqlType::Numeric) => Datum::Numeric(n.apply_typmod(typmod)?),
        (Datum::Array(array), SqlType::Array(element)) => {
            let mut elements = Vec::with_capacity(array.elements.len());
            for item in array.elements {
                elements.push(apply_typmod(item, element, typmod, context)?);
            }
            Datum::Array(Array {
                dims: array.dims,
                elements,
            })
        }
        (value, _) => value,
    })
}

/// A `Numeric` literal's value as a datum, choosing `integer`, `bigint` or `numeric`
/// as PostgreSQL types an unadorned numeric literal.
pub fn number_literal(text: &str) -> Result<(Datum, SqlType)> {
    let is_integer = text
        .trim_start_matches('-')
        .bytes()
        .all(|b| b.is_ascii_digit());
    if is_integer {
        if let Ok(v) = text.parse::<i32>() {
            return Ok((Datum::Int4(v), SqlType::Int4));
        }
        if let Ok(v) = text.parse::<i64>() {
            return Ok((Datum::Int8(v), SqlType::Int8));
        }
    }
    Ok((Datum::Numeric(Numeric::parse(text)?), SqlType::Numeric))
}
