//! Binding `UNION`, `INTERSECT` and `EXCEPT`: both operands bound as queries of the
//! same width, each column brought to the type PostgreSQL's `select_common_type` picks
//! (a string literal or NULL written directly in an operand's select list takes the
//! other side's type; `UNION types integer and text cannot be matched` otherwise), the
//! column names taken from the left operand, and `ORDER BY` (output names or
//! positions only), `LIMIT` and `OFFSET` applied to the whole result.

use super::bound::{BoundFrom, BoundQuery, ExplainText, OutputColumn, SetOperation, SortKey};
use super::conditional::common_type;
use super::context::Context;
use super::expr::{Binder, Typed};
use super::query::{bind_select, bound_count, order_target};
use super::{Scope, ScopeColumn};
use crate::error::{EngineError, Result};
use crate::expr::BoundExpr;
use crate::sql::ast::{self, Expr, ExprKind, Select, SelectItem};
use crate::value::cast::CoercionContext;
use crate::value::{Datum, SqlType};

/// Binds `select`, whose rows are `operation`'s.
pub(super) fn bind_set_operation(
    cx: &Context<'_>,
    select: &Select,
    operation: &ast::SetOperation,
    outer: &[ScopeColumn],
) -> Result<BoundQuery> {
    let what = operation.operator.keyword();
    let mut left = bind_select(cx, &operation.left, outer)?;
    let mut right = bind_select(cx, &operation.right, outer)?;
    let left_origins = origins(&operation.left, left.columns.len());
    let right_origins = origins(&operation.right, right.columns.len());
    if left.columns.len() != right.columns.len() {
        let error = EngineError::new(
            "42601",
            format!("each {what} query must have the same number of columns"),
        );
        return Err(match right_origins.first().and_then(|o| o.pos) {
            Some(pos) => error.at(pos),
            None => error,
        });
    }
    let mut columns = Vec::with_capacity(left.columns.len());
    for index in 0..left.columns.len() {
        let sides = [
            side_type(&left.columns[index], &left_origins[index]),
            side_type(&right.columns[index], &right_origins[index]),
        ];
        let right_pos = right_origins[index].pos.unwrap_or(0);
        let ty = common_type(
            &[
                (&sides[0], left_origins[index].pos.unwrap_or(0)),
                (&sides[1], right_pos),
            ],
            what,
        )
        .map_err(|error| match right_origins[index].pos {
            Some(_) => error,
            None => EngineError {
                position: None,
                ..error
            },
        })?;
        let same_typmod = left.columns[index].typmod == right.columns[index].typmod
            && left.columns[index].ty == right.columns[index].ty;
        let typmod = if same_typmod {
            left.columns[index].typmod
        } else {
            -1
        };
        convert_column(cx, &mut left, index, &left_origins[index], &ty)?;
        convert_column(cx, &mut right, index, &right_origins[index], &ty)?;
        columns.push(OutputColumn {
            name: left.columns[index].name.clone(),
            ty,
            typmod,
        });
    }

    let mut order = Vec::new();
    for key in &select.order_by {
        let column = match order_target(&key.expr.kind, key.expr.pos.0, "ORDER BY", &columns, None)?
        {
            Some(column) => column,
            None => return Err(order_error(&key.expr)),
        };
        order.push(SortKey {
            column,
            descending: key.descending,
            nulls_first: key.nulls_first.unwrap_or(key.descending),
        });
    }
    let explain = cx.explain.then(|| {
        let order_text = select
            .order_by
            .iter()
            .zip(&order)
            .map(|(written, key)| {
                let direction = if written.descending { " DESC" } else { "" };
                format!("{}{direction}", columns[key.column].name)
            })
            .collect();
        Box::new(ExplainText {
            order: order_text,
            scope: Scope {
                columns: columns
                    .iter()
                    .map(|column| ScopeColumn {
                        table: None,
                        name: column.name.clone(),
                        ty: column.ty.clone(),
                        typmod: column.typmod,
                        qualified_only: false,
                    })
                    .collect(),
                ..Scope::default()
            },
            ..ExplainText::default()
        })
    });
    Ok(BoundQuery {
        source: BoundFrom::SetOperation(Box::new(SetOperation {
            operator: operation.operator,
            all: operation.all,
            left,
            right,
        })),
        filter: None,
        aggregate: None,
        windows: None,
        projection: (0..columns.len()).map(BoundExpr::Column).collect(),
        columns,
        order,
        distinct: None,
        limit: bound_count(cx, select.limit.as_ref(), "LIMIT")?,
        offset: bound_count(cx, select.offset.as_ref(), "OFFSET")?,
        explain,
    })
}

