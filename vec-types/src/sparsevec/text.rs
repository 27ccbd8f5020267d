//! pgvector's `sparsevec_in` and `sparsevec_out`: `{index:value,…}/dimensions` with
//! 1-based indices, whitespace allowed around every token, elements in any order.
//!
//! Parsing follows `sparsevec_in` step by step so that every input gets the same error:
//! the element count is bounded by counting commas first; then the text is scanned with
//! `strtol`/`strtof` rules; then the dimensions, the type modifier, and finally the sorted
//! indices are checked.

use std::fmt;
use std::str::FromStr;

use super::{check_dim, check_element, SparseVector, SPARSEVEC_MAX_NNZ, TYPE_NAME};
use crate::float_text::{is_c_space, scan_float, write_float4};
use crate::typmod::Typmod;
use crate::TypeError;

const DETAIL_START: &str = "Vector contents must start with \"{\".";
const DETAIL_END: &str = "Unexpected end of input.";
const DETAIL_JUNK: &str = "Junk after closing.";

impl SparseVector {
    /// Parses `text` as `sparsevec_in` does with a `sparsevec(n)` type modifier
    /// ([`Typmod::NONE`] when the type has none). Text after a NUL character is ignored,
    /// as a C string would end there.
    pub fn parse_with_typmod(text: &str, typmod: Typmod) -> Result<SparseVector, TypeError> {
        let literal = text.split('\0').next().unwrap_or_default();
        Parser::new(literal).parse(typmod)
    }
}

impl FromStr for SparseVector {
    type Err = TypeError;

    /// Parses `sparsevec` text without a type modifier.
    fn from_str(text: &str) -> Result<SparseVector, TypeError> {
        SparseVector::parse_with_typmod(text, Typmod::NONE)
    }
}

impl fmt::Display for SparseVector {
    /// Writes `{1:1.5,3:2}/5`: 1-based indices, values as PostgreSQL prints a `real`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::with_capacity(8 + self.nnz() * 16);
        out.push('{');
        for (position, (index, value)) in self.iter().enumerate() {
            if position > 0 {
                out.push(',');
            }
            out.push_str(&(index + 1).to_string());
            out.push(':');
            write_float4(&mut out, value);
        }
        out.push_str("}/");
        out.push_str(&self.dim.to_string());
        f.write_str(&out)
    }
}

