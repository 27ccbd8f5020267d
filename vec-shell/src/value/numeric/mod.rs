//! `numeric`: PostgreSQL's exact decimal type.
//!
//! A finite value is an arbitrary-size integer mantissa and a display scale: the value is
//! `mantissa × 10^-scale`, and it prints with exactly `scale` digits after the point, as
//! `numeric_out` does (plain digits, never an exponent). `NaN`, `Infinity` and
//! `-Infinity` are the special values PostgreSQL 15 has. PostgreSQL's limits hold: at
//! most 131072 digits before the point and 16383 after, beyond which a value is refused
//! with "value overflows numeric format".
//!
//! Input (`numeric_in`), output, ordering and the conversions to and from the integer
//! and float types live here; arithmetic, rounding and type modifiers in `arith`; the
//! running sum behind `sum` and `avg` in `sum`.

mod arith;
mod sum;
#[cfg(test)]
mod tests;

pub use arith::{decode_typmod, encode_typmod};
pub use sum::NumericSum;

use std::cmp::Ordering;
use std::fmt;

use num_bigint::BigInt;
use num_traits::{Signed, ToPrimitive, Zero};

use crate::error::{EngineError, Result};

/// The most digits a value may have before the decimal point.
pub const MAX_INTEGER_DIGITS: i64 = 131_072;
/// The most digits a value may have after the decimal point (`NUMERIC_DSCALE_MAX`).
pub const MAX_SCALE: u32 = 16_383;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Repr {
    Finite { mantissa: BigInt, scale: u32 },
    NaN,
    Infinity,
    NegInfinity,
}

/// A `numeric` value. Equality is structural (`1.0` and `1.00` differ); use
/// [`Numeric::compare`] for SQL ordering.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Numeric(Repr);

/// PostgreSQL's error for a value beyond the format's limits.
pub(crate) fn overflow() -> EngineError {
    EngineError::new("22003", "value overflows numeric format")
}

/// `10^n`.
pub(crate) fn pow10(n: u64) -> BigInt {
    // Callers bound `n` by the format's limits (a few hundred thousand at most).
    num_traits::pow(BigInt::from(10u8), usize::try_from(n).unwrap_or(usize::MAX))
}

/// The number of decimal digits of `|m|` (0 for zero).
pub(crate) fn digit_count(m: &BigInt) -> u64 {
    if m.is_zero() {
        return 0;
    }
    if let Some(v) = m.magnitude().to_u128() {
        return u64::from(v.ilog10()) + 1;
    }
    // 2^(bits-1) <= |m| < 2^bits: start just under the estimate and count up.
    let estimate = ((m.bits() - 1) as f64 * std::f64::consts::LOG10_2) as u64;
    let mut digits = estimate.saturating_sub(1).max(1);
    let magnitude = m.magnitude();
    while magnitude >= pow10(digits).magnitude() {
        digits += 1;
    }
    digits
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c')
}

impl Numeric {
    /// `NaN`.
    pub fn nan() -> Numeric {
        Numeric(Repr::NaN)
    }

    /// `Infinity`, or `-Infinity` when `negative`.
    pub fn infinity(negative: bool) -> Numeric {
        Numeric(if negative {
            Repr::NegInfinity
        } else {
            Repr::Infinity
        })
    }

    /// A finite value `mantissa × 10^-scale`, checked against the format's limits.
    pub fn finite(mantissa: BigInt, scale: u32) -> Result<Numeric> {
        if scale > MAX_SCALE {
            return Err(overflow());
        }
        if digit_count(&mantissa) as i64 - i64::from(scale) > MAX_INTEGER_DIGITS {
            return Err(overflow());
        }
        Ok(Numeric(Repr::Finite { mantissa, scale }))
    }

    /// The mantissa and scale of a finite value; `None` for the special values.
    pub fn parts(&self) -> Option<(&BigInt, u32)> {
        match &self.0 {
            Repr::Finite { mantissa, scale } => Some((mantissa, *scale)),
            _ => None,
        }
    }

    /// Whether the value is `NaN`.
    pub fn is_nan(&self) -> bool {
        self.0 == Repr::NaN
    }

    /// `Some(negative)` for the infinities.
    pub fn infinite_sign(&self) -> Option<bool> {
        match self.0 {
            Repr::Infinity => Some(false),
            Repr::NegInfinity => Some(true),
            _ => None,
        }
    }

    /// The display scale: digits printed after the point (0 for the special values).
    pub fn scale(&self) -> u32 {
        self.parts().map_or(0, |(_, scale)| scale)
    }

