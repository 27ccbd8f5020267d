//! The SQL lexer: PostgreSQL's token rules written with `nom` combinators.
//!
//! Each token keeps its byte range in the statement so that errors can point at it.
//! Unquoted identifiers fold to lower case; `"Quoted"` ones keep their case. String
//! literals follow PostgreSQL: `'it''s'`, `E'\n'` escapes and `$tag$…$tag$` dollar
//! quoting. Operators follow the `scan.l` rule that a multi-character operator may not
//! end in `+` or `-` unless it contains one of `~ ! @ # % ^ & | ` ?`, so `1+-2` lexes as
//! `1 + -2` while `<->` stays one token.

use nom::branch::alt;
use nom::bytes::complete::{tag, take_while, take_while1};
use nom::character::complete::{char, digit0, digit1, one_of};
use nom::combinator::{opt, recognize};
use nom::sequence::{pair, tuple};
use nom::IResult;

use crate::error::{EngineError, Result};

/// What a token is.
#[derive(Clone, Debug, PartialEq)]
pub enum TokenKind {
    /// An unquoted identifier or keyword, folded to lower case.
    Word(String),
    /// A `"quoted"` identifier, case kept.
    QuotedIdent(String),
    /// A numeric literal as written.
    Number(String),
    /// A string literal, escapes resolved.
    String(String),
    /// A bit-string literal `B'0101'` (or `X'1F'`, held as `x1F`).
    BitString(String),
    /// An operator such as `+`, `<->` or `||` (`!=` is normalised to `<>`).
    Op(String),
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `[`
    LBracket,
    /// `]`
    RBracket,
    /// `,`
    Comma,
    /// `;`
    Semicolon,
    /// `.`
    Dot,
    /// `::`
    DoubleColon,
    /// `:`
    Colon,
    /// A positional parameter `$n` (its number, from 1).
    Param(u32),
    /// A plain `'…'` string with no doubled quote inside, whose content is its text
    /// between the quotes, left in the source rather than copied: only
    /// [`tokenize_lending_strings`] gives it.
    LentString,
}

/// A token and its byte range in the source.
#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    /// The token.
    pub kind: TokenKind,
    /// Byte offset of its first character.
    pub start: usize,
    /// Byte offset just past its last character.
    pub end: usize,
}

const OP_CHARS: &str = "+-*/<>=~!@#%^&|`?";
const SPECIAL_OP_CHARS: &str = "~!@#%^&|`?";

/// Splits `source` into tokens, skipping white space and comments.
pub fn tokenize(source: &str) -> Result<Vec<Token>> {
    tokenize_with(source, false)
}

/// Splits `source` into tokens as [`tokenize`] does, except that a plain `'…'` string
/// with no doubled quote inside comes as [`TokenKind::LentString`]: its content is
/// `source[start + 1..end - 1]`, not copied (a vector literal is thousands of bytes).
pub fn tokenize_lending_strings(source: &str) -> Result<Vec<Token>> {
    tokenize_with(source, true)
}

fn tokenize_with(source: &str, lend_strings: bool) -> Result<Vec<Token>> {
    let mut tokens = Vec::new();
    let mut rest = source;
    loop {
        rest = skip_space_and_comments(source, rest)?;
        if rest.is_empty() {
            return Ok(tokens);
        }
        let start = source.len() - rest.len();
        let lent = lend_strings.then(|| plain_string(rest)).flatten();
        let (kind, remaining) = match lent {
            Some(remaining) => (TokenKind::LentString, remaining),
            None => next_token(source, rest, start)?,
        };
        let end = source.len() - remaining.len();
        tokens.push(Token { kind, start, end });
        rest = remaining;
    }
}

fn skip_space_and_comments<'a>(source: &'a str, mut rest: &'a str) -> Result<&'a str> {
    loop {
        let trimmed = rest.trim_start_matches(|c: char| c.is_ascii_whitespace());
        if let Some(comment) = trimmed.strip_prefix("--") {
            rest = comment.find('\n').map_or("", |i| &comment[i + 1..]);
        } else if trimmed.starts_with("/*") {
            rest = skip_block_comment(source, trimmed)?;
        } else {
            return Ok(trimmed);
        }
    }
}

/// Skips a (nestable) block comment starting at `rest`.
fn skip_block_comment<'a>(source: &'a str, rest: &'a str) -> Result<&'a str> {
    let start = source.len() - rest.len();
    let bytes = rest.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == b'/' && bytes[i + 1] == b'*' {
            depth += 1;
            i += 2;
        } else if bytes[i] == b'*' && bytes[i + 1] == b'/' {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return Ok(&rest[i..]);
            }
        } else {
            i += 1;
        }
    }
    Err(EngineError::new("42601", "unterminated /* comment at or near \"/*\"").at(start))
}

