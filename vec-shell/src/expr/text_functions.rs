//! More of PostgreSQL's string functions: `left`, `right`, `lpad`, `rpad`,
//! `split_part`, `translate`, `chr`, `ascii`, `to_hex`, `md5` (in `digest`). (`concat` and `concat_ws`, which
//! skip NULLs and take values of any type, are bound in `analyze`.)

use super::builtins::{int_of as int, sig, text};
use super::signature::Signature;
use crate::error::{EngineError, Result};
use crate::value::{Datum, SqlType};

use SqlType::{Int4, Int8, Text};

/// PostgreSQL's limit on a string a function builds (1 GB less one byte).
const MAX_LENGTH: usize = (1 << 30) - 1;

fn too_long() -> EngineError {
    EngineError::new("54000", "requested length too large")
}

/// Overloads of the function `name` from this module (empty when it has none).
pub fn candidates(name: &str) -> Vec<Signature> {
    match name {
        "left" => vec![sig(&[Text, Int4], Text, |a| {
            let chars: Vec<char> = text(&a[0])?.chars().collect();
            let n = int(&a[1])?;
            let keep = if n >= 0 {
                (n as usize).min(chars.len())
            } else {
                chars.len().saturating_sub(n.unsigned_abs() as usize)
            };
            Ok(Datum::Text(chars[..keep].iter().collect()))
        })],
        "right" => vec![sig(&[Text, Int4], Text, |a| {
            let chars: Vec<char> = text(&a[0])?.chars().collect();
            let n = int(&a[1])?;
            let keep = if n >= 0 {
                (n as usize).min(chars.len())
            } else {
                chars.len().saturating_sub(n.unsigned_abs() as usize)
            };
            Ok(Datum::Text(chars[chars.len() - keep..].iter().collect()))
        })],
        "lpad" => vec![
            sig(&[Text, Int4], Text, |a| pad(a, " ", true)),
            sig(&[Text, Int4, Text], Text, |a| pad(a, text(&a[2])?, true)),
        ],
        "rpad" => vec![
            sig(&[Text, Int4], Text, |a| pad(a, " ", false)),
            sig(&[Text, Int4, Text], Text, |a| pad(a, text(&a[2])?, false)),
        ],
        "md5" => vec![sig(&[Text], Text, |a| {
            Ok(Datum::Text(super::digest::md5_hex(text(&a[0])?.as_bytes())))
        })],
        "split_part" => vec![sig(&[Text, Text, Int4], Text, |a| {
            split_part(text(&a[0])?, text(&a[1])?, int(&a[2])?)
        })],
        "translate" => vec![sig(&[Text, Text, Text], Text, |a| {
            let (from, to): (Vec<char>, Vec<char>) = (
                text(&a[1])?.chars().collect(),
                text(&a[2])?.chars().collect(),
            );
            let out = text(&a[0])?
                .chars()
                .filter_map(|c| match from.iter().position(|f| *f == c) {
                    Some(i) => to.get(i).copied(),
                    None => Some(c),
                })
                .collect();
            Ok(Datum::Text(out))
        })],
        "chr" => vec![sig(&[Int4], Text, |a| {
            let code = int(&a[0])?;
            if code == 0 {
                return Err(EngineError::new("54000", "null character not permitted"));
            }
            let c = u32::try_from(code)
                .ok()
                .and_then(char::from_u32)
                .ok_or_else(|| {
                    EngineError::new("54000", "requested character too large for encoding")
                })?;
            Ok(Datum::Text(c.to_string()))
        })],
        "ascii" => vec![sig(&[Text], Int4, |a| {
            let code = text(&a[0])?.chars().next().map_or(0, |c| c as u32);
            Ok(Datum::Int4(code as i32))
        })],
        "to_hex" => vec![
            sig(&[Int4], Text, |a| {
                Ok(Datum::Text(format!("{:x}", int(&a[0])? as i32 as u32)))
            }),
            sig(&[Int8], Text, |a| {
                Ok(Datum::Text(format!("{:x}", int(&a[0])? as u64)))
            }),
        ],
        "regexp_replace" | "regexp_match" | "regexp_split_to_array" | "string_to_array" => {
            super::regex_functions::candidates(name)
        }
        other => super::text_search::candidates(other),
    }
}

/// `lpad` / `rpad`: the string cut or filled to `length` characters with `fill`
/// repeated (no fill when `fill` is empty).
fn pad(a: &[Datum], fill: &str, left: bool) -> Result<Datum> {
    let s = text(&a[0])?;
    let length = int(&a[1])?.max(0) as usize;
    let chars: Vec<char> = s.chars().collect();
    if length <= chars.len() {
        return Ok(Datum::Text(chars[..length].iter().collect()));
    }
    if length.saturating_mul(4) > MAX_LENGTH {
        return Err(too_long());
    }
    let fill: Vec<char> = fill.chars().collect();
    if fill.is_empty() {
        return Ok(Datum::Text(s.to_string()));
    }
    let padding: String = fill.iter().cycle().take(length - chars.len()).collect();
    Ok(Datum::Text(if left {
        format!("{padding}{s}")
    } else {
        format!("{s}{padding}")
    }))
}

/// `split_part(string, delimiter, n)`: the `n`th field (from the end when negative).
fn split_part(s: &str, delimiter: &str, n: i64) -> Result<Datum> {
    if n == 0 {
        return Err(EngineError::new("22023", "field position must not be zero"));
    }
    let fields: Vec<&str> = if delimiter.is_empty() {
        vec![s]
    } else {
        s.split(delimiter).collect()
    };
    let index = if n > 0 {
        usize::try_from(n - 1).ok()
    } else {
        fields.len().checked_sub(n.unsigned_abs() as usize)
    };
    Ok(Datum::Text(
        index
            .and_then(|i| fields.get(i))
            .map_or(String::new(), |f| f.to_string()),
    ))
}
