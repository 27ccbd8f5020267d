//! Bound expressions: what the analyzer turns SQL expressions into and the executor
//! evaluates against a row. Names are column positions, literals typed constants,
//! operators and functions resolved overloads (`signature`, with the catalogue of
//! functions in `functions`, operators in `operators` and `builtins`), casts explicit.
//! Evaluation (`eval`) follows SQL's three-valued logic; `deparse` prints an expression
//! back as PostgreSQL's `EXPLAIN` does.
//!
//! This layer knows no tables, plans or statements: what an expression needs from
//! around it (the enclosing row of a `LATERAL` subquery, the values of scalar
//! subqueries) it asks its [`eval::Environment`] for.

pub mod aggregate;
pub mod array_functions;
pub mod builtins;
pub mod deparse;
pub mod digest;
pub mod eval;
pub mod functions;
pub mod operators;
pub mod regex_functions;
pub mod signature;
pub mod sublink;
pub mod system;
pub mod text_functions;
pub mod text_search;
pub mod trig;
pub mod window;

pub use aggregate::{AggCall, AggKind, AggOrderKey};
pub use eval::{eval, passes, Environment, NoEnvironment};
pub use signature::Imp;
pub use sublink::{ArrayCompare, SubLink, SubLinkTest};

use crate::value::cast::CoercionContext;
use crate::value::{Array, Datum, SqlType, TypeMod};

/// A scalar subquery's place in its statement's list of subqueries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SubqueryId(pub usize);

/// A bound expression, evaluated against a row.
#[derive(Clone, Debug)]
pub enum BoundExpr {
    /// A constant.
    Const(Datum),
    /// The row's column at this position.
    Column(usize),
    /// The enclosing row's column at this position (inside a `LATERAL` subquery).
    OuterColumn(usize),
    /// The statement's parameter `$n` at this index (`n - 1`), given when it runs.
    Param(u32),
    /// A strict function or operator: NULL in any argument gives NULL.
    Call {
        /// The implementation.
        imp: Imp,
        /// The arguments.
        args: Vec<BoundExpr>,
        /// The operator or function name as written, for `EXPLAIN`.
        name: std::sync::Arc<str>,
        /// Whether it is an operator (else a function).
        operator: bool,
    },
    /// A run-time cast followed by the target's type modifier.
    Cast {
        /// The operand.
        operand: Box<BoundExpr>,
        /// The operand's type.
        from: SqlType,
        /// The target type.
        to: SqlType,
        /// The target modifier.
        typmod: TypeMod,
        /// The coercion context (decides how the modifier is enforced).
        context: CoercionContext,
    },
    /// `NOT`
    Not(Box<BoundExpr>),
    /// `AND` of two or more operands (a run of `AND`s is one node, as in PostgreSQL).
    And(Vec<BoundExpr>),
    /// `OR` of two or more operands.
    Or(Vec<BoundExpr>),
    /// A long left-associative run of operators (`a + b + c + …`, `x || y || …`):
    /// `first` gives the starting value and each step computes the next from it, the
    /// running value appearing in the step as [`BoundExpr::Accumulator`]. Evaluated in a
    /// loop, so a run of any length costs no stack.
    Fold {
        /// The starting value.
        first: Box<BoundExpr>,
        /// The steps, each an operator call over the running value and one operand.
        steps: Vec<BoundExpr>,
    },
    /// The running value of the [`BoundExpr::Fold`] whose step this is.
    Accumulator,
    /// `IS [NOT] NULL`
    IsNull {
        /// The operand.
        operand: Box<BoundExpr>,
        /// `IS NOT NULL`.
        negated: bool,
    },
    /// `ARRAY[…]`
    Array(Vec<BoundExpr>),
    /// A scalar subquery, by its place in the statement's list of subqueries; it
    /// runs once per statement, as PostgreSQL's InitPlans do.
    Subquery(SubqueryId),
    /// `EXISTS`, `ANY` / `ALL` / `IN` over a query, or a correlated scalar subquery.
    SubLink(Box<SubLink>),
    /// `left op ANY | ALL (array)` over an array value.
    ArrayCompare(Box<ArrayCompare>),
    /// `random()`
    Random,
    /// `CASE`: the first arm whose condition is true gives the value, else `otherwise`
    /// (`NULLIF` is one too).
    Case {
        /// Conditions and their values.
        arms: Vec<(BoundExpr, BoundExpr)>,
        /// The `ELSE` value (NULL when absent).
        otherwise: Box<BoundExpr>,
    },
    /// `COALESCE`: the first argument that is not NULL.
    Coalesce(Vec<BoundExpr>),
    /// `GREATEST` / `LEAST`: the largest or smallest argument that is not NULL.
    Extreme {
        /// `GREATEST` (else `LEAST`).
        greatest: bool,
        /// The arguments.
        args: Vec<BoundExpr>,
    },
    /// A set-returning function in a select list: the row repeats once per value.
    SetReturning(Box<SetFunction>),
    /// `pg_stat_statements_reset()`: forgets the statements `pg_stat_statements` counted,
    /// when evaluated.
    StatementsReset,
    /// `set_config(name, value, is_local)`: sets a run-time parameter for the session
    /// (or, with `is_local`, the transaction block) when evaluated; its value is the
    /// parameter's new value.
    SetConfig(Vec<BoundExpr>),
    /// `current_setting(name, missing_ok)` with the session's parameters when the
    /// statement was bound (`names`, `values`: two constant text arrays): read when
    /// evaluated, from the statement's own `set_config` changes where it can make them.
    CurrentSetting(Vec<BoundExpr>),
    /// `pg_relation_size(regclass)` and its kin: bytes of a relation, by its OID,
    /// measured when the expression is evaluated.
    RelationSize {
        /// Which bytes.
        part: SizePart,
        /// The relation's OID.
        relation: Box<BoundExpr>,
    },
}

