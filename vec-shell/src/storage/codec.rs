//! The byte form of rows and catalog entries in the durable store.
//!
//! A row is its values in column order, each a tag byte and a payload:
//!
//! | tag | type | payload |
//! |-----|------|---------|
//! | 0 | NULL | none |
//! | 1 | boolean | 1 byte |
//! | 2 / 3 | integer / bigint | 4 / 8 bytes, little-endian |
//! | 4 / 5 | real / double precision | 4 / 8 bytes, IEEE little-endian |
//! | 6 | numeric, old form (read only) | 8-byte `f64`, 4-byte scale |
//! | 7 | text | 4-byte length, UTF-8 bytes |
//! | 8–11 | vector, halfvec, sparsevec, bit | 4-byte length, pgvector's binary send format |
//! | 12 | array | 4-byte dimension count, 4 bytes per dimension, 4-byte element count, elements |
//! | 14 / 15 | tsvector / tsquery | 4-byte length, PostgreSQL's binary send format |
//! | 13 | numeric | 1 kind byte (0 positive, 1 negative, 2 NaN, 3 `Infinity`, 4 `-Infinity`); for 0 and 1: 4-byte scale, 4-byte length, the mantissa's magnitude as little-endian bytes |
//!
//! Numerics are written with tag 13, exactly. Tag 6 is how earlier versions stored a
//! numeric (a double and its display scale); it is still read, as the value that
//! version printed, so existing databases keep opening.
//!
//! The reader checks every length and returns a corruption error, never panics.

use vec_types::{BitTypmod, BitVector, HalfVector, SparseVector, Typmod, Vector};

use num_bigint::{BigInt, BigUint, Sign};
use num_traits::Signed;

use crate::error::{EngineError, Result};
use crate::value::{Array, Datum, Numeric};

/// Appends a value's bytes.
pub fn encode_datum(out: &mut Vec<u8>, datum: &Datum) {
    let with_len = |out: &mut Vec<u8>, tag: u8, bytes: &[u8]| {
        out.push(tag);
        out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
        out.extend_from_slice(bytes);
    };
    match datum {
        Datum::Null => out.push(0),
        Datum::Bool(b) => out.extend_from_slice(&[1, u8::from(*b)]),
        Datum::Int4(v) => {
            out.push(2);
            out.extend_from_slice(&v.to_le_bytes());
        }
        Datum::Int8(v) => {
            out.push(3);
            out.extend_from_slice(&v.to_le_bytes());
        }
        Datum::Float4(v) => {
            out.push(4);
            out.extend_from_slice(&v.to_le_bytes());
        }
        Datum::Float8(v) => {
            out.push(5);
            out.extend_from_slice(&v.to_le_bytes());
        }
        Datum::Numeric(n) => encode_numeric(out, n),
        Datum::Text(s) => with_len(out, 7, s.as_bytes()),
        Datum::Vector(v) => with_len(out, 8, &v.to_binary()),
        Datum::HalfVec(v) => with_len(out, 9, &v.to_binary()),
        Datum::SparseVec(v) => with_len(out, 10, &v.to_binary()),
        Datum::Bit(v) => with_len(out, 11, &v.to_binary()),
        Datum::TsVector(v) => with_len(out, 14, &crate::value::text_search::send_tsvector(v)),
        Datum::TsQuery(q) => with_len(out, 15, &crate::value::text_search::send_tsquery(q)),
        Datum::Array(array) => {
            out.push(12);
            out.extend_from_slice(&(array.dims.len() as u32).to_le_bytes());
            for dim in &array.dims {
                out.extend_from_slice(&(*dim as u32).to_le_bytes());
            }
            out.extend_from_slice(&(array.elements.len() as u32).to_le_bytes());
            for element in &array.elements {
                encode_datum(out, element);
            }
        }
    }
}

fn encode_numeric(out: &mut Vec<u8>, n: &Numeric) {
    out.push(13);
    let Some((mantissa, scale)) = n.parts() else {
        out.push(match n.infinite_sign() {
            None => 2,
            Some(false) => 3,
            Some(true) => 4,
        });
        return;
    };
    out.push(u8::from(mantissa.is_negative()));
    out.extend_from_slice(&scale.to_le_bytes());
    let magnitude = mantissa.magnitude().to_bytes_le();
    out.extend_from_slice(&(magnitude.len() as u32).to_le_bytes());
    out.extend_from_slice(&magnitude);
}

/// A row's bytes.
pub fn encode_row(row: &[Datum]) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 * row.len());
    out.extend_from_slice(&(row.len() as u32).to_le_bytes());
    for datum in row {
        encode_datum(&mut out, datum);
    }
    out
}

/// Reads bytes written by the encoders.
pub struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

fn corrupt(what: &str) -> EngineError {
    EngineError::new("XX001", format!("stored data is corrupt: {what}"))
}

