//! Arithmetic on `numeric` as PostgreSQL 15 does it: exact sums, differences and
//! products (a product's scale is the sum of the scales, rounded to 16383 digits),
//! quotients rounded at the scale `select_div_scale` picks, truncated remainders,
//! `round`/`trunc` half away from zero, `ceil`, `floor`, `abs`, `sign`, and the
//! `numeric(p,s)` type modifier. The special values follow PostgreSQL's rules
//! (`Infinity - Infinity` is `NaN`, `x / Infinity` is 0, anything with `NaN` is `NaN`).

use std::cmp::Ordering;

use num_bigint::BigInt;
use num_traits::{One, Signed, Zero};

use super::{digit_count, pow10, Numeric, Repr, MAX_SCALE};
use crate::error::{EngineError, Result};

/// The least significant digits a quotient gets (`NUMERIC_MIN_SIG_DIGITS`).
const MIN_SIG_DIGITS: i64 = 16;
/// The largest scale division picks (`NUMERIC_MAX_DISPLAY_SCALE`).
const MAX_DISPLAY_SCALE: i64 = 1000;
/// The range `round` and `trunc` clamp their scale to (`NUMERIC_MAX_RESULT_SCALE`).
const MAX_RESULT_SCALE: i32 = 2000;
/// The largest precision `numeric(p,s)` takes.
const MAX_PRECISION: i64 = 1000;

fn division_by_zero() -> EngineError {
    EngineError::new("22012", "division by zero")
}

/// `n / d` rounded half away from zero.
fn div_round(n: &BigInt, d: &BigInt) -> BigInt {
    let (q, r) = (n / d, n % d);
    if (r.abs() * 2u8) >= d.abs() {
        if n.is_negative() == d.is_negative() {
            q + 1u8
        } else {
            q - 1u8
        }
    } else {
        q
    }
}

/// Brings a mantissa at scale `from` to scale `to` (exact when `to >= from`).
fn rescale(mantissa: &BigInt, from: u32, to: u32) -> BigInt {
    match to.cmp(&from) {
        Ordering::Equal => mantissa.clone(),
        Ordering::Greater => mantissa * pow10(u64::from(to - from)),
        Ordering::Less => mantissa / pow10(u64::from(from - to)),
    }
}

impl Numeric {
    fn zero(scale: u32) -> Numeric {
        Numeric(Repr::Finite {
            mantissa: BigInt::zero(),
            scale,
        })
    }

    /// -1, 0 or 1 by sign (NaN counts as 0 here; callers handle it first).
    fn signum(&self) -> i32 {
        match &self.0 {
            Repr::Infinity => 1,
            Repr::NegInfinity => -1,
            Repr::NaN => 0,
            Repr::Finite { mantissa, .. } => {
                if mantissa.is_zero() {
                    0
                } else if mantissa.is_negative() {
                    -1
                } else {
                    1
                }
            }
        }
    }

