//! PostgreSQL's trigonometric functions on `double precision`: `sin`, `cos`, `tan`,
//! `cot`, `asin`, `acos`, `atan`, `atan2`, their degree forms (`sind`, `cosd`, `tand`,
//! `cotd`, `asind`, `acosd`, `atand`, `atan2d`), the hyperbolic `sinh`, `cosh`, `tanh`,
//! and `degrees` / `radians`. An infinite argument to a periodic function, or one
//! outside [-1, 1] to an inverse sine or cosine, is PostgreSQL's `input is out of
//! range`; NaN gives NaN.

use super::functions::DatumAccess;
use super::signature::{Imp, Signature};
use crate::error::{EngineError, Result};
use crate::value::{Datum, SqlType};

/// The overloads of the function `name`; empty when it is not one of these.
pub fn candidates(name: &str) -> Vec<Signature> {
    let unary = |imp: Imp| {
        vec![Signature {
            args: vec![SqlType::Float8],
            ret: SqlType::Float8,
            imp,
        }]
    };
    match name {
        "sin" => unary(|a| periodic(a, f64::sin)),
        "cos" => unary(|a| periodic(a, f64::cos)),
        "tan" => unary(|a| periodic(a, f64::tan)),
        "cot" => unary(|a| periodic(a, |x| 1.0 / x.tan())),
        "sind" => unary(|a| periodic(a, sind)),
        "cosd" => unary(|a| periodic(a, cosd)),
        "tand" => unary(|a| periodic(a, |x| tand(x, false))),
        "cotd" => unary(|a| periodic(a, |x| tand(x, true))),
        "asin" => unary(|a| inverse(a, f64::asin)),
        "acos" => unary(|a| inverse(a, f64::acos)),
        "asind" => unary(|a| inverse(a, |x| if x >= 0.0 { asind_q1(x) } else { -asind_q1(-x) })),
        "acosd" => unary(|a| {
            inverse(a, |x| {
                if x >= 0.0 {
                    acosd_q1(x)
                } else {
                    90.0 + asind_q1(-x)
                }
            })
        }),
        "atan" => unary(|a| Ok(Datum::Float8(a[0].float8()?.atan()))),
        "atand" => unary(|a| Ok(Datum::Float8(a[0].float8()?.atan() / 1f64.atan() * 45.0))),
        "sinh" => unary(|a| Ok(Datum::Float8(a[0].float8()?.sinh()))),
        "cosh" => unary(|a| Ok(Datum::Float8(a[0].float8()?.cosh()))),
        "tanh" => unary(|a| Ok(Datum::Float8(a[0].float8()?.tanh()))),
        "degrees" => unary(|a| Ok(Datum::Float8(a[0].float8()? / RADIANS_PER_DEGREE))),
        "radians" => unary(|a| Ok(Datum::Float8(a[0].float8()? * RADIANS_PER_DEGREE))),
        "atan2" | "atan2d" => vec![Signature {
            args: vec![SqlType::Float8, SqlType::Float8],
            ret: SqlType::Float8,
            imp: if name == "atan2" {
                |a| Ok(Datum::Float8(a[0].float8()?.atan2(a[1].float8()?)))
            } else {
                |a| {
                    let angle = a[0].float8()?.atan2(a[1].float8()?);
                    Ok(Datum::Float8(angle / 1f64.atan() * 45.0))
                }
            },
        }],
        _ => Vec::new(),
    }
}

fn out_of_range() -> EngineError {
    EngineError::new("22003", "input is out of range")
}

/// A periodic function: infinity has no value.
fn periodic(args: &[Datum], f: fn(f64) -> f64) -> Result<Datum> {
    let x = args[0].float8()?;
    if x.is_infinite() {
        return Err(out_of_range());
    }
    Ok(Datum::Float8(f(x)))
}

/// An inverse sine or cosine: defined on [-1, 1].
fn inverse(args: &[Datum], f: fn(f64) -> f64) -> Result<Datum> {
    let x = args[0].float8()?;
    if !x.is_nan() && !(-1.0..=1.0).contains(&x) {
        return Err(out_of_range());
    }
    Ok(Datum::Float8(f(x)))
}

/// Radians in a degree, as PostgreSQL writes the constant.
const RADIANS_PER_DEGREE: f64 = 0.017_453_292_519_943_295;

