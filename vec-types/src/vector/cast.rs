//! Casts between `vector` and arrays: `integer[]`, `real[]`, `double precision[]` and
//! `numeric[]` to `vector` (`array_to_vector`), and `vector` to `real[]`
//! (`vector_to_float4`). Casts to and from `halfvec` live with `halfvec`.

use super::{check_dims, check_element, Vector};
use crate::array::ArrayInput;
use crate::typmod::Typmod;
use crate::TypeError;

impl Vector {
    /// pgvector's `array_to_vector`: checks the array's shape and nulls, the dimension
    /// count and type modifier, converts each element to `real`, then refuses NaN and
    /// infinite elements — in that order, as the C code does.
    ///
    /// ```
    /// use vec_types::{ArrayElements, ArrayInput, Typmod, Vector};
    /// let values = [Some(1.0), Some(2.0), Some(3.0)];
    /// let input = ArrayInput::one_dimensional(ArrayElements::Float8(&values));
    /// let vector = Vector::from_array(&input, Typmod::NONE).unwrap();
    /// assert_eq!(vector.to_string(), "[1,2,3]");
    /// ```
    pub fn from_array(input: &ArrayInput<'_>, typmod: Typmod) -> Result<Vector, TypeError> {
        input.check_shape()?;
        check_dims(input.elements.len())?;
        typmod.check(input.elements.len())?;
        let elements = input.to_f32s()?;
        for value in &elements {
            check_element(*value)?;
        }
        Ok(Vector::from_checked(elements))
    }

    /// `vector::real[]` (`vector_to_float4`): the elements as a `real` array.
    pub fn to_f32_vec(&self) -> Vec<f32> {
        self.as_slice().to_vec()
    }
}
