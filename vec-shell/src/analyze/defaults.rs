//! Column defaults and generated columns: checking `DEFAULT expr` and
//! `GENERATED ALWAYS AS (expr) STORED` when a table is defined, and binding them when
//! rows are written.
//!
//! The catalog keeps both as SQL text (the expression's `Display` form, which parses
//! back to the same tree). A default is bound with no columns in scope, as PostgreSQL
//! allows no column reference there; a generation expression is bound over the table's
//! row, in which the generated columns themselves are still NULL when it runs (they may
//! not name one another). Both are converted to the column's type in assignment
//! context, so the stored value honours the column's modifier.

use super::context::Context;
use super::expr::{Binder, Typed};
use super::Scope;
use crate::catalog::{Catalog, Column, Table};
use crate::error::{EngineError, Result};
use crate::expr::{BoundExpr, Environment};
use crate::sql::ast::{Expr, ExprKind, SelectItem, Statement};
use crate::value::cast::{cast_exists, CoercionContext};
use crate::value::{Datum, SqlType};

pub use crate::catalog::deparsed::{shown, shown_default};

/// Parses an expression stored as SQL text in the catalog.
pub(crate) fn parse_stored(text: &str) -> Result<Expr> {
    let statements = crate::sql::parse(&format!("SELECT {text}"))?;
    if let Some(Statement::Select(select)) = statements.first() {
        if let Some(SelectItem::Expr { expr, .. }) = select.items.first() {
            return Ok(expr.clone());
        }
    }
    Err(EngineError::internal(
        "stored column expression did not parse",
    ))
}

/// The first node of `expr` (outermost first, then left to right) that `find` picks.
pub(crate) fn first_forbidden(expr: &Expr, find: &mut dyn FnMut(&Expr) -> bool) -> Option<Expr> {
    if find(expr) {
        return Some(expr.clone());
    }
    match &expr.kind {
        ExprKind::Unary { operand, .. }
        | ExprKind::IsNull { operand, .. }
        | ExprKind::Cast { operand, .. }
        | ExprKind::Collate { operand, .. } => first_forbidden(operand, find),
        ExprKind::Binary { left, right, .. }
        | ExprKind::ArrayCompare {
            left, array: right, ..
        } => first_forbidden(left, find).or_else(|| first_forbidden(right, find)),
        ExprKind::Subscript {
            operand,
            lower,
            upper,
            ..
        } => first_forbidden(operand, find).or_else(|| {
            [lower, upper]
                .into_iter()
                .find_map(|b| b.as_deref().and_then(|e| first_forbidden(e, find)))
        }),
        ExprKind::Chain { first, rest } => first_forbidden(first, find)
            .or_else(|| rest.iter().find_map(|l| first_forbidden(&l.operand, find))),
        ExprKind::Function { args: items, .. } | ExprKind::Array(items) => {
            items.iter().find_map(|item| first_forbidden(item, find))
        }
        _ => None,
    }
}

/// PostgreSQL's error for a subquery, a set-returning function or an aggregate found
/// where none may appear (`what`: "DEFAULT expression", "check constraint", "index
/// predicate"), pointing at it.
pub(crate) fn not_allowed(found: &Expr, what: &str) -> EngineError {
    match &found.kind {
        ExprKind::Subquery(_) | ExprKind::SubLink { .. } => {
            EngineError::new("0A000", format!("cannot use subquery in {what}"))
        }
        _ if is_set_returning(found) => EngineError::new(
            "0A000",
            format!("set-returning functions are not allowed in {what}s"),
        ),
        _ if is_window_call(found) => EngineError::new(
            "42P20",
            format!("window functions are not allowed in {what}s"),
        ),
        _ => EngineError::new(
            "42803",
            format!("aggregate functions are not allowed in {what}s"),
        ),
    }
    .at(found.pos.0)
}

/// Whether `expr` is an aggregate call or a window function call (`… OVER …`), neither
/// of which may appear in a row's own expressions.
pub(crate) fn is_aggregate_call(expr: &Expr) -> bool {
    matches!(&expr.kind, ExprKind::Function { name, .. } if super::aggregate::is_aggregate(name))
        || is_window_call(expr)
}

/// Whether `expr` is a window function call.
pub(crate) fn is_window_call(expr: &Expr) -> bool {
    matches!(&expr.kind, ExprKind::Function { clauses: Some(c), .. } if c.over.is_some())
}

pub(crate) fn is_set_returning(expr: &Expr) -> bool {
    matches!(&expr.kind, ExprKind::Function { name, .. } if name == "unnest" || name == "generate_series")
}

