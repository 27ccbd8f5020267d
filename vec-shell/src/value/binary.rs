//! PostgreSQL's binary send and receive formats of every type vecsh has, as the wire
//! protocol's binary parameters and results and binary `COPY` use them: big-endian
//! integers and floats, UTF-8 text, `bool` as one byte, `numeric` as base-10000 digits
//! with weight, sign and display scale, arrays with their dimensions and element type,
//! and pgvector's formats for `vector`, `halfvec`, `sparsevec` and `bit` (from
//! `vec-types`).

use vec_types::{BitTypmod, BitVector, HalfVector, SparseVector, Typmod, Vector};

use super::{Array, Datum, Numeric, SqlType};
use crate::error::{EngineError, Result};

/// `numeric`'s sign word for a positive value, a negative one and NaN.
const NUMERIC_POS: u16 = 0x0000;
const NUMERIC_NEG: u16 = 0x4000;
const NUMERIC_NAN: u16 = 0xC000;
const NUMERIC_PINF: u16 = 0xD000;
const NUMERIC_NINF: u16 = 0xF000;
/// The largest display scale the binary form carries (`NUMERIC_DSCALE_MASK`).
const NUMERIC_DSCALE_MASK: u16 = 0x3FFF;

/// A value in its type's binary send format (`None` for NULL).
pub fn send(datum: &Datum) -> Option<Vec<u8>> {
    Some(match datum {
        Datum::Null => return None,
        Datum::Bool(b) => vec![u8::from(*b)],
        Datum::Int4(v) => v.to_be_bytes().to_vec(),
        Datum::Int8(v) => v.to_be_bytes().to_vec(),
        Datum::Float4(v) => v.to_be_bytes().to_vec(),
        Datum::Float8(v) => v.to_be_bytes().to_vec(),
        Datum::Text(s) => s.as_bytes().to_vec(),
        Datum::Vector(v) => v.to_binary(),
        Datum::HalfVec(v) => v.to_binary(),
        Datum::SparseVec(v) => v.to_binary(),
        Datum::Bit(v) => v.to_binary(),
        Datum::Numeric(n) => send_numeric(n),
        Datum::Array(array) => send_array(array),
        Datum::TsVector(v) => super::text_search::send_tsvector(v),
        Datum::TsQuery(q) => super::text_search::send_tsquery(q),
    })
}

/// Reads a value of type `ty` from its binary form. Type modifiers are not checked
/// here (the caller coerces to them).
pub fn recv(ty: &SqlType, bytes: &[u8]) -> Result<Datum> {
    let fixed = |n: usize| -> Result<()> {
        if bytes.len() == n {
            Ok(())
        } else {
            Err(wrong_format())
        }
    };
    Ok(match ty {
        SqlType::Bool => {
            fixed(1)?;
            Datum::Bool(bytes[0] != 0)
        }
        SqlType::Int4 => Datum::Int4(i32::from_be_bytes(array_of(bytes)?)),
        SqlType::Int8 => Datum::Int8(i64::from_be_bytes(array_of(bytes)?)),
        SqlType::RegType => Datum::Int8(i64::from(u32::from_be_bytes(array_of(bytes)?))),
        SqlType::Float4 => Datum::Float4(f32::from_be_bytes(array_of(bytes)?)),
        SqlType::Float8 => Datum::Float8(f64::from_be_bytes(array_of(bytes)?)),
        SqlType::Text | SqlType::Varchar | SqlType::Unknown => {
            Datum::Text(String::from_utf8(bytes.to_vec()).map_err(|_| {
                EngineError::new("22021", "invalid byte sequence for encoding \"UTF8\"")
            })?)
        }
        SqlType::Vector => Datum::Vector(Vector::from_binary(bytes, Typmod::from_raw(-1))?),
        SqlType::HalfVec => Datum::HalfVec(HalfVector::from_binary(bytes, Typmod::from_raw(-1))?),
        SqlType::SparseVec => {
            Datum::SparseVec(SparseVector::from_binary(bytes, Typmod::from_raw(-1))?)
        }
        SqlType::Bit | SqlType::VarBit => {
            Datum::Bit(BitVector::from_binary(bytes, BitTypmod::Any)?)
        }
        SqlType::Numeric => Datum::Numeric(recv_numeric(bytes)?),
        SqlType::Array(element) => recv_array(element, bytes)?,
        SqlType::TsVector => Datum::TsVector(Box::new(super::text_search::recv_tsvector(bytes)?)),
        SqlType::TsQuery => Datum::TsQuery(Box::new(super::text_search::recv_tsquery(bytes)?)),
        SqlType::RegConfig => {
            let oid = u32::from_be_bytes(array_of(bytes)?);
            match oid {
                3748 => Datum::Text("simple".into()),
                13_164 => Datum::Text("english".into()),
                _ => return Err(wrong_format()),
            }
        }
    })
}

