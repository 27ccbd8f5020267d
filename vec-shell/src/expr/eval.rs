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
    /// The running value of the [`BoundExpr::Fold`] whose step is being evaluated.
    fn accumulator(&self) -> Option<&Datum> {
        None
    }
    /// The first column of at most `limit` rows of the statement's subquery `id`
    /// (NULL for a row without columns): run with `outer` as its outer row when it is
    /// correlated, else run once and remembered.
    fn subquery_rows(
        &self,
        _id: SubqueryId,
        _outer: Option<&[Datum]>,
        _limit: Option<usize>,
    ) -> Result<Vec<Datum>> {
        Err(EngineError::internal("a subquery outside a statement"))
    }
    /// `set_config(name, value, is_local)`: sets the parameter for the statement's session
    /// (`value` `None`: its default) and returns its new value as `SHOW` prints it.
    fn set_config(&self, _name: &str, _value: Option<&str>, _local: bool) -> Result<String> {
        Err(EngineError::new(
            "0A000",
            "set_config is not supported in this context",
        ))
    }
    /// A parameter's value as the statement's `set_config` calls have left it, when the
    /// statement can make them (`None`: the value the binder saw holds).
    fn current_setting(&self, _name: &str) -> Option<Result<String>> {
        None
    }
    /// Forgets the statements `pg_stat_statements` counted.
    fn reset_statements(&self) -> Result<()> {
        Err(EngineError::unsupported(
            "pg_stat_statements_reset is not supported here",
        ))
    }
    /// Bytes of `relation` (an OID, or a name as text) counted as `part` says; `None`
    /// when no relation has that OID.
    fn relation_size(&self, _relation: &Datum, part: super::SizePart) -> Result<Option<i64>> {
        Err(EngineError::unsupported(format!(
            "{} is not supported here",
            part.function()
        )))
    }
}

/// The environment of one step of a [`BoundExpr::Fold`]: the statement's, plus the
/// running value.
struct Running<'a> {
    value: &'a Datum,
    inner: &'a dyn Environment,
}

impl Environment for Running<'_> {
    fn outer(&self) -> &[Datum] {
        self.inner.outer()
    }

    fn subquery(&self, id: SubqueryId) -> Result<Datum> {
        self.inner.subquery(id)
    }

    fn relation_size(&self, relation: &Datum, part: super::SizePart) -> Result<Option<i64>> {
        self.inner.relation_size(relation, part)
    }

    fn reset_statements(&self) -> Result<()> {
        self.inner.reset_statements()
    }

    fn param(&self, index: u32) -> Result<Datum> {
        self.inner.param(index)
    }

    fn accumulator(&self) -> Option<&Datum> {
        Some(self.value)
    }

    fn subquery_rows(
        &self,
        id: SubqueryId,
        outer: Option<&[Datum]>,
        limit: Option<usize>,
    ) -> Result<Vec<Datum>> {
        self.inner.subquery_rows(id, outer, limit)
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
        // Three-valued: FALSE decides an AND (TRUE an OR) at once; otherwise any NULL
        // makes the result NULL.
        BoundExpr::And(operands) => {
            let mut unknown = false;
            for operand in operands {
                match eval(operand, row, context)? {
                    Datum::Bool(false) => return Ok(Datum::Bool(false)),
                    Datum::Bool(true) => {}
                    _ => unknown = true,
                }
            }
            if unknown {
                Datum::Null
            } else {
                Datum::Bool(true)
            }
        }
        BoundExpr::Or(operands) => {
            let mut unknown = false;
            for operand in operands {
                match eval(operand, row, context)? {
                    Datum::Bool(true) => return Ok(Datum::Bool(true)),
                    Datum::Bool(false) => {}
                    _ => unknown = true,
                }
            }
            if unknown {
                Datum::Null
            } else {
                Datum::Bool(false)
            }
        }
        BoundExpr::Fold { first, steps } => {
            let mut value = eval(first, row, context)?;
            for step in steps {
                let with_value = Running {
                    value: &value,
                    inner: context,
                };
                value = eval(step, row, &with_value)?;
            }
            value
        }
        BoundExpr::Accumulator => context
            .accumulator()
            .cloned()
            .ok_or_else(|| EngineError::internal("a running value outside its fold"))?,
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
        BoundExpr::SubLink(link) => super::sublink::eval_sublink(link, row, context)?,
        BoundExpr::ArrayCompare(test) => super::sublink::eval_array_compare(test, row, context)?,
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
        BoundExpr::StatementsReset => {
            context.reset_statements()?;
            Datum::Text(String::new())
        }
        BoundExpr::SetConfig(args) => {
            let mut values = Vec::with_capacity(args.len());
            for arg in args {
                values.push(eval(arg, row, context)?);
            }
            let name = match values.first() {
                Some(Datum::Text(name)) => name.clone(),
                _ => return Err(EngineError::new("22004", "SET requires parameter name")),
            };
            let value = match values.get(1) {
                Some(Datum::Text(value)) => Some(value.as_str()),
                _ => None,
            };
            let local = matches!(values.get(2), Some(Datum::Bool(true)));
            Datum::Text(context.set_config(&name, value, local)?)
        }
        BoundExpr::CurrentSetting(args) => {
            let mut values = Vec::with_capacity(args.len());
            for arg in args {
                values.push(eval(arg, row, context)?);
            }
            match (&values[0], &values[1]) {
                (Datum::Text(name), Datum::Bool(missing_ok)) => {
                    match context.current_setting(name) {
                        Some(Ok(value)) => Datum::Text(value),
                        Some(Err(_)) if *missing_ok => Datum::Null,
                        Some(Err(error)) => return Err(error),
                        None => setting_lookup(&values)?,
                    }
                }
                _ => Datum::Null,
            }
        }
        BoundExpr::RelationSize { part, relation } => match eval(relation, row, context)? {
            Datum::Null => Datum::Null,
            relation => context
                .relation_size(&relation, *part)?
                .map_or(Datum::Null, Datum::Int8),
        },
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

/// `current_setting(name, missing_ok, names, values)` looked up in the parameters the
/// binder saw (`names`, `values`: text arrays).
fn setting_lookup(args: &[Datum]) -> Result<Datum> {
    let (Datum::Text(name), Datum::Array(names), Datum::Array(values)) =
        (&args[0], &args[2], &args[3])
    else {
        return Ok(Datum::Null);
    };
    let key = Datum::Text(name.to_ascii_lowercase());
    match names.elements.iter().position(|n| *n == key) {
        Some(at) => Ok(values.elements.get(at).cloned().unwrap_or(Datum::Null)),
        None if args[1] == Datum::Bool(true) => Ok(Datum::Null),
        None => Err(EngineError::new(
            "42704",
            format!("unrecognized configuration parameter \"{name}\""),
        )),
    }
}
