//! PostgreSQL's everyday scalar functions and the `LIKE` family of operators: text
//! (`length`, `lower`, `upper`, `substr`, `replace`, `trim`, `ltrim`, `rtrim`,
//! `strpos`, `starts_with`, `repeat`, `reverse`, `initcap`), numbers (`floor`, `ceil`,
//! `ceiling`, `trunc`, `sign`, `power`, `exp`, `ln`, `log`, `mod`, `pi`) and the pattern
//! operators `~~ ~~* !~~ !~~*` that `LIKE`/`ILIKE` stand for.

use super::functions::DatumAccess;
use super::signature::{Imp, Signature};
use crate::error::{EngineError, Result};
use crate::value::{Datum, SqlType};

use SqlType::{Bool, Float8, Int4, Int8, Numeric, Text};

pub(super) fn sig(args: &[SqlType], ret: SqlType, imp: Imp) -> Signature {
    Signature {
        args: args.to_vec(),
        ret,
        imp,
    }
}

pub(super) fn text(datum: &Datum) -> Result<&str> {
    match datum {
        Datum::Text(s) => Ok(s),
        _ => Err(EngineError::internal("expected a value of type text")),
    }
}

pub(super) fn int_of(datum: &Datum) -> Result<i64> {
    match datum {
        Datum::Int4(v) => Ok(i64::from(*v)),
        Datum::Int8(v) => Ok(*v),
        _ => Err(EngineError::internal("expected an integer")),
    }
}

fn count(n: usize) -> Datum {
    Datum::Int4(i32::try_from(n).unwrap_or(i32::MAX))
}

