//! The engine's one error type, shaped like a PostgreSQL error report: severity, SQLSTATE
//! code, message, optional detail and hint, and the cursor position (a byte offset into
//! the statement text) that psql turns into its `LINE 1:` and caret lines.

use std::fmt;

use vec_types::TypeError;

/// How serious a report is, as PostgreSQL grades them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// The statement failed.
    Error,
    /// A message that does not stop the statement (`NOTICE:  …`).
    Notice,
    /// A louder message that does not stop the statement (`WARNING:  …`).
    Warning,
}

impl Severity {
    /// The word psql prints before the message.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "ERROR",
            Severity::Notice => "NOTICE",
            Severity::Warning => "WARNING",
        }
    }
}

/// An error (or notice) from the engine, with PostgreSQL's fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EngineError {
    /// The severity.
    pub severity: Severity,
    /// The five-character SQLSTATE code, such as `42601` for a syntax error.
    pub sqlstate: &'static str,
    /// The primary message.
    pub message: String,
    /// The `DETAIL:` line, if any.
    pub detail: Option<String>,
    /// The `HINT:` line, if any.
    pub hint: Option<String>,
    /// A byte offset into the statement's text where the error was found.
    pub position: Option<usize>,
}

impl EngineError {
    /// An error with the given SQLSTATE and message.
    pub fn new(sqlstate: &'static str, message: impl Into<String>) -> Self {
        EngineError {
            severity: Severity::Error,
            sqlstate,
            message: message.into(),
            detail: None,
            hint: None,
            position: None,
        }
    }

    /// A notice (not an error) with the given message.
    pub fn notice(sqlstate: &'static str, message: impl Into<String>) -> Self {
        EngineError {
            severity: Severity::Notice,
            ..EngineError::new(sqlstate, message)
        }
    }

    /// A warning (not an error) with the given message.
    pub fn warning(sqlstate: &'static str, message: impl Into<String>) -> Self {
        EngineError {
            severity: Severity::Warning,
            ..EngineError::new(sqlstate, message)
        }
    }

    /// `syntax error at or near "token"`, positioned at the token.
    pub fn syntax(token: &str, position: usize) -> Self {
        EngineError::new("42601", format!("syntax error at or near \"{token}\"")).at(position)
    }

    /// `syntax error at end of input`, positioned at the end of the text.
    pub fn syntax_at_end(position: usize) -> Self {
        EngineError::new("42601", "syntax error at end of input").at(position)
    }

    /// A feature the engine does not offer (SQLSTATE `0A000`).
    pub fn unsupported(message: impl Into<String>) -> Self {
        EngineError::new("0A000", message)
    }

    /// An internal invariant failed; reported rather than panicking.
    pub fn internal(message: impl Into<String>) -> Self {
        EngineError::new("XX000", message)
    }

    /// Sets the cursor position unless one is already set.
    pub fn at(mut self, position: usize) -> Self {
        if self.position.is_none() {
            self.position = Some(position);
        }
        self
    }

    /// Sets the detail line.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// Sets the hint line.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl From<TypeError> for EngineError {
    fn from(error: TypeError) -> Self {
        EngineError {
            severity: Severity::Error,
            sqlstate: error.sqlstate(),
            message: error.to_string(),
            detail: error.detail(),
            hint: error.hint(),
            position: None,
        }
    }
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:  {}", self.severity.label(), self.message)
    }
}

impl std::error::Error for EngineError {}

/// The engine's result type.
pub type Result<T, E = EngineError> = std::result::Result<T, E>;
