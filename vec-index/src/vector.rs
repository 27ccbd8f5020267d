//! [`VectorRef`]: a borrowed value of any of pgvector's four vector types, the one argument
//! type of every insert, check and scan, so that the engine needs no per-type code path.

use vec_types::f16;
use vec_types::simd::sparse::SparseSlice;

/// A borrowed vector of any of pgvector's four types.
///
/// An index accepts the one type its operator class indexes and answers any other with
/// [`IndexError::wrong_type`](crate::IndexError::wrong_type).
#[derive(Clone, Copy, Debug)]
pub enum VectorRef<'a> {
    /// `vector`: one `f32` per dimension.
    F32(&'a [f32]),
    /// `halfvec`: one `f16` per dimension.
    F16(&'a [f16]),
    /// `bit`: `dimensions` bits packed eight per byte, most significant bit first.
    Bits {
        /// The packed bits (`dimensions.div_ceil(8)` bytes).
        bytes: &'a [u8],
        /// The number of bits.
        dimensions: usize,
    },
    /// `sparsevec`: the non-zero elements and the declared dimensions.
    Sparse {
        /// Strictly increasing indices and their values.
        vector: SparseSlice<'a>,
        /// The declared dimensions (`{1:1,3:2}/5` has 5).
        dimensions: usize,
    },
}

impl VectorRef<'_> {
    /// The vector's dimensions: elements of a dense vector, bits of a bit string, the
    /// declared dimensions of a sparse vector.
    pub fn dimensions(&self) -> usize {
        match self {
            VectorRef::F32(values) => values.len(),
            VectorRef::F16(values) => values.len(),
            VectorRef::Bits { dimensions, .. } | VectorRef::Sparse { dimensions, .. } => {
                *dimensions
            }
        }
    }

    /// The SQL type's name: `vector`, `halfvec`, `bit` or `sparsevec`.
    pub fn type_name(&self) -> &'static str {
        match self {
            VectorRef::F32(_) => "vector",
            VectorRef::F16(_) => "halfvec",
            VectorRef::Bits { .. } => "bit",
            VectorRef::Sparse { .. } => "sparsevec",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dimensions_of_each_type() {
        assert_eq!(VectorRef::F32(&[1.0, 2.0, 3.0]).dimensions(), 3);
        assert_eq!(VectorRef::F16(&[f16::ONE]).dimensions(), 1);
        let bits = VectorRef::Bits {
            bytes: &[0b1010_0000],
            dimensions: 3,
        };
        assert_eq!((bits.dimensions(), bits.type_name()), (3, "bit"));
        let sparse = VectorRef::Sparse {
            vector: SparseSlice::new(&[0, 3], &[1.0, 2.0]),
            dimensions: 5,
        };
        assert_eq!((sparse.dimensions(), sparse.type_name()), (5, "sparsevec"));
    }
}
