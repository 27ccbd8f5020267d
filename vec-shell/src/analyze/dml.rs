//! Binding `INSERT`, `UPDATE` and `DELETE`: target columns, values converted to the
//! column types in assignment context, filters and `RETURNING` lists.

use super::bound::{
    Analyzed, BoundQuery, Delete, Insert, InsertRows, OutputColumn, Returning, Update,
};
use super::context::Context;
use super::defaults::{
    bind_default, generated_insert_error, generated_update_error, identity_insert_error,
    identity_update_error, is_identity,
};
use super::expr::{Binder, Typed};
use super::naming::column_label;
use super::query::bind_select;
use super::Scope;
use crate::catalog::{Catalog, Table};
use crate::error::{EngineError, Result};
use crate::expr::BoundExpr;
use crate::sql::ast::{self, Expr, ExprKind, InsertSource, SelectItem};
use crate::value::cast::{cast_exists, CoercionContext};
use crate::value::{Datum, SqlType};

fn table<'a>(catalog: &'a Catalog, name: &str, pos: usize) -> Result<&'a Table> {
    let table = catalog.table(name).ok_or_else(|| {
        EngineError::new("42P01", format!("relation \"{name}\" does not exist")).at(pos)
    })?;
    table.check_damage()?;
    Ok(table)
}

/// Converts a value for storage into column `index` of `table`.
pub(super) fn assign(
    binder: &mut Binder<'_>,
    table: &Table,
    index: usize,
    value: Typed,
    pos: usize,
) -> Result<Typed> {
    let column = &table.columns[index];
    if value.ty != SqlType::Unknown
        && value.ty != column.ty
        && !cast_exists(&value.ty, &column.ty, CoercionContext::Assignment)
    {
        return Err(EngineError::new(
            "42804",
            format!(
                "column \"{}\" is of type {} but expression is of type {}",
                column.name,
                column.ty.name(),
                value.ty.name()
            ),
        )
        .with_hint("You will need to rewrite or cast the expression.")
        .at(pos));
    }
    binder.convert(
        value,
        &column.ty,
        column.typmod,
        CoercionContext::Assignment,
        pos,
    )
}

/// Binds a `RETURNING` list over the table's row.
fn returning(cx: &Context<'_>, scope: &Scope, items: &[SelectItem]) -> Result<Returning> {
    let mut out = Returning::default();
    let mut binder = Binder {
        cx,
        scope,
        aggregates: None,
        windows: None,
    };
    for item in items {
        match item {
            SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard { .. } => {
                let indexes = match item {
                    SelectItem::QualifiedWildcard { table, pos } => {
                        scope.star_columns(Some(table), pos.0)?
                    }
                    _ => (0..scope.columns.len()).collect(),
                };
                for index in indexes {
                    let column = &scope.columns[index];
                    out.exprs.push(BoundExpr::Column(index));
                    out.columns.push(OutputColumn {
                        name: column.name.clone(),
                        ty: column.ty.clone(),
                        typmod: column.typmod,
                    });
                }
            }
            SelectItem::Expr { expr, alias } => {
                super::window::refuse_in(expr, "RETURNING")?;
                let mut bound = binder.bind(expr)?;
                if bound.ty == SqlType::Unknown {
                    bound =
                        binder.convert(bound, &SqlType::Text, -1, CoercionContext::Implicit, 0)?;
                }
                out.columns.push(OutputColumn {
                    name: alias.clone().unwrap_or_else(|| column_label(expr)),
                    ty: bound.ty,
                    typmod: bound.typmod,
                });
                out.exprs.push(bound.expr);
            }
        }
    }
    Ok(out)
}

/// Binds an `INSERT`.
pub fn bind_insert(
    catalog: &Catalog,
    insert: &ast::Insert,
) -> Result<Analyzed<Insert<BoundQuery>>> {
    bind_insert_in(Context::new(catalog, false), insert)
}

