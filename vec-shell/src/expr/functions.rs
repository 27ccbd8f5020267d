//! The scalar function catalogue: each SQL function's overloads with argument and result
//! types and the Rust that computes it. pgvector's functions call `vec-types`.

use vec_types::{vector, AvgState, HalfVector, Vector};

use super::signature::{Imp, Signature};
use crate::error::{EngineError, Result};
use crate::value::{Array, Datum, Numeric, SqlType};

use SqlType::Vector as Vec_;
use SqlType::{Bit, Float8, HalfVec, Int4, SparseVec};

fn sig(args: &[SqlType], ret: SqlType, imp: Imp) -> Signature {
    Signature {
        args: args.to_vec(),
        ret,
        imp,
    }
}

fn f8_array() -> SqlType {
    SqlType::Array(Box::new(Float8))
}

/// Overloads of the function `name` (empty when there is no such function).
pub fn function_candidates(name: &str) -> Vec<Signature> {
    match name {
        "l2_distance"
        | "inner_product"
        | "cosine_distance"
        | "l1_distance"
        | "vector_negative_inner_product"
        | "l2_squared_distance" => distance_candidates(name),
        "vector_dims" => vec![
            sig(&[Vec_], Int4, |a| {
                Ok(Datum::Int4(dims(a[0].vector()?.dims())))
            }),
            sig(&[HalfVec], Int4, |a| {
                Ok(Datum::Int4(dims(a[0].halfvec()?.dims())))
            }),
        ],
        "vector_norm" => vec![sig(&[Vec_], Float8, |a| {
            Ok(Datum::Float8(a[0].vector()?.norm()))
        })],
        "l2_norm" => vec![
            sig(&[HalfVec], Float8, |a| {
                Ok(Datum::Float8(a[0].halfvec()?.l2_norm()))
            }),
            sig(&[SparseVec], Float8, |a| {
                Ok(Datum::Float8(a[0].sparsevec()?.l2_norm()))
            }),
        ],
        "l2_normalize" => vec![
            sig(&[Vec_], Vec_, |a| {
                Ok(Datum::Vector(a[0].vector()?.l2_normalize()?))
            }),
            sig(&[HalfVec], HalfVec, |a| {
                Ok(Datum::HalfVec(a[0].halfvec()?.l2_normalize()?))
            }),
            sig(&[SparseVec], SparseVec, |a| {
                Ok(Datum::SparseVec(a[0].sparsevec()?.l2_normalize()?))
            }),
        ],
        "binary_quantize" => vec![
            sig(&[Vec_], Bit, |a| {
                Ok(Datum::Bit(a[0].vector()?.binary_quantize()))
            }),
            sig(&[HalfVec], Bit, |a| {
                Ok(Datum::Bit(a[0].halfvec()?.binary_quantize()))
            }),
        ],
        "subvector" => vec![
            sig(&[Vec_, Int4, Int4], Vec_, |a| {
                Ok(Datum::Vector(
                    a[0].vector()?.subvector(a[1].int4()?, a[2].int4()?)?,
                ))
            }),
            sig(&[HalfVec, Int4, Int4], HalfVec, |a| {
                Ok(Datum::HalfVec(
                    a[0].halfvec()?.subvector(a[1].int4()?, a[2].int4()?)?,
                ))
            }),
        ],
        "hamming_distance" => vec![sig(&[Bit, Bit], Float8, |a| {
            Ok(Datum::Float8(a[0].bit()?.hamming_distance(a[1].bit()?)?))
        })],
        "jaccard_distance" => vec![sig(&[Bit, Bit], Float8, |a| {
            Ok(Datum::Float8(a[0].bit()?.jaccard_distance(a[1].bit()?)?))
        })],
        "vector_cmp" => vec![sig(&[Vec_, Vec_], Int4, |a| {
            Ok(Datum::Int4(a[0].vector()?.compare(a[1].vector()?) as i32))
        })],
        "halfvec_cmp" => vec![sig(&[HalfVec, HalfVec], Int4, |a| {
            Ok(Datum::Int4(a[0].halfvec()?.compare(a[1].halfvec()?) as i32))
        })],
        "sparsevec_cmp" => vec![sig(&[SparseVec, SparseVec], Int4, |a| {
            Ok(Datum::Int4(a[0].sparsevec()?.cmp(a[1].sparsevec()?) as i32))
        })],
        "vector_avg" => vec![sig(&[f8_array()], Vec_, |a| {
            let state = avg_state("vector_avg", &a[0])?;
            Ok(vector::vector_avg(&state)?.map_or(Datum::Null, Datum::Vector))
        })],
        "halfvec_avg" => vec![sig(&[f8_array()], HalfVec, |a| {
            let state = avg_state("halfvec_avg", &a[0])?;
            Ok(vec_types::halfvec::halfvec_avg(&state)?.map_or(Datum::Null, Datum::HalfVec))
        })],
        "vector_accum" => vec![sig(&[f8_array(), Vec_], f8_array(), |a| {
            let state = avg_state("vector_accum", &a[0])?;
            Ok(state_datum(&vector::vector_accum(&state, a[1].vector()?)?))
        })],
        "halfvec_accum" => vec![sig(&[f8_array(), HalfVec], f8_array(), |a| {
            let state = avg_state("halfvec_accum", &a[0])?;
            let value: &HalfVector = a[1].halfvec()?;
            Ok(state_datum(&vec_types::halfvec::halfvec_accum(
                &state, value,
            )?))
        })],
        "vector_combine" | "halfvec_combine" => {
            vec![sig(&[f8_array(), f8_array()], f8_array(), |a| {
                let left = avg_state("vector_combine", &a[0])?;
                let right = avg_state("vector_combine", &a[1])?;
                Ok(state_datum(&left.combine(&right)?))
            })]
        }
        "array_to_vector" => array_to("vector"),
        "array_to_halfvec" => array_to("halfvec"),
        "array_to_sparsevec" => array_to("sparsevec"),
        "round" => vec![
            sig(&[SqlType::Numeric, Int4], SqlType::Numeric, |a| {
                Ok(Datum::Numeric(a[0].numeric()?.round(a[1].int4()?)))
            }),
            sig(&[SqlType::Numeric], SqlType::Numeric, |a| {
                Ok(Datum::Numeric(a[0].numeric()?.round(0)))
            }),
            sig(&[Float8], Float8, |a| {
                Ok(Datum::Float8(a[0].float8()?.round_ties_even()))
            }),
            // An integer argument takes the `double precision` form, as in PostgreSQL.
            sig(&[SqlType::Int8], Float8, |a| {
                Ok(Datum::Float8(a[0].float8()?.round_ties_even()))
            }),
        ],
        "abs" => vec![
            sig(&[Int4], Int4, |a| {
                a[0].int4()?
                    .checked_abs()
                    .map(Datum::Int4)
                    .ok_or_else(int_range)
            }),
            sig(&[SqlType::Int8], SqlType::Int8, |a| match a[0] {
                Datum::Int8(v) => v
                    .checked_abs()
                    .map(Datum::Int8)
                    .ok_or_else(|| EngineError::new("22003", "bigint out of range")),
                _ => Err(mismatch("bigint")),
            }),
            sig(&[SqlType::Numeric], SqlType::Numeric, |a| {
                Ok(Datum::Numeric(a[0].numeric()?.abs()))
            }),
            sig(&[Float8], Float8, |a| {
                Ok(Datum::Float8(a[0].float8()?.abs()))
            }),
        ],
        "sqrt" => vec![sig(&[Float8], Float8, |a| {
            Ok(Datum::Float8(a[0].float8()?.sqrt()))
        })],
        "array_fill" => vec![sig(
            &[Int4, SqlType::Array(Box::new(Int4))],
            SqlType::Array(Box::new(Int4)),
            array_fill,
        )],
        "array_length" => vec![sig(
            &[SqlType::Array(Box::new(SqlType::Unknown)), Int4],
            Int4,
            |a| {
                let Datum::Array(array) = &a[0] else {
                    return Ok(Datum::Null);
                };
                let dim = a[1].int4()?;
                Ok(usize::try_from(dim - 1)
                    .ok()
                    .and_then(|d| array.dims.get(d))
                    .map_or(Datum::Null, |n| Datum::Int4(dims(*n))))
            },
        )],
        "sin" | "cos" | "tan" | "cot" | "sind" | "cosd" | "tand" | "cotd" | "asin" | "acos"
        | "asind" | "acosd" | "atan" | "atand" | "atan2" | "atan2d" | "sinh" | "cosh" | "tanh"
        | "degrees" | "radians" => super::trig::candidates(name),
        other => super::builtins::candidates(other),
    }
}

