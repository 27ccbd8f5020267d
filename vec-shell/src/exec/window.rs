//! The window step: rows (after grouping) are held, and for each window, in the order
//! PostgreSQL's planner computes them, sorted by partition and order keys (stably), cut
//! into partitions and peer groups, and each call's value is written at the end of its
//! row. A frame is a run of the partition (less the rows `EXCLUDE` leaves out); an
//! aggregate whose frame only grows is folded incrementally, and rows sharing a frame
//! share its value.

use std::cmp::Ordering;

use super::aggregate::Slot;
use super::query::RowStream;
use super::ExecContext;
use crate::error::{EngineError, Result};
use crate::expr::eval;
use crate::expr::window::{Bound, Window, WindowCall, WindowFunc, Windowing};
use crate::sql::ast::{FrameExclusion, FrameUnits};
use crate::storage::Row;
use crate::value::Datum;

/// Computes every window call for `rows`: each output row is its input row (`base`
/// columns) followed by one value per call, in the last window's order.
pub fn compute(
    windowing: &Windowing,
    rows: RowStream<'_>,
    context: &ExecContext<'_>,
) -> Result<Vec<Row>> {
    let mut held = Vec::new();
    for row in rows {
        let mut row = row?;
        row.resize(windowing.base, Datum::Null);
        row.resize(windowing.base + windowing.calls.len(), Datum::Null);
        held.push(row);
    }
    for index in windowing.order() {
        let window = &windowing.windows[index];
        let calls: Vec<(usize, &WindowCall)> = windowing
            .calls
            .iter()
            .enumerate()
            .filter(|(_, call)| call.window == index)
            .map(|(position, call)| (windowing.base + position, call))
            .collect();
        held = compute_window(window, &calls, held, context)?;
    }
    Ok(held)
}

/// A row with its partition and order key values.
struct Keyed {
    keys: Vec<Datum>,
    row: Row,
}

/// Sorts the rows for one window and computes its calls, partition by partition.
fn compute_window(
    window: &Window,
    calls: &[(usize, &WindowCall)],
    rows: Vec<Row>,
    context: &ExecContext<'_>,
) -> Result<Vec<Row>> {
    if rows.is_empty() {
        return Ok(rows);
    }
    let offsets = FrameOffsets::evaluate(window, context)?;
    let mut keyed = Vec::with_capacity(rows.len());
    for row in rows {
        let mut keys = Vec::with_capacity(window.partition_by.len() + window.order_by.len());
        for expr in &window.partition_by {
            keys.push(eval(expr, &row, context)?);
        }
        for key in &window.order_by {
            keys.push(eval(&key.expr, &row, context)?);
        }
        keyed.push(Keyed { keys, row });
    }
    let partition_width = window.partition_by.len();
    keyed.sort_by(|a, b| compare_keys(window, &a.keys, &b.keys));
    let mut start = 0;
    while start < keyed.len() {
        context.cancel.check()?;
        let first = &keyed[start].keys[..partition_width];
        let end = start
            + keyed[start..]
                .iter()
                .position(|k| !same(&k.keys[..partition_width], first))
                .unwrap_or(keyed.len() - start);
        let partition = Partition::new(&mut keyed[start..end], partition_width);
        partition.compute(window, calls, &offsets, context)?;
        start = end;
    }
    Ok(keyed.into_iter().map(|k| k.row).collect())
}

/// Orders rows by partition keys (ascending, NULLs last) then the window's `ORDER BY`.
fn compare_keys(window: &Window, a: &[Datum], b: &[Datum]) -> Ordering {
    let partition = window.partition_by.len();
    for (x, y) in a[..partition].iter().zip(&b[..partition]) {
        let order = ordered(x, y, false, false);
        if order.is_ne() {
            return order;
        }
    }
    for (key, (x, y)) in window
        .order_by
        .iter()
        .zip(a[partition..].iter().zip(&b[partition..]))
    {
        let order = ordered(x, y, key.descending, key.nulls_first);
        if order.is_ne() {
            return order;
        }
    }
    Ordering::Equal
}

fn ordered(x: &Datum, y: &Datum, descending: bool, nulls_first: bool) -> Ordering {
    match (x.is_null(), y.is_null()) {
        (true, true) => Ordering::Equal,
        (true, false) if nulls_first => Ordering::Less,
        (true, false) => Ordering::Greater,
        (false, true) if nulls_first => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) if descending => y.compare(x),
        (false, false) => x.compare(y),
    }
}

/// Whether two key lists are equal, NULLs equal to each other.
fn same(a: &[Datum], b: &[Datum]) -> bool {
    a.iter()
        .zip(b)
        .all(|(x, y)| ordered(x, y, false, false).is_eq())
}

