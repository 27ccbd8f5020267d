//! Distances from a dense query (`vector` or `halfvec`) to a value still in the type's
//! binary format (a dimension count, a zero field, big-endian elements), as a table scan
//! finds it in a stored row: computed straight from the bytes by `vec_simd::stored`, with
//! no decoded copy, and equal bit for bit to decoding the row and calling the operator's
//! method. The same four methods for both types, from one macro.

use half::f16;

use crate::{HalfVector, Vector};

/// Implements `l2_distance_to_binary`, `l1_distance_to_binary`,
/// `negative_inner_product_to_binary` and `cosine_distance_to_binary` for `$ty`, whose
/// elements are `$elem`, `$width` bytes each on the wire, with `vec_simd::stored`'s
/// `$l2`, `$l1` and `$dot_norm` kernels.
macro_rules! impl_stored_distances {
    ($ty:ident, $elem:ty, $width:expr, $l2:ident, $l1:ident, $dot_norm:ident) => {
        impl $ty {
            /// The elements of `binary` when it holds a value of this one's dimension
            /// count; `None` otherwise (the decoder reports what is wrong).
            fn same_shape_elements<'b>(&self, binary: &'b [u8]) -> Option<&'b [u8]> {
                $crate::dense::wire::elements_of_shape(binary, self.dims(), $width)
            }

            /// `row.l2_distance(self)` (the same as `self.l2_distance(row)`) of the value
            /// `binary` holds; `None` when it is not a value of this dimension count or
            /// holds an element that is not finite. `scratch` is used only where the CPU
            /// has no fused kernel.
            pub fn l2_distance_to_binary(
                &self,
                binary: &[u8],
                scratch: &mut Vec<$elem>,
            ) -> Option<f64> {
                let elements = self.same_shape_elements(binary)?;
                let sum = vec_simd::stored::$l2(self.as_slice(), elements, scratch)?;
                Some(f64::from(sum).sqrt())
            }

            /// `row.l1_distance(self)` (the same either way round) of the value `binary`
            /// holds; `None` as for `l2_distance_to_binary`.
            pub fn l1_distance_to_binary(
                &self,
                binary: &[u8],
                scratch: &mut Vec<$elem>,
            ) -> Option<f64> {
                let elements = self.same_shape_elements(binary)?;
                let sum = vec_simd::stored::$l1(self.as_slice(), elements, scratch)?;
                Some(f64::from(sum))
            }

            /// `row.negative_inner_product(self)` (the same either way round) of the value
            /// `binary` holds; `None` as for `l2_distance_to_binary`.
            pub fn negative_inner_product_to_binary(
                &self,
                binary: &[u8],
                scratch: &mut Vec<$elem>,
            ) -> Option<f64> {
                let elements = self.same_shape_elements(binary)?;
                let (dot, _) = vec_simd::stored::$dot_norm(self.as_slice(), elements, scratch)?;
                Some(-f64::from(dot))
            }

            /// `row.cosine_distance_with_norm(self, self_norm)` of the value `binary` holds,
            /// where `self_norm` is this value's squared norm as `cosine_distance_with_norm`
            /// takes it; `None` as for `l2_distance_to_binary`.
            pub fn cosine_distance_to_binary(
                &self,
                binary: &[u8],
                self_norm: f64,
                scratch: &mut Vec<$elem>,
            ) -> Option<f64> {
                // No distance is surely at least an infinite bound: it always comes back.
                self.cosine_distance_to_binary_below(binary, self_norm, f64::INFINITY, scratch)
                    .flatten()
            }

            /// [`Self::cosine_distance_to_binary`], or `Some(None)` when that distance is
            /// surely at least `bound`, found without its square root and division: what
            /// a scan keeping the nearest rows needs for a row that cannot enter them.
            pub fn cosine_distance_to_binary_below(
                &self,
                binary: &[u8],
                self_norm: f64,
                bound: f64,
                scratch: &mut Vec<$elem>,
            ) -> Option<Option<f64>> {
                let elements = self.same_shape_elements(binary)?;
                let (dot, norm) = vec_simd::stored::$dot_norm(self.as_slice(), elements, scratch)?;
                let (dot, norm) = (f64::from(dot), f64::from(norm));
                if $crate::vector::cosine_surely_at_least(dot, norm, self_norm, bound) {
                    return Some(None);
                }
                Some(Some($crate::vector::cosine_from_parts(
                    dot, norm, self_norm,
                )))
            }
        }
    };
}

impl_stored_distances!(
    Vector,
    f32,
    4,
    f32_l2_squared_be,
    f32_l1_be,
    f32_dot_norm_be
);
impl_stored_distances!(
    HalfVector,
    f16,
    2,
    f16_l2_squared_be,
    f16_l1_be,
    f16_dot_norm_be
);

#[cfg(test)]
mod tests {
    use crate::{HalfVector, Typmod, Vector};
    use half::f16;

    /// Pseudo-random values in [-1, 1).
    fn values(seed: u64, n: usize) -> Vec<f32> {
        let mut state = seed;
        (0..n)
            .map(|_| {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                (state >> 40) as f32 / (1u64 << 23) as f32 - 1.0
            })
            .collect()
    }

    /// For each dense type: every distance is the operator's on the decoded row, bit for
    /// bit; another dimension count, a non-zero reserved field or a short value gives
    /// `None`.
    macro_rules! check_type {
        ($ty:ident, $make:expr, $norm:path) => {{
            let make = $make;
            let mut scratch = Vec::new();
            for n in [1, 2, 16, 31, 384, 1536, 4000] {
                let query: $ty = make(n as u64, n);
                let row: $ty = make(3 * n as u64 + 2, n);
                let binary = row.to_binary();
                let decoded = $ty::from_binary_in(&binary, Typmod::NONE, Vec::new()).unwrap();
                assert_eq!(decoded, row);
                let norm = f64::from($norm(query.as_slice(), query.as_slice()));
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
            let query: $ty = make(1, 4);
            let other = make(2, 5).to_binary();
            assert_eq!(query.l2_distance_to_binary(&other, &mut scratch), None);
            let mut binary = make(2, 4).to_binary();
            binary[3] = 1;
            assert_eq!(
                query.cosine_distance_to_binary(&binary, 1.0, &mut scratch),
                None
            );
            let binary = make(2, 4).to_binary();
            let short = &binary[..binary.len() - 1];
            assert_eq!(
                query.negative_inner_product_to_binary(short, &mut scratch),
                None
            );
            assert_eq!(query.l1_distance_to_binary(&[], &mut scratch), None);
        }};
    }

    #[test]
    fn vector_distances_are_the_operators() {
        check_type!(
            Vector,
            |seed, n| Vector::new(values(seed, n)).unwrap(),
            vec_simd::f32::dot
        );
    }

    #[test]
    fn halfvec_distances_are_the_operators() {
        check_type!(
            HalfVector,
            |seed, n| {
                HalfVector::new(values(seed, n).into_iter().map(f16::from_f32).collect()).unwrap()
            },
            vec_simd::f16::dot
        );
    }
}
