//! Aggregates in a grouped query: recognising aggregate calls and `GROUP BY`
//! expressions while binding the select list, `HAVING` and `ORDER BY`, and typing each
//! aggregate's result (`sum(integer)` is `bigint`, `avg(vector)` is `vector`, …).

use super::context::Context;
use super::expr::{Binder, Typed};
use super::Scope;
use crate::error::{EngineError, Result};
use crate::expr::BoundExpr;
use crate::expr::{AggCall, AggKind};
use crate::sql::ast::{Expr, ExprKind, Select, SelectItem};
use crate::value::{SqlType, TypeMod};

/// Whether `name` is an aggregate function.
pub fn is_aggregate(name: &str) -> bool {
    matches!(name, "count" | "sum" | "avg" | "min" | "max" | "array_agg")
}

/// Whether an expression contains an aggregate call (outside subqueries).
pub fn contains_aggregate(expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::Function { name, args, .. } => {
            is_aggregate(name) || args.iter().any(contains_aggregate)
        }
        ExprKind::Unary { operand, .. }
        | ExprKind::IsNull { operand, .. }
        | ExprKind::Cast { operand, .. } => contains_aggregate(operand),
        ExprKind::Binary { left, right, .. } => {
            contains_aggregate(left) || contains_aggregate(right)
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
            SelectItem::Wildcard(_) => false,
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
        let ExprKind::Function { name, args, star } = &expr.kind else {
            return Ok(None);
        };
        if !is_aggregate(name) {
            return Ok(None);
        }
        let pos = expr.pos.0;
        if args.iter().any(contains_aggregate) {
            return Err(
                EngineError::new("42803", "aggregate function calls cannot be nested").at(pos),
            );
        }
        let mut inner = Binder {
            cx,
            scope,
            aggregates: None,
        };
        let (kind, arg) = match (name.as_str(), *star, args.as_slice()) {
            ("count", true, []) => (AggKind::CountStar, None),
            (_, false, [arg]) => {
                let kind = match name.as_str() {
                    "count" => AggKind::Count,
                    "sum" => AggKind::Sum,
                    "avg" => AggKind::Avg,
                    "min" => AggKind::Min,
                    "max" => AggKind::Max,
                    _ => AggKind::ArrayAgg,
                };
                (kind, Some(inner.bind(arg)?))
            }
            _ => {
                return Err(EngineError::new(
                    "42883",
                    format!("function {name} does not exist with these arguments"),
                )
                .at(pos))
            }
        };
        let (arg, arg_type) = match arg {
            Some(typed) if typed.ty == SqlType::Unknown && kind != AggKind::Count => {
                let converted = inner.convert(
                    typed,
                    &SqlType::Text,
                    -1,
                    crate::value::cast::CoercionContext::Implicit,
                    pos,
                )?;
                (Some(converted.expr), SqlType::Text)
            }
            Some(typed) => (Some(typed.expr), typed.ty),
            None => (None, SqlType::Int8),
        };
        let (result, typmod) = result_type(kind, &arg_type, name, pos)?;
        self.calls.push(AggCall {
            kind,
            arg,
            arg_type,
        });
        self.call_types.push(result.clone());
        let index = self.group_exprs.len() + self.calls.len() - 1;
        Ok(Some(Typed {
            typmod,
            ..Typed::new(BoundExpr::Column(index), result)
        }))
    }
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
