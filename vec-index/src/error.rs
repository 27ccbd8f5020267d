//! [`IndexError`], an error with PostgreSQL's fields (SQLSTATE, message, detail, hint), and
//! [`Notice`], a message a build hands back instead of printing it. The index crates convert
//! their own errors into these with pgvector's texts and codes.

use std::fmt;

/// An index error with PostgreSQL's fields; the index crates fill in pgvector's exact texts
/// and SQLSTATE codes.
///
/// ```
/// use vec_index::IndexError;
///
/// let error = IndexError::new("22023", "value 1 out of bounds for option \"m\"")
///     .with_detail("Valid values are between \"2\" and \"100\".");
/// assert_eq!(error.to_string(), "value 1 out of bounds for option \"m\"");
/// assert_eq!(IndexError::cancelled().sqlstate, "57014");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexError {
    /// The five-character SQLSTATE code.
    pub sqlstate: &'static str,
    /// The primary message (`ERROR:` line).
    pub message: String,
    /// The `DETAIL` line, if any.
    pub detail: Option<String>,
    /// The `HINT` line, if any.
    pub hint: Option<String>,
}

impl IndexError {
    /// An error with this SQLSTATE and message, no detail and no hint.
    pub fn new(sqlstate: &'static str, message: impl Into<String>) -> IndexError {
        IndexError {
            sqlstate,
            message: message.into(),
            detail: None,
            hint: None,
        }
    }

    /// The same error with a `DETAIL` line.
    pub fn with_detail(mut self, detail: impl Into<String>) -> IndexError {
        self.detail = Some(detail.into());
        self
    }

    /// The same error with a `HINT` line.
    pub fn with_hint(mut self, hint: impl Into<String>) -> IndexError {
        self.hint = Some(hint.into());
        self
    }

    /// PostgreSQL's `query_canceled` (57014), as a build stopped by its `should_stop` hook
    /// reports it.
    pub fn cancelled() -> IndexError {
        IndexError::new("57014", "canceling statement due to user request")
    }

    /// An internal error (XX000): a vector of another type than the index holds (the
    /// engine resolves operator classes before it calls an index, so this is a bug there).
    pub fn wrong_type() -> IndexError {
        IndexError::new("XX000", "vector has the wrong type for this index")
    }

    /// `data_corrupted` (XX001): an index snapshot that cannot be used; `what` says why.
    pub fn corrupt(what: impl fmt::Display) -> IndexError {
        IndexError::new("XX001", format!("index snapshot is unusable: {what}"))
    }
}

impl fmt::Display for IndexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for IndexError {}

/// A notice a build raises (pgvector's "ivfflat index created with little data"), handed
/// back for the engine to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// The `NOTICE:` line.
    pub message: String,
    /// The `DETAIL` line, if any.
    pub detail: Option<String>,
    /// The `HINT` line, if any.
    pub hint: Option<String>,
}

impl Notice {
    /// A notice with this message, no detail and no hint.
    pub fn new(message: impl Into<String>) -> Notice {
        Notice {
            message: message.into(),
            detail: None,
            hint: None,
        }
    }

    /// The same notice with a `DETAIL` line.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Notice {
        self.detail = Some(detail.into());
        self
    }

    /// The same notice with a `HINT` line.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Notice {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constructors_fill_the_fields() {
        let error = IndexError::new("22000", "expected 3 dimensions, not 4").with_hint("h");
        assert_eq!(error.sqlstate, "22000");
        assert_eq!((error.detail, error.hint.as_deref()), (None, Some("h")));
        assert_eq!(IndexError::wrong_type().sqlstate, "XX000");
        let corrupt = IndexError::corrupt("checksum mismatch");
        assert_eq!(corrupt.sqlstate, "XX001");
        assert_eq!(
            corrupt.to_string(),
            "index snapshot is unusable: checksum mismatch"
        );
        assert_eq!(
            IndexError::cancelled().message,
            "canceling statement due to user request"
        );
        let notice = Notice::new("n").with_detail("d").with_hint("h");
        assert_eq!(notice.to_string(), "n");
        assert_eq!(
            (notice.detail.as_deref(), notice.hint.as_deref()),
            (Some("d"), Some("h"))
        );
    }
}
