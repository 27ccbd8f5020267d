//! Software prefetch: a hint that asks the CPU to start loading a vector into cache before
//! its distance is computed. It changes no values, only timing; on targets without a
//! prefetch intrinsic it does nothing.

/// The most cache lines requested per item: all of a 384-`f32` vector (24 lines), the
/// head of a longer one (the distance kernel reads front to back and the hardware
/// prefetcher streams the rest).
pub(crate) const PREFETCH_LINES: usize = 24;

/// How many elements ahead of the one being evaluated a search prefetches full vectors.
pub(crate) const PREFETCH_AHEAD: usize = 2;

/// How many elements ahead a search of a quantized index prefetches codes: a code is a
/// few lines, so more of them fit in flight. On pypi-minilm (AMD EPYC, three alternating
/// rounds at `ef_search` 80) four ahead instead of two took the 8-bit index from 1.25–1.30 ×
/// the full-precision index's queries per second to 1.38–1.39 ×; six and eight were no
/// better than four.
pub(crate) const CODE_PREFETCH_AHEAD: usize = 4;

/// Items up to this many bytes (quantized codes, neighbour lists) are requested into L1
/// (`prefetcht0`); longer ones (full-precision vectors) into L2 (`prefetcht1`). Each
/// request into L1 holds one of the dozen or so L1 miss buffers until its line arrives, so
/// the requests for two 1.5 kB vectors ahead stalled the search on full buffers: on an AMD
/// EPYC, asking for 12 lines of each vector into L1 (the earlier setting) spent half the
/// search's own time waiting at the prefetch. With all 24 lines into L2, pypi-minilm (one
/// thread, a reopened snapshot) answered 4,650–4,920 queries per second at `ef_search` 72
/// against 3,870–4,060 (three alternating rounds). (On the Intel Xeon this project ran on
/// before, 12 lines into L1 had been the best setting.) A code of a few lines is better in
/// L1: with every item into L2, the 8-bit and RaBitQ indexes ran 14% and 16% slower in a
/// pair of runs.
const L1_PREFETCH_MAX_BYTES: usize = 512;

/// Hints the CPU to load the first [`PREFETCH_LINES`] cache lines of `data` (all of it
/// when shorter): into L1 when `data` is short, into L2 (vec-simd's `prefetch_read`)
/// otherwise.
#[inline(always)]
pub(crate) fn prefetch_slice<T>(data: &[T]) {
    let len = std::mem::size_of_val(data);
    if len > L1_PREFETCH_MAX_BYTES {
        let head = data
            .len()
            .min(PREFETCH_LINES * 64 / std::mem::size_of::<T>().max(1));
        vec_types::simd::prefetch::prefetch_read(&data[..head]);
        return;
    }
    #[cfg(target_arch = "x86_64")]
    {
        use core::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        let start = data.as_ptr().cast::<i8>();
        let mut offset = 0;
        while offset < len {
            // SAFETY: a prefetch is only a hint: it never faults, even for an invalid
            // address, and reads no value into the program. The address is inside `data`
            // anyway (`offset < len`), and SSE is part of the x86_64 baseline.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(start.wrapping_add(offset)) };
            offset += 64;
        }
    }
}
