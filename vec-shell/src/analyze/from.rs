//! Binding a query's `FROM` clause: tables, subqueries (`LATERAL` ones see the
//! columns of the items to their left), `WITH` queries (`cte_bind.rs`), set-returning functions, cross joins and
//! qualified joins (in `join.rs`), each with the scope of columns it gives the rest of
//! the query.

use super::bound::{BoundFrom, BoundQuery};
use super::context::Context;
use super::expr::Binder;
use super::query::bind_select;
use super::{Scope, ScopeColumn};
use crate::error::{EngineError, Result};
use crate::expr::SetFunction;
use crate::sql::ast::{Expr, ExprKind, FromItem};
use crate::value::cast::CoercionContext;
use crate::value::SqlType;

/// The rows' source and the scope it gives expressions; a set-returning function's
/// arguments may name the columns of the enclosing row (`outer`) of a correlated
/// subquery.
pub(super) fn bind_from(
    cx: &Context<'_>,
    from: Option<&FromItem>,
    outer: &[ScopeColumn],
) -> Result<(BoundFrom, Scope)> {
    match from {
        None => Ok((BoundFrom::Single, Scope::default())),
        Some(FromItem::Table { name, alias, pos }) => {
            let (schema, bare) = crate::catalog::namespace::split(name);
            let system_schema =
                schema.is_some_and(|s| crate::catalog::namespace::SYSTEM_SCHEMAS.contains(&s));
            if system_schema || (schema.is_none() && cx.catalog.table(name).is_none()) {
                let defaults = crate::settings::Settings::default();
                let settings = cx.settings.unwrap_or(&defaults);
                if let Some(system) = crate::catalog::system::relation(cx.catalog, bare, settings) {
                    return Ok(system_source(bare, alias.as_deref(), system));
                }
            }
            let table = cx.catalog.table(name).ok_or_else(|| {
                EngineError::new("42P01", format!("relation \"{name}\" does not exist")).at(pos.0)
            })?;
            table.check_damage()?;
            Ok((
                BoundFrom::Table { name: table.key() },
                Scope::of_table(table, alias.as_deref()),
            ))
        }
        Some(FromItem::Values { rows, .. }) => super::values::bind_values(cx, rows),
        Some(FromItem::Cte { cte, alias, .. }) => {
            super::cte_bind::bind_cte(cx, cte, alias.as_ref())
        }
        Some(FromItem::WorkTable { name, alias, .. }) => {
            super::cte_bind::bind_work_table(cx, name, alias.as_ref())
        }
        Some(FromItem::Subquery {
            query,
            alias,
            columns,
            ..
        }) => {
            let bound = bind_select(cx, query, &[])?;
            let scope = Scope {
                columns: subquery_columns(&bound, alias.as_ref(), columns)?,
                outer: Vec::new(),
            };
            Ok((BoundFrom::Subquery(Box::new(bound)), scope))
        }
        Some(FromItem::Function { call, alias }) => {
            bind_set_function_item(cx, call, alias.as_deref(), outer)
        }
        Some(FromItem::CrossJoin { left, right }) => {
            let (left, mut scope) = bind_from(cx, Some(left), outer)?;
            let (right, right_scope, lateral) = bind_right(cx, right, &scope)?;
            scope.columns.extend(right_scope);
            let source = BoundFrom::CrossJoin {
                left: Box::new(left),
                right: Box::new(right),
                lateral,
            };
            Ok((source, scope))
        }
        Some(FromItem::Join {
            kind,
            left,
            right,
            constraint,
        }) => super::join::bind_join(cx, *kind, left, right, constraint),
    }
}

/// A system catalog relation's rows (read now, as PostgreSQL reads its catalog with
/// the statement's snapshot) and its scope.
fn system_source(
    name: &str,
    alias: Option<&str>,
    system: crate::catalog::system::SystemRelation,
) -> (BoundFrom, Scope) {
    let qualifier = alias.unwrap_or(name).to_string();
    let columns = system
        .columns
        .iter()
        .map(|(column, ty)| ScopeColumn {
            table: Some(qualifier.clone()),
            name: column.to_string(),
            ty: ty.clone(),
            typmod: -1,
            qualified_only: false,
        })
        .collect();
    let source = BoundFrom::Rows {
        name: name.to_string(),
        rows: std::sync::Arc::new(system.rows),
    };
    (
        source,
        Scope {
            columns,
            outer: Vec::new(),
        },
    )
}

