//! A column's storage mode (`ALTER TABLE … ALTER COLUMN … SET STORAGE`), as PostgreSQL
//! names them. In vecsh a row longer than a heap page's inline limit goes to an overflow
//! chain (PostgreSQL's TOAST, without compression): `PLAIN` forbids that for a row with
//! such a column, so the row must fit on its page; `EXTERNAL`, `EXTENDED` and `MAIN` all
//! allow it (vecsh compresses nothing, so they differ only in what `\d+` shows).

use crate::error::{EngineError, Result};
use crate::value::SqlType;

/// A storage mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnStorage {
    /// `PLAIN`: kept in the row, never out of line.
    Plain,
    /// `EXTERNAL`: out of line when the row is long, uncompressed.
    External,
    /// `EXTENDED`: out of line when long (PostgreSQL also compresses).
    Extended,
    /// `MAIN`: in the row as long as possible (PostgreSQL also compresses).
    Main,
}

impl ColumnStorage {
    /// The mode a column of type `ty` has until it is set: `plain` for fixed-length
    /// types, `external` for pgvector's types, `main` for `numeric`, `extended` for the
    /// other variable-length ones.
    pub fn default_for(ty: &SqlType) -> ColumnStorage {
        match ty {
            ty if fixed_length(ty) => ColumnStorage::Plain,
            SqlType::Vector | SqlType::HalfVec | SqlType::SparseVec => ColumnStorage::External,
            SqlType::Numeric => ColumnStorage::Main,
            _ => ColumnStorage::Extended,
        }
    }

    /// Reads `SET STORAGE word`, with PostgreSQL's error for another word and for a
    /// fixed-length type set to anything but `PLAIN`.
    pub fn parse(word: &str, ty: &SqlType) -> Result<ColumnStorage> {
        let storage = match word.to_ascii_lowercase().as_str() {
            "plain" => ColumnStorage::Plain,
            "external" => ColumnStorage::External,
            "extended" => ColumnStorage::Extended,
            "main" => ColumnStorage::Main,
            other => {
                return Err(EngineError::new(
                    "22023",
                    format!("invalid storage type \"{other}\""),
                ))
            }
        };
        if storage != ColumnStorage::Plain && fixed_length(ty) {
            return Err(EngineError::new(
                "0A000",
                format!("column data type {} can only have storage PLAIN", ty.name()),
            ));
        }
        Ok(storage)
    }

    /// The name `\d+` shows.
    pub fn name(self) -> &'static str {
        match self {
            ColumnStorage::Plain => "plain",
            ColumnStorage::External => "external",
            ColumnStorage::Extended => "extended",
            ColumnStorage::Main => "main",
        }
    }

    /// The mode's byte in a catalog entry (0 is a column's default).
    pub fn code(self) -> u8 {
        match self {
            ColumnStorage::Plain => 1,
            ColumnStorage::External => 2,
            ColumnStorage::Extended => 3,
            ColumnStorage::Main => 4,
        }
    }

    /// The mode of a catalog entry's byte (`None` for 0, a column's default).
    pub fn from_code(code: u8) -> Result<Option<ColumnStorage>> {
        Ok(Some(match code {
            0 => return Ok(None),
            1 => ColumnStorage::Plain,
            2 => ColumnStorage::External,
            3 => ColumnStorage::Extended,
            4 => ColumnStorage::Main,
            other => {
                return Err(EngineError::new(
                    "XX001",
                    format!("catalog entry is damaged: unknown storage mode {other}"),
                ))
            }
        }))
    }
}

/// Whether values of `ty` have a fixed length (only `PLAIN` storage).
fn fixed_length(ty: &SqlType) -> bool {
    matches!(
        ty,
        SqlType::Bool
            | SqlType::Int4
            | SqlType::Int8
            | SqlType::Float4
            | SqlType::Float8
            | SqlType::RegType
    )
}
