//! Binding a qualified join: `left [INNER | LEFT | RIGHT | FULL] JOIN right ON
//! condition | USING (columns)`.
//!
//! The joined row is the left row followed by the right row; the `ON` condition is
//! bound over both. `USING (c)` compares the sides' `c` columns and puts one merged
//! `c` in front of the row: it alone answers to the bare name and appears in `*`, while
//! `left.c` and `right.c` stay reachable by qualified name, as in PostgreSQL. Equalities
//! between one side's expression and the other's become hash keys when their common
//! type compares equal exactly when its text does.

use super::bound::{BoundFrom, Join, JoinText};
use super::context::Context;
use super::expr::Binder;
use super::from::{bind_from, bind_right};
use super::{Scope, ScopeColumn};
use crate::error::{EngineError, Result};
use crate::expr::BoundExpr;
use crate::sql::ast::{Expr, ExprKind, FromItem, JoinConstraint, JoinKind, Pos};
use crate::value::SqlType;

/// Binds `left JOIN right …`, returning its source and scope.
pub(super) fn bind_join(
    cx: &Context<'_>,
    kind: JoinKind,
    left: &FromItem,
    right: &FromItem,
    constraint: &JoinConstraint,
) -> Result<(BoundFrom, Scope)> {
    let (left_source, left_scope) = bind_from(cx, Some(left), &[])?;
    let (right_source, right_columns, lateral) = bind_right(cx, right, &left_scope)?;
    if lateral && matches!(kind, JoinKind::Right | JoinKind::Full) {
        let name = left_scope
            .columns
            .iter()
            .find_map(|c| c.table.clone())
            .unwrap_or_default();
        return Err(EngineError::new(
            "42P10",
            format!("invalid reference to FROM-clause entry for table \"{name}\""),
        )
        .with_detail("The combining JOIN type must be INNER or LEFT for a LATERAL reference."));
    }
    let right_scope = Scope {
        columns: right_columns,
        outer: Vec::new(),
    };
    let mut plan = Join {
        kind,
        left: left_source,
        right: right_source,
        lateral,
        left_width: left_scope.columns.len(),
        right_width: right_scope.columns.len(),
        condition: None,
        hash_keys: Vec::new(),
        merged: Vec::new(),
        text: JoinText::default(),
        aliases: (None, None),
    };
    let scope = match constraint {
        JoinConstraint::On(condition) => {
            let mut columns = left_scope.columns.clone();
            columns.extend(right_scope.columns.iter().cloned());
            let scope = Scope {
                columns,
                outer: Vec::new(),
            };
            bind_on(
                cx,
                &mut plan,
                &scope,
                (&left_scope, &right_scope),
                condition,
            )?;
            scope
        }
        JoinConstraint::Using(names) => {
            bind_using(cx, &mut plan, &left_scope, &right_scope, names)?
        }
        JoinConstraint::Natural => {
            let names = common_names(&left_scope, &right_scope);
            bind_using(cx, &mut plan, &left_scope, &right_scope, &names)?
        }
    };
    plan.aliases = (alias_of(left), alias_of(right));
    Ok((BoundFrom::Join(Box::new(plan)), scope))
}

/// The column names both sides of a `NATURAL` join have, in the left side's order.
fn common_names(left: &Scope, right: &Scope) -> Vec<(String, Pos)> {
    let visible = |scope: &Scope, name: &str| {
        scope
            .columns
            .iter()
            .any(|c| c.name == name && !c.qualified_only)
    };
    let mut names: Vec<(String, Pos)> = Vec::new();
    for column in left.columns.iter().filter(|c| !c.qualified_only) {
        if visible(right, &column.name) && !names.iter().any(|(n, _)| n == &column.name) {
            names.push((column.name.clone(), Pos(0)));
        }
    }
    names
}

/// The alias of a table or function joined directly, for `EXPLAIN`.
fn alias_of(item: &FromItem) -> Option<String> {
    match item {
        FromItem::Table { alias, .. } | FromItem::Function { alias, .. } => alias.clone(),
        _ => None,
    }
}

