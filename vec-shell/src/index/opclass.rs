//! pgvector's HNSW operator classes: which column type each accepts, which distance
//! operator it serves, and the default class of each type.

use crate::error::{EngineError, Result};
use crate::value::{Datum, SqlType};

/// An HNSW operator class.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Opclass {
    /// `vector_l2_ops` (`<->`)
    VectorL2,
    /// `vector_ip_ops` (`<#>`)
    VectorIp,
    /// `vector_cosine_ops` (`<=>`)
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

const ALL: [(Opclass, &str); 14] = [
    (Opclass::VectorL2, "vector_l2_ops"),
    (Opclass::VectorIp, "vector_ip_ops"),
    (Opclass::VectorCosine, "vector_cosine_ops"),
    (Opclass::VectorL1, "vector_l1_ops"),
    (Opclass::HalfL2, "halfvec_l2_ops"),
    (Opclass::HalfIp, "halfvec_ip_ops"),
    (Opclass::HalfCosine, "halfvec_cosine_ops"),
    (Opclass::HalfL1, "halfvec_l1_ops"),
    (Opclass::SparseL2, "sparsevec_l2_ops"),
    (Opclass::SparseIp, "sparsevec_ip_ops"),
    (Opclass::SparseCosine, "sparsevec_cosine_ops"),
    (Opclass::SparseL1, "sparsevec_l1_ops"),
    (Opclass::BitHamming, "bit_hamming_ops"),
    (Opclass::BitJaccard, "bit_jaccard_ops"),
];

impl Opclass {
    /// The class named `name`, checked against the column's type; `None` picks the
    /// type's default class.
    pub fn resolve(method: &str, name: Option<&str>, column_type: &SqlType) -> Result<Opclass> {
        if method == "vectors" {
            return super::vectors::resolve_opclass(name, column_type);
        }
        // pgvector's only default operator class is `vector_l2_ops` for ivfflat.
        let Some(name) = name else {
            return match (method, column_type) {
                ("ivfflat", SqlType::Vector) => Ok(Opclass::VectorL2),
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
        let supported = match method {
            "hnsw" => matches!(
                column_type,
                SqlType::Vector | SqlType::HalfVec | SqlType::SparseVec | SqlType::Bit
            ),
            _ => matches!(
                column_type,
                SqlType::Vector | SqlType::HalfVec | SqlType::Bit
            ),
        };
        // `bit varying` is binary-coercible to `bit`, so PostgreSQL accepts the bit
        // operator classes for it and pgvector then refuses the type; anything else is
        // refused by PostgreSQL's operator class check.
        if !supported && *column_type == SqlType::VarBit {
            return Err(EngineError::new(
                "0A000",
                format!("type not supported for {method} index"),
            ));
        }
        if !supported {
            return Err(EngineError::new(
                "42804",
                format!(
                    "operator class \"{name}\" does not accept data type {}",
                    column_type.name()
                ),
            ));
        }
        let ivf_classes = [
            Opclass::VectorL2,
            Opclass::VectorIp,
            Opclass::VectorCosine,
            Opclass::HalfL2,
            Opclass::HalfIp,
            Opclass::HalfCosine,
            Opclass::BitHamming,
        ];
        let (opclass, _) = ALL
            .iter()
            .filter(|(o, _)| method == "hnsw" || ivf_classes.contains(o))
            .find(|(_, n)| *n == name)
            .ok_or_else(|| {
                EngineError::new(
                    "42704",
                    format!(
                        "operator class \"{name}\" does not exist for access method \"{method}\""
                    ),
                )
            })?;
        if opclass.column_type() != *column_type {
            return Err(EngineError::new(
                "42804",
                format!(
                    "operator class \"{name}\" does not accept data type {}",
                    column_type.name()
                ),
            ));
        }
        Ok(*opclass)
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

    /// The class's name.
    pub fn name(self) -> &'static str {
        ALL.iter().find(|(o, _)| *o == self).map_or("", |(_, n)| n)
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
