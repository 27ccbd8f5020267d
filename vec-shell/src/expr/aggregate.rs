//! The aggregate functions vecsh has (`count`, `sum`, `avg`, `min`, `max`,
//! `array_agg`) and a bound call of one.

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
}
