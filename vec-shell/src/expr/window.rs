//! Window functions: the functions vecsh computes over a window of rows
//! (`row_number`, `rank`, `lag`, …, and every aggregate with `OVER`), a bound call of
//! one, and the windows themselves: partitioning, ordering and frame.

use super::{AggCall, AggOrderKey, BoundExpr};

/// A function computed over a window.
#[derive(Clone, Debug, PartialEq)]
pub enum WindowFunc {
    /// `row_number()`: the row's position in its partition, from 1.
    RowNumber,
    /// `rank()`: the position of the row's first peer.
    Rank,
    /// `dense_rank()`: the number of the row's peer group.
    DenseRank,
    /// `percent_rank()`: `(rank - 1) / (rows - 1)`.
    PercentRank,
    /// `cume_dist()`: the rows up to the row's last peer over the partition's rows.
    CumeDist,
    /// `ntile(buckets)`
    Ntile,
    /// `lag(value [, offset [, default]])`
    Lag,
    /// `lead(value [, offset [, default]])`
    Lead,
    /// `first_value(value)` in the frame.
    FirstValue,
    /// `last_value(value)` in the frame.
    LastValue,
    /// `nth_value(value, n)` in the frame.
    NthValue,
    /// An aggregate over the frame.
    Aggregate(AggCall),
}

impl WindowFunc {
    /// The window-only function called `name`, if there is one.
    pub fn named(name: &str) -> Option<WindowFunc> {
        Some(match name {
            "row_number" => WindowFunc::RowNumber,
            "rank" => WindowFunc::Rank,
            "dense_rank" => WindowFunc::DenseRank,
            "percent_rank" => WindowFunc::PercentRank,
            "cume_dist" => WindowFunc::CumeDist,
            "ntile" => WindowFunc::Ntile,
            "lag" => WindowFunc::Lag,
            "lead" => WindowFunc::Lead,
            "first_value" => WindowFunc::FirstValue,
            "last_value" => WindowFunc::LastValue,
            "nth_value" => WindowFunc::NthValue,
            _ => return None,
        })
    }
}

/// One window function call.
#[derive(Clone, Debug, PartialEq)]
pub struct WindowCall {
    /// The function.
    pub func: WindowFunc,
    /// Its arguments, over the input row (an aggregate's are in its [`AggCall`]).
    pub args: Vec<BoundExpr>,
    /// The window it is computed over: a position in [`Windowing::windows`].
    pub window: usize,
}

/// A window: how rows are partitioned and ordered, and each row's frame.
#[derive(Clone, Debug, PartialEq)]
pub struct Window {
    /// `PARTITION BY`, over the input row.
    pub partition_by: Vec<BoundExpr>,
    /// `ORDER BY`, over the input row.
    pub order_by: Vec<AggOrderKey>,
    /// The frame.
    pub frame: FrameSpec,
    /// The sort keys (partitioning then ordering, without repeats); windows are
    /// computed in the order these sort (see [`Windowing::order`]).
    pub sort_refs: Vec<SortRef>,
}

/// A sort key of a window as PostgreSQL's planner compares them: the number it gives
/// the key's expression among the query's sort expressions, then the direction (a
/// descending key's operator, `>`, sorts first) and the place of NULLs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SortRef {
    /// The expression's number (from 1, in order of first appearance: `ORDER BY`,
    /// `GROUP BY`, then the windows).
    pub number: usize,
    /// `DESC`.
    pub descending: bool,
    /// `NULLS FIRST`.
    pub nulls_first: bool,
}

/// A frame, bound.
#[derive(Clone, Debug, PartialEq)]
pub struct FrameSpec {
    /// How offsets count.
    pub units: crate::sql::ast::FrameUnits,
    /// The start.
    pub start: Bound,
    /// The end.
    pub end: Bound,
    /// Rows left out.
    pub exclude: crate::sql::ast::FrameExclusion,
}

impl FrameSpec {
    /// The frame of a window without a frame clause: `RANGE BETWEEN UNBOUNDED
    /// PRECEDING AND CURRENT ROW` (the whole partition when there is no `ORDER BY`,
    /// since every row is then a peer of every other).
    pub fn default_frame() -> FrameSpec {
        FrameSpec {
            units: crate::sql::ast::FrameUnits::Range,
            start: Bound::UnboundedPreceding,
            end: Bound::CurrentRow,
            exclude: crate::sql::ast::FrameExclusion::NoOthers,
        }
    }
}

/// One end of a bound frame; offsets are evaluated once per statement.
#[derive(Clone, Debug, PartialEq)]
pub enum Bound {
    /// `UNBOUNDED PRECEDING`
    UnboundedPreceding,
    /// `offset PRECEDING`
    Preceding(BoundExpr),
    /// `CURRENT ROW`
    CurrentRow,
    /// `offset FOLLOWING`
    Following(BoundExpr),
    /// `UNBOUNDED FOLLOWING`
    UnboundedFollowing,
}

/// The window step of a query: after grouping, each row gains one value per call, at
/// the end of the row (from position `base`).
#[derive(Clone, Debug, PartialEq)]
pub struct Windowing {
    /// The distinct windows.
    pub windows: Vec<Window>,
    /// The calls; call `i`'s value is the row's column `base + i`.
    pub calls: Vec<WindowCall>,
    /// The width of an input row.
    pub base: usize,
}

impl Windowing {
    /// Whether every call only ranks rows in the query's own order (`row_number`,
    /// `rank`, `dense_rank` over one window without `PARTITION BY`, ordered by `key`
    /// alone, in the same direction): then a row's value depends only on the rows before
    /// it, so the rows of an index scan in that order can be ranked as they come and a
    /// `LIMIT` can stop the scan, as PostgreSQL streams them.
    pub fn ranks_in_order(&self, key: &BoundExpr, descending: bool, nulls_first: bool) -> bool {
        let window_fits = |window: &Window| {
            window.partition_by.is_empty()
                && matches!(
                    window.order_by.as_slice(),
                    [only] if only.expr == *key
                        && only.descending == descending
                        && only.nulls_first == nulls_first
                )
        };
        self.windows.iter().all(window_fits)
            && self.calls.iter().all(|call| {
                matches!(
                    call.func,
                    WindowFunc::RowNumber | WindowFunc::Rank | WindowFunc::DenseRank
                )
            })
    }

    /// The order windows are computed in, as PostgreSQL's planner orders them: by
    /// their sort keys' numbers, highest first, a longer list before its prefix. The
    /// result rows come out in the last window's order.
    pub fn order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.windows.len()).collect();
        order.sort_by(|&a, &b| {
            let (a, b) = (&self.windows[a].sort_refs, &self.windows[b].sort_refs);
            for (x, y) in a.iter().zip(b) {
                let order = (y.number, y.descending, y.nulls_first).cmp(&(
                    x.number,
                    x.descending,
                    x.nulls_first,
                ));
                if order.is_ne() {
                    return order;
                }
            }
            b.len().cmp(&a.len())
        });
        order
    }
}