/// Converts a default or generation expression to its column's type, with
/// PostgreSQL's message when no assignment cast exists.
fn to_column_type(binder: &mut Binder<'_>, column: &Column, value: Typed) -> Result<BoundExpr> {
    if value.ty != SqlType::Unknown
        && value.ty != column.ty
        && !cast_exists(&value.ty, &column.ty, CoercionContext::Assignment)
    {
        return Err(EngineError::new(
            "42804",
            format!(
                "column \"{}\" is of type {} but default expression is of type {}",
                column.name,
                column.ty.name(),
                value.ty.name()
            ),
        )
        .with_hint("You will need to rewrite or cast the expression."));
    }
    Ok(binder
        .convert(
            value,
            &column.ty,
            column.typmod,
            CoercionContext::Assignment,
            0,
        )?
        .expr)
}

/// Binds a column's `DEFAULT` expression, checking PostgreSQL's rules: no column
/// reference, subquery, aggregate or set-returning function.
pub fn bind_default(catalog: &Catalog, column: &Column, expr: &Expr) -> Result<BoundExpr> {
    let found = first_forbidden(expr, &mut |e| {
        matches!(
            e.kind,
            ExprKind::Column(_) | ExprKind::Subquery(_) | ExprKind::SubLink { .. }
        ) || is_aggregate_call(e)
            || is_set_returning(e)
    });
    if let Some(found) = found {
        return Err(match &found.kind {
            ExprKind::Column(_) => {
                EngineError::new("0A000", "cannot use column reference in DEFAULT expression")
                    .at(found.pos.0)
            }
            _ => not_allowed(&found, "DEFAULT expression"),
        });
    }
    let scope = Scope::default();
    let cx = Context::new(catalog, false);
    let mut binder = Binder {
        cx: &cx,
        scope: &scope,
        aggregates: None,
        windows: None,
    };
    let value = binder.bind(expr)?;
    to_column_type(&mut binder, column, value)
}

/// Binds a generation expression over `table`'s row, checking PostgreSQL's rules: no
/// reference to a generated column, no subquery, aggregate, set-returning or volatile
/// function.
pub fn bind_generated(
    catalog: &Catalog,
    table: &Table,
    column: &Column,
    expr: &Expr,
) -> Result<BoundExpr> {
    let is_generated = |name: &str| {
        table
            .columns
            .iter()
            .any(|c| c.name == name && c.generated.is_some())
    };
    let found = first_forbidden(expr, &mut |e| match &e.kind {
        ExprKind::Column(parts) => parts.last().is_some_and(|name| is_generated(name)),
        ExprKind::Subquery(_) | ExprKind::SubLink { .. } => true,
        ExprKind::Function { name, .. } => {
            name == "random" || is_aggregate_call(e) || is_set_returning(e)
        }
        _ => false,
    });
    if let Some(found) = found {
        let error = match &found.kind {
            ExprKind::Column(parts) => EngineError::new(
                "42P17",
                format!(
                    "cannot use generated column \"{}\" in column generation expression",
                    parts.last().cloned().unwrap_or_default()
                ),
            )
            .with_detail("A generated column cannot reference another generated column."),
            ExprKind::Subquery(_) | ExprKind::SubLink { .. } => EngineError::new(
                "0A000",
                "cannot use subquery in column generation expression",
            ),
            ExprKind::Function { name, .. } if name == "random" => {
                EngineError::new("42P17", "generation expression is not immutable")
            }
            _ if is_set_returning(&found) => EngineError::new(
                "0A000",
                "set-returning functions are not allowed in column generation expressions",
            ),
            _ if is_window_call(&found) => EngineError::new(
                "42P20",
                "window functions are not allowed in column generation expressions",
            ),
            _ => EngineError::new(
                "42803",
                "aggregate functions are not allowed in column generation expressions",
            ),
        };
        // PostgreSQL points at the reference, but not at a volatile function.
        return Err(match &found.kind {
            ExprKind::Function { name, .. } if name == "random" => error,
            _ => error.at(found.pos.0),
        });
    }
    bind_over_row(catalog, table, expr, |binder, _, value| {
        to_column_type(binder, column, value)
    })
}

/// Binds `expr` over `table`'s row (no outer query, no aggregates) and hands the binder,
/// its context and the value to `finish` (a conversion, a check of what was bound).
pub(crate) fn bind_over_row<T>(
    catalog: &Catalog,
    table: &Table,
    expr: &Expr,
    finish: impl FnOnce(&mut Binder<'_>, &Context<'_>, Typed) -> Result<T>,
) -> Result<T> {
    let scope = Scope::of_table(table, None);
    let cx = Context::new(catalog, false);
    let mut binder = Binder {
        cx: &cx,
        scope: &scope,
        aggregates: None,
        windows: None,
    };
    let value = binder.bind(expr)?;
    finish(&mut binder, &cx, value)
}

