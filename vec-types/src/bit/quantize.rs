//! pgvector's `binary_quantize`: one bit per element, set when the element is positive
//! (zero, negative and NaN elements give 0), packed most significant bit first.

use half::f16;

use super::BitVector;

impl BitVector {
    /// `binary_quantize(vector)` over the elements of a real vector.
    pub fn binary_quantize(elements: &[f32]) -> BitVector {
        quantize(
            elements.len(),
            elements.iter().map(|element| *element > 0.0),
        )
    }

    /// `binary_quantize(halfvec)` over the elements of a half-precision vector.
    pub fn binary_quantize_f16(elements: &[f16]) -> BitVector {
        quantize(
            elements.len(),
            elements.iter().map(|element| element.to_f32() > 0.0),
        )
    }
}

fn quantize(len: usize, positive: impl Iterator<Item = bool>) -> BitVector {
    let mut bytes = vec![0u8; len.div_ceil(8)];
    for (position, _) in positive.enumerate().filter(|(_, is_positive)| *is_positive) {
        bytes[position / 8] |= 0x80 >> (position % 8);
    }
    BitVector { len, bytes }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positive_elements_set_bits() {
        let quantized = BitVector::binary_quantize(&[1.0, 0.0, -1.0, f32::NAN, 2.0]);
        assert_eq!(quantized.to_string(), "10001");
        let half: Vec<f16> = [0.5f32, -0.0, 3.0]
            .iter()
            .map(|v| f16::from_f32(*v))
            .collect();
        assert_eq!(BitVector::binary_quantize_f16(&half).to_string(), "101");
    }
}
