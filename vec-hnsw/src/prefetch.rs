//! Software prefetch: a hint that asks the CPU to start loading a vector into cache before
//! its distance is computed. It changes no values, only timing; on targets without a
//! prefetch intrinsic it does nothing.

/// Hints the CPU to load every cache line of `data` into L1.
#[inline(always)]
pub(crate) fn prefetch_slice<T>(data: &[T]) {
    #[cfg(target_arch = "x86_64")]
    {
        use core::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        let start = data.as_ptr().cast::<i8>();
        let bytes = std::mem::size_of_val(data);
        let mut offset = 0;
        while offset < bytes {
            // SAFETY: a prefetch is only a hint: it never faults, even for an invalid
            // address, and reads no value into the program. The address is inside `data`
            // anyway (`offset < bytes`), and SSE is part of the x86_64 baseline.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(start.wrapping_add(offset)) };
            offset += 64;
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = data;
}
