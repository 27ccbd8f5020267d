//! `numeric`, held as an `f64` with PostgreSQL's display scale.
//!
//! This covers what pgvector's SQL needs of `numeric` — literals such as `1.0`, casts
//! from floats (`%.15g` as `float8_numeric` does), `round(x, n)` and conversion to `real`
//! for the array casts — without arbitrary precision. Values print with exactly `scale`
//! digits after the point, as `numeric_out` does.

use std::fmt;

use crate::error::{EngineError, Result};

/// A `numeric` value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Numeric {
    /// The value.
    pub value: f64,
    /// Digits printed after the decimal point.
    pub scale: u32,
}

impl Numeric {
    /// Parses a decimal literal or `numeric` input text (`1.50`, `-3`, `1e-5`, `NaN`).
    pub fn parse(text: &str) -> Result<Numeric> {
        let trimmed = text.trim();
        let invalid = || {
            EngineError::new(
                "22P02",
                format!("invalid input syntax for type numeric: \"{text}\""),
            )
        };
        if trimmed.eq_ignore_ascii_case("nan") {
            return Ok(Numeric {
                value: f64::NAN,
                scale: 0,
            });
        }
        let unsigned = trimmed.trim_start_matches(['+', '-']);
        let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
            Some(i) => (
                &unsigned[..i],
                unsigned[i + 1..].parse::<i64>().map_err(|_| invalid())?,
            ),
            None => (unsigned, 0),
        };
        let valid_mantissa = !mantissa.is_empty()
            && mantissa.chars().filter(|c| *c == '.').count() <= 1
            && mantissa.chars().any(|c| c.is_ascii_digit())
            && mantissa.chars().all(|c| c.is_ascii_digit() || c == '.');
        if !valid_mantissa || unsigned.len() + 1 < trimmed.len() {
            return Err(invalid());
        }
        let fraction_digits = mantissa.split_once('.').map_or(0, |(_, f)| f.len()) as i64;
        let value: f64 = trimmed.parse().map_err(|_| invalid())?;
        let scale = (fraction_digits - exponent).clamp(0, 1000) as u32;
        Ok(Numeric { value, scale })
    }

    /// An integer-valued numeric.
    pub fn from_i64(value: i64) -> Numeric {
        Numeric {
            value: value as f64,
            scale: 0,
        }
    }

    /// Converts a `double precision` as `float8_numeric` does: through `%.15g`.
    pub fn from_f64(value: f64) -> Numeric {
        if !value.is_finite() {
            return Numeric { value, scale: 0 };
        }
        if value == 0.0 {
            return Numeric {
                value: 0.0,
                scale: 0,
            };
        }
        let scientific = format!("{value:.14e}");
        let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
        let exponent: i64 = exponent.parse().unwrap_or(0);
        let digits = mantissa.replace(['-', '.'], "");
        let significant = digits.trim_end_matches('0').len().max(1) as i64;
        let scale = (significant - 1 - exponent).max(0) as u32;
        let rounded: f64 = format!("{mantissa}e{exponent}").parse().unwrap_or(value);
        Numeric {
            value: rounded,
            scale,
        }
    }

    /// `round(numeric, digits)`.
    pub fn round(self, digits: i32) -> Numeric {
        let factor = 10f64.powi(digits);
        let scaled = self.value * factor;
        // Round half away from zero, as numeric rounding does.
        let rounded = scaled.round() / factor;
        Numeric {
            value: rounded,
            scale: digits.max(0) as u32,
        }
    }
}

impl fmt::Display for Numeric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.value.is_nan() {
            return f.write_str("NaN");
        }
        if self.value.is_infinite() {
            return f.write_str(if self.value > 0.0 {
                "Infinity"
            } else {
                "-Infinity"
            });
        }
        let text = format!("{:.*}", self.scale as usize, self.value);
        // `numeric` has no negative zero.
        if text.starts_with('-') && text[1..].chars().all(|c| c == '0' || c == '.') {
            return f.write_str(&text[1..]);
        }
        f.write_str(&text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_keep_their_scale() {
        assert_eq!(Numeric::parse("1.0").unwrap().to_string(), "1.0");
        assert_eq!(Numeric::parse("-2.50").unwrap().to_string(), "-2.50");
        assert_eq!(Numeric::parse("1e-3").unwrap().to_string(), "0.001");
        assert!(Numeric::parse("abc").is_err());
    }

    #[test]
    fn floats_convert_through_fifteen_digits() {
        assert_eq!(
            Numeric::from_f64(2f64.sqrt()).to_string(),
            "1.4142135623731"
        );
        assert_eq!(
            Numeric::from_f64(2f64.sqrt()).round(5).to_string(),
            "1.41421"
        );
        assert_eq!(Numeric::from_f64(5.0).to_string(), "5");
    }
}
