//! Hash aggregation: rows are grouped by their key values (in first-seen order) and each
//! aggregate folds its argument; `sum` and `avg` of vectors use `vec-types`'
//! accumulators. A query without `GROUP BY` yields one row even for empty input.

use std::collections::HashMap;

use vec_types::{HalfVectorAccumulator, VectorAccumulator};

use super::query::RowStream;
use super::ExecContext;
use crate::error::{EngineError, Result};
use crate::expr::eval;
use crate::expr::{AggCall, AggKind};
use crate::plan::Aggregation as AggregatePlan;
use crate::storage::Row;
use crate::value::{Array, Datum, Numeric, SqlType};

/// One aggregate's running state.
enum State {
    Count(i64),
    SumInt {
        sum: i128,
        seen: bool,
        wide: bool,
    },
    SumFloat {
        sum: f64,
        seen: bool,
        single: bool,
    },
    SumNumeric {
        sum: f64,
        scale: u32,
        seen: bool,
    },
    AvgNumber {
        sum: f64,
        count: i64,
        float: bool,
        scale: u32,
    },
    Vector(VectorAccumulator, bool),
    HalfVec(HalfVectorAccumulator, bool),
    MinMax {
        best: Option<Datum>,
        max: bool,
    },
    ArrayAgg(Vec<Datum>),
}

impl State {
    fn new(call: &AggCall) -> State {
        use SqlType::*;
        match (call.kind, &call.arg_type) {
            (AggKind::CountStar | AggKind::Count, _) => State::Count(0),
            (AggKind::Sum, Int4 | Int8) => State::SumInt {
                sum: 0,
                seen: false,
                wide: call.arg_type == Int8,
            },
            (AggKind::Sum, Float4 | Float8) => State::SumFloat {
                sum: 0.0,
                seen: false,
                single: call.arg_type == Float4,
            },
            (AggKind::Sum | AggKind::Avg, Vector) => {
                State::Vector(VectorAccumulator::new(), call.kind == AggKind::Avg)
            }
            (AggKind::Sum | AggKind::Avg, HalfVec) => {
                State::HalfVec(HalfVectorAccumulator::new(), call.kind == AggKind::Avg)
            }
            (AggKind::Sum, _) => State::SumNumeric {
                sum: 0.0,
                scale: 0,
                seen: false,
            },
            (AggKind::Avg, t) => State::AvgNumber {
                sum: 0.0,
                count: 0,
                float: matches!(t, Float4 | Float8),
                scale: 0,
            },
            (AggKind::Min, _) => State::MinMax {
                best: None,
                max: false,
            },
            (AggKind::Max, _) => State::MinMax {
                best: None,
                max: true,
            },
            (AggKind::ArrayAgg, _) => State::ArrayAgg(Vec::new()),
        }
    }

    fn add(&mut self, value: Datum, kind: AggKind) -> Result<()> {
        if kind == AggKind::CountStar {
            if let State::Count(n) = self {
                *n += 1;
            }
            return Ok(());
        }
        if let State::ArrayAgg(items) = self {
            items.push(value);
            return Ok(());
        }
        if value.is_null() {
            return Ok(());
        }
        match self {
            State::Count(n) => *n += 1,
            State::SumInt { sum, seen, .. } => {
                *sum += i128::from(match value {
                    Datum::Int4(v) => i64::from(v),
                    Datum::Int8(v) => v,
                    _ => 0,
                });
                *seen = true;
            }
            State::SumFloat { sum, seen, single } => {
                let v = value.as_f64().unwrap_or(0.0);
                *sum = if *single {
                    f64::from(*sum as f32 + v as f32)
                } else {
                    *sum + v
                };
                *seen = true;
            }
            State::SumNumeric { sum, scale, seen } => {
                if let Datum::Numeric(n) = value {
                    *scale = (*scale).max(n.scale);
                }
                *sum += value.as_f64().unwrap_or(0.0);
                *seen = true;
            }
            State::AvgNumber {
                sum, count, scale, ..
            } => {
                if let Datum::Numeric(n) = value {
                    *scale = (*scale).max(n.scale);
                }
                *sum += value.as_f64().unwrap_or(0.0);
                *count += 1;
            }
            State::Vector(acc, _) => {
                if let Datum::Vector(v) = &value {
                    acc.add(v);
                }
            }
            State::HalfVec(acc, _) => {
                if let Datum::HalfVec(v) = &value {
                    acc.add(v);
                }
            }
            State::MinMax { best, max } => {
                let replace = match best {
                    None => true,
                    Some(current) => {
                        let order = value.compare(current);
                        if *max {
                            order.is_gt()
                        } else {
                            order.is_lt()
                        }
                    }
                };
                if replace {
                    *best = Some(value);
                }
            }
            State::ArrayAgg(_) => {}
        }
        Ok(())
    }

