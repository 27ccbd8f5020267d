//! Type modifiers of `bit(n)` and `bit varying(n)`: validating the modifier itself
//! (`bittypmodin`), checking a value against it (input, receive, assignment casts) and
//! PostgreSQL's explicit length coercion (`bit()` pads or truncates, `varbit()` truncates).

use super::{clear_padding, BitVector, BIT_MAX_LEN, BIT_MAX_TYPMOD};
use crate::TypeError;

/// The length rule a `bit` type modifier imposes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum BitTypmod {
    /// No modifier: `bit` written without a length in a cast, or `varbit`.
    #[default]
    Any,
    /// `bit(n)`: exactly `n` bits.
    Exact(usize),
    /// `bit varying(n)`: at most `n` bits.
    AtMost(usize),
}

impl BitTypmod {
    /// Validates the modifier of `bit(n)` as `bittypmodin` does:
    /// `length for type bit must be at least 1`, `… cannot exceed 83886080`.
    pub fn bit(length: i64) -> Result<BitTypmod, TypeError> {
        Ok(BitTypmod::Exact(validate_length(length, "bit")?))
    }

    /// Validates the modifier of `varbit(n)` as `varbittypmodin` does.
    pub fn varbit(length: i64) -> Result<BitTypmod, TypeError> {
        Ok(BitTypmod::AtMost(validate_length(length, "varbit")?))
    }

    /// Checks a length against the modifier, with PostgreSQL's messages:
    /// `bit string length 2 does not match type bit(3)` and
    /// `bit string too long for type bit varying(4)`.
    pub fn check_len(self, len: usize) -> Result<(), TypeError> {
        match self {
            BitTypmod::Exact(expected) if expected > 0 && len != expected => {
                Err(TypeError::BitLengthMismatch {
                    actual: len,
                    expected,
                })
            }
            BitTypmod::AtMost(max) if max > 0 && len > max => {
                Err(TypeError::BitStringTooLong { max })
            }
            _ => Ok(()),
        }
    }
}

fn validate_length(length: i64, type_name: &'static str) -> Result<usize, TypeError> {
    if length < 1 {
        return Err(TypeError::BitTypmodTooSmall { type_name });
    }
    if length > BIT_MAX_TYPMOD as i64 {
        return Err(TypeError::BitTypmodTooLarge {
            type_name,
            max: BIT_MAX_TYPMOD,
        });
    }
    Ok(length as usize)
}

impl BitVector {
    /// Checks the value against a type modifier, as an assignment (implicit) cast or a
    /// column does: no padding, no truncation.
    pub fn check_typmod(&self, typmod: BitTypmod) -> Result<(), TypeError> {
        typmod.check_len(self.len)
    }

    /// An explicit cast (`value::bit(n)`, `value::varbit(n)`): `bit(n)` zero-pads or
    /// truncates to `n` bits, `varbit(n)` truncates to at most `n` bits.
    pub fn cast_to_typmod(&self, typmod: BitTypmod) -> BitVector {
        let target_len = match typmod {
            BitTypmod::Exact(len) if len > 0 && len <= BIT_MAX_LEN => len,
            BitTypmod::AtMost(max) if max > 0 && max < self.len => max,
            _ => return self.clone(),
        };
        let mut bytes = vec![0u8; target_len.div_ceil(8)];
        let copied = bytes.len().min(self.bytes.len());
        bytes[..copied].copy_from_slice(&self.bytes[..copied]);
        clear_padding(target_len, &mut bytes);
        BitVector {
            len: target_len,
            bytes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modifier_bounds() {
        assert_eq!(BitTypmod::bit(3), Ok(BitTypmod::Exact(3)));
        assert_eq!(
            BitTypmod::bit(0).unwrap_err().to_string(),
            "length for type bit must be at least 1"
        );
        assert_eq!(
            BitTypmod::varbit(83_886_081).unwrap_err().to_string(),
            "length for type varbit cannot exceed 83886080"
        );
    }

    #[test]
    fn explicit_casts_pad_and_truncate() {
        let bits: BitVector = "10111".parse().unwrap();
        assert_eq!(bits.cast_to_typmod(BitTypmod::Exact(3)).to_string(), "101");
        assert_eq!(
            bits.cast_to_typmod(BitTypmod::Exact(10)).to_string(),
            "1011100000"
        );
        assert_eq!(bits.cast_to_typmod(BitTypmod::AtMost(2)).to_string(), "10");
        assert_eq!(
            bits.cast_to_typmod(BitTypmod::AtMost(9)).to_string(),
            "10111"
        );
    }

    #[test]
    fn assignment_checks() {
        let bits: BitVector = "101".parse().unwrap();
        assert!(bits.check_typmod(BitTypmod::Exact(3)).is_ok());
        assert_eq!(
            bits.check_typmod(BitTypmod::Exact(4))
                .unwrap_err()
                .to_string(),
            "bit string length 3 does not match type bit(4)"
        );
        assert_eq!(
            bits.check_typmod(BitTypmod::AtMost(2))
                .unwrap_err()
                .to_string(),
            "bit string too long for type bit varying(2)"
        );
    }
}
