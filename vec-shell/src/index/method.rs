//! Index access methods: `btree` (the engine's own row-ordered index), `gin` (on
//! `tsvector` keys, for full-text search), and the vector
//! access methods `hnsw`, `ivfflat` (pgvector) and `vectors` (pgvecto.rs), by the name
//! `CREATE INDEX … USING name` gives.

use crate::value::SqlType;

/// An index access method.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AccessMethod {
    /// `btree`
    Btree,
    /// `hnsw` (pgvector)
    Hnsw,
    /// `ivfflat` (pgvector)
    IvfFlat,
    /// `vectors` (pgvecto.rs: HNSW, IVF or flat, chosen by its options)
    Vectors,
    /// `gin` on a `tsvector` column or expression
    Gin,
}

impl AccessMethod {
    /// The method of this name, if vecsh has it.
    pub fn from_name(name: &str) -> Option<AccessMethod> {
        Some(match name {
            "btree" => AccessMethod::Btree,
            "hnsw" => AccessMethod::Hnsw,
            "ivfflat" => AccessMethod::IvfFlat,
            "vectors" => AccessMethod::Vectors,
            "gin" => AccessMethod::Gin,
            _ => return None,
        })
    }

    /// The method's name, as `USING` takes it and `\d` shows it.
    pub fn name(self) -> &'static str {
        match self {
            AccessMethod::Btree => "btree",
            AccessMethod::Hnsw => "hnsw",
            AccessMethod::IvfFlat => "ivfflat",
            AccessMethod::Vectors => "vectors",
            AccessMethod::Gin => "gin",
        }
    }

    /// Whether it is a vector index's method (not `btree` or `gin`).
    pub fn is_vector(self) -> bool {
        matches!(
            self,
            AccessMethod::Hnsw | AccessMethod::IvfFlat | AccessMethod::Vectors
        )
    }

    /// Whether the method's operator classes accept columns of this type at all (pgvector
    /// checks this before it looks at the class).
    pub fn supports(self, column_type: &SqlType) -> bool {
        match self {
            AccessMethod::Hnsw => matches!(
                column_type,
                SqlType::Vector | SqlType::HalfVec | SqlType::SparseVec | SqlType::Bit
            ),
            AccessMethod::IvfFlat => matches!(
                column_type,
                SqlType::Vector | SqlType::HalfVec | SqlType::Bit
            ),
            AccessMethod::Vectors => matches!(column_type, SqlType::Vector | SqlType::HalfVec),
            AccessMethod::Btree => true,
            AccessMethod::Gin => *column_type == SqlType::TsVector,
        }
    }
}

impl std::fmt::Display for AccessMethod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
