//! Scalar code kernels: the reference for the SIMD ones.

/// `Σ query_i · codes_i`, in order.
pub(crate) fn dot_u8_scalar(query: &[f32], codes: &[u8]) -> f32 {
    debug_assert_eq!(query.len(), codes.len());
    query
        .iter()
        .zip(codes)
        .map(|(q, &c)| q * f32::from(c))
        .sum()
}

/// `Σ (query_i - step_i · codes_i)²`, in order.
pub(crate) fn l2_squared_u8_scalar(query: &[f32], step: &[f32], codes: &[u8]) -> f32 {
    debug_assert!(query.len() == codes.len() && step.len() == codes.len());
    query
        .iter()
        .zip(step)
        .zip(codes)
        .map(|((q, s), &c)| {
            let diff = q - s * f32::from(c);
            diff * diff
        })
        .sum()
}

/// `Σ values_i` over the set bits, bit `i % 8` of byte `i / 8`, in order.
pub(crate) fn masked_sum_scalar(values: &[f32], bits: &[u8]) -> f32 {
    debug_assert_eq!(values.len(), bits.len() * 8);
    let mut sum = 0.0;
    for (chunk, &byte) in values.chunks_exact(8).zip(bits) {
        for (bit, value) in chunk.iter().enumerate() {
            if byte >> bit & 1 == 1 {
                sum += value;
            }
        }
    }
    sum
}

/// `Σ query_i · codes_i` in 32-bit integers (wrapping, as the SIMD lanes do), in order.
pub(crate) fn dot_u8_i16_scalar(query: &[i16], codes: &[u8]) -> i32 {
    debug_assert_eq!(query.len(), codes.len());
    query.iter().zip(codes).fold(0i32, |sum, (q, &c)| {
        sum.wrapping_add(i32::from(*q) * i32::from(c))
    })
}
