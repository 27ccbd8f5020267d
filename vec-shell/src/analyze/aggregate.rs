//! Aggregates in a grouped query: recognising aggregate calls and `GROUP BY`
//! expressions while binding the select list, `HAVING` and `ORDER BY`, and typing each
//! aggregate's result (`sum(integer)` is `bigint`, `avg(vector)` is `vector`, …).

use super::context::Context;
use super::expr::{Binder, Typed};
use super::Scope;
use crate::error::{EngineError, Result};
use crate::expr::aggregate::AggOrderKey;
use crate::expr::BoundExpr;
use crate::expr::{AggCall, AggKind};
use crate::sql::ast::{AggClauses, Expr, ExprKind, Select, SelectItem};
use crate::value::{SqlType, TypeMod};

/// Whether `name` is an aggregate function.
pub fn is_aggregate(name: &str) -> bool {
    matches!(
        name,
        "count"
            | "sum"
            | "avg"
            | "min"
            | "max"
            | "array_agg"
            | "string_agg"
            | "bool_and"
            | "bool_or"
            | "every"
    )
}

/// Whether an expression contains an aggregate call (outside subqueries).
pub fn contains_aggregate(expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::Function {
            name,
            args,
            clauses,
            ..
        } => match clauses.as_deref().and_then(|c| c.over.as_ref()) {
            Some(over) => {
                args.iter().any(contains_aggregate)
                    || over.partition_by.iter().any(contains_aggregate)
                    || over.order_by.iter().any(|k| contains_aggregate(&k.expr))
            }
            None => is_aggregate(name) || args.iter().any(contains_aggregate),
        },
        ExprKind::Unary { operand, .. }
        | ExprKind::IsNull { operand, .. }
        | ExprKind::Cast { operand, .. }
        | ExprKind::Collate { operand, .. } => contains_aggregate(operand),
        ExprKind::Binary { left, right, .. }
        | ExprKind::ArrayCompare {
            left, array: right, ..
        } => contains_aggregate(left) || contains_aggregate(right),
        ExprKind::Subscript {
            operand,
            lower,
            upper,
            ..
        } => {
            contains_aggregate(operand)
                || [lower, upper]
                    .into_iter()
                    .any(|b| b.as_deref().is_some_and(contains_aggregate))
        }
        ExprKind::Chain { first, rest } => {
            contains_aggregate(first) || rest.iter().any(|l| contains_aggregate(&l.operand))
        }
        ExprKind::Array(items) => items.iter().any(contains_aggregate),
        ExprKind::Case {
            operand,
            whens,
            otherwise,
        } => {
            operand.as_deref().is_some_and(contains_aggregate)
                || whens
                    .iter()
                    .any(|(w, t)| contains_aggregate(w) || contains_aggregate(t))
                || otherwise.as_deref().is_some_and(contains_aggregate)
        }
        _ => false,
    }
}

/// Whether a query aggregates.
pub fn query_aggregates(select: &Select) -> bool {
    !select.group_by.is_empty()
        || select.having.is_some()
        || select.items.iter().any(|item| match item {
            SelectItem::Expr { expr, .. } => contains_aggregate(expr),
            SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard { .. } => false,
        })
        || select.order_by.iter().any(|k| contains_aggregate(&k.expr))
}

/// The grouping keys and aggregate calls found while binding a grouped query.
pub struct AggContext {
    /// The `GROUP BY` expressions as written.
    pub group_exprs: Vec<Expr>,
    /// Their bound forms and types.
    pub group_keys: Vec<Typed>,
    /// The aggregate calls found so far.
    pub calls: Vec<AggCall>,
    /// Their result types.
    pub call_types: Vec<SqlType>,
}

