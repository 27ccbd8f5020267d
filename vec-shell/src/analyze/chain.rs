//! Binding long runs of operators ([`ExprKind::Chain`](crate::sql::ast::ExprKind)) in a
//! loop: a run of `AND`s or `OR`s becomes one n-ary node, as PostgreSQL flattens them;
//! any other run becomes a [`BoundExpr::Fold`] whose steps name the running value as
//! [`BoundExpr::Accumulator`]. Nothing here recurses as deep as the run is long.

use super::expr::{Binder, Typed};
use crate::error::Result;
use crate::expr::{operators, BoundExpr};
use crate::sql::ast::{ChainLink, Expr};
use crate::value::SqlType;

/// `l AND r` (or `OR`), merged into `l` when it is a run of the same word already.
pub(super) fn bool_node(op: &str, left: BoundExpr, right: BoundExpr) -> BoundExpr {
    match (op, left) {
        ("and", BoundExpr::And(mut operands)) | ("or", BoundExpr::Or(mut operands)) => {
            operands.push(right);
            if op == "and" {
                BoundExpr::And(operands)
            } else {
                BoundExpr::Or(operands)
            }
        }
        ("and", left) => BoundExpr::And(vec![left, right]),
        (_, left) => BoundExpr::Or(vec![left, right]),
    }
}

impl Binder<'_> {
    /// Binds `first op₁ x₁ op₂ x₂ …`.
    pub(super) fn bind_chain(&mut self, first: &Expr, rest: &[ChainLink]) -> Result<Typed> {
        let Some((head, tail)) = rest.split_first() else {
            return self.bind(first);
        };
        if head.op == "and" || head.op == "or" {
            let what = if head.op == "and" {
                "argument of AND"
            } else {
                "argument of OR"
            };
            let mut operands = Vec::with_capacity(rest.len() + 1);
            let value = self.bind(first)?;
            operands.push(self.coerce(value, &SqlType::Bool, head.pos.0, what)?);
            for link in rest {
                let value = self.bind(&link.operand)?;
                operands.push(self.coerce(value, &SqlType::Bool, link.pos.0, what)?);
            }
            let node = if head.op == "and" {
                BoundExpr::And(operands)
            } else {
                BoundExpr::Or(operands)
            };
            return Ok(Typed::new(node, SqlType::Bool));
        }
        // The first operator binds as any binary operator (its operands may be untyped
        // literals); each later one applies to the running value, whose type is known.
        let left = self.bind(first)?;
        let start = self.operator(left, head)?;
        let mut steps = Vec::with_capacity(tail.len());
        let (mut ty, mut typmod) = (start.ty.clone(), start.typmod);
        for link in tail {
            let running = Typed {
                typmod,
                ..Typed::new(BoundExpr::Accumulator, ty.clone())
            };
            let step = self.operator(running, link)?;
            ty = step.ty;
            typmod = step.typmod;
            steps.push(step.expr);
        }
        Ok(Typed {
            typmod,
            ..Typed::new(
                BoundExpr::Fold {
                    first: Box::new(start.expr),
                    steps,
                },
                ty,
            )
        })
    }

    /// `left op operand` for one link of a run, resolved as a binary operator.
    fn operator(&mut self, left: Typed, link: &ChainLink) -> Result<Typed> {
        let right = self.bind(&link.operand)?;
        let op = link.op.as_str();
        if op == "||"
            && [&left.ty, &right.ty]
                .iter()
                .any(|ty| matches!(ty, SqlType::Array(_)))
        {
            let pos = link.pos.0;
            return super::arrays::bind_concat(self, (left, pos), (right, link.operand.pos.0), pos);
        }
        let (left, right) = self.text_concat_operands(op, left, right, link.pos.0)?;
        let candidates = operators::binary_candidates(op, &left.ty, &right.ty);
        let message = format!(
            "operator does not exist: {} {op} {}",
            left.ty.name(),
            right.ty.name()
        );
        self.call(
            candidates,
            vec![left, right],
            (true, op, true),
            link.pos.0,
            &message,
        )
    }
}
