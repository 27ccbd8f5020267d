//! Conditional expressions, which are not strict calls: `CASE`, `COALESCE`, `NULLIF`,
//! `GREATEST` and `LEAST`. Their branches are brought to one type as PostgreSQL's
//! `select_common_type` does: unknown literals take the others' type (text when all are
//! unknown), numbers widen, and any other mix is an error (`CASE types integer and text
//! cannot be matched`).

use super::expr::{Binder, Typed};
use crate::error::{EngineError, Result};
use crate::expr::BoundExpr;
use crate::sql::ast::Expr;
use crate::value::cast::CoercionContext;
use crate::value::{Datum, SqlType};

/// Whether `name` is a conditional function bound here rather than from the catalogue.
pub fn is_conditional(name: &str) -> bool {
    matches!(name, "coalesce" | "nullif" | "greatest" | "least")
}

/// The common type of several values (each with where it was written), for the
/// construct `what` (`CASE`, `COALESCE`); a mismatch points at the value that broke it.
pub(super) fn common_type(values: &[(&Typed, usize)], what: &str) -> Result<SqlType> {
    let mut common = SqlType::Unknown;
    for &(value, pos) in values {
        if value.ty == SqlType::Unknown {
            continue;
        }
        common = match (&common, &value.ty) {
            (SqlType::Unknown, ty) => ty.clone(),
            (a, b) if a == b => a.clone(),
            (a, b) => match (a.numeric_rank(), b.numeric_rank()) {
                (Some(x), Some(y)) => {
                    if y > x {
                        b.clone()
                    } else {
                        a.clone()
                    }
                }
                _ => {
                    return Err(EngineError::new(
                        "42804",
                        format!(
                            "{what} types {} and {} cannot be matched",
                            a.name(),
                            b.name()
                        ),
                    )
                    .at(pos))
                }
            },
        };
    }
    Ok(if common == SqlType::Unknown {
        SqlType::Text
    } else {
        common
    })
}

impl Binder<'_> {
    fn to_type(&mut self, value: Typed, ty: &SqlType, pos: usize) -> Result<BoundExpr> {
        Ok(self
            .convert(value, ty, -1, CoercionContext::Implicit, pos)?
            .expr)
    }

    /// `CASE [operand] WHEN … THEN … [ELSE …] END`.
    pub fn case(
        &mut self,
        operand: Option<&Expr>,
        whens: &[(Expr, Expr)],
        otherwise: Option<&Expr>,
        pos: usize,
    ) -> Result<Typed> {
        let mut conditions = Vec::with_capacity(whens.len());
        let mut results = Vec::with_capacity(whens.len() + 1);
        for (when, then) in whens {
            let condition = match operand {
                // A simple CASE compares its operand with each value by `=`.
                Some(operand) => {
                    let equal = Expr::new(
                        crate::sql::ast::ExprKind::Binary {
                            op: "=".to_string(),
                            left: Box::new(operand.clone()),
                            right: Box::new(when.clone()),
                        },
                        when.pos.0,
                    );
                    self.bind(&equal)?
                }
                None => self.bind(when)?,
            };
            let condition = self.coerce(
                condition,
                &SqlType::Bool,
                when.pos.0,
                "argument of CASE/WHEN",
            )?;
            conditions.push(condition);
            results.push(self.bind(then)?);
        }
        let otherwise_pos = otherwise.map(|e| e.pos.0);
        let otherwise = match otherwise {
            Some(expr) => Some(self.bind(expr)?),
            None => None,
        };
        let positions = whens
            .iter()
            .map(|(_, then)| then.pos.0)
            .chain(otherwise_pos);
        let all: Vec<(&Typed, usize)> = results
            .iter()
            .chain(otherwise.iter())
            .zip(positions)
            .collect();
        let ty = common_type(&all, "CASE")?;
        let mut arms = Vec::with_capacity(conditions.len());
        for (condition, result) in conditions.into_iter().zip(results) {
            arms.push((condition, self.to_type(result, &ty, pos)?));
        }
        let otherwise = match otherwise {
            Some(value) => self.to_type(value, &ty, pos)?,
            None => BoundExpr::Const(Datum::Null),
        };
        Ok(Typed::new(
            BoundExpr::Case {
                arms,
                otherwise: Box::new(otherwise),
            },
            ty,
        ))
    }

    /// `COALESCE`, `NULLIF`, `GREATEST` or `LEAST` (see [`is_conditional`]).
    pub fn conditional(&mut self, name: &str, args: &[Expr], pos: usize) -> Result<Typed> {
        let mut bound = Vec::with_capacity(args.len());
        for arg in args {
            bound.push(self.bind(arg)?);
        }
        if name == "nullif" {
            let [left, right] = args else {
                let types: Vec<String> = bound.iter().map(|a| a.ty.name()).collect();
                return Err(EngineError::new(
                    "42883",
                    format!("function nullif({}) does not exist", types.join(", ")),
                )
                .at(pos));
            };
            // NULLIF(a, b) is CASE WHEN a = b THEN NULL ELSE a END, typed as `a`.
            let equal = Expr::new(
                crate::sql::ast::ExprKind::Binary {
                    op: "=".to_string(),
                    left: Box::new(left.clone()),
                    right: Box::new(right.clone()),
                },
                pos,
            );
            let condition = self.bind(&equal)?;
            let condition = self.coerce(condition, &SqlType::Bool, pos, "argument of NULLIF")?;
            let value = bound.swap_remove(0);
            let ty = if value.ty == SqlType::Unknown {
                SqlType::Text
            } else {
                value.ty.clone()
            };
            let value = self.to_type(value, &ty, pos)?;
            return Ok(Typed::new(
                BoundExpr::Case {
                    arms: vec![(condition, BoundExpr::Const(Datum::Null))],
                    otherwise: Box::new(value),
                },
                ty,
            ));
        }
        let what = name.to_uppercase();
        if bound.is_empty() {
            return Err(EngineError::syntax(")", pos));
        }
        let all: Vec<(&Typed, usize)> = bound.iter().zip(args.iter().map(|a| a.pos.0)).collect();
        let ty = common_type(&all, &what)?;
        let mut exprs = Vec::with_capacity(bound.len());
        for value in bound {
            exprs.push(self.to_type(value, &ty, pos)?);
        }
        let expr = match name {
            "coalesce" => BoundExpr::Coalesce(exprs),
            _ => BoundExpr::Extreme {
                greatest: name == "greatest",
                args: exprs,
            },
        };
        Ok(Typed::new(expr, ty))
    }
}
