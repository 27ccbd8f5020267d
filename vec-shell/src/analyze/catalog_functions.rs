//! System functions that read the catalog while a statement runs, for arguments known
//! only then (a column of `pg_index`, a `text` column cast to `regclass`):
//! `pg_get_indexdef(oid [, column, pretty])`, `pg_get_constraintdef(oid [, pretty])`,
//! `pg_relation_is_publishable(regclass)`, `pg_table_is_visible(oid)`, `regclass` and `regnamespace` casts of
//! non-literals. The catalog cannot change while a statement runs, so the binder takes
//! what the call needs from it (each OID with its definition, each name with its OID)
//! and passes it to the call as constant arguments, which the call looks its argument
//! up in.

use super::expr::{Binder, Typed};
use crate::catalog::system;
use crate::error::{EngineError, Result};
use crate::expr::{BoundExpr, Imp};
use crate::sql::ast::Expr;
use crate::value::cast::CoercionContext;
use crate::value::{Array, Datum, SqlType};

/// A constant array of the keys or values of a lookup table.
pub(super) fn constant(values: Vec<Datum>) -> BoundExpr {
    BoundExpr::Const(Datum::Array(Array::one_dimensional(values)))
}

/// The value at `key`'s place among `keys`.
pub(super) fn find<'a>(key: &Datum, keys: &Datum, values: &'a Datum) -> Option<&'a Datum> {
    let (Datum::Array(keys), Datum::Array(values)) = (keys, values) else {
        return None;
    };
    let at = keys.elements.iter().position(|k| k == key)?;
    values.elements.get(at)
}

/// Binds a call of one of this module's functions; `None` when `name` is not one.
pub(super) fn bind(
    binder: &mut Binder<'_>,
    name: &str,
    args: &[Expr],
    pos: usize,
) -> Result<Option<Typed>> {
    let arity_ok = match name {
        "pg_get_indexdef" => matches!(args.len(), 1 | 3),
        "pg_get_constraintdef" => matches!(args.len(), 1 | 2),
        "pg_relation_is_publishable" | "pg_table_is_visible" => args.len() == 1,
        _ => return Ok(None),
    };
    let mut bound = Vec::with_capacity(args.len());
    for arg in args {
        bound.push(binder.bind(arg)?);
    }
    if !arity_ok || bound[0].ty.numeric_rank().is_none() && bound[0].ty != SqlType::Unknown {
        let types: Vec<String> = bound.iter().map(|t| t.ty.name()).collect();
        return Err(EngineError::new(
            "42883",
            format!("function {name}({}) does not exist", types.join(", ")),
        )
        .with_hint("No function matches the given name and argument types. You might need to add explicit type casts.")
        .at(pos));
    }
    let mut bound = bound.into_iter();
    let first = bound.next().expect("one argument");
    let oid = binder.convert(first, &SqlType::Int8, -1, CoercionContext::Implicit, pos)?;
    let catalog = binder.cx.catalog;
    let (imp, ty, mut call_args): (Imp, SqlType, Vec<BoundExpr>) = match name {
        "pg_get_indexdef" => {
            let column = bound.next();
            let pretty = match bound.next() {
                Some(pretty) => {
                    binder
                        .convert(pretty, &SqlType::Bool, -1, CoercionContext::Implicit, pos)?
                        .expr
                }
                None => BoundExpr::Const(Datum::Bool(false)),
            };
            if let Some(column) = column {
                binder.convert(column, &SqlType::Int4, -1, CoercionContext::Implicit, pos)?;
            }
            let pretty_defs = crate::catalog::system_constraints::index_definitions(catalog, true);
            let plain_defs = crate::catalog::system_constraints::index_definitions(catalog, false);
            let keys = pretty_defs
                .iter()
                .map(|(oid, _)| Datum::Int8(*oid))
                .collect();
            let texts = |defs: Vec<(i64, String)>| defs.into_iter().map(|(_, d)| Datum::Text(d));
            let args = vec![
                oid.expr,
                pretty,
                constant(keys),
                constant(texts(pretty_defs).collect()),
                constant(texts(plain_defs).collect()),
            ];
            (index_definition, SqlType::Text, args)
        }
        "pg_get_constraintdef" => {
            if let Some(pretty) = bound.next() {
                binder.convert(pretty, &SqlType::Bool, -1, CoercionContext::Implicit, pos)?;
            }
            let (keys, values) = crate::catalog::system_constraints::constraints(catalog)
                .into_iter()
                .map(|c| (Datum::Int8(c.oid), Datum::Text(c.definition)))
                .unzip();
            let args = vec![oid.expr, constant(keys), constant(values)];
            (looked_up, SqlType::Text, args)
        }
        "pg_table_is_visible" => {
            // Visible: found by its bare name along the search path.
            let keys = system::relation_names(catalog)
                .into_iter()
                .filter(|(name, _)| !name.contains('.'))
                .map(|(_, oid)| Datum::Int8(oid))
                .collect();
            (listed, SqlType::Bool, vec![oid.expr, constant(keys)])
        }
        _ => {
            // Ordinary tables can be published; indexes, sequences and the system
            // catalog cannot.
            let keys = system::table_oids(catalog)
                .into_iter()
                .map(Datum::Int8)
                .collect();
            (listed, SqlType::Bool, vec![oid.expr, constant(keys)])
        }
    };
    call_args.shrink_to_fit();
    Ok(Some(Typed::new(
        BoundExpr::Call {
            imp,
            args: call_args,
            name: name.into(),
            operator: false,
        },
        ty,
    )))
}