impl<'a> Reader<'a> {
    /// A reader over `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, pos: 0 }
    }

    /// The next `n` bytes.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|end| *end <= self.bytes.len());
        let end = end.ok_or_else(|| corrupt("truncated record"))?;
        let slice = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    /// A byte.
    pub fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }

    /// A little-endian `u32`.
    pub fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    /// A little-endian `i64`.
    pub fn i64(&mut self) -> Result<i64> {
        Ok(i64::from_le_bytes(self.array()?))
    }

    /// A length-prefixed string.
    pub fn string(&mut self) -> Result<String> {
        let len = self.u32()? as usize;
        String::from_utf8(self.take(len)?.to_vec()).map_err(|_| corrupt("invalid UTF-8"))
    }

    /// Whether every byte was read.
    pub fn at_end(&self) -> bool {
        self.pos == self.bytes.len()
    }

    /// One value.
    pub fn datum(&mut self, depth: usize) -> Result<Datum> {
        let value_error = |e: vec_types::TypeError| corrupt(&e.to_string());
        Ok(match self.u8()? {
            0 => Datum::Null,
            1 => Datum::Bool(self.u8()? != 0),
            2 => Datum::Int4(i32::from_le_bytes(self.array()?)),
            3 => Datum::Int8(self.i64()?),
            4 => Datum::Float4(f32::from_le_bytes(self.array()?)),
            5 => Datum::Float8(f64::from_le_bytes(self.array()?)),
            6 => {
                let value = f64::from_le_bytes(self.array()?);
                let scale = self.u32()?;
                Datum::Numeric(old_numeric(value, scale)?)
            }
            13 => Datum::Numeric(self.numeric()?),
            tag @ 14..=15 => {
                let len = self.u32()? as usize;
                let bytes = self.take(len)?;
                let damaged = |e: EngineError| corrupt(&e.message);
                if tag == 14 {
                    Datum::TsVector(Box::new(
                        crate::value::text_search::recv_tsvector(bytes).map_err(damaged)?,
                    ))
                } else {
                    Datum::TsQuery(Box::new(
                        crate::value::text_search::recv_tsquery(bytes).map_err(damaged)?,
                    ))
                }
            }
            7 => Datum::Text(self.string()?),
            tag @ 8..=11 => {
                let len = self.u32()? as usize;
                let bytes = self.take(len)?;
                match tag {
                    8 => Datum::Vector(
                        Vector::from_binary(bytes, Typmod::NONE).map_err(value_error)?,
                    ),
                    9 => Datum::HalfVec(
                        HalfVector::from_binary(bytes, Typmod::NONE).map_err(value_error)?,
                    ),
                    10 => Datum::SparseVec(
                        SparseVector::from_binary(bytes, Typmod::NONE).map_err(value_error)?,
                    ),
                    _ => Datum::Bit(
                        BitVector::from_binary(bytes, BitTypmod::Any).map_err(value_error)?,
                    ),
                }
            }
            12 if depth < 8 => {
                let n_dims = self.u32()? as usize;
                let mut dims = Vec::new();
                for _ in 0..n_dims.min(6) {
                    dims.push(self.u32()? as usize);
                }
                let count = self.u32()? as usize;
                let mut elements = Vec::with_capacity(count.min(1 << 16));
                for _ in 0..count {
                    elements.push(self.datum(depth + 1)?);
                }
                Datum::Array(Array { dims, elements })
            }
            other => return Err(corrupt(&format!("unknown value tag {other}"))),
        })
    }
}

impl<'a> Reader<'a> {
    /// Steps over one value without decoding it; returns its tag and, for the values
    /// stored with a 4-byte length (text, the vector types, tsvector, tsquery), the bytes
    /// after the length.
    pub fn skip(&mut self, depth: usize) -> Result<(u8, Option<&'a [u8]>)> {
        let tag = self.u8()?;
        let fixed = match tag {
            0 => 0,
            1 => 1,
            2 | 4 => 4,
            3 | 5 => 8,
            6 => 12,
            7..=11 | 14 | 15 => {
                let len = self.u32()? as usize;
                return Ok((tag, Some(self.take(len)?)));
            }
            13 => match self.u8()? {
                0 | 1 => {
                    self.take(4)?;
                    let len = self.u32()? as usize;
                    len
                }
                2..=4 => 0,
                other => return Err(corrupt(&format!("unknown numeric kind {other}"))),
            },
            12 if depth < 8 => {
                let n_dims = self.u32()? as usize;
                self.take(4 * n_dims.min(6))?;
                let count = self.u32()? as usize;
                for _ in 0..count {
                    self.skip(depth + 1)?;
                }
                0
            }
            other => return Err(corrupt(&format!("unknown value tag {other}"))),
        };
        self.take(fixed)?;
        Ok((tag, None))
    }
}

