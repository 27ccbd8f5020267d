//! SQL types: the engine's type tags, their PostgreSQL names, and the type modifiers
//! each accepts (`vector(3)`, `bit varying(8)`).

use std::fmt;

use vec_types::{BitTypmod, HalfVector, SparseVector, Typmod, Vector};

use crate::error::{EngineError, Result};

/// A type tag. Type modifiers (dimensions, lengths) travel separately as [`TypeMod`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SqlType {
    /// A string literal whose type is not decided yet.
    Unknown,
    /// `boolean`
    Bool,
    /// `integer`
    Int4,
    /// `bigint`
    Int8,
    /// `real`
    Float4,
    /// `double precision`
    Float8,
    /// `numeric`
    Numeric,
    /// `text`
    Text,
    /// `character varying`
    Varchar,
    /// `vector`
    Vector,
    /// `halfvec`
    HalfVec,
    /// `sparsevec`
    SparseVec,
    /// `bit`
    Bit,
    /// `bit varying`
    VarBit,
    /// An array of the element type.
    Array(Box<SqlType>),
    /// `regtype`: a type's OID that prints as the type's name (held as an `Int8`
    /// datum).
    RegType,
    /// `tsvector`
    TsVector,
    /// `tsquery`
    TsQuery,
    /// `regconfig`: a text-search configuration, held as its name (a `Text` datum).
    RegConfig,
}

/// A type modifier in PostgreSQL's `int32` form: `-1` for none.
pub type TypeMod = i32;

impl SqlType {
    /// The name `format_type` prints (`integer`, `double precision`, `vector`, `real[]`).
    pub fn name(&self) -> String {
        match self {
            SqlType::Array(element) => format!("{}[]", element.name()),
            other => other.base_name().to_string(),
        }
    }

    fn base_name(&self) -> &'static str {
        match self {
            SqlType::Unknown => "unknown",
            SqlType::Bool => "boolean",
            SqlType::Int4 => "integer",
            SqlType::Int8 => "bigint",
            SqlType::Float4 => "real",
            SqlType::Float8 => "double precision",
            SqlType::Numeric => "numeric",
            SqlType::Text => "text",
            SqlType::Varchar => "character varying",
            SqlType::Vector => "vector",
            SqlType::HalfVec => "halfvec",
            SqlType::SparseVec => "sparsevec",
            SqlType::Bit => "bit",
            SqlType::VarBit => "bit varying",
            SqlType::Array(_) => "array",
            SqlType::RegType => "regtype",
            SqlType::TsVector => "tsvector",
            SqlType::TsQuery => "tsquery",
            SqlType::RegConfig => "regconfig",
        }
    }

    /// The type named by [`SqlType::name`] (`real[]`, `bit varying`, …).
    pub fn from_name(name: &str) -> Option<SqlType> {
        if let Some(element) = name.strip_suffix("[]") {
            return SqlType::from_name(element).map(|e| SqlType::Array(Box::new(e)));
        }
        Some(match name {
            "boolean" => SqlType::Bool,
            "integer" => SqlType::Int4,
            "bigint" => SqlType::Int8,
            "real" => SqlType::Float4,
            "double precision" => SqlType::Float8,
            "numeric" => SqlType::Numeric,
            "text" => SqlType::Text,
            "character varying" => SqlType::Varchar,
            "vector" => SqlType::Vector,
            "halfvec" => SqlType::HalfVec,
            "sparsevec" => SqlType::SparseVec,
            "bit" => SqlType::Bit,
            "bit varying" => SqlType::VarBit,
            "regtype" => SqlType::RegType,
            "tsvector" => SqlType::TsVector,
            "tsquery" => SqlType::TsQuery,
            "regconfig" => SqlType::RegConfig,
            _ => return None,
        })
    }

    /// The internal name PostgreSQL uses for a cast's default column label
    /// (`SELECT 1::real` is labelled `float4`).
    pub fn internal_name(&self) -> &'static str {
        match self {
            SqlType::Bool => "bool",
            SqlType::Int4 => "int4",
            SqlType::Int8 => "int8",
            SqlType::Float4 => "float4",
            SqlType::Float8 => "float8",
            SqlType::Varchar => "varchar",
            SqlType::VarBit => "varbit",
            other => other.base_name(),
        }
    }

    /// The name with a type modifier, as `format_type_with_typemod` prints it.
    pub fn name_with_typmod(&self, typmod: TypeMod) -> String {
        if typmod < 0 {
            return self.name();
        }
        match self {
            SqlType::Array(element) => format!("{}[]", element.name_with_typmod(typmod)),
            SqlType::Numeric => match super::numeric::decode_typmod(typmod) {
                Some((precision, scale)) => format!("numeric({precision},{scale})"),
                None => self.name(),
            },
            other => format!("{}({typmod})", other.base_name()),
        }
    }

    /// Whether psql right-aligns values of this type.
    pub fn is_numeric(&self) -> bool {
        matches!(
            self,
            SqlType::Int4 | SqlType::Int8 | SqlType::Float4 | SqlType::Float8 | SqlType::Numeric
        )
    }

    /// The element type of an array type.
    pub fn element(&self) -> Option<&SqlType> {
        match self {
            SqlType::Array(element) => Some(element),
            _ => None,
        }
    }

    /// The category PostgreSQL puts the type in, for implicit numeric promotion.
    pub fn numeric_rank(&self) -> Option<u8> {
        match self {
            SqlType::Int4 => Some(1),
            SqlType::Int8 => Some(2),
            SqlType::Numeric => Some(3),
            SqlType::Float4 => Some(4),
            SqlType::Float8 => Some(5),
            _ => None,
        }
    }

    /// Whether the type is a string type (`text`, `varchar`).
    pub fn is_string(&self) -> bool {
        matches!(self, SqlType::Text | SqlType::Varchar)
    }
}