    /// `self + other`.
    pub fn add(&self, other: &Numeric) -> Result<Numeric> {
        match (&self.0, &other.0) {
            (Repr::NaN, _) | (_, Repr::NaN) => Ok(Numeric::nan()),
            (Repr::Infinity, Repr::NegInfinity) | (Repr::NegInfinity, Repr::Infinity) => {
                Ok(Numeric::nan())
            }
            (Repr::Infinity | Repr::NegInfinity, _) => Ok(self.clone()),
            (_, Repr::Infinity | Repr::NegInfinity) => Ok(other.clone()),
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
                let scale = (*sa).max(*sb);
                Numeric::finite(rescale(a, *sa, scale) + rescale(b, *sb, scale), scale)
            }
        }
    }

    /// `self - other`.
    pub fn sub(&self, other: &Numeric) -> Result<Numeric> {
        self.add(&other.neg())
    }

    /// `-self`.
    pub fn neg(&self) -> Numeric {
        match &self.0 {
            Repr::NaN => Numeric::nan(),
            Repr::Infinity => Numeric::infinity(true),
            Repr::NegInfinity => Numeric::infinity(false),
            Repr::Finite { mantissa, scale } => Numeric(Repr::Finite {
                mantissa: -mantissa,
                scale: *scale,
            }),
        }
    }

    /// `abs(self)`.
    pub fn abs(&self) -> Numeric {
        if self.signum() < 0 {
            self.neg()
        } else {
            self.clone()
        }
    }

    /// `sign(self)`: -1, 0 or 1 (NaN stays NaN).
    pub fn sign(&self) -> Numeric {
        if self.is_nan() {
            return Numeric::nan();
        }
        Numeric::from_i64(i64::from(self.signum()))
    }

    /// `self * other`.
    pub fn mul(&self, other: &Numeric) -> Result<Numeric> {
        match (&self.0, &other.0) {
            (Repr::NaN, _) | (_, Repr::NaN) => Ok(Numeric::nan()),
            (Repr::Finite { .. }, Repr::Finite { .. }) => {
                let (a, sa) = self.parts().unwrap_or((&BigInt::ZERO, 0));
                let (b, sb) = other.parts().unwrap_or((&BigInt::ZERO, 0));
                let mut product = Numeric(Repr::Finite {
                    mantissa: a * b,
                    scale: sa + sb,
                });
                if sa + sb > MAX_SCALE {
                    product = product.to_scale(MAX_SCALE as i32, true);
                }
                let Repr::Finite { mantissa, scale } = product.0 else {
                    return Ok(Numeric::nan());
                };
                Numeric::finite(mantissa, scale)
            }
            _ => match self.signum() * other.signum() {
                0 => Ok(Numeric::nan()),
                sign => Ok(Numeric::infinity(sign < 0)),
            },
        }
    }

    /// `self / other`, at `select_div_scale`'s scale.
    pub fn div(&self, other: &Numeric) -> Result<Numeric> {
        match (&self.0, &other.0) {
            (Repr::NaN, _) | (_, Repr::NaN) => Ok(Numeric::nan()),
            (Repr::Finite { .. }, Repr::Infinity | Repr::NegInfinity) => Ok(Numeric::zero(0)),
            (Repr::Infinity | Repr::NegInfinity, Repr::Infinity | Repr::NegInfinity) => {
                Ok(Numeric::nan())
            }
            (Repr::Infinity | Repr::NegInfinity, _) => match other.signum() {
                0 => Err(division_by_zero()),
                sign => Ok(Numeric::infinity(self.signum() * sign < 0)),
            },
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
                if b.is_zero() {
                    return Err(division_by_zero());
                }
                let rscale = select_div_scale(self, other);
                // a/10^sa ÷ b/10^sb at scale r: a·10^(r + sb − sa) / b.
                let shift = i64::from(rscale) + i64::from(*sb) - i64::from(*sa);
                let quotient = if shift >= 0 {
                    div_round(&(a * pow10(shift as u64)), b)
                } else {
                    div_round(a, &(b * pow10(shift.unsigned_abs())))
                };
                Numeric::finite(quotient, rscale)
            }
        }
    }

    /// `self % other`: the remainder of truncated division, at the larger scale.
    pub fn rem(&self, other: &Numeric) -> Result<Numeric> {
        match (&self.0, &other.0) {
            (Repr::NaN, _) | (_, Repr::NaN) => Ok(Numeric::nan()),
            (Repr::Infinity | Repr::NegInfinity, _) => {
                if other.signum() == 0 {
                    Err(division_by_zero())
                } else {
                    Ok(Numeric::nan())
                }
            }
            (_, Repr::Infinity | Repr::NegInfinity) => Ok(self.clone()),
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
                if b.is_zero() {
                    return Err(division_by_zero());
                }
                let scale = (*sa).max(*sb);
                Numeric::finite(rescale(a, *sa, scale) % rescale(b, *sb, scale), scale)
            }
        }
    }

    /// Rounds (half away from zero) or truncates to `digits` after the point (before
    /// it when negative); the result's scale is `max(digits, 0)`.
    fn to_scale(&self, digits: i32, round: bool) -> Numeric {
        let Repr::Finite { mantissa, scale } = &self.0 else {
            return self.clone();
        };
        let target = digits.max(0) as u32;
        if i64::from(digits) >= i64::from(*scale) {
            return Numeric(Repr::Finite {
                mantissa: rescale(mantissa, *scale, target),
                scale: target,
            });
        }
        // Drop `cut` digits, then scale back up to `target`.
        let cut = (i64::from(*scale) - i64::from(digits)) as u64;
        let kept = if cut > digit_count(mantissa) + 1 {
            BigInt::zero()
        } else {
            let divisor = pow10(cut);
            if round {
                div_round(mantissa, &divisor)
            } else {
                mantissa / &divisor
            }
        };
        let up = i64::from(target) - i64::from(digits);
        Numeric(Repr::Finite {
            mantissa: if up > 0 {
                kept * pow10(up as u64)
            } else {
                kept
            },
            scale: target,
        })
    }

    /// `round(self, digits)`, half away from zero (`digits` clamped to ±2000).
    pub fn round(&self, digits: i32) -> Numeric {
        self.to_scale(digits.clamp(-MAX_RESULT_SCALE, MAX_RESULT_SCALE), true)
    }

    /// `trunc(self, digits)` (`digits` clamped to ±2000).
    pub fn trunc(&self, digits: i32) -> Numeric {
        self.to_scale(digits.clamp(-MAX_RESULT_SCALE, MAX_RESULT_SCALE), false)
    }

    /// Truncates to exactly `scale` digits after the point (a display scale up to
    /// 16383, as the binary input format carries).
    pub fn truncate_to_scale(&self, scale: u32) -> Numeric {
        self.to_scale(scale.min(MAX_SCALE) as i32, false)
    }

    /// `ceil(self)`.
    pub fn ceil(&self) -> Numeric {
        self.to_integral(true)
    }

    /// `floor(self)`.
    pub fn floor(&self) -> Numeric {
        self.to_integral(false)
    }

    fn to_integral(&self, up: bool) -> Numeric {
        let truncated = self.trunc(0);
        let Some((m, _)) = truncated.parts() else {
            return truncated;
        };
        let had_fraction = self.compare(&truncated) != Ordering::Equal;
        let step = match (had_fraction, up, self.signum()) {
            (true, true, 1) => BigInt::one(),
            (true, false, -1) => -BigInt::one(),
            _ => return truncated,
        };
        Numeric(Repr::Finite {
            mantissa: m + step,
            scale: 0,
        })
    }

    /// Applies a `numeric(p,s)` modifier (PostgreSQL's `apply_typmod`): rounds to the
    /// scale and refuses a value with too many digits before the point.
    pub fn apply_typmod(&self, typmod: i32) -> Result<Numeric> {
        let Some((precision, scale)) = decode_typmod(typmod) else {
            return Ok(self.clone());
        };
        let overflow_error = |detail: String| {
            EngineError::new("22003", "numeric field overflow").with_detail(detail)
        };
        if self.infinite_sign().is_some() {
            return Err(overflow_error(format!(
                "A field with precision {precision}, scale {scale} cannot hold an infinite value."
            )));
        }
        let rounded = self.round(scale);
        let Some((mantissa, dscale)) = rounded.parts() else {
            return Ok(rounded);
        };
        let max_digits = precision - scale;
        let integer_digits = digit_count(mantissa) as i64 - i64::from(dscale);
        if !mantissa.is_zero() && integer_digits > i64::from(max_digits) {
            let bound = if max_digits == 0 {
                "1".to_string()
            } else {
                format!("10^{max_digits}")
            };
            return Err(overflow_error(format!(
                "A field with precision {precision}, scale {scale} must round to an absolute value less than {bound}."
            )));
        }
        Ok(rounded)
    }
}

