//! `Vector`'s distances to a value still in `vector_recv`'s binary format, as a table scan
//! finds it in a stored row (`crate::dense::stored`): `l2_distance_to_binary`,
//! `l1_distance_to_binary`, `negative_inner_product_to_binary` and
//! `cosine_distance_to_binary`, each equal bit for bit to decoding the row and calling the
//! operator's method.

use super::Vector;

crate::dense::stored::impl_stored_distances!(
    Vector,
    f32,
    4,
    f32_l2_squared_be,
    f32_l1_be,
    f32_dot_norm_be
);

#[cfg(test)]
mod tests {
    use crate::{Typmod, Vector};

    fn vector(seed: u64, n: usize) -> Vector {
        let mut state = seed;
        Vector::new(
            (0..n)
                .map(|_| {
                    state = state
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1_442_695_040_888_963_407);
                    (state >> 40) as f32 / (1u64 << 23) as f32 - 1.0
                })
                .collect(),
        )
        .unwrap()
    }

    /// Each distance is the operator's on the decoded row, bit for bit.
    #[test]
    fn distances_are_the_operators() {
        let mut scratch = Vec::new();
        for n in [1, 2, 16, 31, 384, 1536] {
            let query = vector(n as u64, n);
            let row = vector(3 * n as u64 + 2, n);
            let binary = row.to_binary();
            let decoded = Vector::from_binary_in(&binary, Typmod::NONE, Vec::new()).unwrap();
            assert_eq!(decoded, row);
            let norm = f64::from(vec_simd::f32::dot(query.as_slice(), query.as_slice()));
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
        let query = vector(1, 4);
        let other = vector(2, 5).to_binary();
        assert_eq!(query.l2_distance_to_binary(&other, &mut scratch), None);
        let mut binary = vector(2, 4).to_binary();
        binary[3] = 1;
        assert_eq!(
            query.cosine_distance_to_binary(&binary, 1.0, &mut scratch),
            None
        );
        let binary = vector(2, 4).to_binary();
        assert_eq!(
            query.negative_inner_product_to_binary(&binary[..binary.len() - 1], &mut scratch),
            None
        );
        assert_eq!(query.l2_distance_to_binary(&[], &mut scratch), None);
    }
}
