//! Hash aggregation: rows are grouped by their key values (in first-seen order) and each
//! aggregate folds its argument (the rows its `FILTER` passes; with `DISTINCT` or
//! `ORDER BY` in the call, the group's values are kept, sorted and made distinct first);
//! `sum` and `avg` of vectors use `vec-types`' accumulators. A query without `GROUP BY`
//! yields one row even for empty input. Groups past `work_mem` × 2 spill: the rows of
//! groups not yet in the table go to temporary files by key hash and are aggregated file
//! by file afterwards ([`aggregate`]).

use std::collections::HashMap;

use vec_types::{HalfVectorAccumulator, VectorAccumulator};

use super::query::RowStream;
use super::spill::{file_rows, row_bytes, write_row};
use super::ExecContext;
use crate::error::{EngineError, Result};
use crate::expr::eval;
use crate::expr::{AggCall, AggKind};
use crate::plan::Aggregation as AggregatePlan;
use crate::storage::Row;
use crate::value::numeric::NumericSum;
use crate::value::{Array, Datum, Numeric, SqlType};

/// One aggregate's running state.
#[derive(Clone)]
enum State {
    Count(i64),
    SumInt { sum: i128, seen: bool, wide: bool },
    SumFloat { sum: f64, seen: bool, single: bool },
    SumNumeric(NumericSum),
    AvgInt { sum: i128, count: i64 },
    AvgFloat { sum: f64, count: i64 },
    AvgNumeric(NumericSum),
    Vector(VectorAccumulator, bool),
    HalfVec(HalfVectorAccumulator, bool),
    MinMax { best: Option<Datum>, max: bool },
    ArrayAgg(Vec<Datum>),
    StringAgg(Option<String>),
    Bool { value: Option<bool>, and: bool },
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
            (AggKind::Sum, _) => State::SumNumeric(NumericSum::new()),
            (AggKind::Avg, Int4 | Int8) => State::AvgInt { sum: 0, count: 0 },
            (AggKind::Avg, Float4 | Float8) => State::AvgFloat { sum: 0.0, count: 0 },
            (AggKind::Avg, _) => State::AvgNumeric(NumericSum::new()),
            (AggKind::Min, _) => State::MinMax {
                best: None,
                max: false,
            },
            (AggKind::Max, _) => State::MinMax {
                best: None,
                max: true,
            },
            (AggKind::ArrayAgg, _) => State::ArrayAgg(Vec::new()),
            (AggKind::StringAgg, _) => State::StringAgg(None),
            (AggKind::BoolAnd | AggKind::BoolOr, _) => State::Bool {
                value: None,
                and: call.kind == AggKind::BoolAnd,
            },
        }
    }

    /// Folds one value in; `delimiter` is `string_agg`'s (NULL for the others).
    fn add(&mut self, value: Datum, delimiter: &Datum, kind: AggKind) -> Result<()> {
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
            State::SumNumeric(sum) | State::AvgNumeric(sum) => add_numeric(sum, &value),
            State::AvgInt { sum, count } => {
                *sum += i128::from(match value {
                    Datum::Int4(v) => i64::from(v),
                    Datum::Int8(v) => v,
                    _ => 0,
                });
                *count += 1;
            }
            State::AvgFloat { sum, count } => {
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
            State::StringAgg(text) => {
                let value = value.to_text().unwrap_or_default();
                match text {
                    // The first value's delimiter is not used.
                    None => *text = Some(value),
                    Some(text) => {
                        text.push_str(&delimiter.to_text().unwrap_or_default());
                        text.push_str(&value);
                    }
                }
            }
            State::Bool { value: folded, and } => {
                let value = matches!(value, Datum::Bool(true));
                *folded = Some(match *folded {
                    None => value,
                    Some(previous) if *and => previous && value,
                    Some(previous) => previous || value,
                });
            }
        }
        Ok(())
    }

    fn finish(self) -> Result<Datum> {
        Ok(match self {
            State::Count(n) => Datum::Int8(n),
            State::SumInt { seen: false, .. } | State::SumFloat { seen: false, .. } => Datum::Null,
            State::SumNumeric(sum) | State::AvgNumeric(sum) if sum.count() == 0 => Datum::Null,
            State::SumInt {
                sum, wide: false, ..
            } => Datum::Int8(
                i64::try_from(sum).map_err(|_| EngineError::new("22003", "bigint out of range"))?,
            ),
            State::SumInt { sum, .. } => Datum::Numeric(Numeric::from_i128(sum)),
            State::SumFloat {
                sum, single: true, ..
            } => Datum::Float4(sum as f32),
            State::SumFloat { sum, .. } => Datum::Float8(sum),
            State::SumNumeric(sum) => Datum::Numeric(sum.sum()?),
            State::AvgNumeric(sum) => Datum::Numeric(sum.avg()?),
            State::AvgInt { count: 0, .. } | State::AvgFloat { count: 0, .. } => Datum::Null,
            State::AvgInt { sum, count } => {
                Datum::Numeric(Numeric::from_i128(sum).div(&Numeric::from_i64(count))?)
            }
            State::AvgFloat { sum, count } => Datum::Float8(sum / count as f64),
            State::Vector(acc, true) => acc.avg()?.map_or(Datum::Null, Datum::Vector),
            State::Vector(acc, false) => acc.sum()?.map_or(Datum::Null, Datum::Vector),
            State::HalfVec(acc, true) => acc.avg()?.map_or(Datum::Null, Datum::HalfVec),
            State::HalfVec(acc, false) => acc.sum()?.map_or(Datum::Null, Datum::HalfVec),
            State::MinMax { best, .. } => best.unwrap_or(Datum::Null),
            State::ArrayAgg(items) if items.is_empty() => Datum::Null,
            State::ArrayAgg(items) => Datum::Array(Array::one_dimensional(items)),
            State::StringAgg(text) => text.map_or(Datum::Null, Datum::Text),
            State::Bool { value, .. } => value.map_or(Datum::Null, Datum::Bool),
        })
    }
}