/// Which bytes of a relation a size function counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SizePart {
    /// `pg_relation_size`: the relation itself (a table's heap, or an index).
    Relation,
    /// `pg_table_size`: a table without its indexes (the same as its heap here).
    Table,
    /// `pg_indexes_size`: a table's indexes.
    Indexes,
    /// `pg_total_relation_size`: a table with its indexes.
    Total,
}

impl SizePart {
    /// The part a size function counts, by the function's name.
    pub fn of_function(name: &str) -> Option<SizePart> {
        Some(match name {
            "pg_relation_size" => SizePart::Relation,
            "pg_table_size" => SizePart::Table,
            "pg_indexes_size" => SizePart::Indexes,
            "pg_total_relation_size" => SizePart::Total,
            _ => return None,
        })
    }

    /// The function's name.
    pub fn function(self) -> &'static str {
        match self {
            SizePart::Relation => "pg_relation_size",
            SizePart::Table => "pg_table_size",
            SizePart::Indexes => "pg_indexes_size",
            SizePart::Total => "pg_total_relation_size",
        }
    }
}

/// Expressions are equal when they have the same shape: calls by their name and
/// arguments (an overload follows from its name and argument types, so the
/// implementations are not compared).
impl PartialEq for BoundExpr {
    fn eq(&self, other: &BoundExpr) -> bool {
        use BoundExpr::*;
        match (self, other) {
            (Const(a), Const(b)) => a == b,
            (Column(a), Column(b)) | (OuterColumn(a), OuterColumn(b)) => a == b,
            (Param(a), Param(b)) => a == b,
            (
                Call {
                    args: a,
                    name: n,
                    operator: o,
                    ..
                },
                Call {
                    args: b,
                    name: m,
                    operator: p,
                    ..
                },
            ) => n == m && o == p && a == b,
            (
                Cast {
                    operand: a,
                    from: f,
                    to: t,
                    typmod: m,
                    context: c,
                },
                Cast {
                    operand: b,
                    from: g,
                    to: u,
                    typmod: n,
                    context: d,
                },
            ) => f == g && t == u && m == n && c == d && a == b,
            (Not(a), Not(b)) => a == b,
            (And(a), And(b)) | (Or(a), Or(b)) => a == b,
            (Fold { first: a, steps: x }, Fold { first: b, steps: y }) => a == b && x == y,
            (Accumulator, Accumulator) => true,
            (
                IsNull {
                    operand: a,
                    negated: m,
                },
                IsNull {
                    operand: b,
                    negated: n,
                },
            ) => m == n && a == b,
            (Array(a), Array(b)) | (Coalesce(a), Coalesce(b)) => a == b,
            (Subquery(a), Subquery(b)) => a == b,
            (Random, Random) => true,
            (
                Case {
                    arms: a,
                    otherwise: x,
                },
                Case {
                    arms: b,
                    otherwise: y,
                },
            ) => a == b && x == y,
            (
                Extreme {
                    greatest: g,
                    args: a,
                },
                Extreme {
                    greatest: h,
                    args: b,
                },
            ) => g == h && a == b,
            (SetReturning(a), SetReturning(b)) => a == b,
            (StatementsReset, StatementsReset) => true,
            (SetConfig(a), SetConfig(b)) => a == b,
            (CurrentSetting(a), CurrentSetting(b)) => a == b,
            (SubLink(a), SubLink(b)) => a == b,
            (ArrayCompare(a), ArrayCompare(b)) => a == b,
            (
                RelationSize {
                    part: p,
                    relation: a,
                },
                RelationSize {
                    part: q,
                    relation: b,
                },
            ) => p == q && a == b,
            _ => false,
        }
    }
}