// The degree forms give exact results at the angles where the value is a whole number
// or a half (`sind(30)` is 0.5, `acosd(0.5)` is 60), as PostgreSQL's do: the argument
// is brought into the first quadrant and the result scaled by the function's value at
// such an angle, computed the same way.

fn sind_0_to_30(x: f64) -> f64 {
    (x * RADIANS_PER_DEGREE).sin() / (30.0 * RADIANS_PER_DEGREE).sin() / 2.0
}

fn cosd_0_to_60(x: f64) -> f64 {
    let one_minus_cos_60 = 1.0 - (60.0 * RADIANS_PER_DEGREE).cos();
    1.0 - (1.0 - (x * RADIANS_PER_DEGREE).cos()) / one_minus_cos_60 / 2.0
}

fn sind_q1(x: f64) -> f64 {
    if x <= 30.0 {
        sind_0_to_30(x)
    } else {
        cosd_0_to_60(90.0 - x)
    }
}

fn cosd_q1(x: f64) -> f64 {
    if x <= 60.0 {
        cosd_0_to_60(x)
    } else {
        sind_0_to_30(90.0 - x)
    }
}

/// `x` degrees brought into the first quadrant, and the sign that costs the function:
/// `odd` for a function odd in `x` (sine, tangent), `past_180` and `past_90` for one that
/// changes sign when the angle is reflected about 180° or 90°.
fn first_quadrant(x: f64, odd: bool, past_180: bool, past_90: bool) -> (f64, f64) {
    let (mut x, mut sign) = (x % 360.0, 1.0);
    if x < 0.0 {
        x = -x;
        if odd {
            sign = -sign;
        }
    }
    if x > 180.0 {
        x = 360.0 - x;
        if past_180 {
            sign = -sign;
        }
    }
    if x > 90.0 {
        x = 180.0 - x;
        if past_90 {
            sign = -sign;
        }
    }
    (x, sign)
}

fn sind(x: f64) -> f64 {
    let (x, sign) = first_quadrant(x, true, true, false);
    sign * sind_q1(x)
}

fn cosd(x: f64) -> f64 {
    let (x, sign) = first_quadrant(x, false, false, true);
    sign * cosd_q1(x)
}

/// `tand`, or `cotd` with `cotangent`; never minus zero.
fn tand(x: f64, cotangent: bool) -> f64 {
    let (x, sign) = first_quadrant(x, true, true, true);
    let ratio = |x: f64| match cotangent {
        false => sind_q1(x) / cosd_q1(x),
        true => cosd_q1(x) / sind_q1(x),
    };
    sign * (ratio(x) / ratio(45.0)) + 0.0
}

fn asind_q1(x: f64) -> f64 {
    if x <= 0.5 {
        x.asin() / 0.5f64.asin() * 30.0
    } else {
        90.0 - x.acos() / 0.5f64.acos() * 60.0
    }
}

fn acosd_q1(x: f64) -> f64 {
    if x <= 0.5 {
        90.0 - x.asin() / 0.5f64.asin() * 30.0
    } else {
        x.acos() / 0.5f64.acos() * 60.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(name: &str, args: &[f64]) -> Result<Datum> {
        let args: Vec<Datum> = args.iter().map(|x| Datum::Float8(*x)).collect();
        (candidates(name)[0].imp)(&args)
    }

    #[test]
    fn values_and_ranges() {
        assert_eq!(call("sin", &[1.0]).unwrap(), Datum::Float8(1f64.sin()));
        assert_eq!(call("sind", &[30.0]).unwrap(), Datum::Float8(0.5));
        assert_eq!(call("cosd", &[90.0]).unwrap(), Datum::Float8(0.0));
        assert_eq!(
            call("degrees", &[std::f64::consts::PI]).unwrap(),
            Datum::Float8(180.0)
        );
        assert_eq!(
            call("atan2", &[1.0, 1.0]).unwrap(),
            Datum::Float8(1f64.atan2(1.0))
        );
        assert_eq!(call("asin", &[2.0]).unwrap_err().sqlstate, "22003");
        assert_eq!(call("cos", &[f64::INFINITY]).unwrap_err().sqlstate, "22003");
        assert!(candidates("nope").is_empty());
    }
}
