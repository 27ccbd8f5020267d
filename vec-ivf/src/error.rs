//! The crate's error type and the notices a build hands back.
//!
//! Every message that pgvector also raises carries pgvector's exact text (from `ivfflat.c`,
//! `ivfbuild.c`, `ivfutils.c` and PostgreSQL's option and GUC checks), split into message,
//! detail and hint so that the engine can print them as psql does. Facts live in fields;
//! `Display` builds the message.

use std::fmt;
use std::path::PathBuf;

/// Everything that can go wrong in this crate. No operation panics on bad input.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum IvfError {
    /// A reloption such as `lists` is outside its range (pgvector: `value 0 out of bounds for
    /// option "lists"`, DETAIL `Valid values are between "1" and "32768".`).
    OptionOutOfBounds {
        /// The option's name.
        option: &'static str,
        /// The rejected value.
        value: i64,
        /// The smallest valid value.
        min: i64,
        /// The largest valid value.
        max: i64,
    },
    /// A query-time parameter such as `ivfflat.probes` is outside its range.
    ParameterOutOfRange {
        /// The parameter's full name, for example `ivfflat.probes`.
        parameter: &'static str,
        /// The rejected value.
        value: i64,
        /// The smallest valid value.
        min: i64,
        /// The largest valid value.
        max: i64,
    },
    /// An enum parameter got a value it does not know (`ivfflat.iterative_scan = on`).
    InvalidParameterValue {
        /// The parameter's full name.
        parameter: &'static str,
        /// The rejected value.
        value: String,
        /// The accepted values, comma-separated.
        available: &'static str,
    },
    /// A pgvecto.rs-style option (a quantization ratio, `nsample`, ...) is invalid.
    InvalidOption {
        /// The option's key, as in pgvecto.rs's TOML.
        option: &'static str,
        /// Why it was rejected.
        reason: String,
    },
    /// The column has no fixed number of dimensions (zero here).
    NoDimensions,
    /// More dimensions than the element type allows in an ivfflat index.
    TooManyDimensions {
        /// The limit for this element type.
        max: usize,
    },
    /// Spherical k-means (inner product, cosine) needs at least two dimensions.
    SphericalNeedsTwoDimensions,
    /// A row or query has the wrong number of elements.
    DimensionMismatch {
        /// Elements expected per row.
        expected: usize,
        /// Elements received.
        received: usize,
    },
    /// The row data and the id list do not describe the same number of rows.
    RowCountMismatch {
        /// Number of ids.
        ids: usize,
        /// Number of elements in the row data.
        elements: usize,
        /// Elements per row.
        stride: usize,
    },
    /// The build would need more memory than the budget (pgvector's `maintenance_work_mem`).
    MemoryBudgetExceeded {
        /// Bytes the build needs.
        required_bytes: usize,
        /// The budget in bytes.
        budget_bytes: usize,
    },
    /// This element type and metric cannot use the requested feature (e.g. quantized bits).
    Unsupported {
        /// What was asked for.
        what: &'static str,
    },
    /// The build was stopped by its `should_stop` hook before it finished.
    Cancelled,
    /// Reading or writing a snapshot file failed.
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's message.
        message: String,
    },
    /// A snapshot file is damaged, truncated or of another kind.
    Corrupted {
        /// The file.
        path: PathBuf,
        /// What is wrong, in a few words.
        reason: String,
    },
}

impl IvfError {
    /// pgvector's DETAIL line for this error, if it has one.
    pub fn detail(&self) -> Option<String> {
        match self {
            IvfError::OptionOutOfBounds { min, max, .. } => {
                Some(format!("Valid values are between \"{min}\" and \"{max}\"."))
            }
            _ => None,
        }
    }

    /// pgvector's HINT line for this error, if it has one.
    pub fn hint(&self) -> Option<String> {
        match self {
            IvfError::InvalidParameterValue { available, .. } => {
                Some(format!("Available values: {available}."))
            }
            _ => None,
        }
    }
}