fn next_token<'a>(source: &'a str, rest: &'a str, start: usize) -> Result<(TokenKind, &'a str)> {
    let first = rest.chars().next().unwrap_or(' ');
    let unterminated = |what: &str| {
        let near: String = rest.chars().take(60).collect();
        EngineError::new(
            "42601",
            format!("unterminated {what} at or near \"{near}\""),
        )
        .at(start)
    };
    match first {
        '\'' => string_body(&rest[1..], false).ok_or_else(|| unterminated("quoted string")),
        'e' | 'E' if rest[1..].starts_with('\'') => {
            string_body(&rest[2..], true).ok_or_else(|| unterminated("quoted string"))
        }
        'b' | 'B' | 'x' | 'X' if rest[1..].starts_with('\'') => {
            let hex = first.eq_ignore_ascii_case(&'x');
            match string_body(&rest[2..], false) {
                Some((TokenKind::String(bits), remaining)) => {
                    let text = if hex { format!("x{bits}") } else { bits };
                    Ok((TokenKind::BitString(text), remaining))
                }
                _ => Err(unterminated("bit string literal")),
            }
        }
        '"' => quoted_ident(&rest[1..]).ok_or_else(|| unterminated("quoted identifier")),
        '$' if rest[1..].starts_with(|c: char| c.is_ascii_digit()) => param(rest, start),
        '$' => dollar_string(rest).ok_or_else(|| unterminated("dollar-quoted string")),
        _ => match lex_simple(rest) {
            Ok((remaining, kind)) => Ok((kind, remaining)),
            Err(_) => {
                let text: String = rest.chars().take(1).collect();
                let _ = source;
                Err(EngineError::syntax(&text, start))
            }
        },
    }
}

fn lex_simple(input: &str) -> IResult<&str, TokenKind> {
    alt((number, word, punctuation, operator))(input)
}

fn number(input: &str) -> IResult<&str, TokenKind> {
    let exponent = tuple((one_of("eE"), opt(one_of("+-")), digit1));
    let with_integer = recognize(tuple((digit1, opt(pair(char('.'), digit0)))));
    let fraction_only = recognize(pair(char('.'), digit1));
    let (rest, text) = recognize(pair(alt((with_integer, fraction_only)), opt(exponent)))(input)?;
    Ok((rest, TokenKind::Number(text.to_string())))
}

fn word(input: &str) -> IResult<&str, TokenKind> {
    let (rest, text) = recognize(pair(
        take_while1(|c: char| c.is_alphabetic() || c == '_'),
        take_while(|c: char| c.is_alphanumeric() || c == '_' || c == '$'),
    ))(input)?;
    Ok((rest, TokenKind::Word(text.to_ascii_lowercase())))
}

fn punctuation(input: &str) -> IResult<&str, TokenKind> {
    alt((
        |i| tag("::")(i).map(|(r, _)| (r, TokenKind::DoubleColon)),
        |i| char('(')(i).map(|(r, _)| (r, TokenKind::LParen)),
        |i| char(')')(i).map(|(r, _)| (r, TokenKind::RParen)),
        |i| char('[')(i).map(|(r, _)| (r, TokenKind::LBracket)),
        |i| char(']')(i).map(|(r, _)| (r, TokenKind::RBracket)),
        |i| char(',')(i).map(|(r, _)| (r, TokenKind::Comma)),
        |i| char(';')(i).map(|(r, _)| (r, TokenKind::Semicolon)),
        |i| char('.')(i).map(|(r, _)| (r, TokenKind::Dot)),
        |i| char(':')(i).map(|(r, _)| (r, TokenKind::Colon)),
    ))(input)
}

fn operator(input: &str) -> IResult<&str, TokenKind> {
    let (_, run) = take_while1(|c: char| OP_CHARS.contains(c))(input)?;
    // A comment start ends the operator, as in scan.l.
    let mut len = run.len();
    for (i, _) in run.char_indices().skip(1) {
        if run[i..].starts_with("--") || run[i..].starts_with("/*") {
            len = i;
            break;
        }
    }
    let mut op = &run[..len];
    if op.len() > 1 && op.ends_with(['+', '-']) && !op.chars().any(|c| SPECIAL_OP_CHARS.contains(c))
    {
        while op.len() > 1 && op.ends_with(['+', '-']) {
            op = &op[..op.len() - 1];
        }
    }
    let rest = &input[op.len()..];
    let normalized = if op == "!=" { "<>" } else { op };
    Ok((rest, TokenKind::Op(normalized.to_string())))
}

/// What follows a plain `'…'` string at the start of `rest` whose content has no
/// doubled quote (its text is its content); `None` for anything else.
fn plain_string(rest: &str) -> Option<&str> {
    let body = rest.strip_prefix('\'')?;
    let close = memchr::memchr(b'\'', body.as_bytes())?;
    let after = &body[close + 1..];
    (!after.starts_with('\'')).then_some(after)
}