/// A set-returning function (in `FROM`, or at the top of a select list).
#[derive(Clone, Debug, PartialEq)]
pub enum SetFunction {
    /// `unnest(array)`: one row per element.
    Unnest(BoundExpr),
    /// `generate_series(start, stop [, step])` over integers.
    GenerateSeries(BoundExpr, BoundExpr, Option<BoundExpr>),
    /// A scalar function in `FROM` (`plainto_tsquery('…') query`): one row, its value.
    Scalar(String, BoundExpr),
}

/// Whether an expression names no column and has no side effects, so that it can be
/// evaluated once when the plan is chosen.
pub fn is_constant(expr: &BoundExpr) -> bool {
    !matches!(
        expr,
        BoundExpr::Subquery(_)
            | BoundExpr::SubLink(_)
            | BoundExpr::Random
            | BoundExpr::Param(_)
            | BoundExpr::RelationSize { .. }
            | BoundExpr::StatementsReset
            | BoundExpr::SetConfig(_)
            | BoundExpr::CurrentSetting(_)
    ) && is_row_independent(expr)
        && children(expr).iter().all(|child| is_constant(child))
}

/// Whether an expression's value is the same for every row: it names no column (scalar
/// subqueries and volatile functions may appear; they are evaluated when the statement
/// runs, not when it is planned).
pub fn is_row_independent(expr: &BoundExpr) -> bool {
    !matches!(
        expr,
        BoundExpr::Column(_) | BoundExpr::OuterColumn(_) | BoundExpr::SetReturning(_)
    ) && !matches!(expr, BoundExpr::SubLink(link) if link.correlated)
        && children(expr).iter().all(|child| is_row_independent(child))
}

/// Adds to `out` the columns of the row an expression reads (each once), the operands of
/// its operands included; a subquery's own columns and an `ANY`/`ALL` comparison's
/// two-column row are not the row's.
pub fn columns_read(expr: &BoundExpr, out: &mut Vec<usize>) {
    if let BoundExpr::Column(column) = expr {
        if !out.contains(column) {
            out.push(*column);
        }
    }
    for child in children(expr) {
        columns_read(child, out);
    }
}

