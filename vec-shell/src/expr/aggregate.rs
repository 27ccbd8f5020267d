//! The aggregate functions vecsh has (`count`, `sum`, `avg`, `min`, `max`,
//! `array_agg`, `string_agg`, `bool_and`, `bool_or`, `every`) and a bound call of one,
//! with its `DISTINCT`, `ORDER BY` and `FILTER`.

use super::BoundExpr;
use crate::value::SqlType;

/// An aggregate function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AggKind {
    /// `count(*)`
    CountStar,
    /// `count(x)`
    Count,
    /// `sum(x)`
    Sum,
    /// `avg(x)`
    Avg,
    /// `min(x)`
    Min,
    /// `max(x)`
    Max,
    /// `array_agg(x)`
    ArrayAgg,
    /// `string_agg(text, delimiter)`
    StringAgg,
    /// `bool_and(x)` and `every(x)`
    BoolAnd,
    /// `bool_or(x)`
    BoolOr,
}

/// One key of an aggregate's `ORDER BY`.
#[derive(Clone, Debug, PartialEq)]
pub struct AggOrderKey {
    /// The key, over the input row.
    pub expr: BoundExpr,
    /// `DESC`.
    pub descending: bool,
    /// Whether NULLs come first (`NULLS FIRST`, the default for `DESC`).
    pub nulls_first: bool,
}

/// One aggregate call.
#[derive(Clone, Debug, PartialEq)]
pub struct AggCall {
    /// Which aggregate.
    pub kind: AggKind,
    /// The argument (none for `count(*)`).
    pub arg: Option<BoundExpr>,
    /// The argument's type.
    pub arg_type: SqlType,
    /// `string_agg`'s delimiter.
    pub delimiter: Option<BoundExpr>,
    /// `DISTINCT`: equal arguments count once.
    pub distinct: bool,
    /// `ORDER BY` inside the call: the order the values are folded in.
    pub order_by: Vec<AggOrderKey>,
    /// `FILTER (WHERE …)`: only rows passing it are folded.
    pub filter: Option<BoundExpr>,
}