/// Binds an `INSERT` in a context (one with parameters).
pub fn bind_insert_in(
    cx: Context<'_>,
    insert: &ast::Insert,
) -> Result<Analyzed<Insert<BoundQuery>>> {
    let catalog = cx.catalog;
    let table = table(catalog, &insert.table, insert.table_pos.0)?;
    let mut targets = Vec::new();
    for (name, pos) in &insert.columns {
        let index = table.column_position(name).map_err(|e| e.at(pos.0))?;
        targets.push(index);
    }
    if insert.columns.is_empty() {
        targets = (0..table.columns.len()).collect();
    }
    let scope = Scope::of_table(table, None);
    let empty = Scope::default();
    let mut binder = Binder {
        cx: &cx,
        scope: &empty,
        aggregates: None,
        windows: None,
    };
    let mut defaulted = Vec::new();
    let rows = match &insert.source {
        InsertSource::Values(rows) => {
            let mut bound_rows = Vec::with_capacity(rows.len());
            for row in rows {
                check_arity(row, &targets, insert)?;
                let mut bound = Vec::with_capacity(row.len());
                let mut row_defaults = Vec::new();
                for (slot, (expr, &index)) in row.iter().zip(&targets).enumerate() {
                    if expr.kind == ExprKind::Default {
                        row_defaults.push(slot);
                        bound.push(BoundExpr::Const(Datum::Null));
                        continue;
                    }
                    let column = &table.columns[index];
                    if column.generated.is_some() {
                        return Err(generated_insert_error(&column.name));
                    }
                    if is_identity(column) {
                        match insert.overriding {
                            // The identity's sequence gives the value instead.
                            Some(ast::Overriding::User) => {
                                row_defaults.push(slot);
                                bound.push(BoundExpr::Const(Datum::Null));
                                continue;
                            }
                            None if column.identity_always => {
                                return Err(identity_insert_error(&column.name));
                            }
                            _ => {}
                        }
                    }
                    super::window::refuse_in(expr, "VALUES")?;
                    let value = binder.bind(expr)?;
                    bound.push(assign(&mut binder, table, index, value, expr.pos.0)?.expr);
                }
                bound_rows.push(bound);
                defaulted.push(row_defaults);
            }
            if let Some(first) = bound_rows.first() {
                targets.truncate(first.len());
            }
            InsertRows::Values(bound_rows)
        }
        InsertSource::DefaultValues => {
            targets.clear();
            InsertRows::Values(vec![Vec::new()])
        }
        InsertSource::Query(query) => {
            let plan = bind_select(&cx, query, &[])?;
            if plan.columns.len() > targets.len() {
                return Err(EngineError::new(
                    "42601",
                    "INSERT has more expressions than target columns",
                ));
            }
            targets.truncate(plan.columns.len());
            if let Some(&index) = targets
                .iter()
                .find(|&&i| table.columns[i].generated.is_some())
            {
                return Err(generated_insert_error(&table.columns[index].name));
            }
            if insert.overriding.is_none() {
                let always = targets
                    .iter()
                    .find(|&&i| is_identity(&table.columns[i]) && table.columns[i].identity_always);
                if let Some(&index) = always {
                    return Err(identity_insert_error(&table.columns[index].name));
                }
            }
            let mut converters = Vec::new();
            let mut kept_targets = Vec::new();
            for (position, (column, &index)) in plan.columns.iter().zip(&targets).enumerate() {
                if insert.overriding == Some(ast::Overriding::User)
                    && is_identity(&table.columns[index])
                {
                    // Ignored: the identity's sequence gives the value.
                    continue;
                }
                kept_targets.push(index);
                let ty = if column.ty == SqlType::Text && untyped_literal(query, position) {
                    SqlType::Unknown
                } else {
                    column.ty.clone()
                };
                let value = Typed {
                    typmod: column.typmod,
                    ..Typed::new(BoundExpr::Column(position), ty)
                };
                let pos = item_pos(query, position);
                converters.push(assign(&mut binder, table, index, value, pos)?.expr);
            }
            targets = kept_targets;
            InsertRows::Query(Box::new(plan), converters)
        }
    };
    let on_conflict = match &insert.on_conflict {
        Some(conflict) => Some(super::upsert::bind_conflict(&cx, table, conflict)?),
        None => None,
    };
    let returning = returning(&cx, &scope, &insert.returning)?;
    Ok(cx.finish(Insert {
        table: table.key(),
        targets,
        rows,
        defaulted,
        on_conflict,
        returning,
    }))
}

fn check_arity(row: &[Expr], targets: &[usize], insert: &ast::Insert) -> Result<()> {
    if row.len() > targets.len() {
        let pos = row[targets.len()].pos.0;
        return Err(
            EngineError::new("42601", "INSERT has more expressions than target columns").at(pos),
        );
    }
    if row.len() < targets.len() && !insert.columns.is_empty() {
        let pos = insert.columns[row.len()].1 .0;
        return Err(
            EngineError::new("42601", "INSERT has more target columns than expressions").at(pos),
        );
    }
    Ok(())
}