impl fmt::Display for IvfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IvfError::OptionOutOfBounds { option, value, .. } => {
                write!(f, "value {value} out of bounds for option \"{option}\"")
            }
            IvfError::ParameterOutOfRange {
                parameter,
                value,
                min,
                max,
            } => write!(
                f,
                "{value} is outside the valid range for parameter \"{parameter}\" ({min} .. {max})"
            ),
            IvfError::InvalidParameterValue {
                parameter, value, ..
            } => {
                write!(
                    f,
                    "invalid value for parameter \"{parameter}\": \"{value}\""
                )
            }
            IvfError::InvalidOption { option, reason } => {
                write!(f, "invalid value for option \"{option}\": {reason}")
            }
            IvfError::NoDimensions => write!(f, "column does not have dimensions"),
            IvfError::TooManyDimensions { max } => {
                write!(
                    f,
                    "column cannot have more than {max} dimensions for ivfflat index"
                )
            }
            IvfError::SphericalNeedsTwoDimensions => {
                write!(f, "dimensions must be greater than one for this opclass")
            }
            IvfError::DimensionMismatch { expected, received } => {
                write!(f, "expected {expected} dimensions, not {received}")
            }
            IvfError::RowCountMismatch {
                ids,
                elements,
                stride,
            } => write!(
                f,
                "{ids} row ids do not match {elements} elements of {stride} elements per row"
            ),
            IvfError::MemoryBudgetExceeded {
                required_bytes,
                budget_bytes,
            } => write!(
                f,
                "memory required is {} MB, maintenance_work_mem is {} MB",
                required_bytes / (1024 * 1024) + 1,
                budget_bytes / (1024 * 1024)
            ),
            IvfError::Unsupported { what } => write!(f, "{what} is not supported"),
            IvfError::Cancelled => f.write_str("canceling statement due to user request"),
            IvfError::Io { path, message } => {
                write!(f, "could not access file \"{}\": {message}", path.display())
            }
            IvfError::Corrupted { path, reason } => {
                write!(
                    f,
                    "index file \"{}\" is corrupted: {reason}",
                    path.display()
                )
            }
        }
    }
}

impl std::error::Error for IvfError {}

/// A non-error message a build hands back for the engine to show (index crates never print).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Notice {
    /// Fewer sampled rows than lists: pgvector's `ivfflat index created with little data`.
    LittleData,
}

impl Notice {
    /// The notice's message line.
    pub fn message(&self) -> &'static str {
        match self {
            Notice::LittleData => "ivfflat index created with little data",
        }
    }

    /// The notice's DETAIL line.
    pub fn detail(&self) -> &'static str {
        match self {
            Notice::LittleData => "This will cause low recall.",
        }
    }

    /// The notice's HINT line.
    pub fn hint(&self) -> &'static str {
        match self {
            Notice::LittleData => "Drop the index until the table has more data.",
        }
    }
}

impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_match_pgvector() {
        let error = IvfError::OptionOutOfBounds {
            option: "lists",
            value: 0,
            min: 1,
            max: 32768,
        };
        assert_eq!(
            error.to_string(),
            "value 0 out of bounds for option \"lists\""
        );
        assert_eq!(
            error.detail().unwrap(),
            "Valid values are between \"1\" and \"32768\"."
        );
        let error = IvfError::ParameterOutOfRange {
            parameter: "ivfflat.probes",
            value: 32769,
            min: 1,
            max: 32768,
        };
        assert_eq!(
            error.to_string(),
            "32769 is outside the valid range for parameter \"ivfflat.probes\" (1 .. 32768)"
        );
        let error = IvfError::MemoryBudgetExceeded {
            required_bytes: 3 << 20,
            budget_bytes: 1 << 20,
        };
        assert_eq!(
            error.to_string(),
            "memory required is 4 MB, maintenance_work_mem is 1 MB"
        );
        assert_eq!(
            Notice::LittleData.hint(),
            "Drop the index until the table has more data."
        );
    }
}