    /// Parses `numeric` input text as `numeric_in` does (`1.50`, ` -3 `, `1e-5`, `NaN`,
    /// `Infinity`, `-inf`).
    pub fn parse(text: &str) -> Result<Numeric> {
        let invalid = || {
            EngineError::new(
                "22P02",
                format!("invalid input syntax for type numeric: \"{text}\""),
            )
        };
        let s = text.trim_matches(is_space);
        match s.to_ascii_lowercase().as_str() {
            "nan" => return Ok(Numeric::nan()),
            "infinity" | "+infinity" | "inf" | "+inf" => return Ok(Numeric::infinity(false)),
            "-infinity" | "-inf" => return Ok(Numeric::infinity(true)),
            _ => {}
        }
        let (negative, unsigned) = match s.as_bytes().first() {
            Some(b'-') => (true, &s[1..]),
            Some(b'+') => (false, &s[1..]),
            _ => (false, s),
        };
        let (body, exponent_text) = match unsigned.find(['e', 'E']) {
            Some(i) => (&unsigned[..i], Some(&unsigned[i + 1..])),
            None => (unsigned, None),
        };
        let (integer, fraction) = body.split_once('.').unwrap_or((body, ""));
        let all_digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
        if integer.len() + fraction.len() == 0 || !all_digits(integer) || !all_digits(fraction) {
            return Err(invalid());
        }
        let exponent: i64 = match exponent_text {
            None => 0,
            Some(e) => {
                let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
                if digits.is_empty() || !all_digits(digits) {
                    return Err(invalid());
                }
                // strtol saturates; PostgreSQL refuses exponents past INT_MAX / 2.
                let magnitude: i64 = digits.parse().unwrap_or(i64::MAX);
                if magnitude >= i64::from(i32::MAX / 2) {
                    return Err(overflow());
                }
                if e.starts_with('-') {
                    -magnitude
                } else {
                    magnitude
                }
            }
        };
        let fraction_len = fraction.len() as i64;
        let scale = (fraction_len - exponent).max(0);
        if scale > i64::from(MAX_SCALE) {
            return Err(overflow());
        }
        let digits = format!("{integer}{fraction}");
        let significant = digits.trim_start_matches('0');
        if significant.is_empty() {
            return Ok(Numeric(Repr::Finite {
                mantissa: BigInt::zero(),
                scale: scale as u32,
            }));
        }
        if significant.len() as i64 - fraction_len + exponent > MAX_INTEGER_DIGITS {
            return Err(overflow());
        }
        let mut mantissa = BigInt::parse_bytes(significant.as_bytes(), 10).ok_or_else(invalid)?;
        let shift = scale - (fraction_len - exponent);
        if shift > 0 {
            mantissa *= pow10(shift as u64);
        }
        if negative {
            mantissa = -mantissa;
        }
        Numeric::finite(mantissa, scale as u32)
    }

    /// An integer-valued numeric.
    pub fn from_i64(value: i64) -> Numeric {
        Numeric::from_i128(i128::from(value))
    }

    /// An integer-valued numeric from a 128-bit sum.
    pub fn from_i128(value: i128) -> Numeric {
        Numeric(Repr::Finite {
            mantissa: BigInt::from(value),
            scale: 0,
        })
    }

    /// Converts a `double precision` as `float8_numeric` does: through `%.15g`.
    pub fn from_f64(value: f64) -> Numeric {
        Numeric::from_float(value, format!("{value:.14e}"))
    }

    /// Converts a `real` as `float4_numeric` does: through `%.6g`.
    pub fn from_f32(value: f32) -> Numeric {
        Numeric::from_float(f64::from(value), format!("{value:.5e}"))
    }

    fn from_float(value: f64, scientific: String) -> Numeric {
        if value.is_nan() {
            return Numeric::nan();
        }
        if value.is_infinite() {
            return Numeric::infinity(value < 0.0);
        }
        let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
        // `%g` drops trailing zeros, which is what fixes the display scale.
        let mantissa = if mantissa.contains('.') {
            mantissa.trim_end_matches('0').trim_end_matches('.')
        } else {
            mantissa
        };
        Numeric::parse(&format!("{mantissa}e{exponent}")).unwrap_or_else(|_| Numeric::nan())
    }

