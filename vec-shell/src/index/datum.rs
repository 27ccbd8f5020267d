//! The vector a datum holds, borrowed in the form every vector index takes
//! ([`vec_index::VectorRef`]); NULL and non-vector values hold none.

use vec_index::VectorRef;

use crate::value::Datum;

/// The vector in `datum`, if it holds one.
pub fn vector_ref(datum: &Datum) -> Option<VectorRef<'_>> {
    match datum {
        Datum::Vector(v) => Some(VectorRef::F32(v.as_slice())),
        Datum::HalfVec(v) => Some(VectorRef::F16(v.as_slice())),
        Datum::Bit(v) => Some(VectorRef::Bits {
            bytes: v.as_bytes(),
            dimensions: v.len(),
        }),
        Datum::SparseVec(v) => Some(VectorRef::Sparse {
            vector: v.as_sparse_slice(),
            dimensions: v.dims(),
        }),
        _ => None,
    }
}
