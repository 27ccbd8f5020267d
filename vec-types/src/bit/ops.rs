//! PostgreSQL's operators and functions on bit strings that pgvector users meet:
//! ordering (`bit_cmp`, used by btree indexes and `ORDER BY`), concatenation (`||`),
//! `length`, `octet_length` and `bit_count`.

use std::cmp::Ordering;

use super::{check_max_len, BitVector};
use crate::TypeError;

impl Ord for BitVector {
    /// PostgreSQL's `bit_cmp`: the common bytes compare as unsigned bytes; when they are
    /// equal, the shorter string sorts first.
    fn cmp(&self, other: &BitVector) -> Ordering {
        let common = self.bytes.len().min(other.bytes.len());
        self.bytes[..common]
            .cmp(&other.bytes[..common])
            .then(self.len.cmp(&other.len))
    }
}

impl PartialOrd for BitVector {
    fn partial_cmp(&self, other: &BitVector) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl BitVector {
    /// `a || b`: the bits of `self` followed by those of `other`. Errors with `bit string
    /// length exceeds the maximum allowed (2147483640)` when the result would be too long.
    pub fn concat(&self, other: &BitVector) -> Result<BitVector, TypeError> {
        let total = self.len.saturating_add(other.len);
        check_max_len(total)?;
        let mut bytes = Vec::with_capacity(total.div_ceil(8));
        bytes.extend_from_slice(&self.bytes);
        let shift = self.len % 8;
        if shift == 0 {
            bytes.extend_from_slice(&other.bytes);
        } else {
            for byte in &other.bytes {
                if let Some(last) = bytes.last_mut() {
                    *last |= byte >> shift;
                }
                bytes.push(byte << (8 - shift));
            }
            bytes.truncate(total.div_ceil(8));
        }
        Ok(BitVector { len: total, bytes })
    }

    /// `octet_length(bit)`: bytes needed to hold the bits.
    pub fn octet_len(&self) -> usize {
        self.bytes.len()
    }

    /// `bit_count(bit)`: number of bits set.
    pub fn count_ones(&self) -> u64 {
        self.bytes
            .iter()
            .map(|byte| u64::from(byte.count_ones()))
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bits(text: &str) -> BitVector {
        text.parse().unwrap()
    }

    #[test]
    fn ordering_is_bytes_then_length() {
        assert!(bits("0") < bits("1"));
        assert!(bits("10") < bits("100"));
        assert!(bits("011111111") < bits("1"));
        assert_eq!(bits("101").cmp(&bits("101")), Ordering::Equal);
        assert!(bits("") < bits("0"));
    }

    #[test]
    fn concatenation_shifts_bits() {
        assert_eq!(
            bits("101").concat(&bits("11")).unwrap().to_string(),
            "10111"
        );
        assert_eq!(
            bits("1010101")
                .concat(&bits("100000001"))
                .unwrap()
                .to_string(),
            "1010101100000001"
        );
        assert_eq!(bits("").concat(&bits("01")).unwrap().to_string(), "01");
        assert_eq!(bits("11").concat(&bits("")).unwrap().to_string(), "11");
        assert_eq!(bits("110").concat(&bits("")).unwrap().octet_len(), 1);
        assert_eq!(bits("10110").count_ones(), 3);
    }
}
