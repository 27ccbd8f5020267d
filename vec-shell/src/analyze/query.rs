//! Binding a `SELECT`: the `FROM` source and its scope, `WHERE`, grouping and
//! aggregates, the select list with its labels, `ORDER BY` (output names, ordinals or
//! expressions carried as hidden columns), `DISTINCT` (`distinct.rs`), `LIMIT` and
//! `OFFSET`; a set operation is bound in `setop.rs`.

use super::aggregate::{query_aggregates, AggContext};
use super::bound::{Aggregation, BoundFrom, BoundQuery, ExplainText, OutputColumn, SortKey};
use super::context::Context;
use super::expr::{Binder, Typed};
use super::from::{bind_from, bind_set_function};
use super::naming::column_label;
use super::window::{refuse_in, WindowContext};
use super::{Scope, ScopeColumn};
use crate::error::{EngineError, Result};
use crate::expr::{deparse, BoundExpr};
use crate::sql::ast::{Expr, ExprKind, FromItem, Select, SelectItem};
use crate::value::cast::CoercionContext;
use crate::value::SqlType;

/// Binds a query that may name the columns of an enclosing row (`outer`), as a
/// `LATERAL` subquery does.
pub fn bind_select(cx: &Context<'_>, select: &Select, outer: &[ScopeColumn]) -> Result<BoundQuery> {
    if !select.with.is_empty() {
        let inlined = super::cte::inline_ctes(select)?;
        return bind_select(cx, &inlined, outer);
    }
    if let Some(operation) = &select.set_operation {
        return super::setop::bind_set_operation(cx, select, operation, outer);
    }
    let (source, mut scope) = bind_from(cx, select.from.as_ref(), outer)?;
    scope.outer = outer.to_vec();
    let written_out;
    let select = match super::group_keys::output_group_keys(select, &scope)? {
        Some(rewritten) => {
            written_out = rewritten;
            &written_out
        }
        None => select,
    };
    let filter = match &select.selection {
        Some(expr) => {
            let mut binder = Binder {
                cx,
                scope: &scope,
                aggregates: None,
                windows: None,
            };
            if super::aggregate::contains_aggregate(expr) {
                return Err(EngineError::new(
                    "42803",
                    "aggregate functions are not allowed in WHERE",
                )
                .at(expr.pos.0));
            }
            refuse_in(expr, "WHERE")?;
            let bound = binder.bind(expr)?;
            Some(binder.coerce(bound, &SqlType::Bool, expr.pos.0, "argument of WHERE")?)
        }
        None => None,
    };

    let mut context = if query_aggregates(select) {
        let mut binder = Binder {
            cx,
            scope: &scope,
            aggregates: None,
            windows: None,
        };
        let mut group_keys = Vec::new();
        for expr in &select.group_by {
            if super::aggregate::contains_aggregate(expr) {
                return Err(EngineError::new(
                    "42803",
                    "aggregate functions are not allowed in GROUP BY",
                )
                .at(expr.pos.0));
            }
            refuse_in(expr, "GROUP BY")?;
            let bound = binder.bind(expr)?;
            group_keys.push(resolve_unknown(&mut binder, bound)?);
        }
        Some(AggContext {
            group_exprs: select.group_by.clone(),
            group_keys,
            calls: Vec::new(),
            call_types: Vec::new(),
        })
    } else {
        None
    };

    let mut windows = WindowContext::for_query(select)?;
    let mut projection = Vec::new();
    let mut columns = Vec::new();
    for item in &select.items {
        match item {
            SelectItem::Wildcard(pos) | SelectItem::QualifiedWildcard { pos, .. } => {
                let table = match item {
                    SelectItem::QualifiedWildcard { table, .. } => Some(table.as_str()),
                    _ => None,
                };
                if scope.columns.is_empty() && table.is_none() {
                    return Err(EngineError::new(
                        "42601",
                        "SELECT * with no tables specified is not valid",
                    )
                    .at(pos.0));
                }
                for index in scope.star_columns(table, pos.0)? {
                    let column = &scope.columns[index];
                    if context.is_some() {
                        // Under GROUP BY each column must be a group key, as if named.
                        let name = super::group_keys::column_name(&scope, column);
                        let named = Expr {
                            kind: ExprKind::Column(name),
                            pos: *pos,
                        };
                        let mut binder = Binder {
                            cx,
                            scope: &scope,
                            aggregates: context.as_mut(),
                            windows: None,
                        };
                        projection.push(binder.bind(&named)?.expr);
                    } else {
                        projection.push(BoundExpr::Column(index));
                    }
                    columns.push(output(column.name.clone(), column));
                }
            }
            SelectItem::Expr { expr, alias } => {
                let set_function = match context {
                    None => bind_set_function(cx, &scope, expr)?,
                    Some(_) => None,
                };
                let bound = match set_function {
                    Some((function, ty)) => {
                        Typed::new(BoundExpr::SetReturning(Box::new(function)), ty)
                    }
                    None => {
                        let mut binder = Binder {
                            cx,
                            scope: &scope,
                            aggregates: context.as_mut(),
                            windows: windows.as_mut(),
                        };
                        let bound = binder.bind(expr)?;
                        resolve_unknown(&mut binder, bound)?
                    }
                };
                columns.push(OutputColumn {
                    name: alias.clone().unwrap_or_else(|| column_label(expr)),
                    ty: bound.ty,
                    typmod: bound.typmod,
                });
                projection.push(bound.expr);
            }
        }
    }

    let mut order = Vec::new();
    for key in &select.order_by {
        let visible = Some(&projection[..columns.len()]);
        let column = match order_target(
            &key.expr.kind,
            key.expr.pos.0,
            "ORDER BY",
            &columns,
            visible,
        )? {
            Some(index) => index,
            None => {
                let mut binder = Binder {
                    cx,
                    scope: &scope,
                    aggregates: context.as_mut(),
                    windows: windows.as_mut(),
                };
                let bound = binder.bind(&key.expr)?;
                let bound = resolve_unknown(&mut binder, bound)?;
                projection.push(bound.expr);
                projection.len() - 1
            }
        };
        order.push(SortKey {
            column,
            descending: key.descending,
            nulls_first: key.nulls_first.unwrap_or(key.descending),
        });
    }

    let distinct = match &select.distinct {
        Some(distinct) => {
            let input = super::distinct::DistinctInput {
                distinct,
                order_by: &select.order_by,
                columns: &columns,
                projection: &mut projection,
                order: &mut order,
            };
            let mut bind = |expr: &Expr| {
                let mut binder = Binder {
                    cx,
                    scope: &scope,
                    aggregates: context.as_mut(),
                    windows: windows.as_mut(),
                };
                let bound = binder.bind(expr)?;
                Ok(resolve_unknown(&mut binder, bound)?.expr)
            };
            Some(super::distinct::bind_distinct(input, &mut bind)?)
        }
        None => None,
    };

    let aggregate = match context {
        Some(mut context) => {
            let having = match &select.having {
                Some(expr) => {
                    refuse_in(expr, "HAVING")?;
                    let mut binder = Binder {
                        cx,
                        scope: &scope,
                        aggregates: Some(&mut context),
                        windows: None,
                    };
                    let bound = binder.bind(expr)?;
                    Some(binder.coerce(bound, &SqlType::Bool, expr.pos.0, "argument of HAVING")?)
                }
                None => None,
            };
            Some(Aggregation {
                group_keys: context.group_keys.into_iter().map(|k| k.expr).collect(),
                calls: context.calls,
                having,
            })
        }
        None => None,
    };

    let windows = windows.map(|windows| {
        let base = match &aggregate {
            Some(aggregation) => aggregation.group_keys.len() + aggregation.calls.len(),
            None => scope.columns.len(),
        };
        let order_keys: Vec<BoundExpr> = order
            .iter()
            .map(|key| projection[key.column].clone())
            .collect();
        for expr in &mut projection {
            super::window::remap(expr, base);
        }
        let group_keys = aggregate.as_ref().map_or(0, |a| a.group_keys.len());
        windows.finish(base, &order_keys, group_keys)
    });
    let explain = cx.explain.then(|| {
        let mut text = explain_text(
            select,
            &source,
            &scope,
            filter.as_ref(),
            &projection,
            &order,
            aggregate.is_some(),
        );
        if let Some(windows) = &windows {
            text.window_keys = super::window::key_text(windows, select, &text, aggregate.is_some());
        }
        if let Some(aggregate) = &aggregate {
            text.group_keys = aggregate
                .group_keys
                .iter()
                .map(|key| {
                    deparse::sort_key(key, &scope, text.qualify).unwrap_or_else(|| "?".to_string())
                })
                .collect();
        }
        text
    });
    Ok(BoundQuery {
        source,
        filter,
        aggregate,
        windows,
        projection,
        columns,
        order,
        distinct,
        limit: bound_count(cx, select.limit.as_ref(), "LIMIT")?,
        offset: bound_count(cx, select.offset.as_ref(), "OFFSET")?,
        explain,
    })
}