    /// The nearest `double precision` (through the text, as `numeric_float8` does).
    pub fn to_f64(&self) -> f64 {
        match &self.0 {
            Repr::NaN => f64::NAN,
            Repr::Infinity => f64::INFINITY,
            Repr::NegInfinity => f64::NEG_INFINITY,
            Repr::Finite { mantissa, .. } => {
                if let Some(m) = mantissa.to_i64() {
                    if m.unsigned_abs() < (1 << 53) && self.scale() <= 22 {
                        // Exact mantissa divided by an exact power of ten: one rounding.
                        return m as f64 / 10f64.powi(self.scale() as i32);
                    }
                }
                self.to_string().parse().unwrap_or(f64::NAN)
            }
        }
    }

    /// `numeric_float8`: refuses a finite value that overflows or underflows to zero.
    pub fn to_float8(&self) -> Result<f64> {
        let value = self.to_f64();
        self.check_float(value.is_infinite(), value == 0.0, "double precision")?;
        Ok(value)
    }

    /// `numeric_float4`, with the same checks against `real`.
    pub fn to_float4(&self) -> Result<f32> {
        let value: f32 = match &self.0 {
            Repr::Finite { .. } => self.to_string().parse().unwrap_or(f32::NAN),
            _ => self.to_f64() as f32,
        };
        self.check_float(value.is_infinite(), value == 0.0, "real")?;
        Ok(value)
    }

    fn check_float(&self, infinite: bool, zero: bool, type_name: &str) -> Result<()> {
        if let Some((mantissa, _)) = self.parts() {
            if infinite || (zero && !mantissa.is_zero()) {
                return Err(EngineError::new(
                    "22003",
                    format!("\"{self}\" is out of range for type {type_name}"),
                ));
            }
        }
        Ok(())
    }

    /// Rounds to an integer (half away from zero) for a cast to `integer` or `bigint`
    /// (`type_name`), with PostgreSQL's errors for NaN, infinity and range.
    pub fn to_integer(&self, type_name: &str, min: i64, max: i64) -> Result<i64> {
        let unsupported =
            |what: &str| EngineError::new("0A000", format!("cannot convert {what} to {type_name}"));
        match &self.0 {
            Repr::NaN => Err(unsupported("NaN")),
            Repr::Infinity | Repr::NegInfinity => Err(unsupported("infinity")),
            Repr::Finite { .. } => {
                let out_of_range =
                    || EngineError::new("22003", format!("{type_name} out of range"));
                // Anything with more than 20 digits before the point is out of range.
                if digit_count(self.parts().map_or(&BigInt::zero(), |p| p.0)) as i64
                    - i64::from(self.scale())
                    > 20
                {
                    return Err(out_of_range());
                }
                let rounded = self.round(0);
                let value = rounded
                    .parts()
                    .and_then(|(m, _)| m.to_i64())
                    .ok_or_else(out_of_range)?;
                if value < min || value > max {
                    return Err(out_of_range());
                }
                Ok(value)
            }
        }
    }

    /// SQL ordering: `-Infinity` < finite values < `Infinity` < `NaN`; `NaN` equals
    /// `NaN`; finite values compare exactly, whatever their scales.
    pub fn compare(&self, other: &Numeric) -> Ordering {
        let rank = |n: &Numeric| match n.0 {
            Repr::NegInfinity => 0,
            Repr::Finite { .. } => 1,
            Repr::Infinity => 2,
            Repr::NaN => 3,
        };
        match (&self.0, &other.0) {
            (
                Repr::Finite {
                    mantissa: a,
                    scale: sa,
                },
                Repr::Finite {
                    mantissa: b,
                    scale: sb,
                },
            ) => {
                let (signa, signb) = (a.sign(), b.sign());
                if signa != signb || sa == sb {
                    return signa.cmp(&signb).then_with(|| a.cmp(b));
                }
                if sa < sb {
                    (a * pow10(u64::from(sb - sa))).cmp(b)
                } else {
                    a.cmp(&(b * pow10(u64::from(sa - sb))))
                }
            }
            _ => rank(self).cmp(&rank(other)),
        }
    }
}

impl fmt::Display for Numeric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (mantissa, scale) = match &self.0 {
            Repr::NaN => return f.write_str("NaN"),
            Repr::Infinity => return f.write_str("Infinity"),
            Repr::NegInfinity => return f.write_str("-Infinity"),
            Repr::Finite { mantissa, scale } => (mantissa, *scale as usize),
        };
        if mantissa.is_negative() {
            f.write_str("-")?;
        }
        let digits = mantissa.magnitude().to_string();
        if scale == 0 {
            return f.write_str(&digits);
        }
        let padded = if digits.len() <= scale {
            format!("{}{digits}", "0".repeat(scale + 1 - digits.len()))
        } else {
            digits
        };
        let (integer, fraction) = padded.split_at(padded.len() - scale);
        write!(f, "{integer}.{fraction}")
    }
}