/// The bound defaults and generation expressions of a table, for filling the columns
/// a statement does not give.
pub struct ColumnFill {
    /// Per column, its default (bound with no columns in scope).
    defaults: Vec<Option<BoundExpr>>,
    /// Generated columns with their expressions over the row, in column order.
    generated: Vec<(usize, BoundExpr)>,
}

impl ColumnFill {
    /// Binds the stored expressions of `table`'s columns.
    pub fn of(catalog: &Catalog, table: &Table) -> Result<ColumnFill> {
        let mut defaults = Vec::with_capacity(table.columns.len());
        let mut generated = Vec::new();
        for (index, column) in table.columns.iter().enumerate() {
            // A serial column's default text names its sequence, which inserts use
            // directly.
            defaults.push(match (&column.default, &column.sequence) {
                (Some(text), None) => Some(bind_default(catalog, column, &parse_stored(text)?)?),
                _ => None,
            });
            if let Some(text) = &column.generated {
                let expr = parse_stored(text)?;
                generated.push((index, bind_generated(catalog, table, column, &expr)?));
            }
        }
        Ok(ColumnFill {
            defaults,
            generated,
        })
    }

    /// Whether the table has neither defaults nor generated columns.
    pub fn is_empty(&self) -> bool {
        self.generated.is_empty() && self.defaults.iter().all(Option::is_none)
    }

    /// Column `index`'s default value (NULL without a default).
    pub fn default_value(&self, index: usize, context: &dyn Environment) -> Result<Datum> {
        match self.defaults.get(index) {
            Some(Some(expr)) => crate::expr::eval(expr, &[], context),
            _ => Ok(Datum::Null),
        }
    }

    /// Computes the generated columns of `row` from its other columns.
    pub fn compute_generated(&self, row: &mut [Datum], context: &dyn Environment) -> Result<()> {
        for (index, _) in &self.generated {
            row[*index] = Datum::Null;
        }
        let mut values = Vec::with_capacity(self.generated.len());
        for (index, expr) in &self.generated {
            values.push((*index, crate::expr::eval(expr, row, context)?));
        }
        for (index, value) in values {
            row[index] = value;
        }
        Ok(())
    }
}

/// The columns `COPY` reads or writes: the named ones, or every column but the
/// generated ones; naming a generated column is PostgreSQL's error.
pub fn copy_targets(table: &Table, names: &[String]) -> Result<Vec<usize>> {
    if names.is_empty() {
        return Ok((0..table.columns.len())
            .filter(|&i| table.columns[i].generated.is_none())
            .collect());
    }
    let mut targets = Vec::with_capacity(names.len());
    for name in names {
        let index = table.column_position(name)?;
        if table.columns[index].generated.is_some() {
            return Err(EngineError::new(
                "42P10",
                format!("column \"{name}\" is a generated column"),
            )
            .with_detail("Generated columns cannot be used in COPY."));
        }
        targets.push(index);
    }
    Ok(targets)
}

/// Whether `column` is an identity column (`GENERATED … AS IDENTITY`): it has a
/// sequence and, unlike a serial column, no default text.
pub fn is_identity(column: &crate::catalog::Column) -> bool {
    column.sequence.is_some() && column.default.is_none()
}

/// PostgreSQL's error for an explicit value given to a `GENERATED ALWAYS` identity
/// column without `OVERRIDING SYSTEM VALUE`.
pub fn identity_insert_error(name: &str) -> EngineError {
    EngineError::new(
        "428C9",
        format!("cannot insert a non-DEFAULT value into column \"{name}\""),
    )
    .with_detail(format!(
        "Column \"{name}\" is an identity column defined as GENERATED ALWAYS."
    ))
    .with_hint("Use OVERRIDING SYSTEM VALUE to override.")
}

/// PostgreSQL's error for an `UPDATE` that sets a `GENERATED ALWAYS` identity column.
pub fn identity_update_error(name: &str) -> EngineError {
    EngineError::new(
        "428C9",
        format!("column \"{name}\" can only be updated to DEFAULT"),
    )
    .with_detail(format!(
        "Column \"{name}\" is an identity column defined as GENERATED ALWAYS."
    ))
}

/// PostgreSQL's error for a value given to a generated column.
pub fn generated_insert_error(name: &str) -> EngineError {
    EngineError::new(
        "428C9",
        format!("cannot insert a non-DEFAULT value into column \"{name}\""),
    )
    .with_detail(format!("Column \"{name}\" is a generated column."))
}

/// PostgreSQL's error for an `UPDATE` that sets a generated column.
pub fn generated_update_error(name: &str) -> EngineError {
    EngineError::new(
        "428C9",
        format!("column \"{name}\" can only be updated to DEFAULT"),
    )
    .with_detail(format!("Column \"{name}\" is a generated column."))
}
