//! Functions and operators over arrays of any element type: `array_lower`,
//! `array_upper`, `array_to_string`, and `||` between arrays and elements (PostgreSQL's
//! `array_cat`, `array_append`, `array_prepend`). vecsh's arrays start at 1 in every
//! dimension.

use super::signature::Signature;
use crate::error::{EngineError, Result};
use crate::value::{Array, Datum, SqlType};

/// Overloads of the function `name` from this module, else of the string functions.
pub fn candidates(name: &str) -> Vec<Signature> {
    use SqlType::{Int4, Text};
    let any_array = || SqlType::Array(Box::new(SqlType::Unknown));
    let sig = |args: Vec<SqlType>, ret: SqlType, imp: super::Imp| Signature { args, ret, imp };
    match name {
        "array_lower" => vec![sig(vec![any_array(), Int4], Int4, |a| bound(a, true))],
        "array_upper" => vec![sig(vec![any_array(), Int4], Int4, |a| bound(a, false))],
        "array_to_string" => vec![
            sig(vec![any_array(), Text], Text, |a| join(a, None)),
            sig(vec![any_array(), Text, Text], Text, |a| {
                join(&a[..2], Some(a[2].to_text()))
            }),
        ],
        other => super::text_functions::candidates(other),
    }
}

/// `array_lower` / `array_upper`: the first or last subscript of a dimension, NULL for
/// a dimension the array does not have.
fn bound(args: &[Datum], lower: bool) -> Result<Datum> {
    let (Datum::Array(array), Datum::Int4(dimension)) = (&args[0], &args[1]) else {
        return Ok(Datum::Null);
    };
    let length = usize::try_from(*dimension - 1)
        .ok()
        .and_then(|d| array.dims.get(d));
    Ok(match length {
        Some(&length) if lower => Datum::Int4(1.min(length as i32)),
        Some(&length) => Datum::Int4(length as i32),
        None => Datum::Null,
    })
}

/// `array_to_string(array, separator [, null text])`: the elements as text joined by
/// the separator, NULLs skipped or written as the third argument (a NULL third argument
/// also skips them).
fn join(args: &[Datum], null_text: Option<Option<String>>) -> Result<Datum> {
    let (Datum::Array(array), Datum::Text(separator)) = (&args[0], &args[1]) else {
        return Ok(Datum::Null);
    };
    let null_text = null_text.flatten();
    let texts: Vec<String> = array
        .elements
        .iter()
        .filter_map(|element| element.to_text().or_else(|| null_text.clone()))
        .collect();
    Ok(Datum::Text(texts.join(separator)))
}

/// The value inside a one-element wrapper array: `||` on arrays is not strict, so the
/// binder wraps each operand (a wrapper is never NULL) and these unwrap them.
fn unwrap(arg: &Datum) -> Result<&Datum> {
    match arg {
        Datum::Array(wrapper) if wrapper.elements.len() == 1 => Ok(&wrapper.elements[0]),
        _ => Err(EngineError::internal(
            "array concatenation without its operands",
        )),
    }
}

/// The elements of a one-dimensional (or empty) array operand; NULL counts as empty.
fn elements(value: &Datum) -> Result<Option<&[Datum]>> {
    match value {
        Datum::Null => Ok(None),
        Datum::Array(array) if array.dims.len() <= 1 => Ok(Some(&array.elements)),
        Datum::Array(_) => Err(EngineError::unsupported(
            "concatenating multidimensional arrays is not supported",
        )),
        _ => Err(EngineError::internal("array concatenation of a non-array")),
    }
}

/// `array || array`: NULL when both are NULL, else the elements of both in order.
pub fn concat(args: &[Datum]) -> Result<Datum> {
    let (left, right) = (elements(unwrap(&args[0])?)?, elements(unwrap(&args[1])?)?);
    if left.is_none() && right.is_none() {
        return Ok(Datum::Null);
    }
    let mut all = left.unwrap_or_default().to_vec();
    all.extend_from_slice(right.unwrap_or_default());
    Ok(Datum::Array(Array::one_dimensional(all)))
}

/// `array || element`: the element (NULL too) added at the end.
pub fn append(args: &[Datum]) -> Result<Datum> {
    let mut all = elements(unwrap(&args[0])?)?.unwrap_or_default().to_vec();
    all.push(unwrap(&args[1])?.clone());
    Ok(Datum::Array(Array::one_dimensional(all)))
}

/// `element || array`: the element (NULL too) added at the start.
pub fn prepend(args: &[Datum]) -> Result<Datum> {
    let mut all = vec![unwrap(&args[0])?.clone()];
    all.extend_from_slice(elements(unwrap(&args[1])?)?.unwrap_or_default());
    Ok(Datum::Array(Array::one_dimensional(all)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn array(values: &[i32]) -> Datum {
        Datum::Array(Array::one_dimensional(
            values.iter().map(|v| Datum::Int4(*v)).collect(),
        ))
    }

    fn wrapped(value: Datum) -> Datum {
        Datum::Array(Array::one_dimensional(vec![value]))
    }

    #[test]
    fn bounds_join_and_concatenation() {
        let upper = (candidates("array_upper")[0].imp)(&[array(&[4, 5, 6]), Datum::Int4(1)]);
        assert_eq!(upper.unwrap(), Datum::Int4(3));
        let missing = (candidates("array_upper")[0].imp)(&[array(&[4]), Datum::Int4(2)]);
        assert_eq!(missing.unwrap(), Datum::Null);
        let with_null = Datum::Array(Array::one_dimensional(vec![Datum::Int4(1), Datum::Null]));
        let sep = Datum::Text(",".into());
        let joined = (candidates("array_to_string")[0].imp)(&[with_null.clone(), sep.clone()]);
        assert_eq!(joined.unwrap(), Datum::Text("1".into()));
        let star = Datum::Text("*".into());
        let joined = (candidates("array_to_string")[1].imp)(&[with_null, sep, star]);
        assert_eq!(joined.unwrap(), Datum::Text("1,*".into()));
        let both = concat(&[wrapped(array(&[1])), wrapped(array(&[2, 3]))]).unwrap();
        assert_eq!(both, array(&[1, 2, 3]));
        let one_null = concat(&[wrapped(Datum::Null), wrapped(array(&[2]))]).unwrap();
        assert_eq!(one_null, array(&[2]));
        assert_eq!(
            concat(&[wrapped(Datum::Null), wrapped(Datum::Null)]).unwrap(),
            Datum::Null
        );
        let appended = append(&[wrapped(array(&[1])), wrapped(Datum::Int4(2))]).unwrap();
        assert_eq!(appended, array(&[1, 2]));
        let prepended = prepend(&[wrapped(Datum::Int4(0)), wrapped(array(&[1]))]).unwrap();
        assert_eq!(prepended, array(&[0, 1]));
    }
}
