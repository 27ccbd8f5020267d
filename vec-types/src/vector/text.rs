//! `vector`'s text format, byte for byte as pgvector 0.8 reads and writes it: `[1,2,3]`,
//! elements printed as PostgreSQL prints a `real` (shortest round-trip digits).

use std::fmt;
use std::str::FromStr;

use super::{check_element, Vector, TYPE_NAME};
use crate::dense::parse::{parse_dense, ParseRules};
use crate::float_text::{write_float4, ScannedFloat};
use crate::typmod::Typmod;
use crate::TypeError;

const RULES: ParseRules<f32> = ParseRules {
    type_name: TYPE_NAME,
    max_dims: Vector::MAX_DIM,
    element: parse_element,
};

/// `strtof`'s range error, then `CheckElement`, as `vector_in` checks each element.
#[inline(always)]
fn parse_element(scanned: ScannedFloat, token: &str) -> Result<f32, TypeError> {
    if scanned.overflow {
        return Err(TypeError::OutOfRange {
            type_name: TYPE_NAME,
            token: token.to_string(),
        });
    }
    check_element(scanned.value)?;
    Ok(scanned.value)
}

impl Vector {
    /// pgvector's `vector_in` with a type modifier: parses `text`, then checks the
    /// dimension count against `typmod`.
    pub fn parse_with_typmod(text: &str, typmod: Typmod) -> Result<Self, TypeError> {
        let elements = parse_dense(text, &RULES)?;
        typmod.check(elements.len())?;
        Ok(Vector::from_checked(elements))
    }
}

impl FromStr for Vector {
    type Err = TypeError;

    /// pgvector's `vector_in` without a type modifier.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Vector::parse_with_typmod(text, Typmod::NONE)
    }
}

impl fmt::Display for Vector {
    /// pgvector's `vector_out`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::with_capacity(self.dims() * 8 + 2);
        out.push('[');
        for (idx, value) in self.as_slice().iter().enumerate() {
            if idx > 0 {
                out.push(',');
            }
            write_float4(&mut out, *value);
        }
        out.push(']');
        f.write_str(&out)
    }
}
