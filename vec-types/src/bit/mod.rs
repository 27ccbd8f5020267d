//! PostgreSQL's `bit` / `bit varying` value as pgvector uses it: a string of bits packed
//! most significant bit first, with Hamming and Jaccard distances and `binary_quantize`.
//!
//! The type's `impl` blocks are split by concern:
//! - `text`: `bit_in` / `bit_out` (`101`, `B101`, `X5`);
//! - `typmod`: `bit(n)` and `varbit(n)` type modifiers, length coercion;
//! - `binary`: `varbit_send` / `varbit_recv`;
//! - `ops`: comparison (`bit_cmp`), concatenation, length and counts;
//! - `distance`: `hamming_distance` and `jaccard_distance`;
//! - `quantize`: `binary_quantize` of real and half-precision vectors.

mod binary;
mod distance;
mod ops;
mod quantize;
mod text;
mod typmod;

pub use typmod::BitTypmod;

use crate::TypeError;

/// The longest bit string PostgreSQL can hold (`VARBITMAXLEN`): `INT_MAX - 7`.
pub const BIT_MAX_LEN: usize = 2_147_483_640;

/// The largest type modifier `bit(n)` / `varbit(n)` accepts (`MaxAttrSize * 8`).
pub const BIT_MAX_TYPMOD: usize = 83_886_080;

/// A bit string, stored as PostgreSQL stores `bit` and `varbit`.
///
/// | bytes | content                                                            |
/// |-------|--------------------------------------------------------------------|
/// | `⌈len / 8⌉` | the bits, most significant bit of the first byte first; the unused low bits of the last byte are zero |
///
/// The length may be zero (PostgreSQL accepts `''::bit`). Equality compares length and
/// bits; ordering is PostgreSQL's `bit_cmp` (see [`Ord`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct BitVector {
    len: usize,
    bytes: Vec<u8>,
}

impl BitVector {
    /// The longest bit string ([`BIT_MAX_LEN`]).
    pub const MAX_LEN: usize = BIT_MAX_LEN;

    /// An all-zero bit string of `len` bits.
    pub fn zeros(len: usize) -> Result<BitVector, TypeError> {
        check_max_len(len)?;
        Ok(BitVector {
            len,
            bytes: vec![0; len.div_ceil(8)],
        })
    }

    /// A bit string whose bit `i` is `bits[i]`.
    pub fn from_bools(bits: &[bool]) -> Result<BitVector, TypeError> {
        let mut result = BitVector::zeros(bits.len())?;
        for (position, _) in bits.iter().enumerate().filter(|(_, bit)| **bit) {
            result.bytes[position / 8] |= 0x80 >> (position % 8);
        }
        Ok(result)
    }

    /// Wraps packed bytes (most significant bit first). `bytes` must hold exactly
    /// `⌈len / 8⌉` bytes; bits past `len` in the last byte are cleared, as
    /// PostgreSQL's `VARBIT_PAD` does.
    pub fn from_bytes(len: usize, mut bytes: Vec<u8>) -> Result<BitVector, TypeError> {
        check_max_len(len)?;
        if bytes.len() != len.div_ceil(8) {
            return Err(TypeError::IncorrectBinaryFormat);
        }
        clear_padding(len, &mut bytes);
        Ok(BitVector { len, bytes })
    }

    /// Number of bits (`length(bit)`).
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the string has no bits.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The packed bytes, most significant bit first, padding bits zero.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Bit `position` (0-based), or `None` past the end.
    pub fn get(&self, position: usize) -> Option<bool> {
        (position < self.len).then(|| self.bytes[position / 8] & (0x80 >> (position % 8)) != 0)
    }

    /// The bits in order.
    pub fn iter(&self) -> impl Iterator<Item = bool> + '_ {
        (0..self.len).map(move |position| self.bytes[position / 8] & (0x80 >> (position % 8)) != 0)
    }
}

/// `bit string length exceeds the maximum allowed (2147483640)` past [`BIT_MAX_LEN`].
fn check_max_len(len: usize) -> Result<(), TypeError> {
    if len > BIT_MAX_LEN {
        return Err(TypeError::BitStringLengthExceedsMax { max: BIT_MAX_LEN });
    }
    Ok(())
}

/// Clears the bits of the last byte that lie past `len`.
fn clear_padding(len: usize, bytes: &mut [u8]) {
    let used_in_last = len % 8;
    if used_in_last != 0 {
        if let Some(last) = bytes.last_mut() {
            *last &= 0xffu8 << (8 - used_in_last);
        }
    }
}