/// A row's values with only the columns `wanted` marks decoded, the others (and those
/// past the end of `wanted`) NULL: what a filter that reads a few columns needs, without
/// decoding the rest of the row (a scan's filter on a table of vectors).
pub fn decode_columns(bytes: &[u8], wanted: &[bool]) -> Result<Vec<Datum>> {
    let mut reader = Reader::new(bytes);
    let n = reader.u32()? as usize;
    let mut row = Vec::with_capacity(n.min(1600));
    for column in 0..n {
        if wanted.get(column).copied().unwrap_or(false) {
            row.push(reader.datum(0)?);
        } else {
            reader.skip(0)?;
            row.push(Datum::Null);
        }
    }
    if !reader.at_end() {
        return Err(corrupt("bytes after the last value"));
    }
    Ok(row)
}

/// The tag and length-prefixed bytes of column `column` of a row's bytes, read without
/// decoding the row; `None` when the row has fewer columns. A scan that needs one
/// column of every row (the exact vector scan's distances) reads it this way.
#[inline]
pub fn column_bytes(bytes: &[u8], column: usize) -> Result<Option<(u8, Option<&[u8]>)>> {
    match column_bytes_plain(bytes, column) {
        Some(found) => Ok(found),
        None => column_bytes_checked(bytes, column),
    }
}

/// [`column_bytes`] for rows whose columns up to `column` are scalars or length-prefixed
/// values (no arrays, no numerics), read with no error to build: `None` leaves every other
/// row, and every damaged one, to [`column_bytes_checked`]. An exact scan reads one column
/// of every row of the table this way.
#[inline]
fn column_bytes_plain(bytes: &[u8], column: usize) -> Option<Option<(u8, Option<&[u8]>)>> {
    let u32_at = |at: usize| -> Option<usize> {
        let word: [u8; 4] = bytes.get(at..at.checked_add(4)?)?.try_into().ok()?;
        Some(u32::from_le_bytes(word) as usize)
    };
    if column >= u32_at(0)? {
        return Some(None);
    }
    let mut at = 4;
    for index in 0..=column {
        let tag = *bytes.get(at)?;
        at += 1;
        let (payload, len) = match tag {
            0 => (false, 0),
            1 => (false, 1),
            2 | 4 => (false, 4),
            3 | 5 => (false, 8),
            6 => (false, 12),
            7..=11 | 14 | 15 => {
                let len = u32_at(at)?;
                at += 4;
                (true, len)
            }
            _ => return None,
        };
        let end = at.checked_add(len).filter(|&end| end <= bytes.len())?;
        if index == column {
            return Some(Some((tag, payload.then(|| &bytes[at..end]))));
        }
        at = end;
    }
    None
}

/// [`column_bytes`] through the row reader, which reads every kind of value and names
/// what is wrong with a damaged row.
fn column_bytes_checked(bytes: &[u8], column: usize) -> Result<Option<(u8, Option<&[u8]>)>> {
    let mut reader = Reader::new(bytes);
    let n = reader.u32()? as usize;
    if column >= n {
        return Ok(None);
    }
    for _ in 0..column {
        reader.skip(0)?;
    }
    reader.skip(0).map(Some)
}

impl Reader<'_> {
    fn numeric(&mut self) -> Result<Numeric> {
        let kind = self.u8()?;
        match kind {
            2 => return Ok(Numeric::nan()),
            3 | 4 => return Ok(Numeric::infinity(kind == 4)),
            0 | 1 => {}
            other => return Err(corrupt(&format!("unknown numeric kind {other}"))),
        }
        let scale = self.u32()?;
        let len = self.u32()? as usize;
        let magnitude = BigUint::from_bytes_le(self.take(len)?);
        let sign = if kind == 1 { Sign::Minus } else { Sign::Plus };
        Numeric::finite(BigInt::from_biguint(sign, magnitude), scale)
            .map_err(|_| corrupt("numeric out of range"))
    }
}

/// A numeric in the old form: the value the double printed at its scale.
fn old_numeric(value: f64, scale: u32) -> Result<Numeric> {
    if value.is_nan() {
        return Ok(Numeric::nan());
    }
    if value.is_infinite() {
        return Ok(Numeric::infinity(value < 0.0));
    }
    if scale > 1000 {
        return Err(corrupt("numeric scale out of range"));
    }
    Numeric::parse(&format!("{:.*}", scale as usize, value))
        .map_err(|_| corrupt("numeric out of range"))
}

