//! Text-search configurations: `english` (PostgreSQL's default parser; words of letters
//! through the English stop words and the Snowball English stemmer; numbers, hosts,
//! e-mail addresses, URLs and paths lower-cased as they are) and `simple` (every token
//! lower-cased). `to_tsvector` and the lexemes with positions that queries are built from.

use crate::error::{Result, TextError};
use crate::parser::tokenize;
use crate::stem::stem_english;
use crate::stopwords::is_english_stop_word;
use crate::tsvector::{Position, TsVector, MAX_POSITION};

/// A text-search configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Config {
    /// `english`
    English,
    /// `simple`
    Simple,
}

/// A lexeme with the position of the token it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlacedLexeme {
    /// The normalized word.
    pub lexeme: String,
    /// The token's position (1-based; stop words take one too).
    pub pos: u16,
}

impl Config {
    /// The configuration a `regconfig` names (`english`, `pg_catalog.simple`, …).
    pub fn by_name(name: &str) -> Result<Config> {
        let trimmed = name.trim();
        let bare = trimmed.strip_prefix("pg_catalog.").unwrap_or(trimmed);
        let unquoted = match bare.strip_prefix('"').and_then(|b| b.strip_suffix('"')) {
            Some(quoted) => quoted.to_string(),
            None => bare.to_lowercase(),
        };
        match unquoted.as_str() {
            "english" => Ok(Config::English),
            "simple" => Ok(Config::Simple),
            _ => Err(TextError::new(
                "42704",
                format!("text search configuration \"{trimmed}\" does not exist"),
            )),
        }
    }

    /// The name `regconfig` prints.
    pub fn name(self) -> &'static str {
        match self {
            Config::English => "english",
            Config::Simple => "simple",
        }
    }

    /// The lexemes of `text` with their positions, in token order. A stop word yields
    /// none but takes its position.
    pub fn lexemes(self, text: &str) -> Vec<PlacedLexeme> {
        let mut out = Vec::new();
        let mut pos: u16 = 0;
        for token in tokenize(text) {
            if token.text.len() >= 2047 {
                continue;
            }
            pos = pos.saturating_add(1).min(MAX_POSITION);
            // Only ASCII letters change case, as under PostgreSQL's C locale.
            let lower = token.text.to_ascii_lowercase();
            let lexeme = match self {
                Config::English if token.kind.is_language_word() => {
                    if is_english_stop_word(&lower) {
                        continue;
                    }
                    stem_english(&lower)
                }
                _ => lower,
            };
            if lexeme.is_empty() {
                continue;
            }
            out.push(PlacedLexeme { lexeme, pos });
        }
        out
    }

    /// `to_tsvector(config, text)`.
    pub fn to_tsvector(self, text: &str) -> TsVector {
        TsVector::from_words(self.lexemes(text).into_iter().map(|l| {
            (
                l.lexeme,
                Some(Position {
                    pos: l.pos,
                    weight: 0,
                }),
            )
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_vectors() {
        assert_eq!(
            Config::English
                .to_tsvector("a fat  cat sat on a mat - it ate a fat rats")
                .to_string(),
            "'ate':9 'cat':3 'fat':2,11 'mat':7 'rat':12 'sat':4"
        );
        assert_eq!(
            Config::Simple.to_tsvector("The Fat Rats").to_string(),
            "'fat':2 'rats':3 'the':1"
        );
    }

    #[test]
    fn unknown_configuration() {
        assert_eq!(
            Config::by_name("french").unwrap_err().message,
            "text search configuration \"french\" does not exist"
        );
    }
}