/// `insufficient data left in message` / `incorrect binary data format`, as
/// PostgreSQL's receive functions report a malformed value.
fn wrong_format() -> EngineError {
    EngineError::new("22P03", "incorrect binary data format")
}

fn array_of<const N: usize>(bytes: &[u8]) -> Result<[u8; N]> {
    bytes.try_into().map_err(|_| wrong_format())
}

/// A cursor over a binary value that fails instead of reading past its end.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.bytes.len() < n {
            return Err(EngineError::new(
                "08P01",
                "insufficient data left in message",
            ));
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    fn i32(&mut self) -> Result<i32> {
        Ok(i32::from_be_bytes(array_of(self.take(4)?)?))
    }

    fn u16(&mut self) -> Result<u16> {
        Ok(u16::from_be_bytes(array_of(self.take(2)?)?))
    }
}

fn send_numeric(numeric: &Numeric) -> Vec<u8> {
    let mut out = Vec::new();
    let special = match numeric.infinite_sign() {
        _ if numeric.is_nan() => Some(NUMERIC_NAN),
        Some(false) => Some(NUMERIC_PINF),
        Some(true) => Some(NUMERIC_NINF),
        None => None,
    };
    if let Some(sign) = special {
        for word in [0u16, 0, sign, 0] {
            out.extend_from_slice(&word.to_be_bytes());
        }
        return out;
    }
    let text = numeric.to_string();
    let negative = text.starts_with('-');
    let unsigned = text.trim_start_matches('-');
    let (integer, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let integer = integer.trim_start_matches('0');
    // Base-10000 digits: the integer part padded on the left, the fraction on the right.
    let integer_groups = integer.len().div_ceil(4);
    let padded_integer = format!("{:0>width$}", integer, width = integer_groups * 4);
    let fraction_groups = fraction.len().div_ceil(4);
    let padded_fraction = format!("{:0<width$}", fraction, width = fraction_groups * 4);
    let all = format!("{padded_integer}{padded_fraction}");
    let mut digits: Vec<u16> = all
        .as_bytes()
        .chunks(4)
        .map(|chunk| {
            std::str::from_utf8(chunk)
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(0)
        })
        .collect();
    let mut weight = integer_groups as i32 - 1;
    while digits.first() == Some(&0) {
        digits.remove(0);
        weight -= 1;
    }
    while digits.last() == Some(&0) {
        digits.pop();
    }
    if digits.is_empty() {
        weight = 0;
    }
    let sign = if negative && !digits.is_empty() {
        NUMERIC_NEG
    } else {
        NUMERIC_POS
    };
    out.extend_from_slice(&(digits.len() as u16).to_be_bytes());
    out.extend_from_slice(&(weight as i16).to_be_bytes());
    out.extend_from_slice(&sign.to_be_bytes());
    out.extend_from_slice(
        &(numeric.scale().min(u32::from(NUMERIC_DSCALE_MASK)) as u16).to_be_bytes(),
    );
    for digit in digits {
        out.extend_from_slice(&digit.to_be_bytes());
    }
    out
}

fn recv_numeric(bytes: &[u8]) -> Result<Numeric> {
    let mut reader = Reader { bytes };
    let ndigits = reader.u16()? as usize;
    let weight = reader.u16()? as i16 as i32;
    let sign = reader.u16()?;
    let scale = reader.u16()?;
    match sign {
        NUMERIC_NAN => return Ok(Numeric::nan()),
        NUMERIC_PINF => return Ok(Numeric::infinity(false)),
        NUMERIC_NINF => return Ok(Numeric::infinity(true)),
        _ => {}
    }
    if sign != NUMERIC_POS && sign != NUMERIC_NEG {
        return Err(EngineError::new(
            "22P03",
            "invalid sign in external \"numeric\" value",
        ));
    }
    let mut text = String::new();
    if sign == NUMERIC_NEG {
        text.push('-');
    }
    let mut digits = Vec::with_capacity(ndigits);
    for _ in 0..ndigits {
        let digit = reader.u16()?;
        if digit >= 10000 {
            return Err(EngineError::new(
                "22P03",
                "invalid digit in external \"numeric\" value",
            ));
        }
        digits.push(digit);
    }
    text.push('0');
    for digit in &digits {
        text.push_str(&format!("{digit:04}"));
    }
    // The digits stand for 0.d1d2… × 10000^(weight + 1).
    let exponent = 4 * (weight + 1) - 4 * ndigits as i32;
    text.push_str(&format!("e{exponent}"));
    if scale & NUMERIC_DSCALE_MASK != scale {
        return Err(EngineError::new(
            "22P03",
            "invalid scale in external \"numeric\" value",
        ));
    }
    // Digits the display scale hides are truncated away, as `numeric_recv` does.
    Ok(Numeric::parse(&text)?.truncate_to_scale(u32::from(scale)))
}

fn send_array(array: &Array) -> Vec<u8> {
    let mut out = Vec::new();
    let element_oid = array
        .elements
        .iter()
        .find_map(datum_type)
        .map_or(super::oid::TEXT, |ty| ty.oid());
    let has_null = array.elements.iter().any(Datum::is_null);
    out.extend_from_slice(&(array.dims.len() as i32).to_be_bytes());
    out.extend_from_slice(&i32::from(has_null).to_be_bytes());
    out.extend_from_slice(&element_oid.to_be_bytes());
    for dim in &array.dims {
        out.extend_from_slice(&(*dim as i32).to_be_bytes());
        out.extend_from_slice(&1i32.to_be_bytes());
    }
    for element in &array.elements {
        match send(element) {
            None => out.extend_from_slice(&(-1i32).to_be_bytes()),
            Some(bytes) => {
                out.extend_from_slice(&(bytes.len() as i32).to_be_bytes());
                out.extend_from_slice(&bytes);
            }
        }
    }
    out
}

/// The type of a non-null datum, for an array's element OID.
fn datum_type(datum: &Datum) -> Option<SqlType> {
    Some(match datum {
        Datum::Null | Datum::Array(_) => return None,
        Datum::Bool(_) => SqlType::Bool,
        Datum::Int4(_) => SqlType::Int4,
        Datum::Int8(_) => SqlType::Int8,
        Datum::Float4(_) => SqlType::Float4,
        Datum::Float8(_) => SqlType::Float8,
        Datum::Numeric(_) => SqlType::Numeric,
        Datum::Text(_) => SqlType::Text,
        Datum::Vector(_) => SqlType::Vector,
        Datum::HalfVec(_) => SqlType::HalfVec,
        Datum::SparseVec(_) => SqlType::SparseVec,
        Datum::Bit(_) => SqlType::VarBit,
        Datum::TsVector(_) => SqlType::TsVector,
        Datum::TsQuery(_) => SqlType::TsQuery,
    })
}

fn recv_array(element: &SqlType, bytes: &[u8]) -> Result<Datum> {
    let mut reader = Reader { bytes };
    let ndim = reader.i32()?;
    if !(0..=6).contains(&ndim) {
        return Err(EngineError::new(
            "22P03",
            format!("invalid number of dimensions: {ndim}"),
        ));
    }
    let flags = reader.i32()?;
    if flags != 0 && flags != 1 {
        return Err(EngineError::new("22P03", "invalid array flags"));
    }
    let _element_oid = reader.i32()?;
    let mut dims = Vec::new();
    let mut count: usize = 1;
    for _ in 0..ndim {
        let length = reader.i32()?;
        let _lower_bound = reader.i32()?;
        let length = usize::try_from(length).map_err(|_| wrong_format())?;
        count = count
            .checked_mul(length)
            .filter(|c| *c <= bytes.len())
            .ok_or_else(|| EngineError::new("54000", "array size exceeds the maximum allowed"))?;
        dims.push(length);
    }
    if ndim == 0 {
        count = 0;
    }
    let mut elements = Vec::with_capacity(count);
    for _ in 0..count {
        let length = reader.i32()?;
        if length < 0 {
            elements.push(Datum::Null);
        } else {
            elements.push(recv(element, reader.take(length as usize)?)?);
        }
    }
    if !reader.bytes.is_empty() {
        return Err(wrong_format());
    }
    Ok(Datum::Array(Array { dims, elements }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::input::input;

    fn round_trip(ty: &SqlType, text: &str) {
        let value = input(ty, text).unwrap();
        let bytes = send(&value).unwrap();
        let back = recv(ty, &bytes).unwrap();
        assert_eq!(back.to_text(), value.to_text(), "{ty} {text}");
    }

    #[test]
    fn every_type_round_trips() {
        round_trip(&SqlType::Bool, "t");
        round_trip(&SqlType::Int4, "-7");
        round_trip(&SqlType::Int8, "9000000000");
        round_trip(&SqlType::Float4, "1.5");
        round_trip(&SqlType::Float8, "-2.25e100");
        round_trip(&SqlType::Text, "héllo");
        round_trip(&SqlType::Vector, "[1,2.5,3]");
        round_trip(&SqlType::HalfVec, "[1,2.5,3]");
        round_trip(&SqlType::SparseVec, "{1:1.5,3:2}/5");
        round_trip(&SqlType::VarBit, "10110");
        for numeric in [
            "0",
            "1.50",
            "-12345.6789",
            "100000000",
            "0.0001",
            "NaN",
            "Infinity",
            "-Infinity",
            "12345678901234567890.123456789012345678901",
        ] {
            round_trip(&SqlType::Numeric, numeric);
        }
        round_trip(&SqlType::Array(Box::new(SqlType::Int4)), "{1,NULL,3}");
        round_trip(&SqlType::Array(Box::new(SqlType::Float4)), "{{1,2},{3,4}}");
        round_trip(&SqlType::Array(Box::new(SqlType::Text)), "{}");
    }

    #[test]
    fn numeric_matches_postgresql_bytes() {
        // SELECT numeric_send(12345.678): ndigits 3, weight 1, sign 0, dscale 3,
        // digits 1 2345 6780.
        let bytes = send(&Datum::Numeric(Numeric::parse("12345.678").unwrap())).unwrap();
        assert_eq!(
            bytes,
            [0, 3, 0, 1, 0, 0, 0, 3, 0, 1, 0x09, 0x29, 0x1a, 0x7c]
        );
    }

    #[test]
    fn malformed_values_are_errors() {
        assert!(recv(&SqlType::Int4, &[1, 2]).is_err());
        assert!(recv(&SqlType::Numeric, &[0, 5, 0, 0]).is_err());
        let huge = [
            0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 23, 0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 1,
        ];
        assert!(recv(&SqlType::Array(Box::new(SqlType::Int4)), &huge).is_err());
        assert!(recv(&SqlType::Vector, &[0, 9, 0, 0]).is_err());
    }
}
