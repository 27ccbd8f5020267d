//! Expressions printed as PostgreSQL's `pg_get_expr(…, pretty)` prints them (which is
//! what psql's `\d` shows for defaults, generation expressions and check constraints):
//! operators bracketed only where PostgreSQL's precedence rules need it, casts written
//! `operand::type`, keywords in upper case.
//! The round-trip `Display` form brackets everything instead.

use std::fmt::Write;

use super::ast::{Expr, ExprKind};

/// The expression in PostgreSQL's pretty style.
pub fn pretty(expr: &Expr) -> String {
    let mut out = String::new();
    write_expr(&mut out, expr, false);
    out
}

/// Whether an operand needs no brackets before `::type` or inside an operator.
fn simple(expr: &Expr) -> bool {
    matches!(
        expr.kind,
        ExprKind::Column(_)
            | ExprKind::Function { .. }
            | ExprKind::Number(_)
            | ExprKind::String(_)
            | ExprKind::BitString(_)
            | ExprKind::Bool(_)
            | ExprKind::Null
            | ExprKind::Array(_)
            | ExprKind::Cast { .. }
            | ExprKind::Subquery(_)
            | ExprKind::Default
            | ExprKind::Param(_)
    ) && !matches!(&expr.kind, ExprKind::Number(n) if n.starts_with('-'))
}

/// Whether `child`, an operand of `parent` (an operator, `not`, or `unary`/`isnull` for a
/// prefix operator's or `IS NULL`'s operand; `left`: the left operand), is bracketed, as
/// PostgreSQL's `isSimpleNode` decides in pretty mode: a comparison needs none inside
/// `AND`/`OR`/`NOT`, an `AND` none inside `AND`/`OR`, an `OR` none inside `OR`, and an
/// arithmetic operator none inside a lower-priority one or as the left operand of one of
/// the same priority.
fn bracketed(child: &Expr, parent: &str, left: bool) -> bool {
    if simple(child) {
        return false;
    }
    let boolean = matches!(parent, "and" | "or" | "not");
    match &child.kind {
        ExprKind::Binary { op, .. } => operator_bracketed(op, parent, left),
        ExprKind::Chain { rest, .. } => rest
            .first()
            .is_none_or(|link| operator_bracketed(&link.op, parent, left)),
        ExprKind::Unary { op, .. } if op == "not" => !matches!(parent, "and" | "or"),
        ExprKind::Unary { .. } | ExprKind::IsNull { .. } => !boolean,
        _ => true,
    }
}

fn operator_bracketed(op: &str, parent: &str, left: bool) -> bool {
    let priority = |o: &str| match o {
        "+" | "-" => Some(1),
        "*" | "/" | "%" => Some(2),
        _ => None,
    };
    match op {
        "and" => !matches!(parent, "and" | "or"),
        "or" => parent != "or",
        _ if matches!(parent, "and" | "or" | "not") => false,
        _ => match (priority(op), priority(parent)) {
            (Some(child), Some(parent)) => child < parent || (child == parent && !left),
            _ => true,
        },
    }
}

fn write_operand(out: &mut String, child: &Expr, parent: &str, left: bool) {
    write_expr(out, child, bracketed(child, parent, left));
}

fn write_expr(out: &mut String, expr: &Expr, nested: bool) {
    match &expr.kind {
        ExprKind::Binary { op, left, right } => {
            if nested {
                out.push('(');
            }
            write_operand(out, left, op, true);
            let shown = match op.as_str() {
                "and" => "AND",
                "or" => "OR",
                other => other,
            };
            let _ = write!(out, " {shown} ");
            write_operand(out, right, op, false);
            if nested {
                out.push(')');
            }
        }
        ExprKind::Chain { first, rest } => {
            if nested {
                out.push('(');
            }
            let first_op = rest.first().map_or("", |link| link.op.as_str());
            write_operand(out, first, first_op, true);
            for link in rest {
                let op = match link.op.as_str() {
                    "and" => "AND",
                    "or" => "OR",
                    other => other,
                };
                let _ = write!(out, " {op} ");
                write_operand(out, &link.operand, &link.op, false);
            }
            if nested {
                out.push(')');
            }
        }
        ExprKind::Unary { op, operand } => {
            if nested {
                out.push('(');
            }
            if op == "not" {
                out.push_str("NOT ");
                write_operand(out, operand, "not", false);
            } else {
                // PostgreSQL writes a prefix operator with a space after it: `- a`.
                out.push_str(op);
                out.push(' ');
                write_operand(out, operand, "unary", false);
            }
            if nested {
                out.push(')');
            }
        }
        ExprKind::IsNull { operand, negated } => {
            if nested {
                out.push('(');
            }
            write_operand(out, operand, "isnull", false);
            out.push_str(if *negated { " IS NOT NULL" } else { " IS NULL" });
            if nested {
                out.push(')');
            }
        }
        ExprKind::Cast { operand, type_name } => {
            write_expr(out, operand, !simple(operand));
            let _ = write!(out, "::{type_name}");
        }
        // PostgreSQL prints `position(a IN b)` in capitals, its operands bracketed.
        ExprKind::Function {
            name, args, star, ..
        } if name == "position" && args.len() == 2 && !star => {
            out.push_str("POSITION((");
            write_expr(out, &args[1], false);
            out.push_str(") IN (");
            write_expr(out, &args[0], false);
            out.push_str("))");
        }
        ExprKind::Function {
            name, args, star, ..
        } => {
            let _ = write!(out, "{name}(");
            if *star {
                out.push('*');
            }
            for (i, arg) in args.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_expr(out, arg, false);
            }
            out.push(')');
        }
        ExprKind::Array(items) => {
            out.push_str("ARRAY[");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_expr(out, item, false);
            }
            out.push(']');
        }
        _ => {
            let _ = write!(out, "{expr}");
        }
    }
}