/// The direct operands of an expression.
pub fn children(expr: &BoundExpr) -> Vec<&BoundExpr> {
    match expr {
        BoundExpr::Const(_)
        | BoundExpr::Column(_)
        | BoundExpr::OuterColumn(_)
        | BoundExpr::Param(_)
        | BoundExpr::Subquery(_)
        | BoundExpr::Accumulator
        | BoundExpr::StatementsReset
        | BoundExpr::Random => Vec::new(),
        BoundExpr::Fold { first, steps } => std::iter::once(&**first).chain(steps).collect(),
        BoundExpr::Call { args, .. }
        | BoundExpr::And(args)
        | BoundExpr::Or(args)
        | BoundExpr::Array(args)
        | BoundExpr::Coalesce(args)
        | BoundExpr::Extreme { args, .. } => args.iter().collect(),
        BoundExpr::Cast { operand, .. }
        | BoundExpr::Not(operand)
        | BoundExpr::IsNull { operand, .. }
        | BoundExpr::RelationSize {
            relation: operand, ..
        } => vec![operand],
        BoundExpr::SetConfig(args) | BoundExpr::CurrentSetting(args) => args.iter().collect(),
        BoundExpr::SubLink(link) => link.left.iter().collect(),
        BoundExpr::ArrayCompare(test) => vec![&test.left, &test.array],
        BoundExpr::Case { arms, otherwise } => arms
            .iter()
            .flat_map(|(c, v)| [c, v])
            .chain(std::iter::once(&**otherwise))
            .collect(),
        BoundExpr::SetReturning(function) => match &**function {
            SetFunction::Unnest(arg) | SetFunction::Scalar(_, arg) => vec![arg],
            SetFunction::GenerateSeries(a, b, c) => {
                let mut out = vec![a, b];
                out.extend(c.as_ref());
                out
            }
        },
    }
}

/// The direct operands of an expression, to change in place.
pub fn children_mut(expr: &mut BoundExpr) -> Vec<&mut BoundExpr> {
    match expr {
        BoundExpr::Const(_)
        | BoundExpr::Column(_)
        | BoundExpr::OuterColumn(_)
        | BoundExpr::Param(_)
        | BoundExpr::Subquery(_)
        | BoundExpr::Accumulator
        | BoundExpr::StatementsReset
        | BoundExpr::Random => Vec::new(),
        BoundExpr::Fold { first, steps } => std::iter::once(&mut **first)
            .chain(steps.iter_mut())
            .collect(),
        BoundExpr::Call { args, .. }
        | BoundExpr::And(args)
        | BoundExpr::Or(args)
        | BoundExpr::Array(args)
        | BoundExpr::Coalesce(args)
        | BoundExpr::Extreme { args, .. } => args.iter_mut().collect(),
        BoundExpr::Cast { operand, .. }
        | BoundExpr::Not(operand)
        | BoundExpr::IsNull { operand, .. }
        | BoundExpr::RelationSize {
            relation: operand, ..
        } => vec![&mut **operand],
        BoundExpr::SetConfig(args) | BoundExpr::CurrentSetting(args) => args.iter_mut().collect(),
        BoundExpr::SubLink(link) => link.left.iter_mut().collect(),
        BoundExpr::ArrayCompare(test) => vec![&mut test.left, &mut test.array],
        BoundExpr::Case { arms, otherwise } => arms
            .iter_mut()
            .flat_map(|(c, v)| [c, v])
            .chain(std::iter::once(&mut **otherwise))
            .collect(),
        BoundExpr::SetReturning(function) => match &mut **function {
            SetFunction::Unnest(arg) | SetFunction::Scalar(_, arg) => vec![arg],
            SetFunction::GenerateSeries(a, b, c) => {
                let mut out = vec![a, b];
                out.extend(c.as_mut());
                out
            }
        },
    }
}

/// Builds an array datum from evaluated elements.
pub fn array_datum(elements: Vec<Datum>) -> Datum {
    Datum::Array(Array::one_dimensional(elements))
}
