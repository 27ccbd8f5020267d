//! `set_config(name, value, is_local)`, and `current_setting(name [, missing_ok])`: a
//! setting's value as `SHOW` prints it, looked up when the statement runs — in a query,
//! among the parameters as its own `set_config` calls have left them; elsewhere in a
//! copy of every parameter's value the binder passes to the call. An unknown name is
//! PostgreSQL's `unrecognized configuration parameter "…"`, or NULL with `missing_ok`.

use super::catalog_functions::constant;
use super::expr::{Binder, Typed};
use crate::error::Result;
use crate::expr::BoundExpr;
use crate::settings::{self, Settings};
use crate::sql::ast::Expr;
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
    let call = vec![name.expr, missing_ok, constant(names), constant(values)];
    Ok(Typed::new(BoundExpr::CurrentSetting(call), SqlType::Text))
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
