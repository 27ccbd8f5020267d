//! Casts into and out of `sparsevec`: from arrays (`array_to_sparsevec`), from `vector`
//! and `halfvec` (`vector_to_sparsevec`, `halfvec_to_sparsevec`), and to them
//! (`sparsevec_to_vector`, `sparsevec_to_halfvec`), with pgvector's checks in pgvector's
//! order.

use super::{check_dim, check_element, SparseVector, SPARSEVEC_MAX_NNZ};
use crate::array::ArrayInput;
use crate::halfvec::{self, HalfVector};
use crate::typmod::Typmod;
use crate::vector::{self, Vector};
use crate::TypeError;

impl SparseVector {
    /// pgvector's `array_to_sparsevec`: the array's shape and nulls, the dimension count
    /// and type modifier, the conversion of each element to `real` and the count of
    /// non-zero elements, then NaN and infinity among the kept elements.
    ///
    /// ```
    /// use vec_types::{ArrayElements, ArrayInput, SparseVector, Typmod};
    /// let values = [Some(1), Some(0), Some(2)];
    /// let input = ArrayInput::one_dimensional(ArrayElements::Int4(&values));
    /// let vector = SparseVector::from_array(&input, Typmod::NONE).unwrap();
    /// assert_eq!(vector.to_string(), "{1:1,3:2}/3");
    /// ```
    pub fn from_array(input: &ArrayInput<'_>, typmod: Typmod) -> Result<SparseVector, TypeError> {
        input.check_shape()?;
        let dims = input.elements.len();
        check_dim(i64::try_from(dims).unwrap_or(i64::MAX))?;
        typmod.check(dims)?;
        let result = SparseVector::collect_non_zero(&input.to_f32s()?)?;
        for value in &result.values {
            check_element(*value)?;
        }
        Ok(result)
    }

    /// `vector::sparsevec` (`vector_to_sparsevec`): keeps the non-zero elements.
    pub fn from_vector(vector: &Vector, typmod: Typmod) -> Result<SparseVector, TypeError> {
        typmod.check(vector.dims())?;
        SparseVector::collect_non_zero(vector.as_slice())
    }

    /// `halfvec::sparsevec` (`halfvec_to_sparsevec`): keeps the non-zero elements,
    /// widened to `real`.
    pub fn from_halfvec(halfvec: &HalfVector, typmod: Typmod) -> Result<SparseVector, TypeError> {
        typmod.check(halfvec.dims())?;
        SparseVector::collect_non_zero(&halfvec.to_f32_vec())
    }

    /// `sparsevec::vector` (`sparsevec_to_vector`). Errors with `vector cannot have more
    /// than 16000 dimensions` or the type modifier's `expected 4 dimensions, not 5`.
    pub fn to_vector(&self, typmod: Typmod) -> Result<Vector, TypeError> {
        vector::check_dims(self.dims())?;
        typmod.check(self.dims())?;
        Vector::new(self.to_dense())
    }

    /// `sparsevec::halfvec` (`sparsevec_to_halfvec`). Errors as [`SparseVector::to_vector`]
    /// (for `halfvec`), and with `"65520" is out of range for type halfvec` when an element
    /// overflows half precision.
    pub fn to_halfvec(&self, typmod: Typmod) -> Result<HalfVector, TypeError> {
        halfvec::check_dims(self.dims())?;
        typmod.check(self.dims())?;
        let mut dense = vec![half::f16::ZERO; self.dims()];
        for (index, value) in self.iter() {
            dense[index] = halfvec::f32_to_half(value)?;
        }
        HalfVector::new(dense)
    }

    /// The dense elements (zeros included).
    fn to_dense(&self) -> Vec<f32> {
        let mut dense = vec![0.0f32; self.dims()];
        for (index, value) in self.iter() {
            dense[index] = value;
        }
        dense
    }

    /// Keeps the non-zero elements of a dense array, after checking the dimension count
    /// and the number of non-zero elements. Finiteness is the caller's to check.
    fn collect_non_zero(elements: &[f32]) -> Result<SparseVector, TypeError> {
        check_dim(i64::try_from(elements.len()).unwrap_or(i64::MAX))?;
        let nnz = elements.iter().filter(|element| **element != 0.0).count();
        if nnz > SPARSEVEC_MAX_NNZ {
            return Err(TypeError::TooManyNonZero {
                max: SPARSEVEC_MAX_NNZ,
            });
        }
        let mut indices = Vec::with_capacity(nnz);
        let mut values = Vec::with_capacity(nnz);
        for (index, value) in elements.iter().enumerate() {
            if *value != 0.0 {
                indices.push(index as u32);
                values.push(*value);
            }
        }
        Ok(SparseVector {
            dim: elements.len() as u32,
            indices,
            values,
        })
    }
}

impl Vector {
    /// `vector::sparsevec`; see [`SparseVector::from_vector`].
    pub fn to_sparsevec(&self, typmod: Typmod) -> Result<SparseVector, TypeError> {
        SparseVector::from_vector(self, typmod)
    }
}

impl HalfVector {
    /// `halfvec::sparsevec`; see [`SparseVector::from_halfvec`].
    pub fn to_sparsevec(&self, typmod: Typmod) -> Result<SparseVector, TypeError> {
        SparseVector::from_halfvec(self, typmod)
    }
}