struct Parser<'a> {
    literal: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Parser<'a> {
    fn new(literal: &'a str) -> Self {
        Parser {
            literal,
            bytes: literal.as_bytes(),
            pos: 0,
        }
    }

    fn syntax_error(&self, detail: Option<&'static str>) -> TypeError {
        TypeError::InvalidSyntax {
            type_name: TYPE_NAME,
            input: self.literal.to_string(),
            detail,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_spaces(&mut self) {
        while self.peek().is_some_and(is_c_space) {
            self.pos += 1;
        }
    }

    fn parse(mut self, typmod: Typmod) -> Result<SparseVector, TypeError> {
        let max_elements = 1 + self.bytes.iter().filter(|byte| **byte == b',').count();
        if max_elements > SPARSEVEC_MAX_NNZ {
            return Err(TypeError::TooManyNonZero {
                max: SPARSEVEC_MAX_NNZ,
            });
        }

        self.skip_spaces();
        if self.peek() != Some(b'{') {
            return Err(self.syntax_error(Some(DETAIL_START)));
        }
        self.pos += 1;
        self.skip_spaces();

        let mut entries: Vec<(i64, f32)> = Vec::new();
        if self.peek() == Some(b'}') {
            self.pos += 1;
        } else {
            loop {
                self.skip_spaces();
                if self.peek().is_none() {
                    return Err(self.syntax_error(None));
                }
                let index = self.scan_integer()?;
                // Keep the index in `int` range, as pgvector does, so that any index out
                // of range reports the same bounds error.
                let index = index.clamp(i64::from(i32::MIN) + 1, i64::from(i32::MAX));
                self.skip_spaces();
                if self.peek() != Some(b':') {
                    return Err(self.syntax_error(None));
                }
                self.pos += 1;
                self.skip_spaces();
                let value = self.scan_value()?;
                check_element(value)?;
                if value != 0.0 {
                    entries.push((index - 1, value));
                }
                self.skip_spaces();
                match self.peek() {
                    Some(b',') => self.pos += 1,
                    Some(b'}') => {
                        self.pos += 1;
                        break;
                    }
                    _ => return Err(self.syntax_error(None)),
                }
            }
        }

        self.skip_spaces();
        if self.peek() != Some(b'/') {
            return Err(self.syntax_error(Some(DETAIL_END)));
        }
        self.pos += 1;
        self.skip_spaces();
        let dim = self
            .scan_integer()?
            .clamp(i64::from(i32::MIN), i64::from(i32::MAX));
        self.skip_spaces();
        if self.peek().is_some() {
            return Err(self.syntax_error(Some(DETAIL_JUNK)));
        }

        check_dim(dim)?;
        typmod.check(dim as usize)?;
        SparseVector::from_checked_parts(dim as u32, entries)
    }

    /// `strtol(…, 10)`: whitespace, an optional sign, at least one digit; saturates at the
    /// 64-bit limits as `strtol` does on overflow.
    fn scan_integer(&mut self) -> Result<i64, TypeError> {
        let mut cursor = self.pos;
        while self.bytes.get(cursor).copied().is_some_and(is_c_space) {
            cursor += 1;
        }
        let negative = self.bytes.get(cursor) == Some(&b'-');
        if matches!(self.bytes.get(cursor), Some(b'+' | b'-')) {
            cursor += 1;
        }
        let digits_start = cursor;
        let mut magnitude: i64 = 0;
        while let Some(digit) = self.bytes.get(cursor).filter(|byte| byte.is_ascii_digit()) {
            let digit = i64::from(digit - b'0');
            magnitude = if negative {
                magnitude.saturating_mul(10).saturating_sub(digit)
            } else {
                magnitude.saturating_mul(10).saturating_add(digit)
            };
            cursor += 1;
        }
        if cursor == digits_start {
            return Err(self.syntax_error(None));
        }
        self.pos = cursor;
        Ok(magnitude)
    }

    /// `strtof`, with `float4in`'s range rule: a number that overflows to infinity or
    /// underflows to zero is `"…" is out of range for type sparsevec`.
    fn scan_value(&mut self) -> Result<f32, TypeError> {
        let rest = &self.literal[self.pos..];
        let scanned = scan_float(rest).ok_or_else(|| self.syntax_error(None))?;
        let token = &rest[..scanned.len];
        if scanned.overflow || (scanned.value == 0.0 && has_non_zero_mantissa(token)) {
            return Err(TypeError::OutOfRange {
                type_name: TYPE_NAME,
                token: token.to_string(),
            });
        }
        self.pos += scanned.len;
        Ok(scanned.value)
    }
}

/// Whether a decimal or hexadecimal number as written has a non-zero digit before its
/// exponent, so that a zero result means `strtof` underflowed.
fn has_non_zero_mantissa(token: &str) -> bool {
    let unsigned = token.trim_start_matches(['+', '-']);
    let hex_body = unsigned
        .strip_prefix("0x")
        .or_else(|| unsigned.strip_prefix("0X"));
    match hex_body {
        Some(body) => body
            .bytes()
            .take_while(|byte| !matches!(byte, b'p' | b'P'))
            .any(|byte| byte.is_ascii_hexdigit() && byte != b'0'),
        None => unsigned
            .bytes()
            .take_while(|byte| !matches!(byte, b'e' | b'E'))
            .any(|byte| matches!(byte, b'1'..=b'9')),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn underflow_detection() {
        assert!(has_non_zero_mantissa("1e-46"));
        assert!(has_non_zero_mantissa("-0.001e-50"));
        assert!(!has_non_zero_mantissa("0e-50"));
        assert!(!has_non_zero_mantissa("0.000"));
        assert!(has_non_zero_mantissa("0x1p-200"));
        assert!(!has_non_zero_mantissa("0x0p-200"));
    }

    #[test]
    fn strtol_rules() {
        let parse = |text: &str| text.parse::<SparseVector>().map(|v| v.to_string());
        assert_eq!(parse("{+1:1}/+2").unwrap(), "{1:1}/2");
        assert!(parse("{- 1:1}/2").is_err());
        assert_eq!(parse("{1:0x1p1}/1").unwrap(), "{1:2}/1");
        assert_eq!(parse("{0:0}/1").unwrap(), "{}/1");
    }
}
