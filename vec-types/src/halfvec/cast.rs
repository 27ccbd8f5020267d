//! Casts into and out of `halfvec`: from arrays (`array_to_halfvec`), to `real[]`
//! (`halfvec_to_float4`), and between `halfvec` and `vector` (`vector_to_halfvec`,
//! `halfvec_to_vector`).

use super::{check_dims, check_element, f32_to_half, HalfVector};
use crate::array::ArrayInput;
use crate::typmod::Typmod;
use crate::vector::Vector;
use crate::TypeError;

impl HalfVector {
    /// pgvector's `array_to_halfvec`: shape and nulls, dimension count and type
    /// modifier, conversion of every element to `real` then `f16` (`"65520" is out of
    /// range for type halfvec`), then the NaN and infinity checks.
    pub fn from_array(input: &ArrayInput<'_>, typmod: Typmod) -> Result<HalfVector, TypeError> {
        input.check_shape()?;
        check_dims(input.elements.len())?;
        typmod.check(input.elements.len())?;
        let elements = input
            .to_f32s()?
            .into_iter()
            .map(f32_to_half)
            .collect::<Result<Vec<_>, _>>()?;
        for value in &elements {
            check_element(*value)?;
        }
        Ok(HalfVector::from_checked(elements))
    }

    /// `vector::halfvec` (`vector_to_halfvec`): rounds each element to `f16`; values
    /// beyond the half range are errors.
    pub fn from_vector(vector: &Vector, typmod: Typmod) -> Result<HalfVector, TypeError> {
        check_dims(vector.dims())?;
        typmod.check(vector.dims())?;
        let elements = vector
            .as_slice()
            .iter()
            .map(|value| f32_to_half(*value))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(HalfVector::from_checked(elements))
    }

    /// `halfvec::vector` (`halfvec_to_vector`): widens each element to `f32` (exact).
    pub fn to_vector(&self, typmod: Typmod) -> Result<Vector, TypeError> {
        crate::vector::check_dims(self.dims())?;
        typmod.check(self.dims())?;
        Ok(Vector::from_checked(self.to_f32_vec()))
    }
}

impl Vector {
    /// `vector::halfvec`; see [`HalfVector::from_vector`].
    pub fn to_halfvec(&self, typmod: Typmod) -> Result<HalfVector, TypeError> {
        HalfVector::from_vector(self, typmod)
    }
}
