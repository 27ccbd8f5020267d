//! `||` with an array operand: two arrays of one element type concatenated, or an
//! element added at either end (PostgreSQL's `array_cat`, `array_append`,
//! `array_prepend`); an unknown literal beside an array is read as an array of its
//! type. These operators are not strict (`NULL || ARRAY[1]` is `{1}`), so each operand
//! goes to the call wrapped in a one-element array, which is never NULL.

use super::expr::{Binder, Typed};
use crate::error::Result;
use crate::expr::{array_functions, BoundExpr, Imp};
use crate::value::cast::CoercionContext;
use crate::value::SqlType;

/// The operands back when `op` is not `||` or neither is an array, else the bound
/// concatenation.
pub(super) fn bind(
    binder: &mut Binder<'_>,
    op: &str,
    left: Typed,
    right: Typed,
    pos: usize,
) -> Result<std::result::Result<Typed, (Typed, Typed)>> {
    if op != "||" {
        return Ok(Err((left, right)));
    }
    let (imp, ty, left, right): (Imp, SqlType, Typed, Typed) = match (&left.ty, &right.ty) {
        (SqlType::Array(a), SqlType::Array(b)) if a == b => {
            let ty = left.ty.clone();
            (array_functions::concat, ty, left, right)
        }
        (SqlType::Array(_), SqlType::Unknown) => {
            let ty = left.ty.clone();
            let right = binder.convert(right, &ty, -1, CoercionContext::Implicit, pos)?;
            (array_functions::concat, ty, left, right)
        }
        (SqlType::Unknown, SqlType::Array(_)) => {
            let ty = right.ty.clone();
            let left = binder.convert(left, &ty, -1, CoercionContext::Implicit, pos)?;
            (array_functions::concat, ty, left, right)
        }
        (SqlType::Array(element), other) if **element == *other => {
            let ty = left.ty.clone();
            (array_functions::append, ty, left, right)
        }
        (other, SqlType::Array(element)) if **element == *other => {
            let ty = right.ty.clone();
            (array_functions::prepend, ty, left, right)
        }
        _ => return Ok(Err((left, right))),
    };
    let wrap = |value: Typed| BoundExpr::Array(vec![value.expr]);
    Ok(Ok(Typed::new(
        BoundExpr::Call {
            imp,
            args: vec![wrap(left), wrap(right)],
            name: "||".into(),
            operator: true,
        },
        ty,
    )))
}