/// Plans the right item of a join given the left item's scope (which a `LATERAL`
/// subquery may name): its source, its columns and whether it is lateral. Fails when
/// both sides use the same table name.
pub(super) fn bind_right(
    cx: &Context<'_>,
    right: &FromItem,
    left: &Scope,
) -> Result<(BoundFrom, Vec<ScopeColumn>, bool)> {
    let (source, right_scope, lateral) = match right {
        FromItem::Subquery {
            query,
            alias,
            columns,
            lateral: true,
        } => {
            let bound = bind_select(cx, query, &left.columns)?;
            let columns = subquery_columns(&bound, alias.as_ref(), columns)?;
            (BoundFrom::Subquery(Box::new(bound)), columns, true)
        }
        other => {
            let (source, scope) = bind_from(cx, Some(other), &[])?;
            (source, scope.columns, false)
        }
    };
    if let Some(name) = right_scope.iter().find_map(|right| {
        let name = right.table.as_ref()?;
        left.columns
            .iter()
            .any(|left| left.table.as_ref() == Some(name))
            .then_some(name)
    }) {
        return Err(EngineError::new(
            "42712",
            format!("table name \"{name}\" specified more than once"),
        ));
    }
    Ok((source, right_scope, lateral))
}

/// The columns a subquery in `FROM` shows under its alias, the first ones renamed by
/// the alias's column list.
fn subquery_columns(
    query: &BoundQuery,
    alias: Option<&String>,
    names: &[String],
) -> Result<Vec<ScopeColumn>> {
    if names.len() > query.columns.len() {
        return Err(EngineError::new(
            "42P10",
            format!(
                "table \"{}\" has {} columns available but {} columns specified",
                alias.map_or("", String::as_str),
                query.columns.len(),
                names.len()
            ),
        ));
    }
    Ok(query
        .columns
        .iter()
        .enumerate()
        .map(|(index, c)| ScopeColumn {
            table: alias.cloned(),
            name: names.get(index).unwrap_or(&c.name).clone(),
            ty: c.ty.clone(),
            typmod: c.typmod,
            qualified_only: false,
        })
        .collect())
}

fn bind_set_function_item(
    cx: &Context<'_>,
    call: &Expr,
    alias: Option<&str>,
    outer: &[ScopeColumn],
) -> Result<(BoundFrom, Scope)> {
    let enclosing = Scope {
        columns: Vec::new(),
        outer: outer.to_vec(),
    };
    let mut bound = bind_set_function(cx, &enclosing, call)?;
    if let (None, ExprKind::Function { name, .. }) = (&bound, &call.kind) {
        if !crate::expr::functions::function_candidates(name).is_empty() {
            let mut binder = Binder {
                cx,
                scope: &enclosing,
                aggregates: None,
                windows: None,
            };
            let value = binder.bind(call)?;
            bound = Some((SetFunction::Scalar(name.clone(), value.expr), value.ty));
        }
    }
    let Some((function, ty)) = bound else {
        let name = match &call.kind {
            ExprKind::Function { name, .. } => name.as_str(),
            _ => "?",
        };
        return Err(
            EngineError::new("0A000", format!("function {name} is not supported in FROM"))
                .at(call.pos.0),
        );
    };
    let ExprKind::Function { name, .. } = &call.kind else {
        return Err(EngineError::syntax("(", call.pos.0));
    };
    let column_name = alias.unwrap_or(name).to_string();
    let scope = Scope {
        columns: vec![ScopeColumn {
            table: Some(column_name.clone()),
            name: column_name,
            ty,
            typmod: -1,
            qualified_only: false,
        }],
        outer: Vec::new(),
    };
    Ok((BoundFrom::Function(function), scope))
}

/// Binds `unnest(array)`, `generate_series(start, stop [, step])` or, in `FROM` only, a
/// scalar function (one row); `None` when `call` is not one of them.
pub(super) fn bind_set_function(
    cx: &Context<'_>,
    scope: &Scope,
    call: &Expr,
) -> Result<Option<(SetFunction, SqlType)>> {
    let ExprKind::Function { name, args, .. } = &call.kind else {
        return Ok(None);
    };
    let mut binder = Binder {
        cx,
        scope,
        aggregates: None,
        windows: None,
    };
    let pos = call.pos.0;
    Ok(Some(match (name.as_str(), args.as_slice()) {
        ("unnest", [arg]) => {
            let bound = binder.bind(arg)?;
            let SqlType::Array(element) = bound.ty.clone() else {
                return Err(EngineError::new(
                    "42725",
                    format!("function unnest({}) is not unique", bound.ty.name()),
                )
                .with_hint("Could not choose a best candidate function. You might need to add explicit type casts.")
                .at(pos));
            };
            (SetFunction::Unnest(bound.expr), *element)
        }
        ("generate_series", [start, stop, rest @ ..]) if rest.len() <= 1 => {
            let mut ty = SqlType::Int4;
            let mut bound = Vec::new();
            for arg in [start, stop].into_iter().chain(rest.iter()) {
                let b = binder.bind(arg)?;
                if b.ty == SqlType::Int8 {
                    ty = SqlType::Int8;
                }
                bound.push(b);
            }
            let mut exprs = Vec::new();
            for b in bound {
                exprs.push(
                    binder
                        .convert(b, &SqlType::Int8, -1, CoercionContext::Implicit, pos)?
                        .expr,
                );
            }
            let step = exprs.get(2).cloned();
            (
                SetFunction::GenerateSeries(exprs[0].clone(), exprs[1].clone(), step),
                ty,
            )
        }
        _ => return Ok(None),
    }))
}
