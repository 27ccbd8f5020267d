//! Operator classes: which column type each accepts, which distance operator it serves,
//! and how `CREATE INDEX … USING method (column class)` resolves one with pgvector's
//! (and pgvecto.rs's) checks and texts. Each class's name per access method is written
//! once, in the registry (`registry`).

use super::method::AccessMethod;
use super::registry;
use crate::error::{EngineError, Result};
use crate::value::{Datum, SqlType};

/// An operator class: a distance on one vector type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Opclass {
    /// `vector_l2_ops` (`<->`)
    VectorL2,
    /// `vector_ip_ops` (`<#>`; pgvecto.rs's `vector_dot_ops`)
    VectorIp,
    /// `vector_cosine_ops` (`<=>`; pgvecto.rs's `vector_cos_ops`)
    VectorCosine,
    /// `vector_l1_ops` (`<+>`)
    VectorL1,
    /// `halfvec_l2_ops`
    HalfL2,
    /// `halfvec_ip_ops`
    HalfIp,
    /// `halfvec_cosine_ops`
    HalfCosine,
    /// `halfvec_l1_ops`
    HalfL1,
    /// `sparsevec_l2_ops`
    SparseL2,
    /// `sparsevec_ip_ops`
    SparseIp,
    /// `sparsevec_cosine_ops`
    SparseCosine,
    /// `sparsevec_l1_ops`
    SparseL1,
    /// `bit_hamming_ops` (`<~>`)
    BitHamming,
    /// `bit_jaccard_ops` (`<%>`)
    BitJaccard,
}

impl Opclass {
    /// The class named `name` of access method `method`, checked against the column's
    /// type; `None` picks the type's default class (pgvector's only one is
    /// `vector_l2_ops` for `ivfflat`).
    pub fn resolve(
        method: AccessMethod,
        name: Option<&str>,
        column_type: &SqlType,
    ) -> Result<Opclass> {
        let Some(name) = name else {
            return match (method, column_type) {
                (AccessMethod::IvfFlat, SqlType::Vector) => Ok(Opclass::VectorL2),
                (_, other) => Err(EngineError::new(
                    "42704",
                    format!(
                        "data type {} has no default operator class for access method \"{method}\"",
                        other.name()
                    ),
                )
                .with_hint("You must specify an operator class for the index or define a default operator class for the data type.")),
            };
        };
        let refuses_type = || {
            EngineError::new(
                "42804",
                format!(
                    "operator class \"{name}\" does not accept data type {}",
                    column_type.name()
                ),
            )
        };
        if method != AccessMethod::Vectors && !method.supports(column_type) {
            // `bit varying` is binary-coercible to `bit`, so PostgreSQL accepts the bit
            // operator classes for it and pgvector then refuses the type; anything else
            // is refused by PostgreSQL's operator class check.
            if *column_type == SqlType::VarBit {
                return Err(EngineError::new(
                    "0A000",
                    format!("type not supported for {method} index"),
                ));
            }
            return Err(refuses_type());
        }
        let entry = registry::find(method, name).ok_or_else(|| {
            EngineError::new(
                "42704",
                format!("operator class \"{name}\" does not exist for access method \"{method}\""),
            )
        })?;
        if entry.opclass.column_type() != *column_type {
            return Err(refuses_type());
        }
        Ok(entry.opclass)
    }

    /// Whether a value enters an index of this class: not NULL, and under cosine not a
    /// zero vector (it has no direction).
    pub fn indexes(self, value: &Datum) -> bool {
        use Opclass::*;
        match (self, value) {
            (_, Datum::Null) => false,
            (VectorCosine, Datum::Vector(v)) => v.norm() > 0.0,
            (HalfCosine, Datum::HalfVec(v)) => v.l2_norm() > 0.0,
            (SparseCosine, Datum::SparseVec(v)) => v.l2_norm() > 0.0,
            _ => true,
        }
    }

    /// The class's name under `method` (`vector_cos_ops` for pgvecto.rs's cosine class).
    pub fn name(self, method: AccessMethod) -> &'static str {
        registry::name_of(method, self)
            .or_else(|| registry::name_of(AccessMethod::Hnsw, self))
            .unwrap_or("")
    }

    /// The column type it indexes.
    pub fn column_type(self) -> SqlType {
        use Opclass::*;
        match self {
            VectorL2 | VectorIp | VectorCosine | VectorL1 => SqlType::Vector,
            HalfL2 | HalfIp | HalfCosine | HalfL1 => SqlType::HalfVec,
            SparseL2 | SparseIp | SparseCosine | SparseL1 => SqlType::SparseVec,
            BitHamming | BitJaccard => SqlType::Bit,
        }
    }

    /// The distance operator it orders by.
    pub fn operator(self) -> &'static str {
        use Opclass::*;
        match self {
            VectorL2 | HalfL2 | SparseL2 => "<->",
            VectorIp | HalfIp | SparseIp => "<#>",
            VectorCosine | HalfCosine | SparseCosine => "<=>",
            VectorL1 | HalfL1 | SparseL1 => "<+>",
            BitHamming => "<~>",
            BitJaccard => "<%>",
        }
    }
}