/// A frame's offsets, evaluated once per statement.
struct FrameOffsets {
    start: Option<Datum>,
    end: Option<Datum>,
}

impl FrameOffsets {
    fn evaluate(window: &Window, context: &ExecContext<'_>) -> Result<FrameOffsets> {
        let offset = |bound: &Bound, which: &str| -> Result<Option<Datum>> {
            let expr = match bound {
                Bound::Preceding(expr) | Bound::Following(expr) => expr,
                _ => return Ok(None),
            };
            let value = eval(expr, &[], context)?;
            if value.is_null() {
                return Err(EngineError::new(
                    "22004",
                    format!("frame {which} offset must not be null"),
                ));
            }
            // RANGE offsets are checked with the keys (`in_range`).
            if window.frame.units != FrameUnits::Range && value.as_f64().is_some_and(|v| v < 0.0) {
                return Err(EngineError::new(
                    "22013",
                    format!("frame {which} offset must not be negative"),
                ));
            }
            Ok(Some(value))
        };
        Ok(FrameOffsets {
            start: offset(&window.frame.start, "starting")?,
            end: offset(&window.frame.end, "ending")?,
        })
    }
}

/// One partition's rows in window order, with their peer groups.
struct Partition<'p> {
    rows: &'p mut [Keyed],
    /// Each peer group's rows, `[start, end)`.
    groups: Vec<(usize, usize)>,
    /// Each row's peer group.
    group_of: Vec<usize>,
    /// The rows whose (single) order key is not NULL, `[start, end)`.
    not_null: (usize, usize),
    partition_width: usize,
}

