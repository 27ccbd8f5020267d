//! Timing and checking: one query at a time on one thread (QPS and p50/p99 latency), then
//! all queries over every thread (batch QPS), with recall@k of the answers against the
//! ground truth. The batch answers must equal the single-thread answers (the indexes are
//! deterministic), so a race in a concurrent search shows up as a failed check.
//!
//! Resident memory comes from `VmRSS` in `/proc/self/status` and is Linux-only (elsewhere it
//! is absent from the report). It is the growth of the whole process across a build, so it
//! includes allocator slack and any build scratch memory not returned to the system.

use anyhow::Result;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use super::progress::Progress;
use super::synthetic::mix64;

/// Queries run before timing starts, to warm caches and the allocator.
const WARMUP_QUERIES: usize = 20;

/// What one sweep point measured.
#[derive(Debug, Clone, PartialEq)]
pub struct Measured {
    /// Mean recall@k over the queries.
    pub recall: f64,
    /// Queries per second, one at a time on one thread.
    pub qps: f64,
    /// Median latency of one query, in milliseconds.
    pub p50_ms: f64,
    /// 99th-percentile latency, in milliseconds.
    pub p99_ms: f64,
    /// Queries per second with the queries split over `threads` threads.
    pub batch_qps: f64,
    /// Queries whose batch answer differed from the single-thread answer.
    pub batch_mismatches: usize,
}

/// A search under test: the ids of the nearest rows to a query.
pub type SearchFn<'a> = dyn Fn(&[f32]) -> Result<Vec<u64>> + Sync + 'a;

/// Times `search` over `queries` and checks the answers against `truth` (per query, the
/// true nearest ids, nearest first; recall@k uses the first `k`).
pub fn measure(
    queries: &[&[f32]],
    truth: &[&[u32]],
    k: usize,
    threads: usize,
    search: &SearchFn<'_>,
    progress: (&Progress, &str),
) -> Result<Measured> {
    let (progress, label) = progress;
    for query in queries.iter().take(WARMUP_QUERIES) {
        search(query)?;
    }
    let mut latencies = Vec::with_capacity(queries.len());
    let mut answers = Vec::with_capacity(queries.len());
    let start = Instant::now();
    for (query_idx, query) in queries.iter().enumerate() {
        let query_start = Instant::now();
        let answer = search(query)?;
        latencies.push(query_start.elapsed().as_secs_f64());
        answers.push(answer);
        progress.update(label, query_idx + 1, queries.len() * 2);
    }
    let single_s = start.elapsed().as_secs_f64();

    let done = AtomicUsize::new(queries.len());
    let share = queries.len().div_ceil(threads.max(1)).max(1);
    let start = Instant::now();
    let batch: Vec<Vec<u64>> = std::thread::scope(|scope| {
        let workers: Vec<_> = queries
            .chunks(share)
            .map(|chunk| {
                let done = &done;
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|query| {
                            let answer = search(query);
                            let finished = done.fetch_add(1, Ordering::Relaxed) + 1;
                            progress.update(label, finished, queries.len() * 2);
                            answer
                        })
                        .collect::<Result<Vec<_>>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| worker.join().expect("search thread panicked"))
            .collect::<Result<Vec<_>>>()
            .map(|chunks| chunks.into_iter().flatten().collect())
    })?;
    let batch_s = start.elapsed().as_secs_f64();
    progress.finish();

    latencies.sort_by(f64::total_cmp);
    Ok(Measured {
        recall: recall_at(&answers, truth, k),
        qps: queries.len() as f64 / single_s.max(1e-9),
        p50_ms: percentile(&latencies, 50.0) * 1e3,
        p99_ms: percentile(&latencies, 99.0) * 1e3,
        batch_qps: queries.len() as f64 / batch_s.max(1e-9),
        batch_mismatches: answers
            .iter()
            .zip(&batch)
            .filter(|(single, batch)| single != batch)
            .count(),
    })
}

