//! Expressions printed as PostgreSQL's `pg_get_expr(…, pretty)` prints them (which is
//! what psql's `\d` shows for defaults and generation expressions): operators
//! bracketed only when nested, casts written `operand::type`, keywords in upper case.
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

fn write_expr(out: &mut String, expr: &Expr, nested: bool) {
    match &expr.kind {
        ExprKind::Binary { op, left, right } => {
            if nested {
                out.push('(');
            }
            write_expr(out, left, !simple(left));
            let op = match op.as_str() {
                "and" => "AND",
                "or" => "OR",
                other => other,
            };
            let _ = write!(out, " {op} ");
            write_expr(out, right, !simple(right));
            if nested {
                out.push(')');
            }
        }
        ExprKind::Chain { first, rest } => {
            if nested {
                out.push('(');
            }
            write_expr(out, first, !simple(first));
            for link in rest {
                let op = match link.op.as_str() {
                    "and" => "AND",
                    "or" => "OR",
                    other => other,
                };
                let _ = write!(out, " {op} ");
                write_expr(out, &link.operand, !simple(&link.operand));
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
            } else {
                out.push_str(op);
            }
            write_expr(out, operand, !simple(operand));
            if nested {
                out.push(')');
            }
        }
        ExprKind::IsNull { operand, negated } => {
            if nested {
                out.push('(');
            }
            write_expr(out, operand, !simple(operand));
            out.push_str(if *negated { " IS NOT NULL" } else { " IS NULL" });
            if nested {
                out.push(')');
            }
        }
        ExprKind::Cast { operand, type_name } => {
            write_expr(out, operand, !simple(operand));
            let _ = write!(out, "::{type_name}");
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
