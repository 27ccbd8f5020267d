//! Types as written in SQL (`vector(3)`, `double precision[]`, `bit varying(8)`): the
//! parser's [`TypeName`] resolved into the engine's type tag and modifier.

use crate::error::{EngineError, Result};
use crate::sql::ast::{TypeModifier, TypeName};
use crate::value::{SqlType, TypeMod};

/// Resolves a written type to a tag and modifier, validating the modifier as the type's
/// `typmod_in` function does; errors point at the type's name.
pub fn resolve_type_name(type_name: &TypeName) -> Result<(SqlType, TypeMod)> {
    let at = type_name.pos.0;
    let Some(base) = SqlType::from_name(&type_name.name) else {
        return Err(EngineError::new(
            "42704",
            format!("type \"{}\" does not exist", type_name.name),
        )
        .at(at));
    };
    let texts: Vec<&str> = type_name
        .modifiers
        .iter()
        .map(|m| match m {
            TypeModifier::Number(n) | TypeModifier::Text(n) => n.as_str(),
        })
        .collect();
    let typmod = base.typmod_from_text(&texts).map_err(|e| e.at(at))?;
    let mut ty = base;
    for _ in 0..type_name.array_dims {
        ty = SqlType::Array(Box::new(ty));
    }
    Ok((ty, typmod))
}