fn distance_candidates(name: &str) -> Vec<Signature> {
    let (v, h, s): (Imp, Imp, Imp) = match name {
        "l2_distance" => (
            |a| Ok(Datum::Float8(a[0].vector()?.l2_distance(a[1].vector()?)?)),
            |a| Ok(Datum::Float8(a[0].halfvec()?.l2_distance(a[1].halfvec()?)?)),
            |a| {
                Ok(Datum::Float8(
                    a[0].sparsevec()?.l2_distance(a[1].sparsevec()?)?,
                ))
            },
        ),
        "inner_product" => (
            |a| Ok(Datum::Float8(a[0].vector()?.inner_product(a[1].vector()?)?)),
            |a| {
                Ok(Datum::Float8(
                    a[0].halfvec()?.inner_product(a[1].halfvec()?)?,
                ))
            },
            |a| {
                Ok(Datum::Float8(
                    a[0].sparsevec()?.inner_product(a[1].sparsevec()?)?,
                ))
            },
        ),
        "cosine_distance" => (
            |a| {
                Ok(Datum::Float8(
                    a[0].vector()?.cosine_distance(a[1].vector()?)?,
                ))
            },
            |a| {
                Ok(Datum::Float8(
                    a[0].halfvec()?.cosine_distance(a[1].halfvec()?)?,
                ))
            },
            |a| {
                Ok(Datum::Float8(
                    a[0].sparsevec()?.cosine_distance(a[1].sparsevec()?)?,
                ))
            },
        ),
        "l1_distance" => (
            |a| Ok(Datum::Float8(a[0].vector()?.l1_distance(a[1].vector()?)?)),
            |a| Ok(Datum::Float8(a[0].halfvec()?.l1_distance(a[1].halfvec()?)?)),
            |a| {
                Ok(Datum::Float8(
                    a[0].sparsevec()?.l1_distance(a[1].sparsevec()?)?,
                ))
            },
        ),
        "l2_squared_distance" => (
            |a| {
                Ok(Datum::Float8(
                    a[0].vector()?.l2_squared_distance(a[1].vector()?)?,
                ))
            },
            |a| {
                Ok(Datum::Float8(
                    a[0].halfvec()?.l2_squared_distance(a[1].halfvec()?)?,
                ))
            },
            |a| {
                Ok(Datum::Float8(
                    a[0].sparsevec()?.l2_squared_distance(a[1].sparsevec()?)?,
                ))
            },
        ),
        _ => (
            |a| {
                Ok(Datum::Float8(
                    a[0].vector()?.negative_inner_product(a[1].vector()?)?,
                ))
            },
            |a| {
                Ok(Datum::Float8(
                    a[0].halfvec()?.negative_inner_product(a[1].halfvec()?)?,
                ))
            },
            |a| {
                Ok(Datum::Float8(
                    a[0].sparsevec()?
                        .negative_inner_product(a[1].sparsevec()?)?,
                ))
            },
        ),
    };
    vec![
        sig(&[Vec_, Vec_], Float8, v),
        sig(&[HalfVec, HalfVec], Float8, h),
        sig(&[SparseVec, SparseVec], Float8, s),
    ]
}