/// The body of a `'…'` string after its opening quote; `escapes` for `E'…'`.
fn string_body(input: &str, escapes: bool) -> Option<(TokenKind, &str)> {
    let mut value = String::new();
    let mut rest = input;
    loop {
        // The text up to the next quote (or backslash) in one piece: a long literal, a
        // vector's, is copied at memory speed rather than a character at a time.
        let special = if escapes {
            memchr::memchr2(b'\'', b'\\', rest.as_bytes())?
        } else {
            memchr::memchr(b'\'', rest.as_bytes())?
        };
        value.push_str(&rest[..special]);
        let tail = &rest[special..];
        if let Some(after) = tail.strip_prefix("''") {
            value.push('\'');
            rest = after;
        } else if let Some(after) = tail.strip_prefix('\'') {
            return Some((TokenKind::String(value), after));
        } else {
            let mut chars = tail[1..].chars();
            value.push(match chars.next()? {
                'n' => '\n',
                't' => '\t',
                'r' => '\r',
                'b' => '\u{8}',
                'f' => '\u{c}',
                other => other,
            });
            rest = chars.as_str();
        }
    }
}

fn quoted_ident(input: &str) -> Option<(TokenKind, &str)> {
    let mut value = String::new();
    let mut chars = input.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '"' {
            if let Some((_, '"')) = chars.peek() {
                chars.next();
                value.push('"');
            } else {
                return Some((TokenKind::QuotedIdent(value), &input[i + 1..]));
            }
        } else {
            value.push(c);
        }
    }
    None
}

/// A positional parameter `$n`; a number past `i32::MAX` is PostgreSQL's error.
fn param(input: &str, start: usize) -> Result<(TokenKind, &str)> {
    let digits = input[1..]
        .find(|c: char| !c.is_ascii_digit())
        .map_or(input.len(), |i| i + 1);
    let text = &input[..digits];
    match text[1..].parse::<u32>() {
        Ok(number) if number <= i32::MAX as u32 => Ok((TokenKind::Param(number), &input[digits..])),
        _ => Err(EngineError::new(
            "42601",
            format!("parameter number too large at or near \"{text}\""),
        )
        .at(start)),
    }
}

fn dollar_string(input: &str) -> Option<(TokenKind, &str)> {
    let after = &input[1..];
    let tag_len = after.find('$')?;
    let tag_text = &after[..tag_len];
    if !tag_text.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return None;
    }
    let delimiter = &input[..tag_len + 2];
    let body = &input[tag_len + 2..];
    let end = body.find(delimiter)?;
    Some((
        TokenKind::String(body[..end].to_string()),
        &body[end + delimiter.len()..],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(source: &str) -> Vec<TokenKind> {
        tokenize(source)
            .unwrap()
            .into_iter()
            .map(|t| t.kind)
            .collect()
    }

    #[test]
    fn operators_follow_scan_rules() {
        assert_eq!(
            kinds("a<->b"),
            vec![
                TokenKind::Word("a".into()),
                TokenKind::Op("<->".into()),
                TokenKind::Word("b".into())
            ]
        );
        assert_eq!(
            kinds("1+-2"),
            vec![
                TokenKind::Number("1".into()),
                TokenKind::Op("+".into()),
                TokenKind::Op("-".into()),
                TokenKind::Number("2".into())
            ]
        );
        assert_eq!(kinds("a != b")[1], TokenKind::Op("<>".into()));
    }

    #[test]
    fn plain_strings_are_lent_where_their_text_is_their_content() {
        let source = "SELECT 'a b', 'it''s', E'x\\ty', '' FROM t";
        let lent = tokenize_lending_strings(source).unwrap();
        let copied = tokenize(source).unwrap();
        assert_eq!(lent.len(), copied.len());
        for (lent, copied) in lent.iter().zip(&copied) {
            assert_eq!((lent.start, lent.end), (copied.start, copied.end));
            match (&lent.kind, &copied.kind) {
                (TokenKind::LentString, TokenKind::String(content)) => {
                    assert_eq!(&source[lent.start + 1..lent.end - 1], content)
                }
                (lent, copied) => assert_eq!(lent, copied),
            }
        }
        let kinds: Vec<bool> = lent
            .iter()
            .map(|t| t.kind == TokenKind::LentString)
            .collect();
        assert_eq!(kinds.iter().filter(|lent| **lent).count(), 2, "{lent:?}");
        assert_eq!(
            tokenize_lending_strings("SELECT 'open")
                .unwrap_err()
                .message,
            tokenize("SELECT 'open").unwrap_err().message
        );
    }

    #[test]
    fn strings_and_identifiers() {
        assert_eq!(kinds("'it''s'"), vec![TokenKind::String("it's".into())]);
        assert_eq!(kinds("E'a\\nb'"), vec![TokenKind::String("a\nb".into())]);
        assert_eq!(kinds("$$x$$"), vec![TokenKind::String("x".into())]);
        assert_eq!(
            kinds("$1::vector"),
            vec![
                TokenKind::Param(1),
                TokenKind::DoubleColon,
                TokenKind::Word("vector".into())
            ]
        );
        assert!(tokenize("$99999999999").is_err());
        assert_eq!(
            kinds("\"Ab\" Cd"),
            vec![
                TokenKind::QuotedIdent("Ab".into()),
                TokenKind::Word("cd".into())
            ]
        );
        assert_eq!(kinds("1 -- c\n/* x /* y */ */ 2").len(), 2);
        assert!(tokenize("'abc").is_err());
    }
}