/// The `AND`ed parts of a condition.
fn conjuncts(expr: &Expr) -> Vec<&Expr> {
    match &expr.kind {
        ExprKind::Binary { op, left, right } if op == "and" => {
            let mut parts = conjuncts(left);
            parts.extend(conjuncts(right));
            parts
        }
        ExprKind::Chain { first, rest } if rest.iter().all(|l| l.op == "and") => {
            let mut parts = conjuncts(first);
            for link in rest {
                parts.extend(conjuncts(&link.operand));
            }
            parts
        }
        _ => vec![expr],
    }
}

/// Whether values of `ty` are equal exactly when their text is.
fn hashable(ty: &SqlType) -> bool {
    matches!(
        ty,
        SqlType::Bool | SqlType::Int4 | SqlType::Int8 | SqlType::Text | SqlType::Varchar
    )
}

/// Binds `expr` over one side only; `None` when it names anything else.
fn bind_side(cx: &Context<'_>, side: &Scope, expr: &Expr) -> Option<(BoundExpr, SqlType)> {
    let mut binder = Binder {
        cx,
        scope: side,
        aggregates: None,
        windows: None,
    };
    let bound = binder.bind(expr).ok()?;
    Some((bound.expr, bound.ty))
}

/// A hash key from `a = b` with one operand over each side.
fn hash_key(
    cx: &Context<'_>,
    sides: (&Scope, &Scope),
    expr: &Expr,
) -> Option<(BoundExpr, BoundExpr)> {
    let ExprKind::Binary { op, left, right } = &expr.kind else {
        return None;
    };
    if op != "=" || !names_a_column(left) || !names_a_column(right) {
        return None;
    }
    let (left_scope, right_scope) = sides;
    for (this, that) in [(left, right), (right, left)] {
        let (Some((on_left, left_ty)), Some((on_right, right_ty))) = (
            bind_side(cx, left_scope, this),
            bind_side(cx, right_scope, that),
        ) else {
            continue;
        };
        if left_ty == right_ty && hashable(&left_ty) {
            return Some((on_left, on_right));
        }
        return None;
    }
    None
}

/// Whether an expression reads some column (a constant cannot serve as a key).
fn names_a_column(expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::Column(_) => true,
        ExprKind::Unary { operand, .. }
        | ExprKind::Cast { operand, .. }
        | ExprKind::Collate { operand, .. }
        | ExprKind::IsNull { operand, .. } => names_a_column(operand),
        ExprKind::Binary { left, right, .. }
        | ExprKind::ArrayCompare {
            left, array: right, ..
        } => names_a_column(left) || names_a_column(right),
        ExprKind::Subscript {
            operand,
            lower,
            upper,
            ..
        } => {
            names_a_column(operand)
                || [lower, upper]
                    .into_iter()
                    .any(|b| b.as_deref().is_some_and(names_a_column))
        }
        ExprKind::Chain { first, rest } => {
            names_a_column(first) || rest.iter().any(|l| names_a_column(&l.operand))
        }
        ExprKind::Function { args, .. } | ExprKind::Array(args) => args.iter().any(names_a_column),
        _ => false,
    }
}

fn bind_on(
    cx: &Context<'_>,
    plan: &mut Join<BoundFrom>,
    scope: &Scope,
    sides: (&Scope, &Scope),
    condition: &Expr,
) -> Result<()> {
    if let Some(aggregate) = aggregate_call(condition) {
        return Err(EngineError::new(
            "42803",
            "aggregate functions are not allowed in JOIN conditions",
        )
        .at(aggregate.pos.0));
    }
    let mut binder = Binder {
        cx,
        scope,
        aggregates: None,
        windows: None,
    };
    let bound = binder.bind(condition)?;
    let bound = binder.coerce(
        bound,
        &SqlType::Bool,
        condition.pos.0,
        "argument of JOIN/ON",
    )?;
    let mut hashed_text = Vec::new();
    let mut rest_text = Vec::new();
    for part in conjuncts(condition) {
        // `EXPLAIN` shows each part deparsed from its bound form, as written where that
        // fails.
        let mut text = || {
            binder
                .bind(part)
                .ok()
                .and_then(|bound| crate::expr::deparse::deparse(&bound.expr, scope, true))
                .unwrap_or_else(|| part.to_string())
        };
        match hash_key(cx, sides, part) {
            Some(key) => {
                plan.hash_keys.push(key);
                if cx.explain {
                    hashed_text.push(text());
                }
            }
            None if cx.explain => rest_text.push(text()),
            None => {}
        }
    }
    plan.text = JoinText {
        hash_condition: joined_text(hashed_text),
        filter: joined_text(rest_text),
    };
    // A constant TRUE condition needs no check (and `EXPLAIN` shows none).
    plan.condition = match bound {
        BoundExpr::Const(crate::value::Datum::Bool(true)) => {
            plan.text.filter = None;
            None
        }
        other => Some(other),
    };
    Ok(())
}

