//! Array functions, subscripts (`a[i]`, slices `a[i:j]`) and `||` over arrays, typed as PostgreSQL types its
//! `anycompatiblearray` / `anycompatible` arguments: the arrays' element types and the
//! lone elements are brought to their common type (an unknown literal takes it), and
//! the result is an array of it. `array_append`, `array_prepend`, `array_cat` (and the
//! `||` forms, where an unknown literal beside an array is read as an array),
//! `array_position` (from an optional start) and `array_remove` take NULL arguments as PostgreSQL does, so they
//! are bound as one call over an array holding the arguments (never NULL itself);
//! `cardinality` is strict. Elements are compared as `IS NOT DISTINCT FROM` compares
//! them (`DISTINCT`'s keys).

use std::sync::Arc;

use super::conditional::common_type;
use super::expr::{Binder, Typed};
use crate::error::{EngineError, Result};
use crate::expr::BoundExpr;
use crate::sql::ast::Expr;
use crate::value::cast::CoercionContext;
use crate::value::{Array, Datum, SqlType};

/// Whether `name` is one of the array functions bound here.
pub(super) fn is_array_function(name: &str) -> bool {
    matches!(
        name,
        "array_append"
            | "array_prepend"
            | "array_cat"
            | "cardinality"
            | "array_position"
            | "array_remove"
    )
}

/// What an argument is to a polymorphic signature.
#[derive(Clone, Copy, PartialEq)]
enum Role {
    Array,
    Element,
}

/// Binds a call of one of the array functions.
pub(super) fn bind_function(
    binder: &mut Binder<'_>,
    name: &str,
    args: &[Expr],
    pos: usize,
) -> Result<Typed> {
    let mut bound = Vec::with_capacity(args.len());
    for arg in args {
        bound.push((binder.bind(arg)?, arg.pos.0));
    }
    let types: Vec<String> = bound.iter().map(|(t, _)| t.ty.name()).collect();
    let missing = || {
        EngineError::new(
            "42883",
            format!("function {name}({}) does not exist", types.join(", ")),
        )
        .with_hint("No function matches the given name and argument types. You might need to add explicit type casts.")
        .at(pos)
    };
    let (roles, imp, result): (&[Role], _, Option<SqlType>) = match name {
        "cardinality" => (&[Role::Array], cardinality as Imp, Some(SqlType::Int4)),
        "array_append" => (&[Role::Array, Role::Element], append as Imp, None),
        "array_prepend" => (&[Role::Element, Role::Array], prepend as Imp, None),
        "array_cat" => (&[Role::Array, Role::Array], cat as Imp, None),
        "array_position" => (
            &[Role::Array, Role::Element],
            position as Imp,
            Some(SqlType::Int4),
        ),
        _ => (&[Role::Array, Role::Element], remove as Imp, None),
    };
    // `array_position(array, value, start)` searches from `start`.
    let start = match (name, bound.len()) {
        ("array_position", 3) => bound.pop(),
        _ => None,
    };
    if roles.len() != bound.len() {
        return Err(missing());
    }
    let strict = name == "cardinality";
    let mut call = unify(binder, bound, roles).map_err(|error| match error {
        Some(error) => error,
        None => missing(),
    })?;
    if let Some((start, start_pos)) = start {
        let start = binder
            .convert(
                start,
                &SqlType::Int4,
                -1,
                CoercionContext::Implicit,
                start_pos,
            )
            .map_err(|_| missing())?;
        call.0.push(start.expr);
    }
    Ok(finish(name, imp, call, result, strict))
}

/// Binds `left || right` where a side is an array: `array_cat` when both are arrays (an
/// unknown literal beside an array counts as one), else `array_append` or
/// `array_prepend`.
pub(super) fn bind_concat(
    binder: &mut Binder<'_>,
    left: (Typed, usize),
    right: (Typed, usize),
    pos: usize,
) -> Result<Typed> {
    let is_array = |ty: &SqlType| matches!(ty, SqlType::Array(_) | SqlType::Unknown);
    let message = format!(
        "operator does not exist: {} || {}",
        left.0.ty.name(),
        right.0.ty.name()
    );
    let (roles, imp, name): (&[Role], Imp, &str) = if is_array(&left.0.ty) && is_array(&right.0.ty)
    {
        (&[Role::Array, Role::Array], cat, "array_cat")
    } else if matches!(left.0.ty, SqlType::Array(_)) {
        (&[Role::Array, Role::Element], append, "array_append")
    } else {
        (&[Role::Element, Role::Array], prepend, "array_prepend")
    };
    let call = unify(binder, vec![left, right], roles).map_err(|error| match error {
        Some(error) => error,
        None => EngineError::new("42883", message)
            .with_hint("No operator matches the given name and argument types. You might need to add explicit type casts.")
            .at(pos),
    })?;
    Ok(finish(name, imp, call, None, false))
}

