//! `set_config(name, value, is_local)`, and `current_setting(name [, missing_ok])`: a
//! setting's value as `SHOW` prints it. A
//! literal name is looked up when the statement is bound (settings do not change while
//! it runs); any other argument is looked up when the statement runs, in a copy of
//! every setting's value the binder passes to the call. An unknown name is
//! PostgreSQL's `unrecognized configuration parameter "…"`, or NULL with `missing_ok`.

use super::catalog_functions::{constant, find};
use super::expr::{Binder, Typed};
use crate::error::{EngineError, Result};
use crate::expr::BoundExpr;
use crate::settings::{self, Settings};
use crate::sql::ast::{Expr, ExprKind};
use crate::value::cast::CoercionContext;
use crate::value::{Datum, SqlType};

/// Binds `current_setting(name [, missing_ok])`.
pub(super) fn current_setting(binder: &mut Binder<'_>, args: &[Expr]) -> Result<Typed> {
    let defaults = Settings::default();
    let settings = binder.cx.settings.unwrap_or(&defaults).clone();
    let missing_ok = match args.get(1) {
        Some(arg) => {
            let arg_pos = arg.pos.0;
            let bound = binder.bind(arg)?;
            binder
                .convert(
                    bound,
                    &SqlType::Bool,
                    -1,
                    CoercionContext::Implicit,
                    arg_pos,
                )?
                .expr
        }
        None => BoundExpr::Const(Datum::Bool(false)),
    };
    if let (ExprKind::String(name), BoundExpr::Const(missing_ok)) = (&args[0].kind, &missing_ok) {
        let value = match settings.show(name) {
            // The function is strict.
            _ if missing_ok.is_null() => Datum::Null,
            Ok(value) => Datum::Text(value),
            Err(_) if *missing_ok == Datum::Bool(true) => Datum::Null,
            Err(error) => return Err(error),
        };
        return Ok(Typed::new(BoundExpr::Const(value), SqlType::Text));
    }
    let name_pos = args[0].pos.0;
    let name = binder.bind(&args[0])?;
    let name = binder.convert(
        name,
        &SqlType::Text,
        -1,
        CoercionContext::Implicit,
        name_pos,
    )?;
    let (mut names, mut values) = (Vec::new(), Vec::new());
    for setting in settings::names() {
        if let Ok(value) = settings.show(setting) {
            names.push(Datum::Text(setting.to_ascii_lowercase()));
            values.push(Datum::Text(value));
        }
    }
    for (setting, value) in settings.custom_parameters() {
        names.push(Datum::Text(setting.to_string()));
        values.push(Datum::Text(value.to_string()));
    }
    Ok(Typed::new(
        BoundExpr::Call {
            imp: lookup,
            args: vec![name.expr, missing_ok, constant(names), constant(values)],
            name: "current_setting".into(),
            operator: false,
        },
        SqlType::Text,
    ))
}

/// `current_setting` of a name known when the statement runs: NULL for a NULL name
/// or flag.
fn lookup(args: &[Datum]) -> Result<Datum> {
    let (Datum::Text(name), false) = (&args[0], args[1].is_null()) else {
        return Ok(Datum::Null);
    };
    let key = Datum::Text(name.to_ascii_lowercase());
    match find(&key, &args[2], &args[3]) {
        Some(value) => Ok(value.clone()),
        None if args[1] == Datum::Bool(true) => Ok(Datum::Null),
        None => Err(EngineError::new(
            "42704",
            format!("unrecognized configuration parameter \"{name}\""),
        )),
    }
}

/// Binds `set_config(name, value, is_local)`, which sets the parameter when it is
/// evaluated (see [`crate::exec::setting_changes`]).
pub(super) fn set_config(binder: &mut Binder<'_>, args: &[Expr]) -> Result<Typed> {
    let mut bound = Vec::with_capacity(3);
    for (arg, ty) in args
        .iter()
        .zip([SqlType::Text, SqlType::Text, SqlType::Bool])
    {
        let pos = arg.pos.0;
        let value = binder.bind(arg)?;
        bound.push(
            binder
                .convert(value, &ty, -1, CoercionContext::Implicit, pos)?
                .expr,
        );
    }
    Ok(Typed::new(BoundExpr::SetConfig(bound), SqlType::Text))
}
