//! Evaluating bound expressions against a row, with SQL's three-valued logic and strict
//! functions (a NULL argument gives NULL without calling the function).

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

use super::{BoundExpr, SubqueryId};
use crate::error::{EngineError, Result};
use crate::value::cast::{apply_typmod, cast};
use crate::value::{Array, Datum};

/// What an expression may need from around it while it is evaluated.
pub trait Environment {
    /// The row of the `FROM` items left of a `LATERAL` subquery (empty elsewhere).
    fn outer(&self) -> &[Datum];
    /// The value of the statement's scalar subquery `id` (run on first use, then
    /// remembered for the rest of the statement).
    fn subquery(&self, id: SubqueryId) -> Result<Datum>;
    /// The value of the statement's parameter at `index` (`$1` is 0); a statement run
    /// without parameters has none.
    fn param(&self, index: u32) -> Result<Datum> {
        Err(EngineError::new(
            "42P02",
            format!("there is no parameter ${}", index + 1),
        ))
    }
}

/// The environment of an expression that needs nothing around it (a constant, a
/// default, an index key): it has no outer row, and a subquery in it is an error.
pub struct NoEnvironment;

impl Environment for NoEnvironment {
    fn outer(&self) -> &[Datum] {
        &[]
    }

    fn subquery(&self, _id: SubqueryId) -> Result<Datum> {
        Err(EngineError::internal("a subquery outside a statement"))
    }
}

/// Evaluates `expr` on `row`.
pub fn eval(expr: &BoundExpr, row: &[Datum], context: &dyn Environment) -> Result<Datum> {
    Ok(match expr {
        BoundExpr::Const(datum) => datum.clone(),
        BoundExpr::Column(index) => row
            .get(*index)
            .cloned()
            .ok_or_else(|| EngineError::internal("column index out of range"))?,
        BoundExpr::OuterColumn(index) => context
            .outer()
            .get(*index)
            .cloned()
            .ok_or_else(|| EngineError::internal("outer column index out of range"))?,
        BoundExpr::Call { imp, args, .. } => {
            let mut values = Vec::with_capacity(args.len());
            for arg in args {
                let value = eval(arg, row, context)?;
                if value.is_null() {
                    return Ok(Datum::Null);
                }
                values.push(value);
            }
            imp(&values)?
        }
        BoundExpr::Cast {
            operand,
            from,
            to,
            typmod,
            context: coercion,
        } => {
            let value = eval(operand, row, context)?;
            let converted = cast(value, from, to, *typmod)?;
            apply_typmod(converted, to, *typmod, *coercion)?
        }
        BoundExpr::Not(operand) => match eval(operand, row, context)? {
            Datum::Bool(b) => Datum::Bool(!b),
            _ => Datum::Null,
        },
        BoundExpr::And(left, right) => {
            let l = eval(left, row, context)?;
            if l == Datum::Bool(false) {
                return Ok(l);
            }
            let r = eval(right, row, context)?;
            match (l, r) {
                (_, Datum::Bool(false)) => Datum::Bool(false),
                (Datum::Bool(true), Datum::Bool(true)) => Datum::Bool(true),
                _ => Datum::Null,
            }
        }
        BoundExpr::Or(left, right) => {
            let l = eval(left, row, context)?;
            if l == Datum::Bool(true) {
                return Ok(l);
            }
            let r = eval(right, row, context)?;
            match (l, r) {
                (_, Datum::Bool(true)) => Datum::Bool(true),
                (Datum::Bool(false), Datum::Bool(false)) => Datum::Bool(false),
                _ => Datum::Null,
            }
        }
        BoundExpr::IsNull { operand, negated } => {
            let value = eval(operand, row, context)?;
            Datum::Bool(value.is_null() != *negated)
        }
        BoundExpr::Array(elements) => {
            let mut values = Vec::with_capacity(elements.len());
            for element in elements {
                values.push(eval(element, row, context)?);
            }
            Datum::Array(Array::one_dimensional(values))
        }
        BoundExpr::Subquery(id) => context.subquery(*id)?,
        BoundExpr::Param(index) => context.param(*index)?,
        BoundExpr::Random => Datum::Float8(random_f64()),
        BoundExpr::Case { arms, otherwise } => {
            for (condition, value) in arms {
                if passes(condition, row, context)? {
                    return eval(value, row, context);
                }
            }
            eval(otherwise, row, context)?
        }
        BoundExpr::Coalesce(args) => {
            for arg in args {
                let value = eval(arg, row, context)?;
                if !value.is_null() {
                    return Ok(value);
                }
            }
            Datum::Null
        }
        BoundExpr::Extreme { greatest, args } => {
            let mut best = Datum::Null;
            for arg in args {
                let value = eval(arg, row, context)?;
                let better = match value.compare(&best) {
                    std::cmp::Ordering::Greater => *greatest,
                    std::cmp::Ordering::Less => !*greatest,
                    std::cmp::Ordering::Equal => false,
                };
                if !value.is_null() && (best.is_null() || better) {
                    best = value;
                }
            }
            best
        }
        BoundExpr::SetReturning(_) => {
            return Err(EngineError::new(
                "0A000",
                "set-returning functions are only supported at the top of a select list",
            ))
        }
    })
}

/// Evaluates a predicate: only TRUE passes.
pub fn passes(expr: &BoundExpr, row: &[Datum], context: &dyn Environment) -> Result<bool> {
    Ok(eval(expr, row, context)? == Datum::Bool(true))
}

static RANDOM_STATE: AtomicU64 = AtomicU64::new(0);

/// A uniform value in `[0, 1)` from a xorshift generator seeded once per process.
fn random_f64() -> f64 {
    let mut state = RANDOM_STATE.load(Ordering::Relaxed);
    if state == 0 {
        state = RandomState::new().build_hasher().finish() | 1;
    }
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    RANDOM_STATE.store(state, Ordering::Relaxed);
    (state >> 11) as f64 / (1u64 << 53) as f64
}
