//! Builds: two threads reach the same recall as one, progress is reported, one thread is
//! deterministic, and the memory budget is honoured with pgvector's message.

use crate::common::{recall, tap_queries, tap_vectors, Rng};
use std::sync::atomic::{AtomicU64, Ordering};
use vec_hnsw::{BuildProgress, Hnsw, HnswError, HnswOptions, SearchOptions, L2};

fn rows(n: usize) -> Vec<(u64, Vec<f32>)> {
    let mut rng = Rng::new(71);
    tap_vectors(&mut rng, n, 3)
        .into_iter()
        .enumerate()
        .map(|(i, v)| (i as u64, v))
        .collect()
}

#[test]
fn parallel_build_recall_and_progress() {
    let rows = rows(10_000);
    let queries = tap_queries(&mut Rng::new(72), 20, 3);
    let last = AtomicU64::new(0);
    let calls = AtomicU64::new(0);
    let progress = |p: BuildProgress| {
        assert_eq!(p.tuples_total, 10_000);
        last.fetch_max(p.tuples_done, Ordering::Relaxed);
        calls.fetch_add(1, Ordering::Relaxed);
    };
    let options = HnswOptions {
        threads: 2,
        ..HnswOptions::default()
    };
    let index = Hnsw::<L2<f32>>::build_with_progress(
        3,
        options,
        rows.iter().map(|(r, v)| (*r, v.as_slice())),
        &progress,
    )
    .unwrap();
    assert_eq!(last.load(Ordering::Relaxed), 10_000);
    assert!(calls.load(Ordering::Relaxed) >= 9);
    let found = recall(&index, &rows, &queries, 20);
    assert!(found >= 0.99, "recall {found}");
}

#[test]
fn single_thread_build_is_deterministic() {
    let rows = rows(2_000);
    let build = || {
        Hnsw::<L2<f32>>::build(
            3,
            HnswOptions::default(),
            rows.iter().map(|(r, v)| (*r, v.as_slice())),
        )
        .unwrap()
    };
    let (a, b) = (build(), build());
    let mut first = Vec::new();
    let mut second = Vec::new();
    a.write_snapshot(&mut first).unwrap();
    b.write_snapshot(&mut second).unwrap();
    assert_eq!(first, second);
    let query = [0.3, 0.3, 0.3];
    let options = SearchOptions::default();
    assert_eq!(
        a.search(&query, 10, &options).unwrap(),
        b.search(&query, 10, &options).unwrap()
    );
}

#[test]
fn memory_budget_is_honoured() {
    let rows = rows(10_000);
    let options = HnswOptions {
        maintenance_work_mem: 256 << 10,
        ..HnswOptions::default()
    };
    let result = Hnsw::<L2<f32>>::build(3, options, rows.iter().map(|(r, v)| (*r, v.as_slice())));
    let Err(error) = result else {
        panic!("a 10,000-row graph does not fit in 256 KiB");
    };
    assert!(matches!(error, HnswError::MemoryBudgetExceeded { .. }));
    assert!(error
        .to_string()
        .starts_with("hnsw graph no longer fits into maintenance_work_mem after "));
}

#[test]
fn a_build_past_its_budget_goes_on_and_finds_what_an_unlimited_one_finds() {
    let rows = rows(10_000);
    let build = |options: HnswOptions| {
        Hnsw::<L2<f32>>::build(3, options, rows.iter().map(|(r, v)| (*r, v.as_slice()))).unwrap()
    };
    let limited = build(HnswOptions {
        maintenance_work_mem: 256 << 10,
        continue_past_budget: true,
        ..HnswOptions::default()
    });
    let unlimited = build(HnswOptions::default());
    let outgrown = limited
        .outgrew_budget_after()
        .expect("the budget was passed");
    assert!(outgrown > 0 && outgrown < 10_000, "{outgrown}");
    assert_eq!(unlimited.outgrew_budget_after(), None);
    assert_eq!(limited.len(), 10_000);
    // Without the back-link cache and fill pools the graph is linked the slower way, to
    // the same lists, so searches agree.
    let options = SearchOptions::default();
    for query in tap_queries(&mut Rng::new(5), 20, 3) {
        assert_eq!(
            limited.search(&query, 10, &options).unwrap(),
            unlimited.search(&query, 10, &options).unwrap()
        );
    }
}

#[test]
fn searches_run_while_inserts_link() {
    let rows = rows(6_000);
    let queries = tap_queries(&mut Rng::new(73), 20, 3);
    let mut index = Hnsw::<L2<f32>>::build(
        3,
        HnswOptions::default(),
        rows[..2_000].iter().map(|(r, v)| (*r, v.as_slice())),
    )
    .unwrap();
    // Stage under exclusive access, then link from two threads while a third searches.
    let mut staged: Vec<_> = rows[2_000..]
        .iter()
        .map(|(r, v)| index.stage_insert(*r, v).unwrap().unwrap())
        .collect();
    let second = staged.split_off(2_000);
    let index = &index;
    std::thread::scope(|scope| {
        scope.spawn(move || {
            staged.into_iter().for_each(|s| {
                let _ = index.link_staged(s);
            })
        });
        scope.spawn(move || {
            second.into_iter().for_each(|s| {
                let _ = index.link_staged(s);
            })
        });
        scope.spawn(|| {
            for round in 0..50 {
                let query = &queries[round % queries.len()];
                let hits = index.search(query, 10, &SearchOptions::default()).unwrap();
                assert_eq!(hits.len(), 10);
            }
        });
    });
    assert_eq!(index.len(), 6_000);
    let found = recall(index, &rows, &queries, 20);
    assert!(found >= 0.99, "recall {found}");
}
