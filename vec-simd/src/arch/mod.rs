//! SIMD kernels, one folder per architecture and instruction set, one file per kernel
//! family. Every kernel is an `unsafe fn` compiled with `#[target_feature]`; the family
//! modules (`crate::f32`, `crate::f16`, `crate::bits`) put them into a table only after
//! checking the CPU's features.

#[cfg(target_arch = "aarch64")]
pub(crate) mod aarch64;
#[cfg(target_arch = "x86_64")]
pub(crate) mod x86_64;