/// The innermost call that makes `expr` contain an aggregate: the aggregate itself.
fn aggregate_call(expr: &Expr) -> Option<&Expr> {
    if !super::aggregate::contains_aggregate(expr) {
        return None;
    }
    let inner = match &expr.kind {
        ExprKind::Unary { operand, .. }
        | ExprKind::Cast { operand, .. }
        | ExprKind::Collate { operand, .. }
        | ExprKind::IsNull { operand, .. } => aggregate_call(operand),
        ExprKind::Binary { left, right, .. }
        | ExprKind::ArrayCompare {
            left, array: right, ..
        } => aggregate_call(left).or_else(|| aggregate_call(right)),
        ExprKind::Subscript {
            operand,
            lower,
            upper,
            ..
        } => aggregate_call(operand).or_else(|| {
            [lower, upper]
                .into_iter()
                .find_map(|b| b.as_deref().and_then(aggregate_call))
        }),
        ExprKind::Chain { first, rest } => {
            aggregate_call(first).or_else(|| rest.iter().find_map(|l| aggregate_call(&l.operand)))
        }
        ExprKind::Function { args, .. } | ExprKind::Array(args) => {
            args.iter().find_map(aggregate_call)
        }
        _ => None,
    };
    inner.or(Some(expr))
}

/// Parts of a condition as one text, bracketed as `EXPLAIN` shows them.
fn joined_text(parts: Vec<String>) -> Option<String> {
    match parts.len() {
        0 => None,
        1 => parts.into_iter().next(),
        _ => Some(format!("({})", parts.join(" AND "))),
    }
}

/// Finds a `USING` column on one side: exactly one column of that name.
fn using_column(side: &Scope, name: &str, pos: Pos, which: &str) -> Result<usize> {
    let mut found = side
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.name == name && !c.qualified_only);
    match (found.next(), found.next()) {
        (Some((index, _)), None) => Ok(index),
        (Some(_), Some(_)) => Err(EngineError::new(
            "42702",
            format!("common column name \"{name}\" appears more than once in {which} table"),
        )
        .at(pos.0)),
        (None, _) => Err(EngineError::new(
            "42703",
            format!("column \"{name}\" specified in USING clause does not exist in {which} table"),
        )
        .at(pos.0)),
    }
}