/// Reads a row's bytes.
pub fn decode_row(bytes: &[u8]) -> Result<Vec<Datum>> {
    let mut reader = Reader::new(bytes);
    let n = reader.u32()? as usize;
    let mut row = Vec::with_capacity(n.min(1600));
    for _ in 0..n {
        row.push(reader.datum(0)?);
    }
    if !reader.at_end() {
        return Err(corrupt("bytes after the last value"));
    }
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_round_trip() {
        let row = vec![
            Datum::Null,
            Datum::Int8(-5),
            Datum::Text("héllo".into()),
            Datum::Vector("[1,2,3]".parse().unwrap()),
            Datum::HalfVec("[1.5,2]".parse().unwrap()),
            Datum::SparseVec("{1:1,3:2}/5".parse().unwrap()),
            Datum::Bit("101".parse().unwrap()),
            Datum::Numeric(Numeric::parse("1.50").unwrap()),
            Datum::Numeric(Numeric::parse("-12345678901234567890.123456789").unwrap()),
            Datum::Numeric(Numeric::parse("-Infinity").unwrap()),
            Datum::Numeric(Numeric::nan()),
            Datum::Array(Array::one_dimensional(vec![
                Datum::Float8(1.0),
                Datum::Null,
            ])),
        ];
        let bytes = encode_row(&row);
        assert_eq!(decode_row(&bytes).unwrap(), row);
        for cut in 0..bytes.len() {
            assert!(decode_row(&bytes[..cut]).is_err());
        }
    }

    #[test]
    fn one_column_is_read_without_decoding_the_row() {
        let vector: Vector = "[1,2,3]".parse().unwrap();
        let row = vec![
            Datum::Numeric(Numeric::parse("-1.5").unwrap()),
            Datum::Array(Array::one_dimensional(vec![
                Datum::Text("a".into()),
                Datum::Null,
            ])),
            Datum::Float8(2.0),
            Datum::Vector(vector.clone()),
            Datum::Null,
        ];
        let bytes = encode_row(&row);
        let (tag, payload) = column_bytes(&bytes, 3).unwrap().unwrap();
        assert_eq!((tag, payload), (8, Some(&vector.to_binary()[..])));
        assert_eq!(column_bytes(&bytes, 4).unwrap(), Some((0, None)));
        assert_eq!(column_bytes(&bytes, 5).unwrap(), None);
        for cut in 0..bytes.len() - 1 {
            // A truncated row is an error (or, cut inside the last value, a short read of
            // an earlier column), never a panic.
            let _ = column_bytes(&bytes[..cut], 3);
        }
        assert!(column_bytes(&bytes[..bytes.len() - 3], 3).is_err());

        let partial = decode_columns(&bytes, &[false, true, false, true]).unwrap();
        assert_eq!(
            partial,
            vec![
                Datum::Null,
                row[1].clone(),
                Datum::Null,
                row[3].clone(),
                Datum::Null
            ]
        );
        assert_eq!(decode_columns(&bytes, &[true; 5]).unwrap(), row);
        assert!(decode_columns(&bytes[..bytes.len() - 1], &[true]).is_err());
    }

    /// On a row of scalars and length-prefixed values the plain reading answers for every
    /// column, whole, and agrees with the checked reader at every cut of the row.
    #[test]
    fn the_plain_column_reading_agrees_with_the_checked_one() {
        let row = vec![
            Datum::Int8(42),
            Datum::Text("a package name".into()),
            Datum::Null,
            Datum::Bool(true),
            Datum::Float8(2.5),
            Datum::Vector("[1,2,3]".parse().unwrap()),
            Datum::Text(String::new()),
        ];
        let bytes = encode_row(&row);
        for column in 0..=row.len() {
            let plain = column_bytes_plain(&bytes, column).expect("a plain row is read plainly");
            assert_eq!(
                Ok(plain),
                column_bytes_checked(&bytes, column).map_err(|_| ())
            );
            for cut in 0..bytes.len() {
                if let Some(found) = column_bytes_plain(&bytes[..cut], column) {
                    assert_eq!(
                        Ok(found),
                        column_bytes_checked(&bytes[..cut], column).map_err(|_| ())
                    );
                }
            }
        }
        // An array before the column sends the row to the checked reader.
        let with_array = encode_row(&[
            Datum::Array(Array::one_dimensional(vec![Datum::Int8(1)])),
            Datum::Int8(7),
        ]);
        assert_eq!(column_bytes_plain(&with_array, 1), None);
        assert!(column_bytes(&with_array, 1).unwrap().is_some());
    }

    #[test]
    fn old_numerics_still_read() {
        let mut bytes = 1u32.to_le_bytes().to_vec();
        bytes.push(6);
        bytes.extend_from_slice(&(-2.5f64).to_le_bytes());
        bytes.extend_from_slice(&3u32.to_le_bytes());
        let row = decode_row(&bytes).unwrap();
        assert_eq!(row, vec![Datum::Numeric(Numeric::parse("-2.500").unwrap())]);
    }
}