/// Where an operand's output column was written, and the literal it is when it is a
/// bare string literal or NULL (whose type the other operands decide).
pub(super) struct Origin<'a> {
    /// Where the column's expression starts.
    pub pos: Option<usize>,
    /// The column's bare string literal or NULL.
    pub literal: Option<&'a Expr>,
}

/// The origins of an operand's `width` output columns: a nested set operation's are
/// its left operand's (its types are already resolved); `*` stands for as many columns
/// as it expands to.
pub(super) fn origins(select: &Select, width: usize) -> Vec<Origin<'_>> {
    if let Some(operation) = &select.set_operation {
        return origins(&operation.left, width)
            .into_iter()
            .map(|origin| Origin {
                pos: origin.pos,
                literal: None,
            })
            .collect();
    }
    let expanded = (width + 1).saturating_sub(select.items.len());
    let mut out = Vec::with_capacity(width);
    for item in &select.items {
        match item {
            SelectItem::Wildcard(pos) | SelectItem::QualifiedWildcard { pos, .. } => {
                out.extend((0..expanded).map(|_| Origin {
                    pos: Some(pos.0),
                    literal: None,
                }))
            }
            SelectItem::Expr { expr, .. } => out.push(Origin {
                pos: Some(leftmost(expr)),
                literal: matches!(expr.kind, ExprKind::String(_) | ExprKind::Null).then_some(expr),
            }),
        }
    }
    out.resize_with(width, || Origin {
        pos: None,
        literal: None,
    });
    out
}

/// Where an expression's text starts (an operator's position is its own, after its
/// left operand).
pub(super) fn leftmost(expr: &Expr) -> usize {
    match &expr.kind {
        ExprKind::Binary { left, .. } => leftmost(left).min(expr.pos.0),
        ExprKind::Chain { first, .. } => leftmost(first).min(expr.pos.0),
        ExprKind::Cast { operand, .. } | ExprKind::IsNull { operand, .. } => {
            leftmost(operand).min(expr.pos.0)
        }
        _ => expr.pos.0,
    }
}

/// A column's type as type resolution sees it: unknown for a bare literal.
pub(super) fn side_type(column: &OutputColumn, origin: &Origin<'_>) -> Typed {
    let ty = match origin.literal {
        Some(_) => SqlType::Unknown,
        None => column.ty.clone(),
    };
    Typed::new(BoundExpr::Const(Datum::Null), ty)
}

/// Brings an operand's output column to the common type `ty`: a bare literal is read
/// again as a value of `ty` (an error points at it), another value is cast implicitly.
pub(super) fn convert_column(
    cx: &Context<'_>,
    query: &mut BoundQuery,
    index: usize,
    origin: &Origin<'_>,
    ty: &SqlType,
) -> Result<()> {
    let scope = Scope::default();
    let mut binder = Binder {
        cx,
        scope: &scope,
        aggregates: None,
        windows: None,
    };
    let pos = origin.pos.unwrap_or(0);
    let value = match origin.literal {
        Some(literal) => binder.bind(literal)?,
        None if query.columns[index].ty == *ty => return Ok(()),
        None => Typed {
            typmod: query.columns[index].typmod,
            ..Typed::new(
                query.projection[index].clone(),
                query.columns[index].ty.clone(),
            )
        },
    };
    let converted = binder.convert(value, ty, -1, CoercionContext::Implicit, pos)?;
    query.projection[index] = converted.expr;
    query.columns[index].ty = ty.clone();
    query.columns[index].typmod = -1;
    Ok(())
}

/// PostgreSQL's errors for an `ORDER BY` key of a set operation that is not a result
/// column's name or position.
fn order_error(expr: &Expr) -> EngineError {
    let pos = expr.pos.0;
    match &expr.kind {
        ExprKind::Column(parts) if parts.len() == 1 => {
            EngineError::new("42703", format!("column \"{}\" does not exist", parts[0])).at(pos)
        }
        ExprKind::Column(parts) if parts.len() == 2 => EngineError::new(
            "42P01",
            format!("missing FROM-clause entry for table \"{}\"", parts[0]),
        )
        .at(pos),
        _ => EngineError::new("0A000", "invalid UNION/INTERSECT/EXCEPT ORDER BY clause")
            .at(leftmost(expr))
            .with_detail("Only result column names can be used, not expressions or functions.")
            .with_hint(
                "Add the expression/function to every SELECT, or move the UNION into a FROM clause.",
            ),
    }
}
