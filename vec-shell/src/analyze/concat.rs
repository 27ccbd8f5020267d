//! `concat(value, …)` and `concat_ws(separator, value, …)`: any number of values of any
//! types, each printed by its type's output function, NULLs skipped (`concat_ws` joins
//! the rest with the separator; a NULL separator gives NULL), as PostgreSQL's variadic
//! `"any"` functions. Bound as one strict call over the separator and an array of the
//! values (an array is never NULL, so only the separator can make the call NULL).

use super::expr::{Binder, Typed};
use crate::error::{EngineError, Result};
use crate::expr::BoundExpr;
use crate::sql::ast::Expr;
use crate::value::cast::CoercionContext;
use crate::value::{Datum, SqlType};

/// Binds a call of `concat` or `concat_ws`.
pub(super) fn bind(
    binder: &mut Binder<'_>,
    name: &str,
    args: &[Expr],
    pos: usize,
) -> Result<Typed> {
    let mut bound = Vec::with_capacity(args.len());
    for arg in args {
        bound.push(binder.bind(arg)?);
    }
    let separated = name == "concat_ws";
    if bound.len() < 1 + usize::from(separated) {
        let types: Vec<String> = bound.iter().map(|t| t.ty.name()).collect();
        return Err(EngineError::new(
            "42883",
            format!("function {name}({}) does not exist", types.join(", ")),
        )
        .with_hint("No function matches the given name and argument types. You might need to add explicit type casts.")
        .at(pos));
    }
    let separator = if separated {
        let separator = bound.remove(0);
        binder
            .convert(
                separator,
                &SqlType::Text,
                -1,
                CoercionContext::Implicit,
                pos,
            )?
            .expr
    } else {
        BoundExpr::Const(Datum::Text(String::new()))
    };
    let values = bound.into_iter().map(|t| t.expr).collect();
    Ok(Typed::new(
        BoundExpr::Call {
            imp: join,
            args: vec![separator, BoundExpr::Array(values)],
            name: std::sync::Arc::from(name),
            operator: false,
        },
        SqlType::Text,
    ))
}

/// The values of the array (the second argument) that are not NULL, as text, joined
/// with the separator (the first).
fn join(args: &[Datum]) -> Result<Datum> {
    let separator = match &args[0] {
        Datum::Text(s) => s.as_str(),
        _ => return Ok(Datum::Null),
    };
    let Datum::Array(values) = &args[1] else {
        return Err(EngineError::internal("concat without its values"));
    };
    let texts: Vec<String> = values.elements.iter().filter_map(Datum::to_text).collect();
    Ok(Datum::Text(texts.join(separator)))
}