/// Folds a value into an exact numeric sum (integers and floats convert as their casts
/// to `numeric` do).
fn add_numeric(sum: &mut NumericSum, value: &Datum) {
    match value {
        Datum::Numeric(n) => sum.add(n),
        Datum::Int4(v) => sum.add_i64(i64::from(*v)),
        Datum::Int8(v) => sum.add_i64(*v),
        other => sum.add(&Numeric::from_f64(other.as_f64().unwrap_or(0.0))),
    }
}

/// One aggregate call's state in one group: folded as rows come, or (with `DISTINCT`
/// or `ORDER BY` in the call) kept until the group is complete, then sorted, made
/// distinct and folded.
#[derive(Clone)]
pub(super) struct Slot {
    state: State,
    kept: Option<Vec<Kept>>,
}

/// A value kept for a sorted or distinct aggregate: argument, delimiter, sort keys.
#[derive(Clone)]
struct Kept {
    value: Datum,
    delimiter: Datum,
    keys: Vec<Datum>,
}

impl Slot {
    /// An empty state for `call`.
    pub(super) fn new(call: &AggCall) -> Slot {
        let keeps = call.distinct || !call.order_by.is_empty();
        Slot {
            state: State::new(call),
            kept: keeps.then(Vec::new),
        }
    }

    /// Folds in one input row (if the call's `FILTER` passes it).
    pub(super) fn add(
        &mut self,
        call: &AggCall,
        row: &Row,
        context: &ExecContext<'_>,
    ) -> Result<()> {
        if let Some(filter) = &call.filter {
            if !crate::expr::passes(filter, row, context)? {
                return Ok(());
            }
        }
        let value = match &call.arg {
            Some(arg) => eval(arg, row, context)?,
            None => Datum::Null,
        };
        let delimiter = match &call.delimiter {
            Some(delimiter) => eval(delimiter, row, context)?,
            None => Datum::Null,
        };
        match &mut self.kept {
            None => self.state.add(value, &delimiter, call.kind),
            Some(kept) => {
                let keys = call
                    .order_by
                    .iter()
                    .map(|key| eval(&key.expr, row, context))
                    .collect::<Result<Vec<_>>>()?;
                kept.push(Kept {
                    value,
                    delimiter,
                    keys,
                });
                Ok(())
            }
        }
    }

    /// The aggregate's value over the rows folded so far, leaving the state as it is.
    pub(super) fn value(&self, call: &AggCall) -> Result<Datum> {
        self.clone().finish(call)
    }

    fn finish(mut self, call: &AggCall) -> Result<Datum> {
        if let Some(mut kept) = self.kept.take() {
            sort_kept(call, &mut kept);
            let mut seen = std::collections::HashSet::new();
            for item in kept {
                if call.distinct && !seen.insert(item.value.group_key()) {
                    continue;
                }
                self.state.add(item.value, &item.delimiter, call.kind)?;
            }
        }
        self.state.finish()
    }
}