impl AggContext {
    /// If `expr` is a grouping key or an aggregate call, its reference in the
    /// aggregated row.
    pub fn lookup(
        &mut self,
        expr: &Expr,
        cx: &Context<'_>,
        scope: &Scope,
    ) -> Result<Option<Typed>> {
        if let Some(index) = self.group_exprs.iter().position(|g| g == expr) {
            let key = &self.group_keys[index];
            return Ok(Some(Typed {
                typmod: key.typmod,
                ..Typed::new(BoundExpr::Column(index), key.ty.clone())
            }));
        }
        let ExprKind::Function {
            name,
            args,
            star,
            clauses,
        } = &expr.kind
        else {
            return Ok(None);
        };
        if !is_aggregate(name) || clauses.as_deref().is_some_and(|c| c.over.is_some()) {
            return Ok(None);
        }
        let pos = expr.pos.0;
        if args.iter().any(contains_aggregate) {
            return Err(
                EngineError::new("42803", "aggregate function calls cannot be nested").at(pos),
            );
        }
        if let Some(found) = args.iter().find_map(super::window::first_window_call) {
            return Err(EngineError::new(
                "42803",
                "aggregate function calls cannot contain window function calls",
            )
            .at(found.pos.0));
        }
        let mut inner = Binder {
            cx,
            scope,
            aggregates: None,
            windows: None,
        };
        let (call, result, typmod) =
            bind_aggregate_call(&mut inner, name, args, *star, clauses.as_deref(), pos)?;
        self.calls.push(call);
        self.call_types.push(result.clone());
        let index = self.group_exprs.len() + self.calls.len() - 1;
        Ok(Some(Typed {
            typmod,
            ..Typed::new(BoundExpr::Column(index), result)
        }))
    }
}

/// Binds an aggregate call's arguments and clauses with `inner` (a binder over the
/// rows the aggregate folds): the call, its result type and modifier.
pub(super) fn bind_aggregate_call(
    inner: &mut Binder<'_>,
    name: &str,
    args: &[Expr],
    star: bool,
    clauses: Option<&AggClauses>,
    pos: usize,
) -> Result<(AggCall, SqlType, TypeMod)> {
    let kind = match name {
        "count" if star => AggKind::CountStar,
        "count" => AggKind::Count,
        "sum" => AggKind::Sum,
        "avg" => AggKind::Avg,
        "min" => AggKind::Min,
        "max" => AggKind::Max,
        "string_agg" => AggKind::StringAgg,
        "bool_and" | "every" => AggKind::BoolAnd,
        "bool_or" => AggKind::BoolOr,
        _ => AggKind::ArrayAgg,
    };
    let arity = match kind {
        AggKind::CountStar => 0,
        AggKind::StringAgg => 2,
        _ => 1,
    };
    if args.len() != arity || (star && kind != AggKind::CountStar) {
        return Err(EngineError::new(
            "42883",
            format!("function {name} does not exist with these arguments"),
        )
        .at(pos));
    }
    let mut typed = Vec::with_capacity(arity);
    for arg in args {
        typed.push(inner.bind(arg)?);
    }
    let type_names: Vec<String> = typed.iter().map(|t| t.ty.name()).collect();
    // A literal argument of unknown type takes the type the aggregate expects.
    let wanted = match kind {
        AggKind::BoolAnd | AggKind::BoolOr => SqlType::Bool,
        _ => SqlType::Text,
    };
    let mut bound = Vec::with_capacity(arity);
    for value in typed {
        if value.ty == SqlType::Unknown && kind != AggKind::Count {
            let converted = inner.convert(
                value,
                &wanted,
                -1,
                crate::value::cast::CoercionContext::Implicit,
                pos,
            )?;
            bound.push((converted.expr, wanted.clone()));
        } else {
            bound.push((value.expr, value.ty));
        }
    }
    let signature = type_names.join(", ");
    let mut bound = bound.into_iter();
    let (arg, arg_type) = match bound.next() {
        Some((expr, ty)) => (Some(expr), ty),
        None => (None, SqlType::Int8),
    };
    let delimiter = match bound.next() {
        Some((expr, ty)) if ty == SqlType::Text => Some(expr),
        Some(_) => return Err(no_such_function(name, &signature, pos)),
        None => None,
    };
    let (result, typmod) = result_type(kind, &arg_type, name, pos)
        .map_err(|_| no_such_function(name, &signature, pos))?;
    let mut call = AggCall {
        kind,
        arg,
        arg_type,
        delimiter,
        distinct: false,
        order_by: Vec::new(),
        filter: None,
    };
    if let Some(clauses) = clauses {
        bind_clauses(inner, &mut call, clauses, args)?;
    }
    Ok((call, result, typmod))
}

