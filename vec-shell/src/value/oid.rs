//! Type OIDs: the numbers the wire protocol and the system catalogs name types by.
//! Built-in types have PostgreSQL's fixed OIDs; pgvector's types get theirs when
//! `CREATE EXTENSION vector` runs in PostgreSQL, so vecsh fixes its own in the range
//! PostgreSQL gives user objects (from 16384).

use super::SqlType;

/// `bool`
pub const BOOL: u32 = 16;
/// `int8`
pub const INT8: u32 = 20;
/// `int2`
pub const INT2: u32 = 21;
/// `int4`
pub const INT4: u32 = 23;
/// `text`
pub const TEXT: u32 = 25;
/// `oid`
pub const OID: u32 = 26;
/// `name`
pub const NAME: u32 = 19;
/// `char`
pub const CHAR: u32 = 18;
/// `float4`
pub const FLOAT4: u32 = 700;
/// `float8`
pub const FLOAT8: u32 = 701;
/// `unknown`
pub const UNKNOWN: u32 = 705;
/// `varchar`
pub const VARCHAR: u32 = 1043;
/// `bit`
pub const BIT: u32 = 1560;
/// `varbit`
pub const VARBIT: u32 = 1562;
/// `numeric`
pub const NUMERIC: u32 = 1700;
/// `regtype`
pub const REGTYPE: u32 = 2206;
/// `regclass`
pub const REGCLASS: u32 = 2205;
/// `tsvector`
pub const TSVECTOR: u32 = 3614;
/// `tsquery`
pub const TSQUERY: u32 = 3615;
/// `regconfig`
pub const REGCONFIG: u32 = 3734;
/// `vector` (pgvector)
pub const VECTOR: u32 = 16385;
/// `_vector`
pub const VECTOR_ARRAY: u32 = 16386;
/// `halfvec` (pgvector)
pub const HALFVEC: u32 = 16387;
/// `_halfvec`
pub const HALFVEC_ARRAY: u32 = 16388;
/// `sparsevec` (pgvector)
pub const SPARSEVEC: u32 = 16389;
/// `_sparsevec`
pub const SPARSEVEC_ARRAY: u32 = 16390;

/// Each base type with its array type's OID.
const ARRAYS: &[(u32, u32)] = &[
    (BOOL, 1000),
    (INT2, 1005),
    (INT4, 1007),
    (TEXT, 1009),
    (VARCHAR, 1015),
    (INT8, 1016),
    (FLOAT4, 1021),
    (FLOAT8, 1022),
    (NUMERIC, 1231),
    (BIT, 1561),
    (VARBIT, 1563),
    (OID, 1028),
    (NAME, 1003),
    (CHAR, 1002),
    (TSVECTOR, 3643),
    (TSQUERY, 3645),
    (REGCONFIG, 3735),
    (VECTOR, VECTOR_ARRAY),
    (HALFVEC, HALFVEC_ARRAY),
    (SPARSEVEC, SPARSEVEC_ARRAY),
];

/// The OID of a base type's array type (`0` when it has none).
pub fn array_of(element: u32) -> u32 {
    ARRAYS
        .iter()
        .find(|(base, _)| *base == element)
        .map_or(0, |(_, array)| *array)
}

/// The element type's OID of an array type's OID.
pub fn element_of(array: u32) -> Option<u32> {
    ARRAYS
        .iter()
        .find(|(_, of)| *of == array)
        .map(|(base, _)| *base)
}

impl SqlType {
    /// The type's OID.
    pub fn oid(&self) -> u32 {
        match self {
            SqlType::Unknown => UNKNOWN,
            SqlType::Bool => BOOL,
            SqlType::Int4 => INT4,
            SqlType::Int8 => INT8,
            SqlType::Float4 => FLOAT4,
            SqlType::Float8 => FLOAT8,
            SqlType::Numeric => NUMERIC,
            SqlType::Text => TEXT,
            SqlType::Varchar => VARCHAR,
            SqlType::Vector => VECTOR,
            SqlType::HalfVec => HALFVEC,
            SqlType::SparseVec => SPARSEVEC,
            SqlType::Bit => BIT,
            SqlType::VarBit => VARBIT,
            SqlType::Array(element) => array_of(element.oid()),
            SqlType::RegType => REGTYPE,
            SqlType::TsVector => TSVECTOR,
            SqlType::TsQuery => TSQUERY,
            SqlType::RegConfig => REGCONFIG,
        }
    }