/// Overloads of the function `name` from this module (empty when it has none).
pub fn candidates(name: &str) -> Vec<Signature> {
    match name {
        "length" | "char_length" | "character_length" => {
            let mut overloads = vec![sig(&[Text], Int4, |a| {
                Ok(count(text(&a[0])?.chars().count()))
            })];
            if name == "length" {
                overloads.extend(super::text_search::candidates(name));
            }
            overloads
        }
        "octet_length" => vec![sig(&[Text], Int4, |a| Ok(count(text(&a[0])?.len())))],
        "lower" => vec![sig(&[Text], Text, |a| {
            Ok(Datum::Text(text(&a[0])?.to_lowercase()))
        })],
        "upper" => vec![sig(&[Text], Text, |a| {
            Ok(Datum::Text(text(&a[0])?.to_uppercase()))
        })],
        "initcap" => vec![sig(&[Text], Text, |a| {
            Ok(Datum::Text(initcap(text(&a[0])?)))
        })],
        "reverse" => vec![sig(&[Text], Text, |a| {
            Ok(Datum::Text(text(&a[0])?.chars().rev().collect()))
        })],
        "substr" | "substring" => vec![
            sig(&[Text, Int4], Text, |a| {
                substring(text(&a[0])?, int_of(&a[1])?, None)
            }),
            sig(&[Text, Int4, Int4], Text, |a| {
                substring(text(&a[0])?, int_of(&a[1])?, Some(int_of(&a[2])?))
            }),
        ],
        "replace" => vec![sig(&[Text, Text, Text], Text, |a| {
            let (s, from, to) = (text(&a[0])?, text(&a[1])?, text(&a[2])?);
            Ok(Datum::Text(if from.is_empty() {
                s.to_string()
            } else {
                s.replace(from, to)
            }))
        })],
        "btrim" | "trim" => vec![
            sig(&[Text], Text, |a| {
                Ok(Datum::Text(text(&a[0])?.trim_matches(' ').to_string()))
            }),
            sig(&[Text, Text], Text, |a| {
                let set: Vec<char> = text(&a[1])?.chars().collect();
                Ok(Datum::Text(
                    text(&a[0])?.trim_matches(set.as_slice()).to_string(),
                ))
            }),
        ],
        "ltrim" => vec![
            sig(&[Text], Text, |a| {
                Ok(Datum::Text(
                    text(&a[0])?.trim_start_matches(' ').to_string(),
                ))
            }),
            sig(&[Text, Text], Text, |a| {
                let set: Vec<char> = text(&a[1])?.chars().collect();
                Ok(Datum::Text(
                    text(&a[0])?.trim_start_matches(set.as_slice()).to_string(),
                ))
            }),
        ],
        "rtrim" => vec![
            sig(&[Text], Text, |a| {
                Ok(Datum::Text(text(&a[0])?.trim_end_matches(' ').to_string()))
            }),
            sig(&[Text, Text], Text, |a| {
                let set: Vec<char> = text(&a[1])?.chars().collect();
                Ok(Datum::Text(
                    text(&a[0])?.trim_end_matches(set.as_slice()).to_string(),
                ))
            }),
        ],
        "strpos" | "position" => vec![sig(&[Text, Text], Int4, |a| {
            let (s, needle) = (text(&a[0])?, text(&a[1])?);
            Ok(count(
                s.find(needle)
                    .map_or(0, |byte| s[..byte].chars().count() + 1),
            ))
        })],
        "starts_with" => vec![sig(&[Text, Text], Bool, |a| {
            Ok(Datum::Bool(text(&a[0])?.starts_with(text(&a[1])?)))
        })],
        "repeat" => vec![sig(&[Text, Int4], Text, |a| {
            let (s, n) = (text(&a[0])?, int_of(&a[1])?.max(0) as usize);
            if s.len().saturating_mul(n) > (1 << 30) - 1 {
                return Err(EngineError::new("54000", "requested length too large"));
            }
            Ok(Datum::Text(s.repeat(n)))
        })],
        "floor" => rounding(
            |a| Ok(Datum::Float8(a[0].float8()?.floor())),
            |a| Ok(Datum::Numeric(a[0].numeric()?.floor())),
        ),
        "ceil" | "ceiling" => rounding(
            |a| Ok(Datum::Float8(a[0].float8()?.ceil())),
            |a| Ok(Datum::Numeric(a[0].numeric()?.ceil())),
        ),
        "trunc" => {
            let mut out = rounding(
                |a| Ok(Datum::Float8(a[0].float8()?.trunc())),
                |a| Ok(Datum::Numeric(a[0].numeric()?.trunc(0))),
            );
            out.push(sig(&[Numeric, Int4], Numeric, |a| {
                Ok(Datum::Numeric(a[0].numeric()?.trunc(a[1].int4()?)))
            }));
            out
        }
        "sign" => rounding(
            |a| {
                let x = a[0].float8()?;
                Ok(Datum::Float8(if x > 0.0 {
                    1.0
                } else if x < 0.0 {
                    -1.0
                } else {
                    0.0
                }))
            },
            |a| Ok(Datum::Numeric(a[0].numeric()?.sign())),
        ),
        "power" | "pow" => vec![sig(&[Float8, Float8], Float8, |a| {
            let (x, y) = (a[0].float8()?, a[1].float8()?);
            if x == 0.0 && y < 0.0 {
                return Err(EngineError::new(
                    "2201F",
                    "zero raised to a negative power is undefined",
                ));
            }
            if x < 0.0 && y.fract() != 0.0 {
                return Err(EngineError::new(
                    "2201F",
                    "a negative number raised to a non-integer power yields a complex result",
                ));
            }
            finite(x.powf(y))
        })],
        "exp" => vec![sig(&[Float8], Float8, |a| finite(a[0].float8()?.exp()))],
        "ln" => vec![sig(&[Float8], Float8, |a| {
            logarithm(a[0].float8()?, f64::ln)
        })],
        "log" | "log10" => vec![sig(&[Float8], Float8, |a| {
            logarithm(a[0].float8()?, f64::log10)
        })],
        "mod" => vec![
            sig(&[Int4, Int4], Int4, |a| {
                let (x, y) = (int_of(&a[0])?, int_of(&a[1])?);
                if y == 0 {
                    return Err(EngineError::new("22012", "division by zero"));
                }
                Ok(Datum::Int4((x % y) as i32))
            }),
            sig(&[Int8, Int8], Int8, |a| {
                let (x, y) = (int_of(&a[0])?, int_of(&a[1])?);
                if y == 0 {
                    return Err(EngineError::new("22012", "division by zero"));
                }
                Ok(Datum::Int8(x.checked_rem(y).unwrap_or(0)))
            }),
            sig(&[Numeric, Numeric], Numeric, |a| {
                Ok(Datum::Numeric(a[0].numeric()?.rem(&a[1].numeric()?)?))
            }),
        ],
        "pi" => vec![sig(&[], Float8, |_| {
            Ok(Datum::Float8(std::f64::consts::PI))
        })],
        other => super::system::candidates(other),
    }
}

/// `floor`, `ceil`, `trunc` and `sign`: exact on `numeric`, through a double otherwise
/// (an integer argument takes the `double precision` form, as PostgreSQL's preferred
/// type makes it).
fn rounding(double: Imp, numeric: Imp) -> Vec<Signature> {
    vec![
        sig(&[Float8], Float8, double),
        sig(&[Int8], Float8, double),
        sig(&[Numeric], Numeric, numeric),
    ]
}

/// Overloads of the pattern operators (`~~` is `LIKE`, `~~*` is `ILIKE`, `!` negates).
pub fn like_candidates(op: &str) -> Vec<Signature> {
    let imp: Imp = match op {
        "~~" => |a| Ok(Datum::Bool(like(text(&a[0])?, text(&a[1])?, false)?)),
        "!~~" => |a| Ok(Datum::Bool(!like(text(&a[0])?, text(&a[1])?, false)?)),
        "~~*" => |a| Ok(Datum::Bool(like(text(&a[0])?, text(&a[1])?, true)?)),
        "!~~*" => |a| Ok(Datum::Bool(!like(text(&a[0])?, text(&a[1])?, true)?)),
        _ => return Vec::new(),
    };
    vec![sig(&[Text, Text], Bool, imp)]
}

