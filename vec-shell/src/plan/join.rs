//! The plan of a qualified join (`[INNER] | LEFT | RIGHT | FULL JOIN … ON | USING`):
//! both sides, the condition over the joined row, and the equalities between the sides
//! that let the executor hash the right side instead of trying every pair.

use super::Source;
use crate::analyze::expr::BoundExpr;
use crate::sql::ast::JoinKind;

/// A bound qualified join.
#[derive(Clone, Debug)]
pub struct JoinPlan {
    /// Which rows the join keeps.
    pub kind: JoinKind,
    /// The left rows.
    pub left: Source,
    /// The right rows.
    pub right: Source,
    /// The right side is a `LATERAL` subquery, run once per left row.
    pub lateral: bool,
    /// The number of columns of a left row (for NULL-extending).
    pub left_width: usize,
    /// The number of columns of a right row.
    pub right_width: usize,
    /// The join condition over a left row followed by a right row; `None` matches every
    /// pair.
    pub condition: Option<BoundExpr>,
    /// Equalities of the condition between the sides, as (expression over the left row,
    /// expression over the right row): rows can only match when these values agree.
    pub hash_keys: Vec<(BoundExpr, BoundExpr)>,
    /// `USING` columns, as positions in the joined row of the left and the right
    /// column: each merged column (the first non-NULL of the two) leads the output row.
    pub merged: Vec<(usize, usize)>,
    /// `EXPLAIN`'s text: the hash condition (when hashed) and the rest of the
    /// condition.
    pub text: JoinText,
    /// The aliases of the left and right items when they are tables or functions, for
    /// `EXPLAIN`.
    pub aliases: (Option<String>, Option<String>),
}

/// The SQL text of a join's conditions, as `EXPLAIN` shows them.
#[derive(Clone, Debug, Default)]
pub struct JoinText {
    /// The equalities the hash join uses (`Hash Cond:`).
    pub hash_condition: Option<String>,
    /// The rest of the condition (`Join Filter:`).
    pub filter: Option<String>,
}

impl JoinPlan {
    /// The plan node's name: `Hash Join`, `Nested Loop Left Join`, …
    pub fn node_name(&self) -> String {
        let suffix = match self.kind {
            JoinKind::Inner => "",
            JoinKind::Left => " Left",
            JoinKind::Right => " Right",
            JoinKind::Full => " Full",
        };
        match (self.hash_keys.is_empty(), self.kind) {
            (false, _) => format!("Hash{suffix} Join"),
            (true, JoinKind::Inner) => "Nested Loop".to_string(),
            (true, _) => format!("Nested Loop{suffix} Join"),
        }
    }
}
