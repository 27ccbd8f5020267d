//! Plain scalar kernels: the reference implementation every SIMD path is tested against, and
//! the fallback on CPUs without a SIMD path.
//!
//! Each loop sums in element order, one accumulator, exactly as written; none is tuned. The
//! callers (the tables in `crate::dense` and `crate::bits`) guarantee equal lengths.

pub(crate) mod bits;
pub(crate) mod f16;
pub(crate) mod f32;
