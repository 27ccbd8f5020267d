//! The crate's error: PostgreSQL's SQLSTATE and message text, byte for byte.

use std::fmt;

/// An error in PostgreSQL's words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextError {
    /// The five-character SQLSTATE.
    pub sqlstate: &'static str,
    /// The message, without the `ERROR:  ` prefix.
    pub message: String,
}

impl TextError {
    /// An error with a SQLSTATE and message.
    pub fn new(sqlstate: &'static str, message: impl Into<String>) -> Self {
        TextError {
            sqlstate,
            message: message.into(),
        }
    }

    /// `syntax error in tsquery: "…"` (42601).
    pub fn tsquery_syntax(input: &str) -> Self {
        TextError::new("42601", format!("syntax error in tsquery: \"{input}\""))
    }

    /// `syntax error in tsvector: "…"` (42601).
    pub fn tsvector_syntax(input: &str) -> Self {
        TextError::new("42601", format!("syntax error in tsvector: \"{input}\""))
    }
}

impl fmt::Display for TextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for TextError {}

/// The crate's result type.
pub type Result<T> = std::result::Result<T, TextError>;
