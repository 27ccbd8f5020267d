//! PostgreSQL's `bit_in` / `varbit_in` and `bit_out`: a string of `0` and `1`, optionally
//! prefixed by `b`/`B`, or hexadecimal digits after an `x`/`X` prefix; output is always
//! the binary digits without a prefix.

use std::fmt;
use std::str::FromStr;

use super::{BitTypmod, BitVector, BIT_MAX_LEN};
use crate::TypeError;

impl BitVector {
    /// Parses `text` as PostgreSQL's `bit_in` (for [`BitTypmod::Exact`]) or `varbit_in`
    /// (for [`BitTypmod::AtMost`]) does with the given type modifier. The length checks come
    /// before the digit checks, as in PostgreSQL. Text after a NUL character is ignored, as
    /// a C string would end there.
    pub fn parse_with_typmod(text: &str, typmod: BitTypmod) -> Result<BitVector, TypeError> {
        let text = text.split('\0').next().unwrap_or_default();
        let (digits, is_hex) = match text.as_bytes().first() {
            Some(b'b' | b'B') => (&text[1..], false),
            Some(b'x' | b'X') => (&text[1..], true),
            _ => (text, false),
        };

        // PostgreSQL counts bytes, not characters, when it sizes the result.
        let digit_bytes = digits.len();
        let bit_len = if is_hex {
            if digit_bytes > BIT_MAX_LEN / 4 {
                return Err(TypeError::BitStringLengthExceedsMax { max: BIT_MAX_LEN });
            }
            digit_bytes * 4
        } else {
            if digit_bytes > BIT_MAX_LEN {
                return Err(TypeError::BitStringLengthExceedsMax { max: BIT_MAX_LEN });
            }
            digit_bytes
        };
        typmod.check_len(bit_len)?;

        let mut bytes = vec![0u8; bit_len.div_ceil(8)];
        if is_hex {
            for (position, character) in digits.chars().enumerate() {
                let nibble = character
                    .to_digit(16)
                    .ok_or_else(|| TypeError::InvalidHexDigit {
                        digit: character.to_string(),
                    })? as u8;
                let shift = if position % 2 == 0 { 4 } else { 0 };
                bytes[position / 2] |= nibble << shift;
            }
        } else {
            for (position, character) in digits.chars().enumerate() {
                match character {
                    '1' => bytes[position / 8] |= 0x80 >> (position % 8),
                    '0' => {}
                    _ => {
                        return Err(TypeError::InvalidBinaryDigit {
                            digit: character.to_string(),
                        })
                    }
                }
            }
        }
        Ok(BitVector {
            len: bit_len,
            bytes,
        })
    }
}

impl FromStr for BitVector {
    type Err = TypeError;

    /// Parses `bit` text without a type modifier (see [`BitVector::parse_with_typmod`]).
    fn from_str(text: &str) -> Result<BitVector, TypeError> {
        BitVector::parse_with_typmod(text, BitTypmod::Any)
    }
}

impl fmt::Display for BitVector {
    /// Writes the bits as `0` and `1` characters, as PostgreSQL's `bit_out` does.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text: String = self.iter().map(|bit| if bit { '1' } else { '0' }).collect();
        f.write_str(&text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_and_hex_forms() {
        assert_eq!("101".parse::<BitVector>().unwrap().to_string(), "101");
        assert_eq!("B0110".parse::<BitVector>().unwrap().to_string(), "0110");
        assert_eq!("xA5".parse::<BitVector>().unwrap().to_string(), "10100101");
        assert_eq!("Xf".parse::<BitVector>().unwrap().to_string(), "1111");
        assert_eq!("".parse::<BitVector>().unwrap().len(), 0);
    }

    #[test]
    fn invalid_digits_report_the_character() {
        let err = "10é".parse::<BitVector>().unwrap_err();
        assert_eq!(err.to_string(), "\"é\" is not a valid binary digit");
        let err = "xfg".parse::<BitVector>().unwrap_err();
        assert_eq!(err.to_string(), "\"g\" is not a valid hexadecimal digit");
    }

    #[test]
    fn length_is_checked_before_digits() {
        let err = BitVector::parse_with_typmod("12", BitTypmod::Exact(3)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "bit string length 2 does not match type bit(3)"
        );
        // Multi-byte characters count their bytes, as in PostgreSQL.
        let err = BitVector::parse_with_typmod("é", BitTypmod::Exact(1)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "bit string length 2 does not match type bit(1)"
        );
    }
}