/// `EXPLAIN`'s text of a query: its conditions and sort keys deparsed from their bound
/// forms, as written where that fails.
fn explain_text(
    select: &Select,
    source: &BoundFrom,
    scope: &Scope,
    filter: Option<&BoundExpr>,
    projection: &[BoundExpr],
    order: &[SortKey],
    aggregated: bool,
) -> Box<ExplainText> {
    let qualify = matches!(source, BoundFrom::Join(_) | BoundFrom::CrossJoin { .. })
        || !scope.outer.is_empty();
    let filter_text = select.selection.as_ref().map(|written| {
        filter
            .and_then(|bound| deparse::deparse(bound, scope, qualify))
            .unwrap_or_else(|| written.to_string())
    });
    let order_text: Vec<String> = select
        .order_by
        .iter()
        .zip(order)
        .map(|(written, key)| {
            let direction = if written.descending { " DESC" } else { "" };
            let deparsed = match aggregated {
                false => projection
                    .get(key.column)
                    .and_then(|bound| deparse::sort_key(bound, scope, qualify)),
                true => None,
            };
            let text = deparsed.unwrap_or_else(|| written.expr.to_string());
            format!("{text}{direction}")
        })
        .collect();
    let index_order = match (aggregated, order.first()) {
        (false, Some(key)) => projection
            .get(key.column)
            .and_then(|bound| deparse::deparse(bound, scope, qualify)),
        _ => None,
    };
    let mut conditions = Vec::new();
    if let Some(selection) = &select.selection {
        split_and(selection, &mut conditions);
    }
    Box::new(ExplainText {
        filter: filter_text,
        conditions,
        order: order_text,
        index_order,
        having: select.having.as_ref().map(ToString::to_string),
        alias: match &select.from {
            Some(FromItem::Table { alias, .. })
            | Some(FromItem::Function { alias, .. })
            | Some(FromItem::Subquery { alias, .. })
            | Some(FromItem::Cte { alias, .. })
            | Some(FromItem::WorkTable { alias, .. }) => alias.clone(),
            Some(FromItem::CrossJoin { .. })
            | Some(FromItem::Join { .. })
            | Some(FromItem::Values { .. })
            | None => None,
        },
        scope: scope.clone(),
        qualify,
        window_keys: Vec::new(),
        group_keys: Vec::new(),
    })
}

