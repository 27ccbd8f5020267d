//! `halfvec`'s text format, as pgvector 0.8 reads and writes it. Input is read as `f32`
//! (with `strtof`'s rules) and rounded to `f16`; output prints each element widened to
//! `f32`, with the shortest digits that round-trip the `f32` (`1.234375`, `65504`).

use std::fmt;
use std::str::FromStr;

use half::f16;

use super::{check_element, HalfVector, TYPE_NAME};
use crate::dense::parse::{parse_dense, ParseRules};
use crate::float_text::{write_float4, ScannedFloat};
use crate::typmod::Typmod;
use crate::TypeError;

const RULES: ParseRules<f16> = ParseRules {
    type_name: TYPE_NAME,
    max_dims: HalfVector::MAX_DIM,
    element: parse_element,
};

/// `halfvec_in`'s element checks: `strtof`'s range error, or a finite `f32` beyond the
/// half range (`"65520" is out of range for type halfvec`), then NaN and infinity.
#[inline(always)]
fn parse_element(scanned: ScannedFloat, token: &str) -> Result<f16, TypeError> {
    let value = scanned.value;
    let half = f16::from_f32(value);
    let half_overflow = half.is_infinite() && !value.is_infinite();
    if scanned.overflow || half_overflow {
        return Err(TypeError::OutOfRange {
            type_name: TYPE_NAME,
            token: token.to_string(),
        });
    }
    check_element(half)?;
    Ok(half)
}

impl HalfVector {
    /// pgvector's `halfvec_in` with a type modifier.
    pub fn parse_with_typmod(text: &str, typmod: Typmod) -> Result<Self, TypeError> {
        let elements = parse_dense(text, &RULES)?;
        typmod.check(elements.len())?;
        Ok(HalfVector::from_checked(elements))
    }
}

impl FromStr for HalfVector {
    type Err = TypeError;

    /// pgvector's `halfvec_in` without a type modifier.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        HalfVector::parse_with_typmod(text, Typmod::NONE)
    }
}

impl fmt::Display for HalfVector {
    /// pgvector's `halfvec_out`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::with_capacity(self.dims() * 6 + 2);
        out.push('[');
        for (idx, value) in self.as_slice().iter().enumerate() {
            if idx > 0 {
                out.push(',');
            }
            write_float4(&mut out, value.to_f32());
        }
        out.push(']');
        f.write_str(&out)
    }
}
