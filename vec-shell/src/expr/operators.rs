//! The operator catalogue: arithmetic and comparison on the built-in scalar types, and
//! pgvector's operators (`+ - * ||` on vectors, the distance operators `<-> <#> <=> <+>`
//! and `<~> <%>` on bits, and btree comparisons on every vector type).

use std::cmp::Ordering;

use super::functions::DatumAccess;
use super::signature::{Imp, Signature};
use crate::error::{EngineError, Result};
use crate::value::{Datum, Numeric, SqlType};

use SqlType::Vector as Vec_;
use SqlType::{Bit, Bool, Float4, Float8, HalfVec, Int4, Int8, SparseVec, Text, VarBit};

fn sig(args: [SqlType; 2], ret: SqlType, imp: Imp) -> Signature {
    Signature {
        args: args.to_vec(),
        ret,
        imp,
    }
}

fn comparison_types() -> Vec<SqlType> {
    vec![
        Bool,
        Int4,
        Int8,
        Float4,
        Float8,
        SqlType::Numeric,
        Text,
        Vec_,
        HalfVec,
        SparseVec,
        Bit,
        VarBit,
    ]
}

/// Overloads of a binary operator, given the argument types (arrays compare with
/// arrays of the same type).
pub fn binary_candidates(op: &str, left: &SqlType, right: &SqlType) -> Vec<Signature> {
    let compare: Option<Imp> = match op {
        "=" => Some(|a| Ok(Datum::Bool(a[0].compare(&a[1]) == Ordering::Equal))),
        "<>" => Some(|a| Ok(Datum::Bool(a[0].compare(&a[1]) != Ordering::Equal))),
        "<" => Some(|a| Ok(Datum::Bool(a[0].compare(&a[1]) == Ordering::Less))),
        "<=" => Some(|a| Ok(Datum::Bool(a[0].compare(&a[1]) != Ordering::Greater))),
        ">" => Some(|a| Ok(Datum::Bool(a[0].compare(&a[1]) == Ordering::Greater))),
        ">=" => Some(|a| Ok(Datum::Bool(a[0].compare(&a[1]) != Ordering::Less))),
        _ => None,
    };
    if let Some(imp) = compare {
        let mut out: Vec<Signature> = comparison_types()
            .into_iter()
            .map(|t| sig([t.clone(), t], Bool, imp))
            .collect();
        for array in [left, right] {
            if let SqlType::Array(_) = array {
                out.push(sig([array.clone(), array.clone()], Bool, imp));
                break;
            }
        }
        return out;
    }
    match op {
        "+" => {
            let mut out = numeric_arithmetic(op);
            out.push(sig([Vec_, Vec_], Vec_, |a| {
                Ok(Datum::Vector(a[0].vector()?.try_add(a[1].vector()?)?))
            }));
            out.push(sig([HalfVec, HalfVec], HalfVec, |a| {
                Ok(Datum::HalfVec(a[0].halfvec()?.try_add(a[1].halfvec()?)?))
            }));
            out
        }
        "-" => {
            let mut out = numeric_arithmetic(op);
            out.push(sig([Vec_, Vec_], Vec_, |a| {
                Ok(Datum::Vector(a[0].vector()?.try_sub(a[1].vector()?)?))
            }));
            out.push(sig([HalfVec, HalfVec], HalfVec, |a| {
                Ok(Datum::HalfVec(a[0].halfvec()?.try_sub(a[1].halfvec()?)?))
            }));
            out
        }
        "*" => {
            let mut out = numeric_arithmetic(op);
            out.push(sig([Vec_, Vec_], Vec_, |a| {
                Ok(Datum::Vector(a[0].vector()?.try_mul(a[1].vector()?)?))
            }));
            out.push(sig([HalfVec, HalfVec], HalfVec, |a| {
                Ok(Datum::HalfVec(a[0].halfvec()?.try_mul(a[1].halfvec()?)?))
            }));
            out
        }
        "/" | "%" => numeric_arithmetic(op),
        "||" => {
            let mut out = vec![
                sig([Vec_, Vec_], Vec_, |a| {
                    Ok(Datum::Vector(a[0].vector()?.concat(a[1].vector()?)?))
                }),
                sig([HalfVec, HalfVec], HalfVec, |a| {
                    Ok(Datum::HalfVec(a[0].halfvec()?.concat(a[1].halfvec()?)?))
                }),
                sig([Bit, Bit], Bit, |a| {
                    Ok(Datum::Bit(a[0].bit()?.concat(a[1].bit()?)?))
                }),
                sig([VarBit, VarBit], VarBit, |a| {
                    Ok(Datum::Bit(a[0].bit()?.concat(a[1].bit()?)?))
                }),
                sig([Text, Text], Text, |a| {
                    Ok(Datum::Text(format!(
                        "{}{}",
                        a[0].to_text().unwrap_or_default(),
                        a[1].to_text().unwrap_or_default()
                    )))
                }),
            ];
            out.extend(super::text_search::operator_candidates(op));
            out
        }
        "<->" => distance("l2_distance"),
        "<#>" => distance("vector_negative_inner_product"),
        "<=>" => distance("cosine_distance"),
        "<+>" => distance("l1_distance"),
        "<~>" => super::functions::function_candidates("hamming_distance"),
        "<%>" => super::functions::function_candidates("jaccard_distance"),
        "~~" | "~~*" | "!~~" | "!~~*" => super::builtins::like_candidates(op),
        "~" | "~*" | "!~" | "!~*" => super::system::regex_candidates(op),
        "@@" | "&&" => super::text_search::operator_candidates(op),
        _ => Vec::new(),
    }
}

