//! `vector`'s binary format, as pgvector's `vector_send` writes and `vector_recv` reads it.
//!
//! | offset      | size | field                                   |
//! |-------------|------|-----------------------------------------|
//! | 0           | 2    | dimension count `d`, big-endian `u16`   |
//! | 2           | 2    | reserved, always 0                      |
//! | 4 + 4·i     | 4    | element `i`, big-endian IEEE-754 `f32`  |

use super::{check_dims, check_element, Vector};
use crate::dense::wire::{read_dense_header, write_dense_header, WireReader};
use crate::typmod::Typmod;
use crate::TypeError;

impl Vector {
    /// pgvector's `vector_send`: the value in the binary format above.
    pub fn to_binary(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(4 + 4 * self.dims());
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

    /// pgvector's `vector_recv`: reads exactly one value from `bytes`, checking the
    /// dimension count, the type modifier, the reserved field and every element.
    pub fn from_binary(bytes: &[u8], typmod: Typmod) -> Result<Self, TypeError> {
        let mut elements = Vec::new();
        recv_elements(bytes, typmod, &mut elements)?;
        Ok(Vector::from_checked(elements))
    }

    /// [`Vector::from_binary`] into `storage` (its contents replaced): a scan that reads
    /// one stored value after another passes back the storage of the last value
    /// ([`Vector::into_vec`]) and allocates once.
    pub fn from_binary_in(
        bytes: &[u8],
        typmod: Typmod,
        mut storage: Vec<f32>,
    ) -> Result<Self, TypeError> {
        recv_elements(bytes, typmod, &mut storage)?;
        Ok(Vector::from_checked(storage))
    }
}

/// Reads `vector_recv`'s format into `elements` (cleared first).
fn recv_elements(bytes: &[u8], typmod: Typmod, elements: &mut Vec<f32>) -> Result<(), TypeError> {
    let mut reader = WireReader::new(bytes);
    let dims = read_dense_header(&mut reader, typmod, check_dims)?;
    let rest = reader.remaining();
    if rest.len() == 4 * dims {
        // The usual case, in one vectorized pass (storage of the right length, as a scan
        // passes back, is overwritten without being cleared first); the element check
        // then reports the first bad element, as the loop below would.
        elements.resize(dims, 0.0);
        if !vec_simd::endian::f32_from_be(rest, elements) {
            if let Some(bad) = elements.iter().find(|v| !v.is_finite()) {
                check_element(*bad)?;
            }
        }
        return Ok(());
    }
    elements.clear();
    elements.reserve(dims);
    for _ in 0..dims {
        let value = f32::from_bits(reader.read_u32()?);
        check_element(value)?;
        elements.push(value);
    }
    reader.finish()
}
