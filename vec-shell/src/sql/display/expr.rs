//! `Display` for expressions: operators fully parenthesised, so that the printed text
//! parses back to an equal tree.

use std::fmt::{self, Display, Formatter, Write};

use super::{ident, list, string};
use crate::sql::ast::*;

impl Display for Expr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Number(n) => f.write_str(n),
            ExprKind::String(s) => string(f, s),
            ExprKind::BitString(bits) => match bits.strip_prefix('x') {
                Some(hex) => write!(f, "X'{hex}'"),
                None => write!(f, "B'{bits}'"),
            },
            ExprKind::Bool(b) => f.write_str(if *b { "TRUE" } else { "FALSE" }),
            ExprKind::Null => f.write_str("NULL"),
            ExprKind::Default => f.write_str("DEFAULT"),
            ExprKind::Param(number) => write!(f, "${number}"),
            ExprKind::Column(parts) => {
                for (i, part) in parts.iter().enumerate() {
                    if i > 0 {
                        f.write_char('.')?;
                    }
                    ident(f, part)?;
                }
                Ok(())
            }
            ExprKind::Unary { op, operand } => {
                if op == "not" {
                    write!(f, "(NOT {operand})")
                } else {
                    write!(f, "({op} {operand})")
                }
            }
            ExprKind::Binary { op, left, right } => {
                let op = match op.as_str() {
                    "and" => "AND",
                    "or" => "OR",
                    other => other,
                };
                write!(f, "({left} {op} {right})")
            }
            ExprKind::Chain { first, rest } => {
                // One bracket for the whole run: read back, it is the same chain.
                write!(f, "({first}")?;
                for link in rest {
                    let op = match link.op.as_str() {
                        "and" => "AND",
                        "or" => "OR",
                        other => other,
                    };
                    write!(f, " {op} {}", link.operand)?;
                }
                f.write_str(")")
            }
            ExprKind::IsNull { operand, negated } => {
                let not = if *negated { " NOT" } else { "" };
                write!(f, "({operand} IS{not} NULL)")
            }
            ExprKind::Cast { operand, type_name } => write!(f, "CAST({operand} AS {type_name})"),
            ExprKind::Subscript {
                operand,
                lower,
                upper,
                slice,
            } => {
                write!(f, "({operand})[")?;
                if let Some(lower) = lower {
                    lower.fmt(f)?;
                }
                if *slice {
                    f.write_str(":")?;
                    if let Some(upper) = upper {
                        upper.fmt(f)?;
                    }
                }
                f.write_str("]")
            }
            ExprKind::Collate { operand, collation } => {
                let quoted: Vec<String> = collation
                    .split('.')
                    .map(|part| format!("\"{}\"", part.replace('"', "\"\"")))
                    .collect();
                write!(f, "({operand} COLLATE {})", quoted.join("."))
            }
            // `position(a IN b)` is held as `position(b, a)`; print it back as written.
            ExprKind::Function {
                name, args, star, ..
            } if name == "position" && args.len() == 2 && !star => {
                write!(f, "position({} IN {})", args[1], args[0])
            }
            ExprKind::Function {
                name,
                args,
                star,
                clauses,
            } => {
                ident(f, name)?;
                f.write_str("(")?;
                if *star {
                    f.write_str("*")?;
                }
                let clauses = clauses.as_deref();
                if clauses.is_some_and(|c| c.distinct) {
                    f.write_str("DISTINCT ")?;
                }
                list(f, args, |f, a| a.fmt(f))?;
                if let Some(clauses) = clauses.filter(|c| !c.order_by.is_empty()) {
                    f.write_str(" ORDER BY ")?;
                    list(f, &clauses.order_by, |f, key| key.fmt(f))?;
                }
                f.write_str(")")?;
                if let Some(filter) = clauses.and_then(|c| c.filter.as_ref()) {
                    write!(f, " FILTER (WHERE {filter})")?;
                }
                if let Some(over) = clauses.and_then(|c| c.over.as_ref()) {
                    write!(f, " OVER {over}")?;
                }
                Ok(())
            }
            ExprKind::Array(elements) => {
                f.write_str("ARRAY[")?;
                list(f, elements, |f, e| e.fmt(f))?;
                f.write_str("]")
            }
            ExprKind::Subquery(query) => write!(f, "({query})"),
            ExprKind::ArrayCompare {
                left,
                op,
                all,
                array,
            } => {
                let quantifier = if *all { "ALL" } else { "ANY" };
                write!(f, "({left} {op} {quantifier} ({array}))")
            }
            ExprKind::SubLink { kind, query } => match kind {
                SubLinkKind::Exists => write!(f, "EXISTS ({query})"),
                SubLinkKind::Array => write!(f, "ARRAY({query})"),
                SubLinkKind::Any { left, op } => write!(f, "({left} {op} ANY ({query}))"),
                SubLinkKind::All { left, op } => write!(f, "({left} {op} ALL ({query}))"),
            },
            ExprKind::Case {
                operand,
                whens,
                otherwise,
            } => {
                f.write_str("CASE")?;
                if let Some(operand) = operand {
                    write!(f, " {operand}")?;
                }
                for (when, then) in whens {
                    write!(f, " WHEN {when} THEN {then}")?;
                }
                if let Some(otherwise) = otherwise {
                    write!(f, " ELSE {otherwise}")?;
                }
                f.write_str(" END")
            }
        }
    }
}
