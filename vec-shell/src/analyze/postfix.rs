//! The postfix form `expr COLLATE name`, and casts to `smallint`.
//!
//! vecsh compares strings by their bytes, which is what the collations `C` and `POSIX`
//! do and what the database's `default` collation is here, so those three are accepted
//! and change nothing; any other name is refused as PostgreSQL refuses a collation its
//! database does not have. Only strings take a collation.
//!
//! A cast to `smallint` checks its range and keeps an `integer` (vecsh has no
//! 2-byte integer type).

use super::expr::{Binder, Typed};
use crate::error::{EngineError, Result};
use crate::expr::BoundExpr;
use crate::sql::ast::Expr;
use crate::value::cast::CoercionContext;
use crate::value::{Datum, SqlType};

/// The collations vecsh has (each compares bytes).
const COLLATIONS: &[&str] = &["default", "C", "POSIX"];

/// Binds `operand COLLATE collation`.
pub(super) fn collate(
    binder: &mut Binder<'_>,
    operand: &Expr,
    collation: &str,
    pos: usize,
) -> Result<Typed> {
    let (schema, name) = match collation.rsplit_once('.') {
        Some((schema, name)) => (Some(schema), name),
        None => (None, collation),
    };
    if let Some(schema) = schema {
        if !binder.cx.catalog.schema_exists(schema)
            && !matches!(schema, "pg_catalog" | "information_schema")
        {
            return Err(
                EngineError::new("3F000", format!("schema \"{schema}\" does not exist")).at(pos),
            );
        }
    }
    if !matches!(schema, None | Some("pg_catalog")) || !COLLATIONS.contains(&name) {
        return Err(EngineError::new(
            "42704",
            format!("collation \"{collation}\" for encoding \"UTF8\" does not exist"),
        )
        .at(pos));
    }
    let bound = binder.bind(operand)?;
    match bound.ty {
        SqlType::Unknown => {
            binder.convert(bound, &SqlType::Text, -1, CoercionContext::Implicit, pos)
        }
        ref ty if ty.is_string() => Ok(bound),
        ref other => Err(EngineError::new(
            "42804",
            format!("collations are not supported by type {}", other.name()),
        )
        .at(pos)),
    }
}

/// `x::smallint` (and `x::smallint[]`): vecsh has no 2-byte integer type, so the value
/// stays an `integer` after PostgreSQL's range check for `smallint`.
pub(super) fn smallint(
    binder: &mut Binder<'_>,
    operand: &Expr,
    type_name: &crate::sql::ast::TypeName,
    pos: usize,
) -> Result<Typed> {
    let mut ty = SqlType::Int4;
    for _ in 0..type_name.array_dims {
        ty = SqlType::Array(Box::new(ty));
    }
    let bound = binder.bind(operand)?;
    let bound = binder.convert(bound, &ty, -1, CoercionContext::Explicit, pos)?;
    Ok(Typed::new(
        BoundExpr::Call {
            imp: in_smallint_range,
            args: vec![bound.expr],
            name: "int2".into(),
            operator: false,
        },
        ty,
    ))
}

fn in_smallint_range(args: &[Datum]) -> Result<Datum> {
    let fits = |value: &Datum| match value {
        Datum::Int4(v) => i16::try_from(*v).is_ok(),
        _ => true,
    };
    let all_fit = match &args[0] {
        Datum::Array(array) => array.elements.iter().all(fits),
        other => fits(other),
    };
    if !all_fit {
        return Err(EngineError::new("22003", "smallint out of range"));
    }
    Ok(args[0].clone())
}
