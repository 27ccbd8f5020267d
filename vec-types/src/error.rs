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
    /// `invalid type modifier` (more than one modifier, as in `vector(3, 2)`).
    InvalidTypeModifier,
    /// `dimensions for type vector must be at least 1` (type modifier input).
    TypmodTooSmall {
        /// The SQL type name.
        type_name: &'static str,
    },
    /// `dimensions for type vector cannot exceed 16000` (type modifier input).
    TypmodTooLarge {
        /// The SQL type name.
        type_name: &'static str,
        /// The type's maximum.
        max: usize,
    },
    /// `array must be 1-D` (array casts).
    ArrayNotOneDimensional,
    /// `array must not contain nulls` (array casts).
    ArrayContainsNulls,
    /// `vector_avg: expected state array` (aggregate state checks).
    ExpectedStateArray {
        /// The SQL function that checked the state (`vector_accum`, `halfvec_avg`…).
        caller: &'static str,
    },
    /// `expected unused to be 0, not 5` (binary receive).
    UnusedNotZero {
        /// The header's reserved field as received.
        unused: i32,
    },
    /// `insufficient data left in message` (binary receive of truncated bytes).
    InsufficientData,
    /// `incorrect binary data format` (bytes left over after a binary value).
    IncorrectBinaryFormat,
    /// `value "99999999999" is out of range for type integer` (type modifier text).
    IntegerOutOfRange {
        /// The text as written.
        input: String,
    },
    /// `sparsevec index out of bounds`.
    SparsevecIndexOutOfBounds,
    /// `sparsevec indices must be in ascending order` (binary receive).
    SparsevecIndicesNotAscending,
    /// `sparsevec indices must not contain duplicates`.
    SparsevecDuplicateIndices,
    /// `sparsevec cannot have more than 16000 non-zero elements`.
    TooManyNonZero {
        /// The type's maximum number of stored elements.
        max: usize,
    },
    /// `sparsevec cannot have negative number of elements` (binary receive).
    NegativeNonZeroCount,
    /// `sparsevec cannot have more elements than dimensions` (binary receive).
    MoreElementsThanDimensions,
    /// `binary representation of sparsevec cannot contain zero values`.
    ZeroInBinarySparsevec,
    /// `different bit lengths 3 and 2` (bit distances).
    DifferentBitLengths {
        /// Length of the left operand in bits.
        left: usize,
        /// Length of the right operand in bits.
        right: usize,
    },
    /// `"2" is not a valid binary digit` (bit input).
    InvalidBinaryDigit {
        /// The offending character.
        digit: String,
    },
    /// `"g" is not a valid hexadecimal digit` (bit input with an `x` prefix).
    InvalidHexDigit {
        /// The offending character.
        digit: String,
    },
    /// `bit string length 2 does not match type bit(3)`.
    BitLengthMismatch {
        /// Length of the value in bits.
        actual: usize,
        /// Length the type modifier asks for.
        expected: usize,
    },
    /// `bit string too long for type bit varying(4)`.
    BitStringTooLong {
        /// The type modifier's maximum length.
        max: usize,
    },
    /// `bit string length exceeds the maximum allowed (2147483640)`.
    BitStringLengthExceedsMax {
        /// PostgreSQL's maximum bit string length.
        max: usize,
    },
    /// `invalid length in external bit string` (binary receive).
    InvalidExternalBitLength,
    /// `length for type bit must be at least 1` (type modifier input).
    BitTypmodTooSmall {
        /// `bit` or `varbit`.
        type_name: &'static str,
    },
    /// `length for type bit cannot exceed 83886080` (type modifier input).
    BitTypmodTooLarge {
        /// `bit` or `varbit`.
        type_name: &'static str,
        /// The largest length PostgreSQL allows.
        max: usize,
    },
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
            TypeError::NanNotAllowed { .. } | TypeError::InfiniteNotAllowed { .. } => "22000",
            TypeError::OutOfRange { .. } | TypeError::Overflow | TypeError::Underflow => "22003",
            TypeError::TooFewDimensions { .. } => "22000",
            TypeError::TooManyDimensions { .. } => "54000",
            TypeError::DimensionMismatch { .. } => "22000",
            TypeError::DifferentDimensions { .. } => "22000",
            TypeError::InvalidTypeModifier
            | TypeError::TypmodTooSmall { .. }
            | TypeError::TypmodTooLarge { .. } => "22023",
            TypeError::ArrayNotOneDimensional => "22000",
            TypeError::ArrayContainsNulls => "22004",
            TypeError::ExpectedStateArray { .. } => "XX000",
            TypeError::UnusedNotZero { .. } => "22000",
            TypeError::InsufficientData => "08P01",
            TypeError::IncorrectBinaryFormat => "22P03",
            TypeError::IntegerOutOfRange { .. } => "22003",
            TypeError::SparsevecIndexOutOfBounds
            | TypeError::SparsevecIndicesNotAscending
            | TypeError::SparsevecDuplicateIndices
            | TypeError::NegativeNonZeroCount
            | TypeError::ZeroInBinarySparsevec
            | TypeError::DifferentBitLengths { .. } => "22000",
            TypeError::TooManyNonZero { .. }
            | TypeError::MoreElementsThanDimensions
            | TypeError::BitStringLengthExceedsMax { .. } => "54000",
            TypeError::InvalidBinaryDigit { .. } | TypeError::InvalidHexDigit { .. } => "22P02",
            TypeError::BitLengthMismatch { .. } => "22026",
            TypeError::BitStringTooLong { .. } => "22001",
            TypeError::InvalidExternalBitLength => "22P03",
            TypeError::BitTypmodTooSmall { .. } | TypeError::BitTypmodTooLarge { .. } => "22023",
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
            TypeError::InvalidTypeModifier => f.write_str("invalid type modifier"),
            TypeError::TypmodTooSmall { type_name } => {
                write!(f, "dimensions for type {type_name} must be at least 1")
            }
            TypeError::TypmodTooLarge { type_name, max } => {
                write!(f, "dimensions for type {type_name} cannot exceed {max}")
            }
            TypeError::ArrayNotOneDimensional => f.write_str("array must be 1-D"),
            TypeError::ArrayContainsNulls => f.write_str("array must not contain nulls"),
            TypeError::ExpectedStateArray { caller } => {
                write!(f, "{caller}: expected state array")
            }
            TypeError::UnusedNotZero { unused } => {
                write!(f, "expected unused to be 0, not {unused}")
            }
            TypeError::InsufficientData => f.write_str("insufficient data left in message"),
            TypeError::IncorrectBinaryFormat => f.write_str("incorrect binary data format"),
            TypeError::IntegerOutOfRange { input } => {
                write!(f, "value \"{input}\" is out of range for type integer")
            }
            TypeError::SparsevecIndexOutOfBounds => f.write_str("sparsevec index out of bounds"),
            TypeError::SparsevecIndicesNotAscending => {
                f.write_str("sparsevec indices must be in ascending order")
            }
            TypeError::SparsevecDuplicateIndices => {
                f.write_str("sparsevec indices must not contain duplicates")
            }
            TypeError::TooManyNonZero { max } => {
                write!(f, "sparsevec cannot have more than {max} non-zero elements")
            }
            TypeError::NegativeNonZeroCount => {
                f.write_str("sparsevec cannot have negative number of elements")
            }
            TypeError::MoreElementsThanDimensions => {
                f.write_str("sparsevec cannot have more elements than dimensions")
            }
            TypeError::ZeroInBinarySparsevec => {
                f.write_str("binary representation of sparsevec cannot contain zero values")
            }
            TypeError::DifferentBitLengths { left, right } => {
                write!(f, "different bit lengths {left} and {right}")
            }
            TypeError::InvalidBinaryDigit { digit } => {
                write!(f, "\"{digit}\" is not a valid binary digit")
            }
            TypeError::InvalidHexDigit { digit } => {
                write!(f, "\"{digit}\" is not a valid hexadecimal digit")
            }
            TypeError::BitLengthMismatch { actual, expected } => {
                write!(
                    f,
                    "bit string length {actual} does not match type bit({expected})"
                )
            }
            TypeError::BitStringTooLong { max } => {
                write!(f, "bit string too long for type bit varying({max})")
            }
            TypeError::BitStringLengthExceedsMax { max } => {
                write!(f, "bit string length exceeds the maximum allowed ({max})")
            }
            TypeError::InvalidExternalBitLength => {
                f.write_str("invalid length in external bit string")
            }
            TypeError::BitTypmodTooSmall { type_name } => {
                write!(f, "length for type {type_name} must be at least 1")
            }
            TypeError::BitTypmodTooLarge { type_name, max } => {
                write!(f, "length for type {type_name} cannot exceed {max}")
            }
        }
    }
}

impl std::error::Error for TypeError {}
