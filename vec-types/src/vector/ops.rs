//! `vector`'s operators: element-wise `+ - *` with pgvector's overflow and underflow
//! errors, `||` concatenation, and the btree ordering of `vector_cmp`.

use std::cmp::Ordering;
use std::hash::{Hash, Hasher};

use super::{check_dims, Vector, TYPE_NAME};
use crate::TypeError;

impl Vector {
    /// pgvector's `CheckDims`: binary operators need equal dimension counts.
    pub(crate) fn same_dims(&self, other: &Vector) -> Result<(), TypeError> {
        if self.dims() == other.dims() {
            Ok(())
        } else {
            Err(TypeError::DifferentDimensions {
                type_name: TYPE_NAME,
                left: self.dims(),
                right: other.dims(),
            })
        }
    }

    /// `vector + vector` (`vector_add`): an infinite sum is `value out of range: overflow`.
    pub fn try_add(&self, other: &Vector) -> Result<Vector, TypeError> {
        self.zip_checked(other, |a, b| a + b)
    }

    /// `vector - vector` (`vector_sub`): an infinite difference is an overflow error.
    pub fn try_sub(&self, other: &Vector) -> Result<Vector, TypeError> {
        self.zip_checked(other, |a, b| a - b)
    }

    /// `vector * vector` (`vector_mul`): an infinite product is an overflow error, and a
    /// zero product of non-zero elements is `value out of range: underflow`.
    pub fn try_mul(&self, other: &Vector) -> Result<Vector, TypeError> {
        self.same_dims(other)?;
        let mut elements = Vec::with_capacity(self.dims());
        for (a, b) in self.as_slice().iter().zip(other.as_slice()) {
            let product = a * b;
            if product.is_infinite() {
                return Err(TypeError::Overflow);
            }
            if product == 0.0 && !(*a == 0.0 || *b == 0.0) {
                return Err(TypeError::Underflow);
            }
            elements.push(product);
        }
        Ok(Vector::from_checked(elements))
    }

    fn zip_checked(
        &self,
        other: &Vector,
        op: impl Fn(f32, f32) -> f32,
    ) -> Result<Vector, TypeError> {
        self.same_dims(other)?;
        let elements: Vec<f32> = self
            .as_slice()
            .iter()
            .zip(other.as_slice())
            .map(|(a, b)| op(*a, *b))
            .collect();
        if elements.iter().any(|value| value.is_infinite()) {
            return Err(TypeError::Overflow);
        }
        Ok(Vector::from_checked(elements))
    }

    /// `vector || vector` (`vector_concat`): the result may not exceed
    /// [`Vector::MAX_DIM`] dimensions.
    pub fn concat(&self, other: &Vector) -> Result<Vector, TypeError> {
        check_dims(self.dims() + other.dims())?;
        let mut elements = Vec::with_capacity(self.dims() + other.dims());
        elements.extend_from_slice(self.as_slice());
        elements.extend_from_slice(other.as_slice());
        Ok(Vector::from_checked(elements))
    }

    /// pgvector's `vector_cmp`: elements in order (so `-0` equals `0`), then the
    /// dimension count, the way PostgreSQL compares arrays.
    pub fn compare(&self, other: &Vector) -> Ordering {
        for (a, b) in self.as_slice().iter().zip(other.as_slice()) {
            // Elements are finite, so `partial_cmp` always answers.
            match a.partial_cmp(b) {
                Some(Ordering::Equal) | None => {}
                Some(unequal) => return unequal,
            }
        }
        self.dims().cmp(&other.dims())
    }
}

crate::dense::traits::impl_dense_traits!(Vector);

impl Hash for Vector {
    /// Consistent with equality: `-0` hashes as `0`.
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.dims().hash(state);
        for value in self.as_slice() {
            let canonical = if *value == 0.0 { 0.0f32 } else { *value };
            canonical.to_bits().hash(state);
        }
    }
}