fn filter(cx: &Context<'_>, scope: &Scope, selection: Option<&Expr>) -> Result<Option<BoundExpr>> {
    let Some(expr) = selection else {
        return Ok(None);
    };
    let mut binder = Binder {
        cx,
        scope,
        aggregates: None,
        windows: None,
    };
    super::window::refuse_in(expr, "WHERE")?;
    let bound = binder.bind(expr)?;
    Ok(Some(binder.coerce(
        bound,
        &SqlType::Bool,
        expr.pos.0,
        "argument of WHERE",
    )?))
}

/// Binds an `UPDATE`.
pub fn bind_update(catalog: &Catalog, update: &ast::Update) -> Result<Analyzed<Update>> {
    bind_update_in(Context::new(catalog, false), update)
}

/// Binds an `UPDATE` in a context (one with parameters).
pub fn bind_update_in(cx: Context<'_>, update: &ast::Update) -> Result<Analyzed<Update>> {
    let catalog = cx.catalog;
    let table = table(catalog, &update.table, update.table_pos.0)?;
    let scope = Scope::of_table(table, None);
    let mut binder = Binder {
        cx: &cx,
        scope: &scope,
        aggregates: None,
        windows: None,
    };
    let mut assignments = Vec::new();
    let mut sequence_defaults = Vec::new();
    for (name, pos, expr) in &update.assignments {
        let index = table.column_position(name).map_err(|e| e.at(pos.0))?;
        let column = &table.columns[index];
        if expr.kind == ExprKind::Default {
            // A generated column is recomputed anyway, a serial one takes its
            // sequence's next value, others their default.
            if column.sequence.is_some() {
                sequence_defaults.push(index);
            } else if column.generated.is_none() {
                assignments.push((index, update_default(catalog, table, index)?));
            }
            continue;
        }
        if column.generated.is_some() {
            return Err(generated_update_error(&column.name));
        }
        if column.identity_always && is_identity(column) {
            return Err(identity_update_error(&column.name));
        }
        super::window::refuse_in(expr, "UPDATE")?;
        let value = binder.bind(expr)?;
        assignments.push((
            index,
            assign(&mut binder, table, index, value, expr.pos.0)?.expr,
        ));
    }
    let filter = filter(&cx, &scope, update.selection.as_ref())?;
    let returning = returning(&cx, &scope, &update.returning)?;
    Ok(cx.finish(Update {
        table: table.key(),
        filter,
        assignments,
        sequence_defaults,
        returning,
    }))
}

/// The value `UPDATE … SET column = DEFAULT` stores.
fn update_default(catalog: &Catalog, table: &Table, index: usize) -> Result<BoundExpr> {
    let column = &table.columns[index];
    match &column.default {
        Some(text) => {
            let expr = crate::analyze::defaults::parse_stored(text)?;
            bind_default(catalog, column, &expr)
        }
        None => Ok(BoundExpr::Const(Datum::Null)),
    }
}

/// Binds a `DELETE`.
pub fn bind_delete(catalog: &Catalog, delete: &ast::Delete) -> Result<Analyzed<Delete>> {
    bind_delete_in(Context::new(catalog, false), delete)
}

/// Binds a `DELETE` in a context (one with parameters).
pub fn bind_delete_in(cx: Context<'_>, delete: &ast::Delete) -> Result<Analyzed<Delete>> {
    let catalog = cx.catalog;
    let table = table(catalog, &delete.table, delete.table_pos.0)?;
    let scope = Scope::of_table(table, None);
    let filter = filter(&cx, &scope, delete.selection.as_ref())?;
    let returning = returning(&cx, &scope, &delete.returning)?;
    Ok(cx.finish(Delete {
        table: table.key(),
        filter,
        returning,
    }))
}

/// Whether the select list's item `position` is a bare string literal or `NULL`, whose
/// type PostgreSQL leaves unknown in `INSERT … SELECT` so that it takes the target
/// column's (`INSERT INTO t (n) SELECT '5'`).
fn untyped_literal(query: &ast::Select, position: usize) -> bool {
    let plain = query.set_operation.is_none()
        && query.distinct.is_none()
        && query
            .items
            .iter()
            .all(|item| matches!(item, SelectItem::Expr { .. }));
    plain
        && matches!(
            query.items.get(position),
            Some(SelectItem::Expr {
                expr: Expr {
                    kind: ExprKind::String(_) | ExprKind::Null,
                    ..
                },
                ..
            })
        )
}

/// Where the query's select-list item `position` was written (the leftmost operand's,
/// for a set operation), for errors about its value.
fn item_pos(query: &ast::Select, position: usize) -> usize {
    match super::naming::leftmost_operand(query).items.get(position) {
        Some(SelectItem::Expr { expr, .. }) => super::setop::leftmost(expr),
        _ => 0,
    }
}
