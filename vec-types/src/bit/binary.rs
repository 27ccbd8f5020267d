//! PostgreSQL's binary format for `bit` and `varbit` (`varbit_send` / `varbit_recv`).
//!
//! | offset | size           | content                                   |
//! |--------|----------------|-------------------------------------------|
//! | 0      | 4              | bit length, big-endian `int32`            |
//! | 4      | `⌈length / 8⌉` | the packed bits, most significant bit first |
//!
//! On receive, padding bits of the last byte are cleared (not rejected), as PostgreSQL does.

use super::{clear_padding, BitTypmod, BitVector, BIT_MAX_LEN};
use crate::TypeError;

impl BitVector {
    /// Appends the value in PostgreSQL's binary format.
    pub fn write_binary(&self, out: &mut Vec<u8>) {
        // The length never exceeds `BIT_MAX_LEN`, which fits an `int32`.
        out.extend_from_slice(&(self.len as u32).to_be_bytes());
        out.extend_from_slice(&self.bytes);
    }

    /// The value in PostgreSQL's binary format.
    pub fn to_binary(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(4 + self.bytes.len());
        self.write_binary(&mut out);
        out
    }

    /// Reads a value in PostgreSQL's binary format, checking it against a type modifier
    /// as `bit_recv` / `varbit_recv` do. The whole of `bytes` must be consumed.
    ///
    /// Errors: `insufficient data left in message` (truncated), `invalid length in external
    /// bit string`, the type modifier's length errors, `incorrect binary data format`
    /// (bytes left over).
    pub fn from_binary(bytes: &[u8], typmod: BitTypmod) -> Result<BitVector, TypeError> {
        let header: [u8; 4] = bytes
            .get(..4)
            .and_then(|slice| slice.try_into().ok())
            .ok_or(TypeError::InsufficientData)?;
        let len = i32::from_be_bytes(header);
        if len < 0 || len as usize > BIT_MAX_LEN {
            return Err(TypeError::InvalidExternalBitLength);
        }
        let len = len as usize;
        typmod.check_len(len)?;
        let body = &bytes[4..];
        let byte_len = len.div_ceil(8);
        if body.len() < byte_len {
            return Err(TypeError::InsufficientData);
        }
        if body.len() > byte_len {
            return Err(TypeError::IncorrectBinaryFormat);
        }
        let mut packed = body.to_vec();
        clear_padding(len, &mut packed);
        Ok(BitVector { len, bytes: packed })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_padding() {
        let bits: BitVector = "1011001110".parse().unwrap();
        let encoded = bits.to_binary();
        assert_eq!(encoded, [0, 0, 0, 10, 0b1011_0011, 0b1000_0000]);
        assert_eq!(
            BitVector::from_binary(&encoded, BitTypmod::Any).unwrap(),
            bits
        );
        // Stray padding bits are cleared on receive.
        let dirty = [0, 0, 0, 3, 0b1011_1111];
        assert_eq!(
            BitVector::from_binary(&dirty, BitTypmod::Any)
                .unwrap()
                .to_string(),
            "101"
        );
    }

    #[test]
    fn malformed_input_is_an_error() {
        let err = |bytes: &[u8]| {
            BitVector::from_binary(bytes, BitTypmod::Any)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(err(&[0, 0]), "insufficient data left in message");
        assert_eq!(err(&[0, 0, 0, 9, 1]), "insufficient data left in message");
        assert_eq!(
            err(&[0xff, 0xff, 0xff, 0xff]),
            "invalid length in external bit string"
        );
        assert_eq!(err(&[0, 0, 0, 1, 0, 0]), "incorrect binary data format");
        let typed = BitVector::from_binary(&[0, 0, 0, 1, 0x80], BitTypmod::Exact(2));
        assert_eq!(
            typed.unwrap_err().to_string(),
            "bit string length 1 does not match type bit(2)"
        );
    }
}
