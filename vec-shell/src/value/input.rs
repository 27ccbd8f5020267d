//! Text input: each type's input function, as PostgreSQL runs it on a string literal
//! (`'[1,2,3]'::vector`, `'42'::integer`, `'{1,2}'::real[]`). Type modifiers are not
//! applied here; PostgreSQL applies them afterwards as a separate length coercion.

use vec_types::float_text::is_c_space;
use vec_types::{BitTypmod, BitVector, HalfVector, SparseVector, Typmod, Vector};

use super::array_text::parse_array;
use super::{Array, Datum, Numeric, SqlType};
use crate::error::{EngineError, Result};

fn invalid(type_name: &str, text: &str) -> EngineError {
    EngineError::new(
        "22P02",
        format!("invalid input syntax for type {type_name}: \"{text}\""),
    )
}

fn out_of_range(type_name: &str, text: &str) -> EngineError {
    EngineError::new(
        "22003",
        format!("value \"{text}\" is out of range for type {type_name}"),
    )
}

fn trim_c_space(text: &str) -> &str {
    text.trim_matches(|c: char| c.is_ascii() && is_c_space(c as u8))
}

/// Runs the input function of `ty` on `text`.
pub fn input(ty: &SqlType, text: &str) -> Result<Datum> {
    Ok(match ty {
        SqlType::Unknown | SqlType::Text | SqlType::Varchar => Datum::Text(text.to_string()),
        SqlType::Bool => Datum::Bool(parse_bool(text)?),
        SqlType::Int4 => {
            let value = parse_integer(text, "integer")?;
            Datum::Int4(i32::try_from(value).map_err(|_| out_of_range("integer", text))?)
        }
        SqlType::Int8 => Datum::Int8(parse_integer(text, "bigint")?),
        SqlType::Float4 => Datum::Float4(parse_float4(text)?),
        SqlType::Float8 => Datum::Float8(parse_float8(text)?),
        SqlType::Numeric => Datum::Numeric(Numeric::parse(text)?),
        SqlType::Vector => Datum::Vector(Vector::parse_with_typmod(text, Typmod::NONE)?),
        SqlType::HalfVec => Datum::HalfVec(HalfVector::parse_with_typmod(text, Typmod::NONE)?),
        SqlType::SparseVec => {
            Datum::SparseVec(SparseVector::parse_with_typmod(text, Typmod::NONE)?)
        }
        SqlType::Bit | SqlType::VarBit => {
            Datum::Bit(BitVector::parse_with_typmod(text, BitTypmod::Any)?)
        }
        SqlType::RegType => match super::oid::type_by_name(text) {
            Some(oid) => Datum::Int8(i64::from(oid)),
            None => {
                return Err(EngineError::new(
                    "42704",
                    format!("type \"{}\" does not exist", text.trim()),
                ))
            }
        },
        SqlType::TsVector => Datum::TsVector(Box::new(vec_text::TsVector::parse(text)?)),
        SqlType::TsQuery => Datum::TsQuery(Box::new(vec_text::TsQuery::parse(text)?)),
        SqlType::RegConfig => Datum::Text(vec_text::Config::by_name(text)?.name().to_string()),
        SqlType::Array(element) => {
            let parsed = parse_array(text)?;
            let mut elements = Vec::with_capacity(parsed.elements.len());
            for item in &parsed.elements {
                elements.push(match item {
                    None => Datum::Null,
                    Some(item) => input(element, item)?,
                });
            }
            Datum::Array(Array {
                dims: parsed.dims,
                elements,
            })
        }
    })
}

fn parse_bool(text: &str) -> Result<bool> {
    let word = trim_c_space(text).to_ascii_lowercase();
    let matches = |full: &str| !word.is_empty() && full.starts_with(word.as_str());
    if matches("true") || matches("yes") || word == "on" || word == "1" {
        Ok(true)
    } else if matches("false") || matches("no") || word == "off" || word == "0" {
        Ok(false)
    } else {
        Err(invalid("boolean", text))
    }
}

/// `int4in` / `int8in`: optional whitespace and sign around decimal digits.
pub fn parse_integer(text: &str, type_name: &str) -> Result<i64> {
    let trimmed = trim_c_space(text);
    let digits = trimmed.strip_prefix(['+', '-']).unwrap_or(trimmed);
    let digits_clean = digits.replace('_', "");
    if digits.is_empty()
        || !digits_clean.bytes().all(|b| b.is_ascii_digit())
        || digits_clean.is_empty()
    {
        return Err(invalid(type_name, text));
    }
    let signed = if trimmed.starts_with('-') {
        format!("-{digits_clean}")
    } else {
        digits_clean
    };
    signed
        .parse::<i64>()
        .map_err(|_| out_of_range(type_name, text))
}

/// `float8in`.
pub fn parse_float8(text: &str) -> Result<f64> {
    let trimmed = trim_c_space(text);
    let value: f64 = trimmed
        .parse()
        .map_err(|_| invalid("double precision", text))?;
    if value.is_infinite() && !trimmed.to_ascii_lowercase().contains("inf") {
        return Err(EngineError::new(
            "22003",
            format!("\"{trimmed}\" is out of range for type double precision"),
        ));
    }
    Ok(value)
}

/// `float4in`.
pub fn parse_float4(text: &str) -> Result<f32> {
    let trimmed = trim_c_space(text);
    let value: f64 = trimmed.parse().map_err(|_| invalid("real", text))?;
    let rounded = value as f32;
    let written_infinite = trimmed.to_ascii_lowercase().contains("inf");
    if (rounded.is_infinite() && !written_infinite) || (rounded == 0.0 && value != 0.0) {
        return Err(EngineError::new(
            "22003",
            format!("\"{trimmed}\" is out of range for type real"),
        ));
    }
    Ok(rounded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalar_inputs() {
        assert_eq!(input(&SqlType::Int4, " 42 ").unwrap(), Datum::Int4(42));
        assert_eq!(
            input(&SqlType::Int4, "a").unwrap_err().message,
            "invalid input syntax for type integer: \"a\""
        );
        assert_eq!(input(&SqlType::Bool, "yes").unwrap(), Datum::Bool(true));
        assert_eq!(input(&SqlType::Bool, "off").unwrap(), Datum::Bool(false));
        assert_eq!(input(&SqlType::Float8, "1.5").unwrap(), Datum::Float8(1.5));
    }
}
