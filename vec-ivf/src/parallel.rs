//! Splitting row ranges over scoped threads. Each worker gets one contiguous block of rows so
//! that results never depend on the thread count.

use std::ops::Range;

/// Splits `0..n_rows` into at most `threads` contiguous blocks of nearly equal size.
pub(crate) fn blocks(n_rows: usize, threads: usize) -> Vec<Range<usize>> {
    let threads = threads.max(1).min(n_rows.max(1));
    let block = n_rows.div_ceil(threads).max(1);
    (0..n_rows)
        .step_by(block)
        .map(|start| start..(start + block).min(n_rows))
        .collect()
}

/// Runs `work` on each block of `0..n_rows`, one scoped thread per block after the first
/// (which runs on the calling thread), and returns the results in block order.
pub(crate) fn map_blocks<R: Send>(
    n_rows: usize,
    threads: usize,
    work: impl Fn(Range<usize>) -> R + Sync,
) -> Vec<R> {
    let ranges = blocks(n_rows, threads);
    if ranges.len() <= 1 {
        return ranges.into_iter().map(&work).collect();
    }
    std::thread::scope(|scope| {
        let work = &work;
        let mut ranges = ranges.into_iter();
        let first = ranges.next();
        let handles: Vec<_> = ranges
            .map(|range| scope.spawn(move || work(range)))
            .collect();
        let mut results = Vec::with_capacity(handles.len() + 1);
        if let Some(range) = first {
            results.push(work(range));
        }
        for handle in handles {
            // A worker only panics if `work` does, which would be a bug in this crate; pass
            // the panic on rather than hide it.
            results.push(
                handle
                    .join()
                    .unwrap_or_else(|payload| std::panic::resume_unwind(payload)),
            );
        }
        results
    })
}

/// Runs `work` over matching blocks of several mutable per-row slices: `rows_a` has `width_a`
/// entries per row, `rows_b` one entry per row. `work` gets the first row index and the blocks.
pub(crate) fn for_each_block_mut<A: Send, B: Send, R: Send>(
    threads: usize,
    rows_a: &mut [A],
    width_a: usize,
    rows_b: &mut [B],
    work: impl Fn(usize, &mut [A], &mut [B]) -> R + Sync,
) -> Vec<R> {
    let n_rows = rows_b.len();
    let ranges = blocks(n_rows, threads);
    let block = ranges.first().map(|range| range.len()).unwrap_or(1).max(1);
    std::thread::scope(|scope| {
        let work = &work;
        let handles: Vec<_> = rows_a
            .chunks_mut(block * width_a.max(1))
            .zip(rows_b.chunks_mut(block))
            .enumerate()
            .map(|(block_idx, (a, b))| scope.spawn(move || work(block_idx * block, a, b)))
            .collect();
        handles
            .into_iter()
            .map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|payload| std::panic::resume_unwind(payload))
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_cover_every_row_once() {
        assert_eq!(blocks(10, 3), vec![0..4, 4..8, 8..10]);
        assert_eq!(blocks(0, 4), Vec::<Range<usize>>::new());
        assert_eq!(blocks(2, 8), vec![0..1, 1..2]);
        let sums = map_blocks(100, 3, |range| range.sum::<usize>());
        assert_eq!(sums.iter().sum::<usize>(), 4950);
    }
}
