//! `halfvec`'s operators: element-wise `+ - *` computed in `f32` and rounded to `f16`
//! (overflow when the rounded result is infinite, underflow when a product of non-zero
//! elements rounds to zero), `||`, and the btree ordering of `halfvec_cmp`.

use std::cmp::Ordering;
use std::hash::{Hash, Hasher};

use half::f16;

use super::{check_dims, HalfVector, TYPE_NAME};
use crate::TypeError;

impl HalfVector {
    /// pgvector's `CheckDims`: binary operators need equal dimension counts.
    pub(crate) fn same_dims(&self, other: &HalfVector) -> Result<(), TypeError> {
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

    /// `halfvec + halfvec` (`halfvec_add`).
    pub fn try_add(&self, other: &HalfVector) -> Result<HalfVector, TypeError> {
        self.zip_checked(other, |a, b| a + b)
    }

    /// `halfvec - halfvec` (`halfvec_sub`).
    pub fn try_sub(&self, other: &HalfVector) -> Result<HalfVector, TypeError> {
        self.zip_checked(other, |a, b| a - b)
    }

    /// `halfvec * halfvec` (`halfvec_mul`), with pgvector's underflow check.
    pub fn try_mul(&self, other: &HalfVector) -> Result<HalfVector, TypeError> {
        self.same_dims(other)?;
        let mut elements = Vec::with_capacity(self.dims());
        for (a, b) in self.as_slice().iter().zip(other.as_slice()) {
            let product = f16::from_f32(a.to_f32() * b.to_f32());
            if product.is_infinite() {
                return Err(TypeError::Overflow);
            }
            if is_zero(product) && !(is_zero(*a) || is_zero(*b)) {
                return Err(TypeError::Underflow);
            }
            elements.push(product);
        }
        Ok(HalfVector::from_checked(elements))
    }

    fn zip_checked(
        &self,
        other: &HalfVector,
        op: impl Fn(f32, f32) -> f32,
    ) -> Result<HalfVector, TypeError> {
        self.same_dims(other)?;
        let elements: Vec<f16> = self
            .as_slice()
            .iter()
            .zip(other.as_slice())
            .map(|(a, b)| f16::from_f32(op(a.to_f32(), b.to_f32())))
            .collect();
        if elements.iter().any(|value| value.is_infinite()) {
            return Err(TypeError::Overflow);
        }
        Ok(HalfVector::from_checked(elements))
    }

    /// `halfvec || halfvec` (`halfvec_concat`): at most [`HalfVector::MAX_DIM`] dimensions.
    pub fn concat(&self, other: &HalfVector) -> Result<HalfVector, TypeError> {
        check_dims(self.dims() + other.dims())?;
        let mut elements = Vec::with_capacity(self.dims() + other.dims());
        elements.extend_from_slice(self.as_slice());
        elements.extend_from_slice(other.as_slice());
        Ok(HalfVector::from_checked(elements))
    }

    /// pgvector's `halfvec_cmp`: elements compared as `f32` (so `-0` equals `0`), then the
    /// dimension count.
    pub fn compare(&self, other: &HalfVector) -> Ordering {
        for (a, b) in self.as_slice().iter().zip(other.as_slice()) {
            match a.to_f32().partial_cmp(&b.to_f32()) {
                Some(Ordering::Equal) | None => {}
                Some(unequal) => return unequal,
            }
        }
        self.dims().cmp(&other.dims())
    }
}

/// pgvector's `HalfIsZero`: either signed zero.
fn is_zero(value: f16) -> bool {
    value.to_bits() & 0x7FFF == 0
}

crate::dense::traits::impl_dense_traits!(HalfVector);

impl Hash for HalfVector {
    /// Consistent with equality: `-0` hashes as `0`.
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.dims().hash(state);
        for value in self.as_slice() {
            let bits = if is_zero(*value) { 0 } else { value.to_bits() };
            bits.hash(state);
        }
    }
}
