//! The engine's one error type, shaped like a PostgreSQL error report: severity, SQLSTATE
//! code, message, optional detail, hint and context, and the cursor position (a byte offset into
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
    /// A warning that does not stop the statement (`WARNING:  …`).
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
    /// The `CONTEXT:` line, if any (where in `COPY` data the error was met).
    pub context: Option<String>,
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
            context: None,
        }
    }

    /// A notice (not an error) with the given message.
    pub fn notice(sqlstate: &'static str, message: impl Into<String>) -> Self {
        EngineError {
            severity: Severity::Notice,
            ..EngineError::new(sqlstate, message)
        }
    }

    /// A warning (not an error) with the given message, such as
    /// `there is no transaction in progress`.
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

    /// `invalid byte sequence for encoding "UTF8": 0xe2 0x82 0x28`, naming the bytes of
    /// the sequence that starts `bytes` as PostgreSQL's `report_invalid_encoding` does
    /// (as many as the first byte says the sequence has, at most what is there).
    pub fn invalid_encoding(bytes: &[u8]) -> Self {
        let first = bytes.first().copied().unwrap_or(0);
        let len = match first {
            b if b & 0x80 == 0 => 1,
            b if b & 0xe0 == 0xc0 => 2,
            b if b & 0xf0 == 0xe0 => 3,
            b if b & 0xf8 == 0xf0 => 4,
            _ => 1,
        };
        let named: Vec<String> = bytes
            .iter()
            .take(len)
            .map(|b| format!("0x{b:02x}"))
            .collect();
        EngineError::new(
            "22021",
            format!(
                "invalid byte sequence for encoding \"UTF8\": {}",
                named.join(" ")
            ),
        )
    }

    /// PostgreSQL's `out of memory` (SQLSTATE 53200) for a request of `size` bytes that
    /// could not be met.
    pub fn out_of_memory(size: u64) -> Self {
        EngineError::new("53200", "out of memory")
            .with_detail(format!("Failed on request of size {size}."))
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

    /// Sets the context line unless one is already set.
    pub fn with_context(mut self, context: impl Into<String>) -> Self {
        if self.context.is_none() {
            self.context = Some(context.into());
        }
        self
    }

    /// Sets the hint line.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl From<vec_text::TextError> for EngineError {
    fn from(error: vec_text::TextError) -> Self {
        EngineError::new(error.sqlstate, error.message)
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
            context: None,
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

/// `text` cut to at most `max` bytes (on a character boundary) with `...` after it, as
/// PostgreSQL shows long values in messages (64 bytes in `Failing row contains`, 100 in a
/// `COPY` line).
pub fn clipped(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &text[..end])
}
