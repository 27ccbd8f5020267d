//! `halfvec`'s binary format, as pgvector's `halfvec_send` writes and `halfvec_recv`
//! reads it.
//!
//! | offset      | size | field                                      |
//! |-------------|------|--------------------------------------------|
//! | 0           | 2    | dimension count `d`, big-endian `u16`      |
//! | 2           | 2    | reserved, always 0                         |
//! | 4 + 2·i     | 2    | element `i`, big-endian IEEE-754 binary16  |

use half::f16;

use super::{check_dims, check_element, HalfVector};
use crate::dense::wire::{read_dense_header, write_dense_header, WireReader};
use crate::typmod::Typmod;
use crate::TypeError;

impl HalfVector {
    /// pgvector's `halfvec_send`: the value in the binary format above.
    pub fn to_binary(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(4 + 2 * self.dims());
        self.write_binary(&mut out);
        out
    }

    /// Appends the binary format to `out`.
    pub fn write_binary(&self, out: &mut Vec<u8>) {
        write_dense_header(out, self.dims());
        for value in self.as_slice() {
            out.extend_from_slice(&value.to_bits().to_be_bytes());
        }
    }

    /// pgvector's `halfvec_recv`: reads exactly one value from `bytes`, checking the
    /// dimension count, the type modifier, the reserved field and every element.
    pub fn from_binary(bytes: &[u8], typmod: Typmod) -> Result<Self, TypeError> {
        Self::from_binary_in(bytes, typmod, Vec::new())
    }

    /// [`HalfVector::from_binary`] into `storage` (its contents replaced): a scan that
    /// reads one stored value after another passes back the storage of the last value
    /// ([`HalfVector::into_vec`]) and allocates once.
    pub fn from_binary_in(
        bytes: &[u8],
        typmod: Typmod,
        mut storage: Vec<f16>,
    ) -> Result<Self, TypeError> {
        let mut reader = WireReader::new(bytes);
        let dims = read_dense_header(&mut reader, typmod, check_dims)?;
        let rest = reader.remaining();
        if rest.len() == 2 * dims {
            // The usual case, in one vectorized pass; the element check then reports the
            // first bad element, as the loop below would.
            storage.resize(dims, f16::ZERO);
            if !vec_simd::endian::f16_from_be(rest, &mut storage) {
                if let Some(bad) = storage.iter().find(|v| !v.is_finite()) {
                    check_element(*bad)?;
                }
            }
            return Ok(HalfVector::from_checked(storage));
        }
        storage.clear();
        storage.reserve(dims);
        for _ in 0..dims {
            let value = f16::from_bits(reader.read_u16()?);
            check_element(value)?;
            storage.push(value);
        }
        reader.finish()?;
        Ok(HalfVector::from_checked(storage))
    }
}
