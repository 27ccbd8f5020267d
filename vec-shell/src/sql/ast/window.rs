//! The syntax of what may follow a call's arguments: an aggregate's `DISTINCT`, `ORDER
//! BY` and `FILTER`, and a window function's `OVER (PARTITION BY … ORDER BY … frame)`;
//! and the `WINDOW name AS (…)` clause of a query (re-exported by the parent module).

use super::{Expr, OrderKey, Pos};

/// The clauses an aggregate call may carry: `agg(DISTINCT args ORDER BY keys) FILTER
/// (WHERE condition)`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AggClauses {
    /// `DISTINCT` before the arguments.
    pub distinct: bool,
    /// `ORDER BY` after the arguments.
    pub order_by: Vec<OrderKey>,
    /// `FILTER (WHERE condition)`.
    pub filter: Option<Expr>,
    /// `OVER window`: the call is a window function.
    pub over: Option<WindowDef>,
    /// Where the first of them was written (errors about a plain function point at the
    /// call instead).
    pub pos: Pos,
}

/// A window as written after `OVER`, or defined in a `WINDOW` clause.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WindowDef {
    /// `OVER name` refers to a window of the `WINDOW` clause as it is; `OVER (name …)`
    /// copies it and adds to it (`copies` is then true).
    pub base: Option<String>,
    /// Whether the definition is parenthesised around its base (`OVER (w ORDER BY x)`).
    pub copies: bool,
    /// `PARTITION BY` expressions.
    pub partition_by: Vec<Expr>,
    /// `ORDER BY` keys.
    pub order_by: Vec<OrderKey>,
    /// The frame clause.
    pub frame: Option<Frame>,
    /// Where the definition was written.
    pub pos: Pos,
}

/// A frame clause: `ROWS | RANGE | GROUPS [BETWEEN] start [AND end] [EXCLUDE …]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Frame {
    /// How rows are counted.
    pub units: FrameUnits,
    /// Where the frame starts.
    pub start: FrameBound,
    /// Where it ends (`CURRENT ROW` when only a start is written).
    pub end: FrameBound,
    /// Which rows near the current one are left out.
    pub exclude: FrameExclusion,
    /// Where the clause was written.
    pub pos: Pos,
}

/// The units of a frame's offsets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameUnits {
    /// `ROWS`: physical rows.
    Rows,
    /// `RANGE`: values of the single sort key (peers share a frame).
    Range,
    /// `GROUPS`: groups of peers.
    Groups,
}

/// One end of a frame.
#[derive(Clone, Debug, PartialEq)]
pub enum FrameBound {
    /// `UNBOUNDED PRECEDING`
    UnboundedPreceding,
    /// `offset PRECEDING`
    Preceding(Box<Expr>),
    /// `CURRENT ROW`
    CurrentRow,
    /// `offset FOLLOWING`
    Following(Box<Expr>),
    /// `UNBOUNDED FOLLOWING`
    UnboundedFollowing,
}

/// `EXCLUDE …` of a frame clause.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FrameExclusion {
    /// `EXCLUDE NO OTHERS` (the default).
    #[default]
    NoOthers,
    /// `EXCLUDE CURRENT ROW`
    CurrentRow,
    /// `EXCLUDE GROUP`: the current row and its peers.
    Group,
    /// `EXCLUDE TIES`: the current row's peers but not itself.
    Ties,
}

/// `name AS (definition)` in a query's `WINDOW` clause.
#[derive(Clone, Debug, PartialEq)]
pub struct NamedWindow {
    /// The name.
    pub name: String,
    /// The definition.
    pub def: WindowDef,
}