    /// The type of an OID, if vecsh has it (`int2` is read as `integer`; `0` and
    /// `unknown` are `Unknown`: to be inferred).
    pub fn from_oid(oid: u32) -> Option<SqlType> {
        Some(match oid {
            0 | UNKNOWN => SqlType::Unknown,
            BOOL => SqlType::Bool,
            INT2 | INT4 => SqlType::Int4,
            INT8 => SqlType::Int8,
            FLOAT4 => SqlType::Float4,
            FLOAT8 => SqlType::Float8,
            NUMERIC => SqlType::Numeric,
            TEXT | NAME => SqlType::Text,
            VARCHAR => SqlType::Varchar,
            VECTOR => SqlType::Vector,
            HALFVEC => SqlType::HalfVec,
            SPARSEVEC => SqlType::SparseVec,
            BIT => SqlType::Bit,
            VARBIT => SqlType::VarBit,
            REGTYPE => SqlType::RegType,
            TSVECTOR => SqlType::TsVector,
            TSQUERY => SqlType::TsQuery,
            REGCONFIG => SqlType::RegConfig,
            other => {
                let element = SqlType::from_oid(element_of(other)?)?;
                SqlType::Array(Box::new(element))
            }
        })
    }

    /// The `typlen` of the type: its fixed size in bytes, or `-1` for a varlena.
    pub fn type_size(&self) -> i16 {
        match self {
            SqlType::Bool => 1,
            SqlType::Int4 | SqlType::Float4 => 4,
            SqlType::Int8 | SqlType::Float8 => 8,
            SqlType::RegType => 4,
            SqlType::Unknown => -2,
            _ => -1,
        }
    }
}

/// The modifier a client sees for a column (`varchar(n)` counts its 4-byte header, as
/// PostgreSQL's `atttypmod` does).
pub fn wire_typmod(ty: &SqlType, typmod: i32) -> i32 {
    match ty {
        SqlType::Varchar if typmod >= 0 => typmod.saturating_add(4),
        _ => typmod,
    }
}

/// The name `format_type` and `regtype`'s output give a type OID (`integer`,
/// `vector[]`), or `None` for an OID that names no type.
pub fn type_name(oid: u32) -> Option<String> {
    Some(match oid {
        OID => "oid".to_string(),
        NAME => "name".to_string(),
        CHAR => "\"char\"".to_string(),
        INT2 => "smallint".to_string(),
        REGCLASS => "regclass".to_string(),
        _ => {
            let ty =
                SqlType::from_oid(oid).filter(|ty| *ty != SqlType::Unknown || oid == UNKNOWN)?;
            ty.name()
        }
    })
}

/// The OID of a type named as `regtype`'s input reads it (`int4`, `integer`,
/// `pg_catalog.float8`, `public.vector`, `vector[]`).
pub fn type_by_name(name: &str) -> Option<u32> {
    let trimmed = name.trim();
    let (base, array) = match trimmed.strip_suffix("[]") {
        Some(base) => (base.trim_end(), true),
        None => (trimmed, false),
    };
    let base = base
        .strip_prefix("pg_catalog.")
        .or_else(|| base.strip_prefix("public."))
        .unwrap_or(base);
    let unquoted = match base.strip_prefix('"').and_then(|b| b.strip_suffix('"')) {
        Some(quoted) => quoted.to_string(),
        None => base.to_ascii_lowercase(),
    };
    let canonical = match unquoted.as_str() {
        "int" | "int4" => "integer",
        "int8" => "bigint",
        "float4" => "real",
        "float8" | "float" => "double precision",
        "bool" => "boolean",
        "varchar" | "character varying" => "character varying",
        "varbit" => "bit varying",
        "decimal" => "numeric",
        "vecf16" => "halfvec",
        other => other,
    };
    let oid = match canonical {
        "oid" => OID,
        "name" => NAME,
        "char" => CHAR,
        "int2" | "smallint" => INT2,
        "regclass" => REGCLASS,
        "unknown" => UNKNOWN,
        other => SqlType::from_name(other)?.oid(),
    };
    if array {
        return Some(array_of(oid)).filter(|oid| *oid != 0);
    }
    Some(oid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oids_round_trip() {
        for ty in [
            SqlType::Bool,
            SqlType::Int4,
            SqlType::Int8,
            SqlType::Float4,
            SqlType::Float8,
            SqlType::Numeric,
            SqlType::Text,
            SqlType::Varchar,
            SqlType::Vector,
            SqlType::HalfVec,
            SqlType::SparseVec,
            SqlType::Bit,
            SqlType::VarBit,
            SqlType::Array(Box::new(SqlType::Float4)),
            SqlType::Array(Box::new(SqlType::Vector)),
        ] {
            assert_eq!(SqlType::from_oid(ty.oid()), Some(ty));
        }
        assert_eq!(SqlType::Array(Box::new(SqlType::Int4)).oid(), 1007);
        assert_eq!(SqlType::from_oid(123_456), None);
    }

    #[test]
    fn names_and_oids() {
        assert_eq!(type_by_name("int4"), Some(INT4));
        assert_eq!(type_by_name("public.vector"), Some(VECTOR));
        assert_eq!(type_by_name("vector[]"), Some(VECTOR_ARRAY));
        assert_eq!(type_by_name("double precision"), Some(FLOAT8));
        assert_eq!(type_by_name("nope"), None);
        assert_eq!(type_name(INT4).as_deref(), Some("integer"));
        assert_eq!(type_name(HALFVEC_ARRAY).as_deref(), Some("halfvec[]"));
        assert_eq!(type_name(4242), None);
    }
}
