//! Distances from a `halfvec` query to a value still in `halfvec_recv`'s binary format (a
//! dimension count, a zero field, big-endian binary16 elements), as a table scan finds it
//! in a stored row: computed straight from the bytes by `vec_simd::stored`, with no decoded
//! copy, and equal bit for bit to decoding the row and calling the operator's method.

use half::f16;

use super::HalfVector;
use crate::dense::wire::elements_of_shape;
use crate::vector::cosine_from_parts;

impl HalfVector {
    /// The elements of `binary` when it holds a `halfvec` of this one's dimension count;
    /// `None` otherwise (the decoder reports what is wrong).
    fn same_shape_elements<'b>(&self, binary: &'b [u8]) -> Option<&'b [u8]> {
        elements_of_shape(binary, self.dims(), 2)
    }

    /// `row.l2_distance(self)` (the same as `self.l2_distance(row)`) of the value `binary`
    /// holds; `None` when it is not a `halfvec` of this dimension count or holds an
    /// element that is not finite. `scratch` is used only where the CPU has no fused kernel.
    pub fn l2_distance_to_binary(&self, binary: &[u8], scratch: &mut Vec<f16>) -> Option<f64> {
        let elements = self.same_shape_elements(binary)?;
        let sum = vec_simd::stored::f16_l2_squared_be(self.as_slice(), elements, scratch)?;
        Some(f64::from(sum).sqrt())
    }

    /// `row.l1_distance(self)` (the same as `self.l1_distance(row)`) of the value `binary`
    /// holds; `None` as for [`HalfVector::l2_distance_to_binary`].
    pub fn l1_distance_to_binary(&self, binary: &[u8], scratch: &mut Vec<f16>) -> Option<f64> {
        let elements = self.same_shape_elements(binary)?;
        let sum = vec_simd::stored::f16_l1_be(self.as_slice(), elements, scratch)?;
        Some(f64::from(sum))
    }

    /// `row.negative_inner_product(self)` (the same either way round) of the value
    /// `binary` holds; `None` as for [`HalfVector::l2_distance_to_binary`].
    pub fn negative_inner_product_to_binary(
        &self,
        binary: &[u8],
        scratch: &mut Vec<f16>,
    ) -> Option<f64> {
        let elements = self.same_shape_elements(binary)?;
        let (dot, _) = vec_simd::stored::f16_dot_norm_be(self.as_slice(), elements, scratch)?;
        Some(-f64::from(dot))
    }

    /// `row.cosine_distance_with_norm(self, self_norm)` of the value `binary` holds, where
    /// `self_norm` is this value's squared norm as `cosine_distance_with_norm` takes it;
    /// `None` as for [`HalfVector::l2_distance_to_binary`].
    pub fn cosine_distance_to_binary(
        &self,
        binary: &[u8],
        self_norm: f64,
        scratch: &mut Vec<f16>,
    ) -> Option<f64> {
        let elements = self.same_shape_elements(binary)?;
        let (dot, norm) = vec_simd::stored::f16_dot_norm_be(self.as_slice(), elements, scratch)?;
        Some(cosine_from_parts(
            f64::from(dot),
            f64::from(norm),
            self_norm,
        ))
    }
}

#[cfg(test)]
mod tests {
    use crate::{HalfVector, Typmod};
    use half::f16;

    fn halfvec(seed: u64, n: usize) -> HalfVector {
        let mut state = seed;
        HalfVector::new(
            (0..n)
                .map(|_| {
                    state = state
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1_442_695_040_888_963_407);
                    f16::from_f32((state >> 40) as f32 / (1u64 << 23) as f32 - 1.0)
                })
                .collect(),
        )
        .unwrap()
    }

    /// Each distance is the operator's on the decoded row, bit for bit.
    #[test]
    fn distances_are_the_operators() {
        let mut scratch = Vec::new();
        for n in [1, 2, 16, 31, 384, 1536, 4000] {
            let query = halfvec(n as u64, n);
            let row = halfvec(3 * n as u64 + 2, n);
            let binary = row.to_binary();
            let decoded = HalfVector::from_binary_in(&binary, Typmod::NONE, Vec::new()).unwrap();
            assert_eq!(decoded, row);
            let norm = f64::from(vec_simd::f16::dot(query.as_slice(), query.as_slice()));
            let cases = [
                (
                    query.l2_distance_to_binary(&binary, &mut scratch),
                    row.l2_distance(&query).unwrap(),
                ),
                (
                    query.l1_distance_to_binary(&binary, &mut scratch),
                    row.l1_distance(&query).unwrap(),
                ),
                (
                    query.negative_inner_product_to_binary(&binary, &mut scratch),
                    row.negative_inner_product(&query).unwrap(),
                ),
                (
                    query.cosine_distance_to_binary(&binary, norm, &mut scratch),
                    row.cosine_distance_with_norm(&query, norm).unwrap(),
                ),
            ];
            for (fused, expected) in cases {
                assert_eq!(fused.map(f64::to_bits), Some(expected.to_bits()), "{n}");
            }
        }
    }

    /// Another dimension count, a non-zero reserved field or a short value gives `None`.
    #[test]
    fn other_shapes_are_refused() {
        let mut scratch = Vec::new();
        let query = halfvec(1, 4);
        let other = halfvec(2, 5).to_binary();
        assert_eq!(query.l2_distance_to_binary(&other, &mut scratch), None);
        let mut binary = halfvec(2, 4).to_binary();
        binary[3] = 1;
        assert_eq!(
            query.cosine_distance_to_binary(&binary, 1.0, &mut scratch),
            None
        );
        let binary = halfvec(2, 4).to_binary();
        assert_eq!(
            query.negative_inner_product_to_binary(&binary[..binary.len() - 1], &mut scratch),
            None
        );
    }
}
