//! The crate's error type. Every variant stores its facts in fields; `Display` builds
//! pgvector's exact message text, and [`HnswError::detail`] gives the `DETAIL` line where
//! pgvector prints one. No error path panics.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// Everything that can go wrong in `vec-hnsw`.
#[derive(Debug)]
#[non_exhaustive]
pub enum HnswError {
    /// An index storage option (`m`, `ef_construction`) outside its range.
    OptionOutOfBounds {
        /// The option's name, as in `WITH (m = …)`.
        option: &'static str,
        /// The value given.
        value: i64,
        /// Smallest allowed value.
        min: i64,
        /// Largest allowed value.
        max: i64,
    },
    /// `ef_construction` smaller than `2 * m`.
    EfConstructionTooSmall {
        /// The `m` given.
        m: usize,
        /// The `ef_construction` given.
        ef_construction: usize,
    },
    /// A query-time parameter (`hnsw.ef_search`, `hnsw.max_scan_tuples`, …) outside its range.
    ParameterOutOfRange {
        /// The parameter's name, as in `SET hnsw.ef_search = …`.
        parameter: &'static str,
        /// The value given.
        value: i64,
        /// Smallest allowed value.
        min: i64,
        /// Largest allowed value.
        max: i64,
    },
    /// The index was declared with zero dimensions.
    NoDimensions,
    /// More dimensions than this element type allows in an HNSW index.
    TooManyDimensions {
        /// The largest number allowed for the element type.
        max: usize,
    },
    /// A vector whose dimensions differ from the index's.
    DimensionMismatch {
        /// The index's dimensions.
        expected: usize,
        /// The vector's dimensions.
        actual: usize,
    },
    /// A sparse vector with more non-zero elements than an HNSW index accepts.
    TooManyNonZero {
        /// The largest number allowed.
        max: usize,
    },
    /// A sparse vector whose indices are not strictly increasing or exceed the dimensions.
    InvalidSparse,
    /// The graph under construction outgrew the build memory budget.
    MemoryBudgetExceeded {
        /// How many tuples had been added when the budget ran out.
        tuples: u64,
        /// The budget in bytes.
        budget: usize,
    },
    /// The index holds more elements than a 32-bit element number can address.
    TooManyElements,
    /// Memory for the index's vectors could not be had (the map could not grow).
    OutOfMemory {
        /// The size of the request that failed.
        bytes: usize,
    },
    /// The build was stopped by its `should_stop` hook before it finished.
    Cancelled,
    /// Quantization asked of a metric that codes cannot estimate (L1, bits, sparse).
    QuantizationUnsupported {
        /// The quantization's name (`sq8`, `rabitq`).
        quantization: &'static str,
    },
    /// A snapshot file could not be read or written.
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: io::Error,
    },
    /// A snapshot file is damaged, truncated, or of another kind of index.
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What was wrong, in a few words.
        reason: String,
    },
}

impl HnswError {
    /// The `DETAIL` line pgvector prints with this error, if any.
    pub fn detail(&self) -> Option<String> {
        match self {
            HnswError::OptionOutOfBounds { min, max, .. } => {
                Some(format!("Valid values are between \"{min}\" and \"{max}\"."))
            }
            HnswError::MemoryBudgetExceeded { .. } => {
                Some("Increase the memory budget (maintenance_work_mem) and build again.".into())
            }
            HnswError::OutOfMemory { bytes } => Some(format!("Failed on request of size {bytes}.")),
            _ => None,
        }
    }
}

impl fmt::Display for HnswError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HnswError::OptionOutOfBounds { option, value, .. } => {
                write!(f, "value {value} out of bounds for option \"{option}\"")
            }
            HnswError::EfConstructionTooSmall { .. } => {
                f.write_str("ef_construction must be greater than or equal to 2 * m")
            }
            HnswError::ParameterOutOfRange {
                parameter,
                value,
                min,
                max,
            } => write!(
                f,
                "{value} is outside the valid range for parameter \"{parameter}\" ({min} .. {max})"
            ),
            HnswError::NoDimensions => f.write_str("column does not have dimensions"),
            HnswError::TooManyDimensions { max } => {
                write!(
                    f,
                    "column cannot have more than {max} dimensions for hnsw index"
                )
            }
            HnswError::DimensionMismatch { expected, actual } => {
                write!(f, "expected {expected} dimensions, not {actual}")
            }
            HnswError::TooManyNonZero { max } => write!(
                f,
                "sparsevec cannot have more than {max} non-zero elements for hnsw index"
            ),
            HnswError::InvalidSparse => {
                f.write_str("sparsevec indices must be increasing and within its dimensions")
            }
            HnswError::MemoryBudgetExceeded { tuples, .. } => write!(
                f,
                "hnsw graph no longer fits into maintenance_work_mem after {tuples} tuples"
            ),
            HnswError::TooManyElements => f.write_str("hnsw index cannot hold more elements"),
            HnswError::OutOfMemory { .. } => f.write_str("out of memory"),
            HnswError::Cancelled => f.write_str("canceling statement due to user request"),
            HnswError::QuantizationUnsupported { quantization } => write!(
                f,
                "quantization \"{quantization}\" is only supported for vector and halfvec values under L2, inner product or cosine distance"
            ),
            HnswError::Io { path, source } => {
                write!(f, "could not access file \"{}\": {source}", path.display())
            }
            HnswError::Corrupt { path, reason } => write!(
                f,
                "hnsw snapshot \"{}\" is corrupted: {reason}",
                path.display()
            ),
        }
    }
}

impl std::error::Error for HnswError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            HnswError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_match_pgvector() {
        let e = HnswError::OptionOutOfBounds {
            option: "m",
            value: 1,
            min: 2,
            max: 100,
        };
        assert_eq!(e.to_string(), "value 1 out of bounds for option \"m\"");
        assert_eq!(
            e.detail().as_deref(),
            Some("Valid values are between \"2\" and \"100\".")
        );
        let e = HnswError::ParameterOutOfRange {
            parameter: "hnsw.ef_search",
            value: 0,
            min: 1,
            max: 1000,
        };
        assert_eq!(
            e.to_string(),
            "0 is outside the valid range for parameter \"hnsw.ef_search\" (1 .. 1000)"
        );
        assert_eq!(
            HnswError::TooManyDimensions { max: 2000 }.to_string(),
            "column cannot have more than 2000 dimensions for hnsw index"
        );
    }
}