/// Mean recall@k: per query, the share of the first `k` true ids (fewer when fewer rows
/// qualify) found among the first `k` answers.
pub fn recall_at(answers: &[Vec<u64>], truth: &[&[u32]], k: usize) -> f64 {
    let mut found = 0usize;
    let mut wanted = 0usize;
    for (answer, truth) in answers.iter().zip(truth) {
        let truth = &truth[..k.min(truth.len())];
        wanted += truth.len();
        found += answer
            .iter()
            .take(k)
            .filter(|&&id| truth.iter().any(|&true_id| u64::from(true_id) == id))
            .count();
    }
    if wanted == 0 {
        1.0
    } else {
        found as f64 / wanted as f64
    }
}

/// The `p`-th percentile of ascending `sorted` values by the nearest-rank rule (0 when empty).
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Whether row `id` passes the filter of selectivity `selectivity` (a fixed hash of the id,
/// so every target and the exact answer see the same rows).
pub fn passes_filter(id: u64, selectivity: f64) -> bool {
    let threshold = (selectivity.clamp(0.0, 1.0) * u64::MAX as f64) as u64;
    mix64(id ^ 0x5EED_F11E) < threshold
}

/// This process's resident set size in bytes (`VmRSS`), on Linux; `None` elsewhere.
pub fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recall_counts_true_ids_among_the_first_k() {
        let truth_a = [1u32, 2, 3, 4];
        let truth_b = [5u32, 6, 7, 8];
        let truth: Vec<&[u32]> = vec![&truth_a, &truth_b];
        let answers = vec![vec![3, 1, 9], vec![5, 6, 7]];
        // k = 3: query a finds 1 and 3 of {1,2,3}; query b finds all of {5,6,7}.
        assert!((recall_at(&answers, &truth, 3) - 5.0 / 6.0).abs() < 1e-12);
        assert_eq!(recall_at(&answers, &truth, 1), 0.5);
        // Fewer true rows than k (a selective filter): the denominator shrinks.
        let short = [9u32];
        assert_eq!(recall_at(&[vec![9, 1]], &[&short], 10), 1.0);
        assert_eq!(recall_at(&[], &[], 10), 1.0);
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let values: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&values, 50.0), 50.0);
        assert_eq!(percentile(&values, 99.0), 99.0);
        assert_eq!(percentile(&values, 100.0), 100.0);
        assert_eq!(percentile(&values, 0.0), 1.0);
        assert_eq!(percentile(&[3.0, 7.0], 50.0), 3.0);
        assert_eq!(percentile(&[3.0, 7.0], 99.0), 7.0);
        assert_eq!(percentile(&[], 50.0), 0.0);
    }

    #[test]
    fn filters_keep_about_their_selectivity() {
        let kept = (0..100_000).filter(|&id| passes_filter(id, 0.1)).count();
        assert!((9_000..11_000).contains(&kept), "{kept}");
        assert!((0..1000).all(|id| passes_filter(id, 1.0)));
        assert!(!(0..1000).any(|id| passes_filter(id, 0.0)));
    }

    #[test]
    fn measuring_checks_answers() {
        let rows: [&[f32]; 3] = [&[0.0], &[1.0], &[2.0]];
        let truth_rows = [[0u32], [1], [2]];
        let truth: Vec<&[u32]> = truth_rows.iter().map(|row| &row[..]).collect();
        let search = |query: &[f32]| -> Result<Vec<u64>> { Ok(vec![query[0] as u64]) };
        let progress = Progress::silent();
        let measured = measure(&rows, &truth, 1, 2, &search, (&progress, "t")).unwrap();
        assert_eq!(measured.recall, 1.0);
        assert_eq!(measured.batch_mismatches, 0);
        assert!(measured.qps > 0.0 && measured.batch_qps > 0.0);
        assert!(measured.p50_ms <= measured.p99_ms);
    }
}