/// `pg_get_indexdef`: the pretty or plain definition of the index, NULL for an OID that
/// is not an index's.
fn index_definition(args: &[Datum]) -> Result<Datum> {
    let values = if args[1] == Datum::Bool(true) {
        &args[3]
    } else {
        &args[4]
    };
    Ok(find(&args[0], &args[2], values)
        .cloned()
        .unwrap_or(Datum::Null))
}

/// The value listed for the key (the first argument), NULL when none is.
fn looked_up(args: &[Datum]) -> Result<Datum> {
    Ok(find(&args[0], &args[1], &args[2])
        .cloned()
        .unwrap_or(Datum::Null))
}

/// Whether the key is listed.
fn listed(args: &[Datum]) -> Result<Datum> {
    let Datum::Array(keys) = &args[1] else {
        return Ok(Datum::Null);
    };
    Ok(Datum::Bool(keys.elements.contains(&args[0])))
}

/// `text::regclass` for a text known when the statement runs: the relation's OID, or
/// PostgreSQL's error when there is none.
pub(super) fn regclass_of_text(binder: &mut Binder<'_>, value: Typed, pos: usize) -> Result<Typed> {
    let value = binder.convert(value, &SqlType::Text, -1, CoercionContext::Explicit, pos)?;
    let (keys, values) = system::relation_names(binder.cx.catalog)
        .into_iter()
        .map(|(name, oid)| (Datum::Text(name), Datum::Int8(oid)))
        .unzip();
    Ok(Typed::new(
        BoundExpr::Call {
            imp: relation_named,
            args: vec![value.expr, constant(keys), constant(values)],
            name: "regclass".into(),
            operator: false,
        },
        SqlType::Int8,
    ))
}

fn relation_named(args: &[Datum]) -> Result<Datum> {
    let Datum::Text(name) = &args[0] else {
        return Ok(Datum::Null);
    };
    let key = Datum::Text(name.trim().to_string());
    match find(&key, &args[1], &args[2]) {
        Some(oid) => Ok(oid.clone()),
        None => match name.trim().parse::<i64>() {
            Ok(oid) => Ok(Datum::Int8(oid)),
            Err(_) => Err(EngineError::new(
                "42P01",
                format!("relation \"{name}\" does not exist"),
            )),
        },
    }
}

/// `x::regnamespace`: a schema's name for its OID (an unknown OID as its digits, as
/// PostgreSQL prints it); a literal name is read now and gives the schema's OID.
pub(super) fn regnamespace(binder: &mut Binder<'_>, operand: &Expr, pos: usize) -> Result<Typed> {
    let catalog = binder.cx.catalog;
    if let crate::sql::ast::ExprKind::String(name) = &operand.kind {
        let known = system::namespace_names(catalog)
            .into_iter()
            .find(|(schema, _)| schema == name);
        return match known {
            Some((_, oid)) => Ok(Typed::new(
                BoundExpr::Const(Datum::Int8(oid)),
                SqlType::Int8,
            )),
            None => Err(
                EngineError::new("3F000", format!("schema \"{name}\" does not exist"))
                    .at(operand.pos.0),
            ),
        };
    }
    let bound = binder.bind(operand)?;
    let oid = binder.convert(bound, &SqlType::Int8, -1, CoercionContext::Explicit, pos)?;
    let (values, keys) = system::namespace_names(catalog)
        .into_iter()
        .map(|(name, oid)| (Datum::Text(name), Datum::Int8(oid)))
        .unzip();
    Ok(Typed::new(
        BoundExpr::Call {
            imp: namespace_named,
            args: vec![oid.expr, constant(keys), constant(values)],
            name: "regnamespace".into(),
            operator: false,
        },
        SqlType::Text,
    ))
}

fn namespace_named(args: &[Datum]) -> Result<Datum> {
    Ok(match find(&args[0], &args[1], &args[2]) {
        Some(name) => name.clone(),
        None => Datum::Text(args[0].to_text().unwrap_or_default()),
    })
}