fn bind_using(
    cx: &Context<'_>,
    plan: &mut Join<BoundFrom>,
    left: &Scope,
    right: &Scope,
    names: &[(String, Pos)],
) -> Result<Scope> {
    let mut merged_columns = Vec::new();
    let mut left_columns = left.columns.clone();
    let mut right_columns = right.columns.clone();
    let mut condition: Option<BoundExpr> = None;
    let mut texts = Vec::new();
    for (name, pos) in names {
        if names.iter().filter(|(other, _)| other == name).count() > 1 {
            return Err(EngineError::new(
                "42701",
                format!("column name \"{name}\" appears more than once in USING clause"),
            )
            .at(pos.0));
        }
        let left_index = using_column(left, name, *pos, "left")?;
        let right_index = using_column(right, name, *pos, "right")?;
        let left_column = &left.columns[left_index];
        let right_column = &right.columns[right_index];
        // Bind `l = r` over a two-column scope, then move the references to the
        // columns' places in the joined row.
        let pair = Scope {
            columns: vec![renamed(left_column, "l"), renamed(right_column, "r")],
            outer: Vec::new(),
        };
        let equality = Expr::new(
            ExprKind::Binary {
                op: "=".to_string(),
                left: Box::new(Expr::new(ExprKind::Column(vec!["l".to_string()]), pos.0)),
                right: Box::new(Expr::new(ExprKind::Column(vec!["r".to_string()]), pos.0)),
            },
            pos.0,
        );
        let mut binder = Binder {
            cx,
            scope: &pair,
            aggregates: None,
            windows: None,
        };
        let bound = binder.bind(&equality)?;
        let bound = binder.coerce(bound, &SqlType::Bool, pos.0, "JOIN/USING")?;
        let joined_right = plan.left_width + right_index;
        let bound = move_columns(bound, &|column| {
            if column == 0 {
                left_index
            } else {
                joined_right
            }
        });
        condition = Some(match condition {
            Some(BoundExpr::And(mut operands)) => {
                operands.push(bound);
                BoundExpr::And(operands)
            }
            Some(before) => BoundExpr::And(vec![before, bound]),
            None => bound,
        });
        if left_column.ty == right_column.ty && hashable(&left_column.ty) {
            plan.hash_keys.push((
                BoundExpr::Column(left_index),
                BoundExpr::Column(right_index),
            ));
        }
        texts.push(format!(
            "({} = {})",
            qualified(left_column),
            qualified(right_column)
        ));
        plan.merged.push((left_index, joined_right));
        merged_columns.push(ScopeColumn {
            table: None,
            name: name.clone(),
            ty: left_column.ty.clone(),
            typmod: left_column.typmod,
            qualified_only: false,
        });
        left_columns[left_index].qualified_only = true;
        right_columns[right_index].qualified_only = true;
    }
    plan.condition = condition;
    let text = joined_text(texts);
    if names.is_empty() {
        // A `NATURAL` join without common columns pairs every row.
        plan.condition = None;
    } else if plan.hash_keys.len() == names.len() {
        plan.text.hash_condition = text;
    } else {
        plan.hash_keys.clear();
        plan.text.filter = text;
    }
    let mut columns = merged_columns;
    columns.extend(left_columns);
    columns.extend(right_columns);
    Ok(Scope {
        columns,
        outer: Vec::new(),
    })
}

fn renamed(column: &ScopeColumn, name: &str) -> ScopeColumn {
    ScopeColumn {
        table: None,
        name: name.to_string(),
        ..column.clone()
    }
}

fn qualified(column: &ScopeColumn) -> String {
    match &column.table {
        Some(table) => format!("{table}.{}", column.name),
        None => column.name.clone(),
    }
}

/// Rewrites the column references of a bound expression.
fn move_columns(expr: BoundExpr, to: &dyn Fn(usize) -> usize) -> BoundExpr {
    let each = |e: Box<BoundExpr>| Box::new(move_columns(*e, to));
    match expr {
        BoundExpr::Column(index) => BoundExpr::Column(to(index)),
        BoundExpr::Call {
            imp,
            args,
            name,
            operator,
        } => BoundExpr::Call {
            imp,
            args: args.into_iter().map(|a| move_columns(a, to)).collect(),
            name,
            operator,
        },
        BoundExpr::Cast {
            operand,
            from,
            to: target,
            typmod,
            context,
        } => BoundExpr::Cast {
            operand: each(operand),
            from,
            to: target,
            typmod,
            context,
        },
        BoundExpr::Not(operand) => BoundExpr::Not(each(operand)),
        BoundExpr::And(operands) => {
            BoundExpr::And(operands.into_iter().map(|a| move_columns(a, to)).collect())
        }
        BoundExpr::Or(operands) => {
            BoundExpr::Or(operands.into_iter().map(|a| move_columns(a, to)).collect())
        }
        BoundExpr::Fold { first, steps } => BoundExpr::Fold {
            first: each(first),
            steps: steps.into_iter().map(|a| move_columns(a, to)).collect(),
        },
        BoundExpr::IsNull { operand, negated } => BoundExpr::IsNull {
            operand: each(operand),
            negated,
        },
        BoundExpr::Array(items) => {
            BoundExpr::Array(items.into_iter().map(|a| move_columns(a, to)).collect())
        }
        BoundExpr::ArrayCompare(mut test) => {
            test.left = move_columns(test.left, to);
            test.array = move_columns(test.array, to);
            BoundExpr::ArrayCompare(test)
        }
        other => other,
    }
}
