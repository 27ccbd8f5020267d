//! Integration tests of `vec-simd`: every implementation this CPU can run is compared with
//! the scalar reference, over random lengths (proptest) and at lane-boundary lengths, on
//! aligned and unaligned slices.
//!
//! Set `PROPTEST_CASES` to run more random cases than the default 64 per property.

mod bits;
mod codes;
mod common;
mod dense;
mod dispatch;
mod f16;
mod f32;
mod many;
mod sparse;