/// pgvector's `array_to_vector(array, typmod, explicit)` and its siblings, for each
/// array element type.
fn array_to(target: &str) -> Vec<Signature> {
    let (ret, imp): (SqlType, Imp) = match target {
        "vector" => (Vec_, |a| array_cast(a, &Vec_)),
        "halfvec" => (HalfVec, |a| array_cast(a, &HalfVec)),
        _ => (SparseVec, |a| array_cast(a, &SparseVec)),
    };
    [Int4, SqlType::Float4, Float8, SqlType::Numeric]
        .into_iter()
        .map(|element| {
            sig(
                &[SqlType::Array(Box::new(element)), Int4, SqlType::Bool],
                ret.clone(),
                imp,
            )
        })
        .collect()
}

fn array_cast(args: &[Datum], target: &SqlType) -> Result<Datum> {
    let Datum::Array(array) = &args[0] else {
        return Ok(Datum::Null);
    };
    let element = match array.elements.iter().find(|d| !d.is_null()) {
        Some(Datum::Int4(_)) => Int4,
        Some(Datum::Float4(_)) => SqlType::Float4,
        Some(Datum::Numeric(_)) => SqlType::Numeric,
        _ => Float8,
    };
    let from = SqlType::Array(Box::new(element));
    crate::value::cast::cast(args[0].clone(), &from, target, args[1].int4()?)
}