/// Sorts kept values by the call's `ORDER BY` (stably, so equal keys keep their input
/// order), or, for `DISTINCT` without one, by the value itself as PostgreSQL's sort
/// for `DISTINCT` leaves them (ascending, NULLs last).
fn sort_kept(call: &AggCall, kept: &mut [Kept]) {
    let ordered = |a: &Datum, b: &Datum, descending: bool, nulls_first: bool| match (
        a.is_null(),
        b.is_null(),
    ) {
        (true, true) => std::cmp::Ordering::Equal,
        (true, false) if nulls_first => std::cmp::Ordering::Less,
        (true, false) => std::cmp::Ordering::Greater,
        (false, true) if nulls_first => std::cmp::Ordering::Greater,
        (false, true) => std::cmp::Ordering::Less,
        (false, false) if descending => b.compare(a),
        (false, false) => a.compare(b),
    };
    if call.order_by.is_empty() {
        kept.sort_by(|a, b| ordered(&a.value, &b.value, false, false));
        return;
    }
    kept.sort_by(|a, b| {
        call.order_by
            .iter()
            .zip(a.keys.iter().zip(&b.keys))
            .map(|(key, (x, y))| ordered(x, y, key.descending, key.nulls_first))
            .find(|order| order.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
}

/// Hash tables of groups may take this many times `work_mem` (PostgreSQL's default
/// `hash_mem_multiplier`) before new groups go to temporary files.
const HASH_MEM_MULTIPLIER: usize = 2;

/// Temporary files one spilling pass splits its new groups' rows into.
const PARTITIONS: usize = 16;

/// Passes over spilled rows after which groups are kept in memory whatever their size
/// (16⁴ partitions: a key whose rows alone outgrow the budget cannot be split further).
const MAX_DEPTH: u32 = 4;

/// Groups and aggregates the input rows. Groups are kept in a hash table until it takes
/// `work_mem` × [`HASH_MEM_MULTIPLIER`]; past that, the rows of groups not yet in the
/// table are written to temporary files by key hash (rows of groups already in it keep
/// folding into them), and each file is aggregated in turn once the table's groups are
/// out, as PostgreSQL 13's hash aggregation spills. Rows come out group table by group
/// table: the first-seen order of the groups in memory, then those of each file.
pub fn aggregate<'a>(
    plan: &'a AggregatePlan,
    rows: RowStream<'a>,
    context: &'a ExecContext<'a>,
) -> Result<RowStream<'a>> {
    aggregate_pass(plan, rows, context, 0)
}

/// One pass: the groups that fit, then (lazily) the passes over the spilled rows.
fn aggregate_pass<'a>(
    plan: &'a AggregatePlan,
    rows: RowStream<'a>,
    context: &'a ExecContext<'a>,
    depth: u32,
) -> Result<RowStream<'a>> {
    let budget = context.spill.work_mem.saturating_mul(HASH_MEM_MULTIPLIER);
    let may_spill = !plan.group_keys.is_empty() && depth < MAX_DEPTH;
    let mut index: HashMap<Vec<Option<String>>, usize> = HashMap::new();
    let mut groups: Vec<(Row, Vec<Slot>)> = Vec::new();
    let mut bytes = 0usize;
    let mut spilled: Vec<vec_storage::TempFile> = Vec::new();
    for row in rows {
        let row = row?;
        let mut keys = Vec::with_capacity(plan.group_keys.len());
        for key in &plan.group_keys {
            keys.push(eval(key, &row, context)?);
        }
        let fingerprint: Vec<Option<String>> = keys.iter().map(Datum::group_key).collect();
        let group = match index.get(&fingerprint) {
            Some(&g) => g,
            None if may_spill && bytes > budget => {
                if spilled.is_empty() {
                    spilled = (0..PARTITIONS)
                        .map(|_| context.spill.temp_file())
                        .collect::<Result<_>>()?;
                }
                let partition = partition_of(&fingerprint, depth, spilled.len());
                write_row(&mut spilled[partition], &row)?;
                continue;
            }
            None => {
                bytes += group_bytes(&keys, &fingerprint, plan.calls.len());
                index.insert(fingerprint, groups.len());
                groups.push((keys, plan.calls.iter().map(Slot::new).collect()));
                groups.len() - 1
            }
        };
        for (call, slot) in plan.calls.iter().zip(groups[group].1.iter_mut()) {
            slot.add(call, &row, context)?;
        }
    }
    drop(index);
    if groups.is_empty() && plan.group_keys.is_empty() {
        groups.push((Vec::new(), plan.calls.iter().map(Slot::new).collect()));
    }
    let finished = groups.into_iter().map(move |(mut keys, slots)| {
        for (call, slot) in plan.calls.iter().zip(slots) {
            keys.push(slot.finish(call)?);
        }
        Ok(keys)
    });
    let later = spilled.into_iter().flat_map(move |mut file| {
        let pass = file_rows(&mut file)
            .and_then(|rows| aggregate_pass(plan, Box::new(rows), context, depth + 1));
        match pass {
            Ok(rows) => rows,
            Err(error) => Box::new(std::iter::once(Err(error))),
        }
    });
    Ok(Box::new(finished.chain(later)))
}

/// The memory a new group takes, roughly: its keys, their fingerprint, the table's entry
/// and an aggregate state per call (growing states, `array_agg`'s, are not counted).
fn group_bytes(keys: &[Datum], fingerprint: &[Option<String>], calls: usize) -> usize {
    let fingerprint: usize = fingerprint
        .iter()
        .map(|key| std::mem::size_of::<Option<String>>() + key.as_ref().map_or(0, String::len))
        .sum();
    row_bytes(keys) + fingerprint + 64 + calls * std::mem::size_of::<Slot>()
}

/// The spill file of a group's rows: a hash of its fingerprint, seeded by the pass so
/// that a file split again spreads over all of the next pass's files.
fn partition_of(fingerprint: &[Option<String>], depth: u32, partitions: usize) -> usize {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    depth.hash(&mut hasher);
    fingerprint.hash(&mut hasher);
    (hasher.finish() % partitions as u64) as usize
}
