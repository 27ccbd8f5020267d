//! Functions over arrays of any element type: `array_lower`, `array_upper`,
//! `array_to_string` (the others, and `||`, are bound in `analyze::arrays`). vecsh's
//! arrays start at 1 in every dimension.

use super::signature::Signature;
use crate::error::Result;
use crate::value::{Datum, SqlType};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Array;

    fn array(values: &[i32]) -> Datum {
        Datum::Array(Array::one_dimensional(
            values.iter().map(|v| Datum::Int4(*v)).collect(),
        ))
    }

    #[test]
    fn bounds_and_join() {
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
    }
}