fn dims(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

fn int_range() -> EngineError {
    EngineError::new("22003", "integer out of range")
}

/// Reads a `double precision[]` aggregate state.
fn avg_state(caller: &'static str, datum: &Datum) -> Result<AvgState> {
    let Datum::Array(array) = datum else {
        return Err(EngineError::internal("expected an array state"));
    };
    let elements: Vec<Option<f64>> = array.elements.iter().map(Datum::as_f64).collect();
    Ok(AvgState::from_array(caller, array.dims.len(), &elements)?)
}

fn state_datum(state: &AvgState) -> Datum {
    Datum::Array(Array::one_dimensional(
        state.to_array().into_iter().map(Datum::Float8).collect(),
    ))
}

fn array_fill(args: &[Datum]) -> Result<Datum> {
    let value = args[0].clone();
    let Datum::Array(lengths) = &args[1] else {
        return Ok(Datum::Null);
    };
    let mut dims_out = Vec::new();
    let mut total = 1usize;
    for length in &lengths.elements {
        let n = usize::try_from(length.int4()?).map_err(|_| {
            EngineError::new(
                "2202E",
                "array size exceeds the maximum allowed (134217727)",
            )
        })?;
        total = total.saturating_mul(n);
        dims_out.push(n);
    }
    if total > 134_217_727 {
        return Err(EngineError::new(
            "54000",
            "array size exceeds the maximum allowed (134217727)",
        ));
    }
    if total == 0 {
        dims_out.clear();
    }
    Ok(Datum::Array(Array {
        dims: dims_out,
        elements: vec![value; if total == 0 { 0 } else { total }],
    }))
}

/// Typed access to a datum's payload; a mismatch is an internal error, never a panic.
pub trait DatumAccess {
    /// The `vector` payload.
    fn vector(&self) -> Result<&Vector>;
    /// The `halfvec` payload.
    fn halfvec(&self) -> Result<&HalfVector>;
    /// The `sparsevec` payload.
    fn sparsevec(&self) -> Result<&vec_types::SparseVector>;
    /// The `bit` payload.
    fn bit(&self) -> Result<&vec_types::BitVector>;
    /// The `integer` payload.
    fn int4(&self) -> Result<i32>;
    /// The `double precision` payload.
    fn float8(&self) -> Result<f64>;
    /// The `numeric` payload.
    fn numeric(&self) -> Result<Numeric>;
}

fn mismatch(expected: &str) -> EngineError {
    EngineError::internal(format!("expected a value of type {expected}"))
}

impl DatumAccess for Datum {
    fn vector(&self) -> Result<&Vector> {
        match self {
            Datum::Vector(v) => Ok(v),
            _ => Err(mismatch("vector")),
        }
    }
    fn halfvec(&self) -> Result<&HalfVector> {
        match self {
            Datum::HalfVec(v) => Ok(v),
            _ => Err(mismatch("halfvec")),
        }
    }
    fn sparsevec(&self) -> Result<&vec_types::SparseVector> {
        match self {
            Datum::SparseVec(v) => Ok(v),
            _ => Err(mismatch("sparsevec")),
        }
    }
    fn bit(&self) -> Result<&vec_types::BitVector> {
        match self {
            Datum::Bit(v) => Ok(v),
            _ => Err(mismatch("bit")),
        }
    }
    fn int4(&self) -> Result<i32> {
        match self {
            Datum::Int4(v) => Ok(*v),
            _ => Err(mismatch("integer")),
        }
    }
    fn float8(&self) -> Result<f64> {
        self.as_f64().ok_or_else(|| mismatch("double precision"))
    }
    fn numeric(&self) -> Result<Numeric> {
        match self {
            Datum::Numeric(v) => Ok(v.clone()),
            Datum::Int4(v) => Ok(Numeric::from_i64(i64::from(*v))),
            Datum::Int8(v) => Ok(Numeric::from_i64(*v)),
            Datum::Float4(v) => Ok(Numeric::from_f32(*v)),
            other => other
                .as_f64()
                .map(Numeric::from_f64)
                .ok_or_else(|| mismatch("numeric")),
        }
    }
}