impl<'p> Partition<'p> {
    fn new(rows: &'p mut [Keyed], partition_width: usize) -> Partition<'p> {
        let mut groups: Vec<(usize, usize)> = Vec::new();
        let mut group_of = Vec::with_capacity(rows.len());
        for i in 0..rows.len() {
            let peer = i > 0
                && same(
                    &rows[i].keys[partition_width..],
                    &rows[i - 1].keys[partition_width..],
                );
            match groups.last_mut() {
                Some(last) if peer => last.1 = i + 1,
                _ => groups.push((i, i + 1)),
            }
            group_of.push(groups.len() - 1);
        }
        let key = |i: usize| rows[i].keys.get(partition_width);
        let is_null = |i: usize| key(i).is_none_or(Datum::is_null);
        let mut not_null = (0, rows.len());
        while not_null.0 < not_null.1 && is_null(not_null.0) {
            not_null.0 += 1;
        }
        while not_null.1 > not_null.0 && is_null(not_null.1 - 1) {
            not_null.1 -= 1;
        }
        Partition {
            rows,
            groups,
            group_of,
            not_null,
            partition_width,
        }
    }

    fn compute(
        self,
        window: &Window,
        calls: &[(usize, &WindowCall)],
        offsets: &FrameOffsets,
        context: &ExecContext<'_>,
    ) -> Result<()> {
        for &(column, call) in calls {
            let values = self.values(window, call, offsets, context)?;
            for (keyed, value) in self.rows.iter_mut().zip(values) {
                keyed.row[column] = value;
            }
        }
        Ok(())
    }

    /// One call's value for each row of the partition.
    fn values(
        &self,
        window: &Window,
        call: &WindowCall,
        offsets: &FrameOffsets,
        context: &ExecContext<'_>,
    ) -> Result<Vec<Datum>> {
        let n = self.rows.len();
        let row = |i: usize| &self.rows[i].row;
        let arg = |index: usize, i: usize| -> Result<Datum> {
            match call.args.get(index) {
                Some(expr) => eval(expr, row(i), context),
                None => Ok(Datum::Null),
            }
        };
        let mut out = Vec::with_capacity(n);
        match &call.func {
            WindowFunc::RowNumber => out.extend((1..=n).map(|i| Datum::Int8(i as i64))),
            WindowFunc::Rank => {
                out.extend((0..n).map(|i| Datum::Int8(self.groups[self.group_of[i]].0 as i64 + 1)))
            }
            WindowFunc::DenseRank => {
                out.extend((0..n).map(|i| Datum::Int8(self.group_of[i] as i64 + 1)))
            }
            WindowFunc::PercentRank => out.extend((0..n).map(|i| {
                let rank = self.groups[self.group_of[i]].0 as f64;
                Datum::Float8(if n > 1 { rank / (n - 1) as f64 } else { 0.0 })
            })),
            WindowFunc::CumeDist => out.extend(
                (0..n).map(|i| Datum::Float8(self.groups[self.group_of[i]].1 as f64 / n as f64)),
            ),
            WindowFunc::Ntile => {
                let buckets = match arg(0, 0)? {
                    Datum::Int4(b) if b <= 0 => {
                        return Err(EngineError::new(
                            "22014",
                            "argument of ntile must be greater than zero",
                        ))
                    }
                    Datum::Int4(b) => b as usize,
                    _ => return Ok(vec![Datum::Null; n]),
                };
                let per_bucket = n / buckets;
                let remainder = n % buckets;
                let big = remainder * (per_bucket + 1);
                out.extend((0..n).map(|i| {
                    let bucket = if i < big {
                        i / (per_bucket + 1)
                    } else {
                        remainder + (i - big) / per_bucket.max(1)
                    };
                    Datum::Int4(bucket as i32 + 1)
                }));
            }
            WindowFunc::Lag | WindowFunc::Lead => {
                for i in 0..n {
                    let offset = match call.args.get(1) {
                        Some(_) => match arg(1, i)? {
                            Datum::Int4(offset) => i64::from(offset),
                            _ => {
                                out.push(Datum::Null);
                                continue;
                            }
                        },
                        None => 1,
                    };
                    let offset = if call.func == WindowFunc::Lag {
                        -offset
                    } else {
                        offset
                    };
                    let target = i as i64 + offset;
                    out.push(if (0..n as i64).contains(&target) {
                        arg(0, target as usize)?
                    } else {
                        arg(2, i)?
                    });
                }
            }
            WindowFunc::FirstValue | WindowFunc::LastValue | WindowFunc::NthValue => {
                for i in 0..n {
                    let frame = self.frame(window, offsets, i)?;
                    let chosen = match call.func {
                        WindowFunc::FirstValue => frame.rows().next(),
                        WindowFunc::LastValue => frame.rows().last(),
                        _ => match arg(1, i)? {
                            Datum::Int4(k) if k <= 0 => {
                                return Err(EngineError::new(
                                    "22016",
                                    "argument of nth_value must be greater than zero",
                                ))
                            }
                            Datum::Int4(k) => frame.rows().nth(k as usize - 1),
                            _ => None,
                        },
                    };
                    out.push(match chosen {
                        Some(j) => arg(0, j)?,
                        None => Datum::Null,
                    });
                }
            }
            WindowFunc::Aggregate(aggregate) => {
                let mut last: Option<(Frame, Datum)> = None;
                let mut running: Option<(usize, usize, Slot)> = None;
                for i in 0..n {
                    let frame = self.frame(window, offsets, i)?;
                    if let Some((previous, value)) = &last {
                        if *previous == frame {
                            out.push(value.clone());
                            continue;
                        }
                    }
                    let value = match (frame.single(), &mut running) {
                        // The frame only grew at its end: fold in the new rows.
                        (Some((lo, hi)), Some((start, end, slot)))
                            if lo == *start && hi >= *end =>
                        {
                            for j in *end..hi {
                                slot.add(aggregate, row(j), context)?;
                            }
                            *end = hi;
                            slot.value(aggregate)?
                        }
                        (single, _) => {
                            let mut slot = Slot::new(aggregate);
                            for j in frame.rows() {
                                slot.add(aggregate, row(j), context)?;
                            }
                            let value = slot.value(aggregate)?;
                            running = single.map(|(lo, hi)| (lo, hi, slot));
                            value
                        }
                    };
                    out.push(value.clone());
                    last = Some((frame, value));
                }
            }
        }
        Ok(out)
    }

    /// Row `i`'s frame.
    fn frame(&self, window: &Window, offsets: &FrameOffsets, i: usize) -> Result<Frame> {
        let spec = &window.frame;
        let n = self.rows.len();
        let group = self.group_of[i];
        let (peers_start, peers_end) = self.groups[group];
        let count = |value: &Option<Datum>| -> usize {
            match value {
                Some(Datum::Int8(k)) => usize::try_from(*k).unwrap_or(usize::MAX),
                Some(other) => other.as_f64().map_or(0, |v| v as usize),
                None => 0,
            }
        };
        let (start_offset, end_offset) = (count(&offsets.start), count(&offsets.end));
        let groups = &self.groups;
        let (lo, hi) = match spec.units {
            FrameUnits::Rows => {
                let lo = match &spec.start {
                    Bound::UnboundedPreceding => 0,
                    Bound::Preceding(_) => i.saturating_sub(start_offset),
                    Bound::CurrentRow => i,
                    Bound::Following(_) => i.saturating_add(start_offset).min(n),
                    Bound::UnboundedFollowing => n,
                };
                let hi = match &spec.end {
                    Bound::UnboundedPreceding => 0,
                    Bound::Preceding(_) => (i + 1).saturating_sub(end_offset),
                    Bound::CurrentRow => i + 1,
                    Bound::Following(_) => i.saturating_add(end_offset).saturating_add(1).min(n),
                    Bound::UnboundedFollowing => n,
                };
                (lo, hi)
            }
            FrameUnits::Groups => {
                let last = groups.len() - 1;
                let lo = match &spec.start {
                    Bound::UnboundedPreceding => 0,
                    Bound::Preceding(_) => groups[group.saturating_sub(start_offset)].0,
                    Bound::CurrentRow => peers_start,
                    Bound::Following(_) => match group.checked_add(start_offset) {
                        Some(g) if g <= last => groups[g].0,
                        _ => n,
                    },
                    Bound::UnboundedFollowing => n,
                };
                let hi = match &spec.end {
                    Bound::UnboundedPreceding => 0,
                    Bound::Preceding(_) => match group.checked_sub(end_offset) {
                        Some(g) => groups[g].1,
                        None => 0,
                    },
                    Bound::CurrentRow => peers_end,
                    Bound::Following(_) => groups[group.saturating_add(end_offset).min(last)].1,
                    Bound::UnboundedFollowing => n,
                };
                (lo, hi)
            }
            FrameUnits::Range => {
                let lo = match &spec.start {
                    Bound::UnboundedPreceding => 0,
                    Bound::CurrentRow => peers_start,
                    Bound::UnboundedFollowing => n,
                    Bound::Preceding(_) => {
                        self.range_bound(window, i, offsets.start.as_ref(), true, true)?
                    }
                    Bound::Following(_) => {
                        self.range_bound(window, i, offsets.start.as_ref(), false, true)?
                    }
                };
                let hi = match &spec.end {
                    Bound::UnboundedPreceding => 0,
                    Bound::CurrentRow => peers_end,
                    Bound::UnboundedFollowing => n,
                    Bound::Preceding(_) => {
                        self.range_bound(window, i, offsets.end.as_ref(), true, false)?
                    }
                    Bound::Following(_) => {
                        self.range_bound(window, i, offsets.end.as_ref(), false, false)?
                    }
                };
                (lo, hi)
            }
        };
        let hi = hi.max(lo);
        let excluded = match spec.exclude {
            FrameExclusion::NoOthers => None,
            FrameExclusion::CurrentRow => Some((i, i + 1, None)),
            FrameExclusion::Group => Some((peers_start, peers_end, None)),
            FrameExclusion::Ties => Some((peers_start, peers_end, Some(i))),
        };
        Ok(Frame::new(lo, hi, excluded))
    }

    /// `RANGE … offset PRECEDING | FOLLOWING` as a frame start (`start`): the first row
    /// whose key is in range of the current row's (see [`super::in_range`]); as a frame
    /// end (exclusive), past the last such row. A NULL key's frame is its peers.
    fn range_bound(
        &self,
        window: &Window,
        i: usize,
        offset: Option<&Datum>,
        preceding: bool,
        start: bool,
    ) -> Result<usize> {
        let width = self.partition_width;
        let base = &self.rows[i].keys[width];
        let (peers_start, peers_end) = self.groups[self.group_of[i]];
        let Some(offset) = offset else {
            return Ok(if start { peers_start } else { peers_end });
        };
        if base.is_null() {
            return Ok(if start { peers_start } else { peers_end });
        }
        let ascending = !window.order_by.first().is_some_and(|k| k.descending);
        let check = super::in_range::Check::new(offset, preceding, start, ascending)?;
        let (lo, hi) = self.not_null;
        let rows = &self.rows[lo..hi];
        Ok(lo
            + if start {
                // The first row at or past the bound.
                rows.partition_point(|k| !check.holds(&k.keys[width], base))
            } else {
                // Past the last row within the bound.
                rows.partition_point(|k| check.holds(&k.keys[width], base))
            })
    }
}

/// A frame: the rows `[lo, hi)` of the partition less an excluded run `[from, to)`
/// (which may keep one row).
#[derive(Clone, Debug, PartialEq)]
struct Frame {
    lo: usize,
    hi: usize,
    excluded: Option<(usize, usize, Option<usize>)>,
}

impl Frame {
    fn new(lo: usize, hi: usize, excluded: Option<(usize, usize, Option<usize>)>) -> Frame {
        // An exclusion outside the frame changes nothing.
        let excluded = excluded.filter(|(from, to, _)| *from < hi && *to > lo);
        Frame { lo, hi, excluded }
    }

    /// The frame as one run, when nothing is excluded from it.
    fn single(&self) -> Option<(usize, usize)> {
        self.excluded.is_none().then_some((self.lo, self.hi))
    }

    /// The frame's rows in order.
    fn rows(&self) -> impl Iterator<Item = usize> + '_ {
        (self.lo..self.hi).filter(move |&j| match self.excluded {
            Some((from, to, kept)) => j < from || j >= to || Some(j) == kept,
            None => true,
        })
    }
}