/// PostgreSQL's error for an aggregate called with argument types it does not take.
fn no_such_function(name: &str, signature: &str, pos: usize) -> EngineError {
    EngineError::new(
        "42883",
        format!("function {name}({signature}) does not exist"),
    )
    .with_hint("No function matches the given name and argument types. You might need to add explicit type casts.")
    .at(pos)
}

/// Binds an aggregate call's `DISTINCT`, `ORDER BY` and `FILTER` into `call`, with
/// PostgreSQL's errors for an aggregate inside them, a non-boolean filter, and a
/// `DISTINCT` whose `ORDER BY` sorts by something other than its arguments.
fn bind_clauses(
    inner: &mut Binder<'_>,
    call: &mut AggCall,
    clauses: &AggClauses,
    args: &[Expr],
) -> Result<()> {
    let nested = |expr: &Expr, what: &str| -> Result<()> {
        match super::defaults::first_forbidden(expr, &mut super::defaults::is_aggregate_call) {
            Some(found) if super::defaults::is_window_call(&found) => Err(EngineError::new(
                "42P20",
                format!("window functions are not allowed in {what}"),
            )
            .at(found.pos.0)),
            Some(found) => Err(EngineError::new(
                "42803",
                format!("aggregate functions are not allowed in {what}"),
            )
            .at(found.pos.0)),
            None => Ok(()),
        }
    };
    call.distinct = clauses.distinct;
    for key in &clauses.order_by {
        if contains_aggregate(&key.expr) {
            return Err(
                EngineError::new("42803", "aggregate function calls cannot be nested")
                    .at(key.expr.pos.0),
            );
        }
        if clauses.distinct && !args.contains(&key.expr) {
            return Err(EngineError::new(
                "42P10",
                "in an aggregate with DISTINCT, ORDER BY expressions must appear in argument list",
            )
            .at(key.expr.pos.0));
        }
        let expr = inner.bind(&key.expr)?.expr;
        call.order_by.push(AggOrderKey {
            expr,
            descending: key.descending,
            nulls_first: key.nulls_first.unwrap_or(key.descending),
        });
    }
    if let Some(filter) = &clauses.filter {
        nested(filter, "FILTER")?;
        let value = inner.bind(filter)?;
        call.filter =
            Some(inner.coerce(value, &SqlType::Bool, filter.pos.0, "argument of FILTER")?);
    }
    Ok(())
}

fn result_type(kind: AggKind, arg: &SqlType, name: &str, pos: usize) -> Result<(SqlType, TypeMod)> {
    use SqlType::*;
    let result = match (kind, arg) {
        (AggKind::CountStar | AggKind::Count, _) => Some(Int8),
        (AggKind::Sum, Int4) => Some(Int8),
        (AggKind::Sum, Int8 | Numeric) => Some(Numeric),
        (AggKind::Sum, Float4 | Float8 | Vector | HalfVec) => Some(arg.clone()),
        (AggKind::Avg, Int4 | Int8 | Numeric) => Some(Numeric),
        (AggKind::Avg, Float4 | Float8) => Some(Float8),
        (AggKind::Avg, Vector | HalfVec) => Some(arg.clone()),
        (AggKind::Min | AggKind::Max, Array(_) | Unknown) => None,
        (AggKind::Min | AggKind::Max, _) => Some(arg.clone()),
        (AggKind::ArrayAgg, _) => Some(Array(Box::new(arg.clone()))),
        (AggKind::StringAgg, Text) => Some(Text),
        (AggKind::BoolAnd | AggKind::BoolOr, Bool) => Some(Bool),
        _ => None,
    };
    match result {
        Some(ty) => Ok((ty, -1)),
        None => Err(EngineError::new(
            "42883",
            format!("function {name}({}) does not exist", arg.name()),
        )
        .with_hint("No function matches the given name and argument types. You might need to add explicit type casts.")
        .at(pos)),
    }
}