impl fmt::Display for SqlType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl SqlType {
    /// The type modifier written as `texts` (`vector(3)` has `["3"]`), validated as the
    /// type's `typmod_in` function does; `-1` when there is none.
    pub fn typmod_from_text(&self, texts: &[&str]) -> Result<TypeMod> {
        resolve_typmod(self, texts)
    }
}

fn resolve_typmod(base: &SqlType, texts: &[&str]) -> Result<TypeMod> {
    if texts.is_empty() {
        // `bit` without a length means `bit(1)` in a column definition; in a cast it
        // means "any length". The caller decides; here it is "none".
        return Ok(-1);
    }
    let dims = |name: &'static str, max: usize| -> Result<TypeMod> {
        Ok(Typmod::from_text_modifiers(name, max, texts)?.to_raw())
    };
    match base {
        SqlType::Vector => dims("vector", Vector::MAX_DIM),
        SqlType::HalfVec => dims("halfvec", HalfVector::MAX_DIM),
        SqlType::SparseVec => dims("sparsevec", SparseVector::MAX_DIM),
        SqlType::Bit | SqlType::VarBit | SqlType::Varchar => {
            let [text] = texts else {
                return Err(EngineError::new("42601", "invalid type modifier"));
            };
            let length: i64 = text.trim().parse().map_err(|_| {
                EngineError::new(
                    "22P02",
                    format!("invalid input syntax for type integer: \"{text}\""),
                )
            })?;
            match base {
                SqlType::Bit => bit_typmod(BitTypmod::bit(length)?),
                SqlType::VarBit => bit_typmod(BitTypmod::varbit(length)?),
                _ if length < 1 => Err(EngineError::new(
                    "22023",
                    "length for type varchar must be at least 1",
                )),
                _ => Ok(i32::try_from(length).unwrap_or(i32::MAX)),
            }
        }
        SqlType::Numeric => {
            let mut modifiers = Vec::with_capacity(texts.len());
            for text in texts {
                modifiers.push(text.trim().parse::<i64>().map_err(|_| {
                    EngineError::new(
                        "22P02",
                        format!("invalid input syntax for type integer: \"{text}\""),
                    )
                })?);
            }
            super::numeric::encode_typmod(&modifiers)
        }
        _ => Err(EngineError::new(
            "42601",
            format!("type modifier is not allowed for type \"{}\"", base.name()),
        )),
    }
}

fn bit_typmod(typmod: BitTypmod) -> Result<TypeMod> {
    match typmod {
        BitTypmod::Exact(n) | BitTypmod::AtMost(n) => Ok(i32::try_from(n).unwrap_or(i32::MAX)),
        BitTypmod::Any => Ok(-1),
    }
}