/// A distance operator has the overloads of its distance function.
fn distance(function: &str) -> Vec<Signature> {
    super::functions::function_candidates(function)
}

fn int_range(ty: &SqlType) -> EngineError {
    let name = if *ty == Int8 { "bigint" } else { "integer" };
    EngineError::new("22003", format!("{name} out of range"))
}

fn division_by_zero() -> EngineError {
    EngineError::new("22012", "division by zero")
}

fn numeric_arithmetic(op: &str) -> Vec<Signature> {
    let (i4, i8, f4, f8, num): (Imp, Imp, Imp, Imp, Imp) = match op {
        "+" => (
            |a| int4(a, i32::checked_add),
            |a| int8(a, i64::checked_add),
            |a| float4(a, |x, y| x + y),
            |a| float8(a, |x, y| x + y),
            |a| numeric(a, Numeric::add),
        ),
        "-" => (
            |a| int4(a, i32::checked_sub),
            |a| int8(a, i64::checked_sub),
            |a| float4(a, |x, y| x - y),
            |a| float8(a, |x, y| x - y),
            |a| numeric(a, Numeric::sub),
        ),
        "*" => (
            |a| int4(a, i32::checked_mul),
            |a| int8(a, i64::checked_mul),
            |a| float4(a, |x, y| x * y),
            |a| float8(a, |x, y| x * y),
            |a| numeric(a, Numeric::mul),
        ),
        "/" => (
            |a| divide_int(a, &Int4),
            |a| divide_int(a, &Int8),
            |a| divide_float(a, &Float4),
            |a| divide_float(a, &Float8),
            |a| numeric(a, Numeric::div),
        ),
        _ => (
            |a| modulo(a, &Int4),
            |a| modulo(a, &Int8),
            |_| {
                Err(EngineError::new(
                    "42883",
                    "operator does not exist: real % real",
                ))
            },
            |_| {
                Err(EngineError::new(
                    "42883",
                    "operator does not exist: double precision % double precision",
                ))
            },
            |a| numeric(a, Numeric::rem),
        ),
    };
    let mut out = vec![
        sig([Int4, Int4], Int4, i4),
        sig([Int8, Int8], Int8, i8),
        sig([SqlType::Numeric, SqlType::Numeric], SqlType::Numeric, num),
    ];
    if op != "%" {
        out.push(sig([Float4, Float4], Float4, f4));
        out.push(sig([Float8, Float8], Float8, f8));
    }
    out
}

fn as_i64(d: &Datum) -> i64 {
    match d {
        Datum::Int4(v) => i64::from(*v),
        Datum::Int8(v) => *v,
        // The analyzer casts both sides to an integer type first.
        _ => 0,
    }
}