fn finite(x: f64) -> Result<Datum> {
    if x.is_infinite() {
        return Err(EngineError::new("22003", "value out of range: overflow"));
    }
    Ok(Datum::Float8(x))
}

fn logarithm(x: f64, f: fn(f64) -> f64) -> Result<Datum> {
    if x == 0.0 {
        return Err(EngineError::new("2201E", "cannot take logarithm of zero"));
    }
    if x < 0.0 {
        return Err(EngineError::new(
            "2201E",
            "cannot take logarithm of a negative number",
        ));
    }
    Ok(Datum::Float8(f(x)))
}

fn initcap(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut start = true;
    for c in s.chars() {
        if c.is_alphanumeric() {
            if start {
                out.extend(c.to_uppercase());
            } else {
                out.extend(c.to_lowercase());
            }
            start = false;
        } else {
            out.push(c);
            start = true;
        }
    }
    out
}

/// `substr(s, from [, count])` with PostgreSQL's 1-based, clamped positions.
fn substring(s: &str, from: i64, count: Option<i64>) -> Result<Datum> {
    let end = match count {
        Some(n) if n < 0 => {
            return Err(EngineError::new(
                "22011",
                "negative substring length not allowed",
            ))
        }
        Some(n) => from.saturating_add(n),
        None => i64::MAX,
    };
    let start = from.max(1);
    if end <= start {
        return Ok(Datum::Text(String::new()));
    }
    let skip = usize::try_from(start - 1).unwrap_or(usize::MAX);
    let take = usize::try_from(end - start).unwrap_or(usize::MAX);
    Ok(Datum::Text(s.chars().skip(skip).take(take).collect()))
}

/// Matches `s` against a `LIKE` pattern: `%` any run, `_` one character, `\` escapes the
/// next character (PostgreSQL's default escape).
pub fn like(s: &str, pattern: &str, case_insensitive: bool) -> Result<bool> {
    let fold = |t: &str| -> Vec<char> {
        if case_insensitive {
            t.chars().flat_map(char::to_lowercase).collect()
        } else {
            t.chars().collect()
        }
    };
    let s = fold(s);
    let raw = fold(pattern);
    // The pattern as tokens: Some(c) a literal, None for `_`, and '%' runs kept apart.
    enum Token {
        Literal(char),
        One,
        Any,
    }
    let mut tokens = Vec::with_capacity(raw.len());
    let mut chars = raw.into_iter();
    while let Some(c) = chars.next() {
        tokens.push(match c {
            '%' => Token::Any,
            '_' => Token::One,
            '\\' => match chars.next() {
                Some(escaped) => Token::Literal(escaped),
                None => {
                    return Err(EngineError::new(
                        "22025",
                        "LIKE pattern must not end with escape character",
                    ))
                }
            },
            other => Token::Literal(other),
        });
    }
    // Greedy matching with one backtrack point per `%`, linear in practice.
    let (mut si, mut ti) = (0usize, 0usize);
    let mut backtrack: Option<(usize, usize)> = None;
    while si < s.len() {
        match tokens.get(ti) {
            Some(Token::Any) => {
                ti += 1;
                backtrack = Some((ti, si));
                continue;
            }
            Some(Token::One) => {
                si += 1;
                ti += 1;
                continue;
            }
            Some(Token::Literal(c)) if *c == s[si] => {
                si += 1;
                ti += 1;
                continue;
            }
            _ => {}
        }
        match backtrack {
            Some((t, start)) => {
                ti = t;
                si = start + 1;
                backtrack = Some((t, start + 1));
            }
            None => return Ok(false),
        }
    }
    Ok(tokens[ti.min(tokens.len())..]
        .iter()
        .all(|t| matches!(t, Token::Any)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns() {
        let cases = [
            ("abc", "abc", true),
            ("abc", "a%", true),
            ("abc", "%c", true),
            ("abc", "%b%", true),
            ("abc", "a_c", true),
            ("abc", "a_", false),
            ("abc", "", false),
            ("", "%", true),
            ("a%c", "a\\%c", true),
            ("abc", "a\\%c", false),
            ("mississippi", "%iss%pi", true),
            ("mississippi", "m%s%s%x", false),
            ("héllo", "h_llo", true),
        ];
        for (s, p, expected) in cases {
            assert_eq!(like(s, p, false).unwrap(), expected, "{s} LIKE {p}");
        }
        assert!(like("ABC", "a%", true).unwrap());
        assert!(!like("ABC", "a%", false).unwrap());
        assert!(like("abc", "ab\\", false).is_err());
    }

    #[test]
    fn substring_positions_follow_postgres() {
        let s = |from, count| substring("hello", from, count).unwrap();
        assert_eq!(s(1, Some(3)), Datum::Text("hel".into()));
        assert_eq!(s(0, Some(3)), Datum::Text("he".into()));
        assert_eq!(s(-5, Some(3)), Datum::Text(String::new()));
        assert_eq!(s(4, None), Datum::Text("lo".into()));
        assert!(substring("hello", 1, Some(-1)).is_err());
    }
}
