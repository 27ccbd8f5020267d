//! aarch64 kernels: NEON (Advanced SIMD).

pub(crate) mod neon;