/// PostgreSQL's `select_div_scale`: at least 16 significant digits, no fewer than either
/// input's scale, at most 1000.
fn select_div_scale(a: &Numeric, b: &Numeric) -> u32 {
    let (weight1, first1) = base_10000_lead(a);
    let (weight2, first2) = base_10000_lead(b);
    let mut qweight = weight1 - weight2;
    if first1 <= first2 {
        qweight -= 1;
    }
    let rscale = (MIN_SIG_DIGITS - qweight * 4)
        .max(i64::from(a.scale()))
        .max(i64::from(b.scale()))
        .clamp(0, MAX_DISPLAY_SCALE);
    rscale as u32
}

/// The weight and first digit of a value in PostgreSQL's base-10000 form (0, 0 for zero).
fn base_10000_lead(n: &Numeric) -> (i64, u64) {
    let Some((mantissa, scale)) = n.parts() else {
        return (0, 0);
    };
    if mantissa.is_zero() {
        return (0, 0);
    }
    let digits = digit_count(mantissa) as i64;
    // The leading digit stands for 10^exponent.
    let exponent = digits - 1 - i64::from(scale);
    let weight = exponent.div_euclid(4);
    let lead_digits = exponent.rem_euclid(4) + 1;
    // Short values are padded with zeros on the right (0.001 is 0.0010 in base 10000).
    let lead = if digits >= lead_digits {
        mantissa.magnitude() / pow10((digits - lead_digits) as u64).magnitude()
    } else {
        mantissa.magnitude() * pow10((lead_digits - digits) as u64).magnitude()
    };
    (weight, u64::try_from(lead).unwrap_or(0))
}

/// Decodes a `numeric(p,s)` type modifier into precision and scale.
pub fn decode_typmod(typmod: i32) -> Option<(i32, i32)> {
    if typmod < 4 {
        return None;
    }
    let raw = typmod - 4;
    let precision = (raw >> 16) & 0xffff;
    let scale = ((raw & 0x7ff) ^ 1024) - 1024;
    Some((precision, scale))
}

/// Encodes `numeric(p[,s])` modifiers as `numerictypmodin` does, with its errors.
pub fn encode_typmod(modifiers: &[i64]) -> Result<i32> {
    let (precision, scale) = match modifiers {
        [p] => (*p, 0),
        [p, s] => (*p, *s),
        _ => return Err(EngineError::new("22023", "invalid NUMERIC type modifier")),
    };
    if !(1..=MAX_PRECISION).contains(&precision) {
        return Err(EngineError::new(
            "22023",
            format!("NUMERIC precision {precision} must be between 1 and {MAX_PRECISION}"),
        ));
    }
    if !(-MAX_PRECISION..=MAX_PRECISION).contains(&scale) {
        return Err(EngineError::new(
            "22023",
            format!("NUMERIC scale {scale} must be between -{MAX_PRECISION} and {MAX_PRECISION}"),
        ));
    }
    Ok((((precision as i32) << 16) | ((scale as i32) & 0x7ff)) + 4)
}