/// The `AND`ed parts of a condition as written, in order.
fn split_and(expr: &Expr, out: &mut Vec<String>) {
    match &expr.kind {
        ExprKind::Binary { op, left, right } if op == "and" => {
            split_and(left, out);
            split_and(right, out);
        }
        ExprKind::Chain { first, rest } if rest.iter().all(|l| l.op == "and") => {
            split_and(first, out);
            for link in rest {
                split_and(&link.operand, out);
            }
        }
        _ => out.push(expr.to_string()),
    }
}

/// Output columns whose type is still unknown (a bare string literal) become `text`.
pub(super) fn resolve_unknown(binder: &mut Binder<'_>, value: Typed) -> Result<Typed> {
    if value.ty == SqlType::Unknown {
        return binder.convert(value, &SqlType::Text, -1, CoercionContext::Implicit, 0);
    }
    Ok(value)
}

fn output(name: String, column: &ScopeColumn) -> OutputColumn {
    OutputColumn {
        name,
        ty: column.ty.clone(),
        typmod: column.typmod,
    }
}

/// A key of `clause` (`ORDER BY`, `DISTINCT ON`) that names an output column or is an
/// ordinal.
/// The output column an `ORDER BY` or `DISTINCT ON` item names, as PostgreSQL's
/// SQL-92 rule reads it: a position, or a bare name that an output column has (two
/// output columns of that name are ambiguous unless they compute the same expression,
/// given as `exprs`, aligned with `columns`); `None` when the item is an expression.
pub(super) fn order_target(
    kind: &ExprKind,
    pos: usize,
    clause: &str,
    columns: &[OutputColumn],
    exprs: Option<&[BoundExpr]>,
) -> Result<Option<usize>> {
    match kind {
        ExprKind::Number(text) => {
            let position: usize = text.parse().unwrap_or(0);
            if position == 0 || position > columns.len() {
                return Err(EngineError::new(
                    "42P10",
                    format!("{clause} position {text} is not in select list"),
                )
                .at(pos));
            }
            Ok(Some(position - 1))
        }
        ExprKind::Column(parts) if parts.len() == 1 => {
            let mut named = (0..columns.len()).filter(|&i| columns[i].name == parts[0]);
            let Some(first) = named.next() else {
                return Ok(None);
            };
            for other in named {
                let same = exprs.is_some_and(|exprs| exprs.get(first) == exprs.get(other));
                if !same {
                    return Err(EngineError::new(
                        "42702",
                        format!("{clause} \"{}\" is ambiguous", parts[0]),
                    )
                    .at(pos));
                }
            }
            Ok(Some(first))
        }
        _ => Ok(None),
    }
}