/// Binds `operand[index]` or `operand[lower:upper]` (a bound left out of a slice is
/// the array's own).
pub(super) fn bind_subscript(
    binder: &mut Binder<'_>,
    operand: &Expr,
    bounds: [Option<&Expr>; 2],
    slice: bool,
) -> Result<Typed> {
    let array = binder.bind(operand)?;
    let SqlType::Array(element) = array.ty.clone() else {
        return Err(EngineError::new(
            "42804",
            format!(
                "cannot subscript type {} because it does not support subscripting",
                array.ty.name()
            ),
        )
        .at(operand.pos.0));
    };
    let mut args = vec![array.expr];
    let defaults = [1, i32::MAX];
    for (bound, default) in bounds
        .into_iter()
        .zip(defaults)
        .take(1 + usize::from(slice))
    {
        args.push(match bound {
            Some(expr) => {
                let value = binder.bind(expr)?;
                binder
                    .convert(
                        value,
                        &SqlType::Int4,
                        -1,
                        CoercionContext::Implicit,
                        expr.pos.0,
                    )?
                    .expr
            }
            None => BoundExpr::Const(Datum::Int4(default)),
        });
    }
    let (imp, name, ty): (Imp, &str, SqlType) = match slice {
        true => (slice_of, "array_slice", array.ty),
        false => (element_at, "array_element", *element),
    };
    Ok(Typed::new(
        BoundExpr::Call {
            imp,
            args,
            name: Arc::from(name),
            operator: false,
        },
        ty,
    ))
}

/// How a call computes its result from its arguments.
type Imp = fn(&[Datum]) -> Result<Datum>;

/// The arguments converted to their common element type, and that type; `Err(None)`
/// when they have none (no such function or operator), `Err(Some(_))` for a literal
/// the type cannot read.
fn unify(
    binder: &mut Binder<'_>,
    args: Vec<(Typed, usize)>,
    roles: &[Role],
) -> std::result::Result<(Vec<BoundExpr>, SqlType), Option<EngineError>> {
    let mut elements: Vec<(Typed, usize)> = Vec::new();
    for ((arg, pos), role) in args.iter().zip(roles) {
        let ty = match (role, &arg.ty) {
            (Role::Array, SqlType::Array(element)) => (**element).clone(),
            (Role::Array, SqlType::Unknown) | (Role::Element, SqlType::Unknown) => continue,
            (Role::Array, _) => return Err(None),
            (Role::Element, ty) => ty.clone(),
        };
        elements.push((Typed::new(BoundExpr::Const(Datum::Null), ty), *pos));
    }
    let element = if elements.is_empty() {
        SqlType::Text
    } else {
        let values: Vec<(&Typed, usize)> = elements.iter().map(|(t, p)| (t, *p)).collect();
        common_type(&values, "ARRAY").map_err(|_| None)?
    };
    let array = SqlType::Array(Box::new(element.clone()));
    let mut exprs = Vec::with_capacity(args.len());
    for ((arg, pos), role) in args.into_iter().zip(roles) {
        let target = if *role == Role::Array {
            &array
        } else {
            &element
        };
        let unknown_literal = arg.ty == SqlType::Unknown;
        let converted = binder
            .convert(arg, target, -1, CoercionContext::Implicit, pos)
            .map_err(|error| unknown_literal.then_some(error))?;
        exprs.push(converted.expr);
    }
    Ok((exprs, element))
}

/// The bound call: strict over its arguments, or over an array holding them.
fn finish(
    name: &str,
    imp: Imp,
    (args, element): (Vec<BoundExpr>, SqlType),
    result: Option<SqlType>,
    strict: bool,
) -> Typed {
    let args = if strict {
        args
    } else {
        vec![BoundExpr::Array(args)]
    };
    Typed::new(
        BoundExpr::Call {
            imp,
            args,
            name: Arc::from(name),
            operator: false,
        },
        result.unwrap_or_else(|| SqlType::Array(Box::new(element))),
    )
}

/// The arguments held by the carrier array of a non-strict call.
fn held(args: &[Datum]) -> Result<&[Datum]> {
    match args.first() {
        Some(Datum::Array(carrier)) => Ok(&carrier.elements),
        _ => Err(EngineError::internal("an array call without its arguments")),
    }
}

/// An array argument's elements (`None` for NULL).
fn elements(value: &Datum) -> Result<Option<&[Datum]>> {
    match value {
        Datum::Null => Ok(None),
        Datum::Array(array) => Ok(Some(&array.elements)),
        _ => Err(EngineError::internal(
            "an array argument that is not an array",
        )),
    }
}