    fn finish(self) -> Result<Datum> {
        Ok(match self {
            State::Count(n) => Datum::Int8(n),
            State::SumInt { seen: false, .. }
            | State::SumFloat { seen: false, .. }
            | State::SumNumeric { seen: false, .. } => Datum::Null,
            State::SumInt {
                sum, wide: false, ..
            } => Datum::Int8(
                i64::try_from(sum).map_err(|_| EngineError::new("22003", "bigint out of range"))?,
            ),
            State::SumInt { sum, .. } => Datum::Numeric(Numeric::from_i64(sum as i64)),
            State::SumFloat {
                sum, single: true, ..
            } => Datum::Float4(sum as f32),
            State::SumFloat { sum, .. } => Datum::Float8(sum),
            State::SumNumeric { sum, scale, .. } => Datum::Numeric(Numeric { value: sum, scale }),
            State::AvgNumber { count: 0, .. } => Datum::Null,
            State::AvgNumber {
                sum,
                count,
                float: true,
                ..
            } => Datum::Float8(sum / count as f64),
            State::AvgNumber {
                sum, count, scale, ..
            } => Datum::Numeric(Numeric {
                value: sum / count as f64,
                scale: division_scale(sum, count as f64, scale),
            }),
            State::Vector(acc, true) => acc.avg()?.map_or(Datum::Null, Datum::Vector),
            State::Vector(acc, false) => acc.sum()?.map_or(Datum::Null, Datum::Vector),
            State::HalfVec(acc, true) => acc.avg()?.map_or(Datum::Null, Datum::HalfVec),
            State::HalfVec(acc, false) => acc.sum()?.map_or(Datum::Null, Datum::HalfVec),
            State::MinMax { best, .. } => best.unwrap_or(Datum::Null),
            State::ArrayAgg(items) if items.is_empty() => Datum::Null,
            State::ArrayAgg(items) => Datum::Array(Array::one_dimensional(items)),
        })
    }
}

/// The display scale of `numeric` division, as PostgreSQL's `select_div_scale`
/// computes it: at least 16 significant digits.
fn division_scale(dividend: f64, divisor: f64, input_scale: u32) -> u32 {
    let weight = |x: f64| -> i64 {
        if x.abs() < 1.0 {
            -1
        } else {
            (x.abs().log10().floor() as i64) / 4
        }
    };
    let quotient_weight = weight(dividend) - weight(divisor);
    let scale = 16 - quotient_weight * 4;
    scale.max(i64::from(input_scale)).clamp(0, 1000) as u32
}

/// Groups and aggregates the input rows.
pub fn aggregate(
    plan: &AggregatePlan,
    rows: RowStream<'_>,
    context: &ExecContext<'_>,
) -> Result<Vec<Row>> {
    let mut index: HashMap<Vec<Option<String>>, usize> = HashMap::new();
    let mut groups: Vec<(Row, Vec<State>)> = Vec::new();
    for row in rows {
        let row = row?;
        let mut keys = Vec::with_capacity(plan.group_keys.len());
        for key in &plan.group_keys {
            keys.push(eval(key, &row, context)?);
        }
        let fingerprint: Vec<Option<String>> = keys.iter().map(Datum::to_text).collect();
        let group = match index.get(&fingerprint) {
            Some(&g) => g,
            None => {
                index.insert(fingerprint, groups.len());
                groups.push((keys, plan.calls.iter().map(State::new).collect()));
                groups.len() - 1
            }
        };
        for (call, state) in plan.calls.iter().zip(groups[group].1.iter_mut()) {
            let value = match &call.arg {
                Some(arg) => eval(arg, &row, context)?,
                None => Datum::Null,
            };
            state.add(value, call.kind)?;
        }
    }
    if groups.is_empty() && plan.group_keys.is_empty() {
        groups.push((Vec::new(), plan.calls.iter().map(State::new).collect()));
    }
    let mut out = Vec::with_capacity(groups.len());
    for (mut keys, states) in groups {
        for state in states {
            keys.push(state.finish()?);
        }
        out.push(keys);
    }
    Ok(out)
}