pub(super) fn bound_count(
    cx: &Context<'_>,
    expr: Option<&Expr>,
    what: &str,
) -> Result<Option<BoundExpr>> {
    let Some(expr) = expr else {
        return Ok(None);
    };
    bind_constant(cx, expr, what, |binder, bound| {
        let converted = binder.convert(
            bound,
            &SqlType::Int8,
            -1,
            CoercionContext::Assignment,
            expr.pos.0,
        )?;
        Ok(converted.expr)
    })
    .map(Some)
}

/// Binds an expression that may not name columns (`LIMIT`, a frame offset) with no row
/// in scope, then `finish`es it with the same binder; naming a column is PostgreSQL's
/// `argument of {what} must not contain variables`.
pub(super) fn bind_constant(
    cx: &Context<'_>,
    expr: &Expr,
    what: &str,
    finish: impl FnOnce(&mut Binder<'_>, Typed) -> Result<BoundExpr>,
) -> Result<BoundExpr> {
    let scope = Scope::default();
    let mut binder = Binder {
        cx,
        scope: &scope,
        aggregates: None,
        windows: None,
    };
    let bound = binder.bind(expr).map_err(|e| {
        if e.sqlstate == "42703" {
            EngineError::new(
                "42P10",
                format!("argument of {what} must not contain variables"),
            )
            .at(expr.pos.0)
        } else {
            e
        }
    })?;
    finish(&mut binder, bound)
}
