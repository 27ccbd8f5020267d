//! The crate-wide error type. Each variant stores facts; `Display` builds pgvector's exact
//! message, and [`TypeError::detail`] / [`TypeError::hint`] give its DETAIL and HINT lines.

use std::fmt;

/// An error from constructing, parsing, casting or combining vector values.
///
/// The `Display` text is pgvector's message, byte for byte (without the `ERROR:  ` prefix).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TypeError {
    /// `invalid input syntax for type vector: "[1,2"` with an optional DETAIL line.
    InvalidSyntax {
        /// The SQL type name (`vector`, `halfvec`, `sparsevec`, `bit`…).
        type_name: &'static str,
        /// The whole input text, as the user wrote it.
        input: String,
        /// pgvector's DETAIL text, where it gives one.
        detail: Option<&'static str>,
    },
    /// `NaN not allowed in vector`.
    NanNotAllowed {
        /// The SQL type name.
        type_name: &'static str,
    },
    /// `infinite value not allowed in vector`.
    InfiniteNotAllowed {
        /// The SQL type name.
        type_name: &'static str,
    },
    /// `"4e38" is out of range for type vector`.
    OutOfRange {
        /// The SQL type name.
        type_name: &'static str,
        /// The offending number as written.
        token: String,
    },
    /// `vector must have at least 1 dimension`.
    TooFewDimensions {
        /// The SQL type name.
        type_name: &'static str,
    },
    /// `vector cannot have more than 16000 dimensions`.
    TooManyDimensions {
        /// The SQL type name.
        type_name: &'static str,
        /// The type's maximum.
        max: usize,
    },
    /// `expected 3 dimensions, not 2` (typmod check).
    DimensionMismatch {
        /// Dimensions the type modifier asks for.
        expected: usize,
        /// Dimensions of the value.
        actual: usize,
    },
    /// `different vector dimensions 3 and 2` (binary operators and distances).
    DifferentDimensions {
        /// The SQL type name (`vector`, `halfvec`, `sparsevec`).
        type_name: &'static str,
        /// Dimensions of the left operand.
        left: usize,
        /// Dimensions of the right operand.
        right: usize,
    },
    /// `value out of range: overflow`.
    Overflow,
    /// `value out of range: underflow`.
    Underflow,
}

impl TypeError {
    /// pgvector's DETAIL line for this error, if it has one.
    pub fn detail(&self) -> Option<String> {
        match self {
            TypeError::InvalidSyntax { detail, .. } => detail.map(str::to_string),
            _ => None,
        }
    }

    /// pgvector's HINT line for this error, if it has one.
    pub fn hint(&self) -> Option<String> {
        None
    }

    /// The SQLSTATE code PostgreSQL reports for this error.
    pub fn sqlstate(&self) -> &'static str {
        match self {
            TypeError::InvalidSyntax { .. } => "22P02",
            TypeError::NanNotAllowed { .. } | TypeError::InfiniteNotAllowed { .. } => "22023",
            TypeError::OutOfRange { .. } | TypeError::Overflow | TypeError::Underflow => "22003",
            TypeError::TooFewDimensions { .. } | TypeError::TooManyDimensions { .. } => "22023",
            TypeError::DimensionMismatch { .. } => "22000",
            TypeError::DifferentDimensions { .. } => "22000",
        }
    }
}

impl fmt::Display for TypeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TypeError::InvalidSyntax {
                type_name, input, ..
            } => {
                write!(f, "invalid input syntax for type {type_name}: \"{input}\"")
            }
            TypeError::NanNotAllowed { type_name } => write!(f, "NaN not allowed in {type_name}"),
            TypeError::InfiniteNotAllowed { type_name } => {
                write!(f, "infinite value not allowed in {type_name}")
            }
            TypeError::OutOfRange { type_name, token } => {
                write!(f, "\"{token}\" is out of range for type {type_name}")
            }
            TypeError::TooFewDimensions { type_name } => {
                write!(f, "{type_name} must have at least 1 dimension")
            }
            TypeError::TooManyDimensions { type_name, max } => {
                write!(f, "{type_name} cannot have more than {max} dimensions")
            }
            TypeError::DimensionMismatch { expected, actual } => {
                write!(f, "expected {expected} dimensions, not {actual}")
            }
            TypeError::DifferentDimensions {
                type_name,
                left,
                right,
            } => {
                write!(f, "different {type_name} dimensions {left} and {right}")
            }
            TypeError::Overflow => f.write_str("value out of range: overflow"),
            TypeError::Underflow => f.write_str("value out of range: underflow"),
        }
    }
}

impl std::error::Error for TypeError {}
