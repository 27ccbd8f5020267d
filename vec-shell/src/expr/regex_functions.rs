//! PostgreSQL's regular-expression functions, on the `regex` crate (whose syntax covers
//! the common part of PostgreSQL's advanced regular expressions; as in PostgreSQL, `.`
//! matches a newline too): `regexp_replace(string, pattern, replacement [, flags])`
//! (`\1`…`\9` and `\&` in the replacement, the first match unless the flags hold `g`),
//! `regexp_match(string, pattern [, flags])`, `regexp_split_to_array(string, pattern
//! [, flags])`, and `string_to_array(string, delimiter [, null string])`. Flags: `g`
//! (every match), `i` (ignore case), `c` (respect case); any other is PostgreSQL's
//! `invalid regular expression option`.

use super::builtins::{sig, text};
use super::signature::Signature;
use crate::error::{EngineError, Result};
use crate::value::{Array, Datum, SqlType};

use SqlType::Text;

fn text_array() -> SqlType {
    SqlType::Array(Box::new(Text))
}

/// Overloads of the function `name` from this module (empty when it has none).
pub fn candidates(name: &str) -> Vec<Signature> {
    match name {
        "regexp_replace" => vec![
            sig(&[Text, Text, Text], Text, |a| replace(a, "")),
            sig(&[Text, Text, Text, Text], Text, |a| {
                replace(a, text(&a[3])?)
            }),
        ],
        "regexp_match" => vec![
            sig(&[Text, Text], text_array(), |a| first_match(a, "")),
            sig(&[Text, Text, Text], text_array(), |a| {
                first_match(a, text(&a[2])?)
            }),
        ],
        "regexp_split_to_array" => vec![
            sig(&[Text, Text], text_array(), |a| split(a, "")),
            sig(&[Text, Text, Text], text_array(), |a| {
                split(a, text(&a[2])?)
            }),
        ],
        "string_to_array" => vec![
            sig(&[Text, Text], text_array(), |a| string_to_array(a, None)),
            sig(&[Text, Text, Text], text_array(), |a| {
                string_to_array(a, Some(text(&a[2])?))
            }),
        ],
        _ => Vec::new(),
    }
}

/// Compiles `pattern` as PostgreSQL reads it, with PostgreSQL's error for a bad one.
pub fn compile(pattern: &str, ignore_case: bool) -> Result<regex::Regex> {
    regex::RegexBuilder::new(pattern)
        .case_insensitive(ignore_case)
        .dot_matches_new_line(true)
        .size_limit(1 << 20)
        .build()
        .map_err(|error| {
            let reason = match error {
                regex::Error::CompiledTooBig(_) => "regular expression is too complex".to_string(),
                other => {
                    let detail = other.to_string();
                    let detail = detail.lines().last().unwrap_or("").trim();
                    postgres_reason(detail.trim_start_matches("error: ")).to_string()
                }
            };
            EngineError::new("2201B", format!("invalid regular expression: {reason}"))
        })
}

/// PostgreSQL's words for the regex crate's commonest syntax errors.
fn postgres_reason(reason: &str) -> &str {
    match reason {
        "unclosed group" | "unopened group" => "parentheses () not balanced",
        "unclosed character class" => "brackets [] not balanced",
        "repetition operator missing expression" => "quantifier operand invalid",
        "invalid escape sequence found in character class" | "unrecognized escape sequence" => {
            "invalid escape \\ sequence"
        }
        other => other,
    }
}

/// The pattern compiled with `flags`, and whether they ask for every match.
fn with_flags(pattern: &str, flags: &str) -> Result<(regex::Regex, bool)> {
    let (mut global, mut ignore_case) = (false, false);
    for flag in flags.chars() {
        match flag {
            'g' => global = true,
            'i' => ignore_case = true,
            'c' => ignore_case = false,
            other => {
                return Err(EngineError::new(
                    "22023",
                    format!("invalid regular expression option: \"{other}\""),
                ))
            }
        }
    }
    Ok((compile(pattern, ignore_case)?, global))
}

fn replace(args: &[Datum], flags: &str) -> Result<Datum> {
    let (source, replacement) = (text(&args[0])?, text(&args[2])?);
    let (regex, global) = with_flags(text(&args[1])?, flags)?;
    let mut out = String::with_capacity(source.len());
    let mut last = 0;
    for captures in regex.captures_iter(source) {
        let whole = captures.get(0).map_or(0..0, |m| m.range());
        out.push_str(&source[last..whole.start]);
        let mut chars = replacement.chars().peekable();
        while let Some(c) = chars.next() {
            match (c, chars.peek().copied()) {
                ('\\', Some(d @ '1'..='9')) => {
                    chars.next();
                    let group = d as usize - '0' as usize;
                    out.push_str(captures.get(group).map_or("", |m| m.as_str()));
                }
                ('\\', Some('&')) => {
                    chars.next();
                    out.push_str(&source[whole.clone()]);
                }
                ('\\', Some('\\')) => {
                    chars.next();
                    out.push('\\');
                }
                _ => out.push(c),
            }
        }
        last = whole.end;
        if !global {
            break;
        }
    }
    out.push_str(&source[last..]);
    Ok(Datum::Text(out))
}

fn first_match(args: &[Datum], flags: &str) -> Result<Datum> {
    let source = text(&args[0])?;
    let (regex, global) = with_flags(text(&args[1])?, flags)?;
    if global {
        return Err(EngineError::new(
            "22023",
            "regexp_match() does not support the \"global\" option",
        )
        .with_hint("Use the regexp_matches function instead."));
    }
    let Some(captures) = regex.captures(source) else {
        return Ok(Datum::Null);
    };
    let text_of =
        |m: Option<regex::Match<'_>>| m.map_or(Datum::Null, |m| Datum::Text(m.as_str().into()));
    let elements = match captures.len() {
        1 => vec![text_of(captures.get(0))],
        n => (1..n).map(|i| text_of(captures.get(i))).collect(),
    };
    Ok(Datum::Array(Array::one_dimensional(elements)))
}

fn split(args: &[Datum], flags: &str) -> Result<Datum> {
    let source = text(&args[0])?;
    let (regex, global) = with_flags(text(&args[1])?, flags)?;
    if global {
        return Err(EngineError::new(
            "22023",
            "regexp_split_to_array() does not support the \"global\" option",
        ));
    }
    let mut parts = Vec::new();
    let mut last = 0;
    for found in regex.find_iter(source) {
        // An empty match at either end splits nothing, as in PostgreSQL.
        if found.start() == found.end() && (found.start() == 0 || found.start() == source.len()) {
            continue;
        }
        parts.push(Datum::Text(source[last..found.start()].into()));
        last = found.end();
    }
    parts.push(Datum::Text(source[last..].into()));
    Ok(Datum::Array(Array::one_dimensional(parts)))
}

fn string_to_array(args: &[Datum], null_string: Option<&str>) -> Result<Datum> {
    let (source, delimiter) = (text(&args[0])?, text(&args[1])?);
    if source.is_empty() {
        return Ok(Datum::Array(Array::one_dimensional(Vec::new())));
    }
    let fields: Vec<&str> = if delimiter.is_empty() {
        vec![source]
    } else {
        source.split(delimiter).collect()
    };
    let elements = fields
        .into_iter()
        .map(|field| match null_string {
            Some(null) if null == field => Datum::Null,
            _ => Datum::Text(field.to_string()),
        })
        .collect();
    Ok(Datum::Array(Array::one_dimensional(elements)))
}
