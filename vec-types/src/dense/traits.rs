//! The standard-trait impls both dense types share: `+ - *` on references (returning the
//! `try_*` result) and equality and ordering from pgvector's `*_cmp` (the type's
//! `compare`). `Hash` stays with each type, because `-0` is canonicalised per element type.

/// Implements `Add`/`Sub`/`Mul` for `&$ty` and `PartialEq`/`Eq`/`PartialOrd`/`Ord` for
/// `$ty` from its `try_add`/`try_sub`/`try_mul` and `compare` methods.
macro_rules! impl_dense_traits {
    ($ty:ident) => {
        impl ::std::ops::Add for &$ty {
            type Output = Result<$ty, $crate::TypeError>;

            #[doc = concat!("See [`", stringify!($ty), "::try_add`].")]
            fn add(self, other: &$ty) -> Self::Output {
                self.try_add(other)
            }
        }

        impl ::std::ops::Sub for &$ty {
            type Output = Result<$ty, $crate::TypeError>;

            #[doc = concat!("See [`", stringify!($ty), "::try_sub`].")]
            fn sub(self, other: &$ty) -> Self::Output {
                self.try_sub(other)
            }
        }

        impl ::std::ops::Mul for &$ty {
            type Output = Result<$ty, $crate::TypeError>;

            #[doc = concat!("See [`", stringify!($ty), "::try_mul`].")]
            fn mul(self, other: &$ty) -> Self::Output {
                self.try_mul(other)
            }
        }

        impl PartialEq for $ty {
            fn eq(&self, other: &Self) -> bool {
                self.compare(other) == ::std::cmp::Ordering::Equal
            }
        }

        impl Eq for $ty {}

        impl PartialOrd for $ty {
            fn partial_cmp(&self, other: &Self) -> Option<::std::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }

        impl Ord for $ty {
            fn cmp(&self, other: &Self) -> ::std::cmp::Ordering {
                self.compare(other)
            }
        }
    };
}

pub(crate) use impl_dense_traits;