fn array(values: Vec<Datum>) -> Datum {
    Datum::Array(Array::one_dimensional(values))
}

fn cardinality(args: &[Datum]) -> Result<Datum> {
    let count = elements(&args[0])?.map_or(0, <[Datum]>::len);
    Ok(Datum::Int4(i32::try_from(count).unwrap_or(i32::MAX)))
}

fn append(args: &[Datum]) -> Result<Datum> {
    let [list, element] = held(args)? else {
        return Err(EngineError::internal("array_append takes two arguments"));
    };
    let mut values = elements(list)?.map(<[Datum]>::to_vec).unwrap_or_default();
    values.push(element.clone());
    Ok(array(values))
}

fn prepend(args: &[Datum]) -> Result<Datum> {
    let [element, list] = held(args)? else {
        return Err(EngineError::internal("array_prepend takes two arguments"));
    };
    let mut values = vec![element.clone()];
    values.extend(elements(list)?.unwrap_or_default().iter().cloned());
    Ok(array(values))
}

fn cat(args: &[Datum]) -> Result<Datum> {
    let [left, right] = held(args)? else {
        return Err(EngineError::internal("array_cat takes two arguments"));
    };
    Ok(match (elements(left)?, elements(right)?) {
        (None, None) => Datum::Null,
        (Some(_), None) => left.clone(),
        (None, Some(_)) => right.clone(),
        (Some(left), Some(right)) => array(left.iter().chain(right).cloned().collect()),
    })
}

fn position(args: &[Datum]) -> Result<Datum> {
    let (list, wanted, start) = match held(args)? {
        [list, wanted] => (list, wanted, 1),
        [list, wanted, Datum::Int4(start)] => (list, wanted, *start),
        [_, _, _] => {
            return Err(EngineError::new(
                "22004",
                "initial position must not be null",
            ))
        }
        _ => {
            return Err(EngineError::internal(
                "array_position takes two or three arguments",
            ))
        }
    };
    let Some(values) = elements(list)? else {
        return Ok(Datum::Null);
    };
    let skip = usize::try_from(start.max(1) - 1).unwrap_or(0);
    let key = wanted.group_key();
    Ok(values
        .iter()
        .enumerate()
        .skip(skip)
        .find(|(_, value)| value.group_key() == key)
        .map_or(Datum::Null, |(index, _)| {
            Datum::Int4(i32::try_from(index + 1).unwrap_or(i32::MAX))
        }))
}

fn remove(args: &[Datum]) -> Result<Datum> {
    let [list, unwanted] = held(args)? else {
        return Err(EngineError::internal("array_remove takes two arguments"));
    };
    let Some(values) = elements(list)? else {
        return Ok(Datum::Null);
    };
    let key = unwanted.group_key();
    Ok(array(
        values
            .iter()
            .filter(|value| value.group_key() != key)
            .cloned()
            .collect(),
    ))
}

/// The element at a 1-based index of a one-dimensional array (NULL outside it, or for
/// an array of more dimensions, as PostgreSQL gives for too few subscripts).
fn element_at(args: &[Datum]) -> Result<Datum> {
    let Datum::Array(list) = &args[0] else {
        return Err(EngineError::internal(
            "a subscript of a value that is not an array",
        ));
    };
    let index = int4(&args[1])?;
    if list.dims.len() != 1 || index < 1 {
        return Ok(Datum::Null);
    }
    Ok(list
        .elements
        .get(index as usize - 1)
        .cloned()
        .unwrap_or(Datum::Null))
}

/// The elements between two 1-based bounds (inclusive, cut to the array's) of a
/// one-dimensional array; `{}` when none.
fn slice_of(args: &[Datum]) -> Result<Datum> {
    let Datum::Array(list) = &args[0] else {
        return Err(EngineError::internal(
            "a slice of a value that is not an array",
        ));
    };
    if list.dims.len() > 1 {
        return Err(EngineError::new(
            "0A000",
            "slices of multi-dimensional arrays are not supported",
        ));
    }
    let lower = int4(&args[1])?.max(1) as usize;
    let upper = (int4(&args[2])?.max(0) as usize).min(list.elements.len());
    if lower > upper {
        return Ok(array(Vec::new()));
    }
    Ok(array(list.elements[lower - 1..upper].to_vec()))
}

/// A subscript's value (bound as `integer`).
fn int4(value: &Datum) -> Result<i32> {
    match value {
        Datum::Int4(value) => Ok(*value),
        _ => Err(EngineError::internal("a subscript that is not an integer")),
    }
}