fn int4(a: &[Datum], f: fn(i32, i32) -> Option<i32>) -> Result<Datum> {
    f(a[0].int4()?, a[1].int4()?)
        .map(Datum::Int4)
        .ok_or_else(|| int_range(&Int4))
}

fn int8(a: &[Datum], f: fn(i64, i64) -> Option<i64>) -> Result<Datum> {
    f(as_i64(&a[0]), as_i64(&a[1]))
        .map(Datum::Int8)
        .ok_or_else(|| int_range(&Int8))
}

fn float4(a: &[Datum], f: fn(f32, f32) -> f32) -> Result<Datum> {
    let (x, y) = (a[0].float8()? as f32, a[1].float8()? as f32);
    let result = f(x, y);
    if result.is_infinite() && x.is_finite() && y.is_finite() {
        return Err(EngineError::new("22003", "value out of range: overflow"));
    }
    Ok(Datum::Float4(result))
}

fn float8(a: &[Datum], f: fn(f64, f64) -> f64) -> Result<Datum> {
    let (x, y) = (a[0].float8()?, a[1].float8()?);
    let result = f(x, y);
    if result.is_infinite() && x.is_finite() && y.is_finite() {
        return Err(EngineError::new("22003", "value out of range: overflow"));
    }
    Ok(Datum::Float8(result))
}

fn numeric(a: &[Datum], f: fn(&Numeric, &Numeric) -> Result<Numeric>) -> Result<Datum> {
    let (x, y) = (a[0].numeric()?, a[1].numeric()?);
    Ok(Datum::Numeric(f(&x, &y)?))
}

fn divide_int(a: &[Datum], ty: &SqlType) -> Result<Datum> {
    let (x, y) = (as_i64(&a[0]), as_i64(&a[1]));
    if y == 0 {
        return Err(division_by_zero());
    }
    let q = x.checked_div(y).ok_or_else(|| int_range(ty))?;
    if *ty == Int4 {
        Ok(Datum::Int4(i32::try_from(q).map_err(|_| int_range(ty))?))
    } else {
        Ok(Datum::Int8(q))
    }
}

fn divide_float(a: &[Datum], ty: &SqlType) -> Result<Datum> {
    let (x, y) = (a[0].float8()?, a[1].float8()?);
    if y == 0.0 {
        return Err(division_by_zero());
    }
    Ok(match ty {
        Float4 => Datum::Float4((x / y) as f32),
        _ => Datum::Float8(x / y),
    })
}

fn modulo(a: &[Datum], ty: &SqlType) -> Result<Datum> {
    let (x, y) = (as_i64(&a[0]), as_i64(&a[1]));
    if y == 0 {
        return Err(division_by_zero());
    }
    let r = x.checked_rem(y).unwrap_or(0);
    Ok(if *ty == Int4 {
        Datum::Int4(r as i32)
    } else {
        Datum::Int8(r)
    })
}

/// Overloads of a prefix operator (`-`, `+`).
pub fn unary_candidates(op: &str) -> Vec<Signature> {
    let one = |t: SqlType, imp: Imp| Signature {
        args: vec![t.clone()],
        ret: t,
        imp,
    };
    match op {
        "-" => vec![
            one(Int4, |a| {
                a[0].int4()?
                    .checked_neg()
                    .map(Datum::Int4)
                    .ok_or_else(|| int_range(&Int4))
            }),
            one(Int8, |a| {
                as_i64(&a[0])
                    .checked_neg()
                    .map(Datum::Int8)
                    .ok_or_else(|| int_range(&Int8))
            }),
            one(Float4, |a| Ok(Datum::Float4(-(a[0].float8()? as f32)))),
            one(Float8, |a| Ok(Datum::Float8(-a[0].float8()?))),
            one(SqlType::Numeric, |a| {
                Ok(Datum::Numeric(a[0].numeric()?.neg()))
            }),
        ],
        "+" => vec![
            one(Int4, |a| Ok(a[0].clone())),
            one(Int8, |a| Ok(a[0].clone())),
            one(Float4, |a| Ok(a[0].clone())),
            one(Float8, |a| Ok(a[0].clone())),
            one(SqlType::Numeric, |a| Ok(a[0].clone())),
        ],
        _ => Vec::new(),
    }
}
