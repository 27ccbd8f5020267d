//! Distances from a dense query (`vector` or `halfvec`) to a value still in the type's
//! binary format (a dimension count, a zero field, big-endian elements), as a table scan
//! finds it in a stored row: computed straight from the bytes by `vec_simd::stored`, with
//! no decoded copy, and equal bit for bit to decoding the row and calling the operator's
//! method. The same four methods for both types, from one macro.

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
                let elements = self.same_shape_elements(binary)?;
                let (dot, norm) = vec_simd::stored::$dot_norm(self.as_slice(), elements, scratch)?;
                Some($crate::vector::cosine_from_parts(
                    f64::from(dot),
                    f64::from(norm),
                    self_norm,
                ))
            }
        }
    };
}

pub(crate) use impl_stored_distances;
