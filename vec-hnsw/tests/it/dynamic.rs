//! `Hnsw<M>` through `dyn VectorIndex`: the trait's contract, recall against the exact
//! reference with fixed seeds, iterative scans past the first round, cancellation, progress
//! reports, SQLSTATE codes, every vector type read through `ViewRef`, and a property test of
//! `len` and scans against a model under random deletes.

use std::sync::Mutex;

use proptest::prelude::*;
use vec_hnsw::{
    build, Cosine, Hamming, HnswOptions, InnerProduct, Jaccard, Sparse, ViewRef, DEFAULT_EF_SEARCH,
    DEFAULT_MAX_SCAN_TUPLES, DEFAULT_SCAN_MEMORY, L1, L2,
};
use vec_index::testing::ExactIndex;
use vec_index::testing::{as_refs, check_l2_contract, check_progress, random_rows, recall};
use vec_index::{BuildHooks, BuildProgress, IterativeScan, ScanOptions, VectorIndex, VectorRef};
use vec_types::f16;
use vec_types::simd::sparse::SparseSlice;

/// The engine's scan options with pgvector's HNSW defaults, `ef_search` and the mode given.
pub fn options(ef_search: usize, iterative_scan: IterativeScan) -> ScanOptions {
    ScanOptions {
        ef_search,
        probes: 1,
        iterative_scan,
        max_scan_tuples: DEFAULT_MAX_SCAN_TUPLES,
        scan_memory: DEFAULT_SCAN_MEMORY,
        max_probes: 1,
    }
}

fn hnsw_options(threads: usize) -> HnswOptions {
    HnswOptions {
        threads,
        ..HnswOptions::default()
    }
}

/// An L2 index over `rows`, built through the trait-level `build`.
pub fn l2_index(rows: &[(u64, Vec<f32>)]) -> Box<dyn VectorIndex> {
    build::<L2<f32>>(
        rows[0].1.len(),
        hnsw_options(2),
        &as_refs(rows),
        &BuildHooks::none(),
    )
    .expect("build")
    .index
}

#[test]
fn keeps_the_contract() {
    let rows = random_rows(11, 800, 8);
    let mut index = l2_index(&rows);
    let options = options(DEFAULT_EF_SEARCH, IterativeScan::Off);
    check_l2_contract(index.as_mut(), &rows, &options).unwrap();
}

/// Recall@10 of 50 queries over 3,000 uniform 16-d rows at pgvector's `ef_search` (40)
/// against brute force: at least 0.9 (about 0.99 is typical).
#[test]
fn recall_against_exact_search() {
    let rows = random_rows(12, 3000, 16);
    let index = l2_index(&rows);
    let exact = ExactIndex::build(16, &as_refs(&rows), &BuildHooks::none()).unwrap();
    let queries = random_rows(13, 50, 16);
    let options = options(DEFAULT_EF_SEARCH, IterativeScan::Off);
    let mut total = 0.0;
    for (_, query) in &queries {
        let found: Vec<_> = index
            .scan(VectorRef::F32(query), &options, None)
            .unwrap()
            .take(10)
            .collect();
        let expected: Vec<_> = exact
            .index
            .scan(VectorRef::F32(query), &options, None)
            .unwrap()
            .take(10)
            .collect();
        total += recall(&found, &expected);
    }
    let mean = total / queries.len() as f64;
    assert!(mean >= 0.9, "recall {mean}");
}

/// With `ef_search = 10`, a scan without iterative mode ends after ten rows; strict and
/// relaxed scans go on (strict never moving closer).
#[test]
fn iterative_scans_continue_past_the_first_round() {
    let rows = random_rows(14, 2000, 4);
    let index = l2_index(&rows);
    let query = [0.5f32; 4];
    let count = |mode| {
        let scan = index.scan(VectorRef::F32(&query), &options(10, mode), None);
        scan.unwrap().take(500).collect::<Vec<_>>()
    };
    assert_eq!(count(IterativeScan::Off).len(), 10);
    let strict = count(IterativeScan::StrictOrder);
    assert_eq!(strict.len(), 500);
    assert!(strict.windows(2).all(|w| w[0].distance <= w[1].distance));
    let relaxed = count(IterativeScan::RelaxedOrder);
    assert_eq!(relaxed.len(), 500);
    let mut ids: Vec<u64> = relaxed.iter().map(|hit| hit.row_id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 500);
}

#[test]
fn should_stop_cancels_with_57014() {
    let rows = random_rows(15, 5000, 4);
    for threads in [1, 3] {
        let hooks = BuildHooks {
            progress: &|_| {},
            should_stop: &|| true,
        };
        let error = build::<L2<f32>>(4, hnsw_options(threads), &as_refs(&rows), &hooks)
            .err()
            .expect("cancelled");
        assert_eq!(error.sqlstate, "57014");
        assert_eq!(error.message, "canceling statement due to user request");
    }
}

#[test]
fn progress_is_two_phases_that_end_at_their_totals() {
    let rows = random_rows(16, 5000, 4);
    let seen = Mutex::new(Vec::new());
    let hooks = BuildHooks {
        progress: &|p| seen.lock().unwrap().push(p),
        should_stop: &|| false,
    };
    build::<L2<f32>>(4, hnsw_options(3), &as_refs(&rows), &hooks).unwrap();
    let seen = seen.into_inner().unwrap();
    check_progress(&seen, &["loading tuples", "calibrating"]).unwrap();
    assert!(seen.len() > 2, "{seen:?}");
    let (loading, calibrating): (Vec<&BuildProgress>, Vec<&BuildProgress>) =
        seen.iter().partition(|p| p.phase == "loading tuples");
    assert!(loading
        .iter()
        .all(|p| p.unit == "tuples" && p.total == 5000));
    assert!(calibrating.iter().all(|p| p.unit == "queries"));
}

#[test]
fn errors_carry_pgvector_sqlstates() {
    let rows = random_rows(17, 20, 3);
    let index = l2_index(&rows);
    let options = options(DEFAULT_EF_SEARCH, IterativeScan::Off);
    let error = index.check(VectorRef::F32(&[1.0, 2.0])).unwrap_err();
    assert_eq!(
        (error.sqlstate, &*error.message),
        ("22000", "expected 3 dimensions, not 2")
    );
    let error = index.check(VectorRef::F16(&[f16::ONE; 3])).unwrap_err();
    assert_eq!(error.sqlstate, "XX000");
    assert!(index
        .scan(VectorRef::F16(&[f16::ONE; 3]), &options, None)
        .is_err());
    let bad_ef = ScanOptions {
        ef_search: 0,
        ..options.clone()
    };
    let error = index
        .scan(VectorRef::F32(&[0.0; 3]), &bad_ef, None)
        .err()
        .unwrap();
    assert_eq!(error.sqlstate, "22023");

    let none = BuildHooks::none();
    let error = build::<L2<f32>>(
        3,
        HnswOptions {
            m: 1,
            ..hnsw_options(1)
        },
        &[],
        &none,
    )
    .err()
    .unwrap();
    assert_eq!(error.sqlstate, "22023");
    assert_eq!(
        error.detail.as_deref(),
        Some("Valid values are between \"2\" and \"100\".")
    );
    let error = build::<L2<f32>>(0, hnsw_options(1), &[], &none)
        .err()
        .unwrap();
    assert_eq!(
        (error.sqlstate, &*error.message),
        ("22023", "column does not have dimensions")
    );
    let error = build::<L2<f32>>(16_001, hnsw_options(1), &[], &none)
        .err()
        .unwrap();
    assert_eq!(error.sqlstate, "54000");
    // A row of other dimensions in a build.
    let error = build::<L2<f32>>(4, hnsw_options(1), &as_refs(&rows), &none)
        .err()
        .unwrap();
    assert_eq!(
        (error.sqlstate, &*error.message),
        ("22000", "expected 4 dimensions, not 3")
    );
    // Bits count bits; sparse vectors their declared dimensions.
    let bits = build::<Hamming>(12, hnsw_options(1), &[], &none)
        .unwrap()
        .index;
    let error = bits
        .check(VectorRef::Bits {
            bytes: &[0, 0],
            dimensions: 16,
        })
        .unwrap_err();
    assert_eq!(error.message, "expected 12 dimensions, not 16");
    let sparse = build::<L2<Sparse>>(5, hnsw_options(1), &[], &none)
        .unwrap()
        .index;
    let vector = SparseSlice::new(&[1], &[1.0]);
    let error = sparse
        .check(VectorRef::Sparse {
            vector,
            dimensions: 6,
        })
        .unwrap_err();
    assert_eq!(error.sqlstate, "22000");
    let too_many: Vec<u32> = (0..1001).collect();
    let values = vec![1.0f32; 1001];
    let vector = SparseSlice::new(&too_many, &values);
    let error = sparse.check(VectorRef::Sparse {
        vector,
        dimensions: 5000,
    });
    assert_eq!(error.unwrap_err().sqlstate, "22000"); // dimensions first
    let wide = build::<L2<Sparse>>(5000, hnsw_options(1), &[], &none)
        .unwrap()
        .index;
    let error = wide
        .check(VectorRef::Sparse {
            vector,
            dimensions: 5000,
        })
        .unwrap_err();
    assert_eq!(error.sqlstate, "54000");
}

/// Builds `M` over `values`, checks that each value is found first by a scan for itself,
/// and returns the index.
fn finds_itself<M: ViewRef>(dimensions: usize, values: &[VectorRef<'_>]) -> Box<dyn VectorIndex> {
    let rows: Vec<_> = values
        .iter()
        .enumerate()
        .map(|(i, v)| (i as u64, *v))
        .collect();
    let index = build::<M>(dimensions, hnsw_options(1), &rows, &BuildHooks::none())
        .unwrap()
        .index;
    assert_eq!(index.len(), values.len());
    let options = options(DEFAULT_EF_SEARCH, IterativeScan::Off);
    for (row_id, value) in rows.iter().step_by(17) {
        let first = index.scan(*value, &options, None).unwrap().next().unwrap();
        assert_eq!(first.row_id, *row_id, "{}", std::any::type_name::<M>());
    }
    index
}

/// Every vector type reaches its metrics through `ViewRef`; other types are refused.
#[test]
fn every_type_is_viewed() {
    let rows = random_rows(18, 200, 6);
    let dense: Vec<Vec<f32>> = rows.iter().map(|(_, v)| v.clone()).collect();
    let f32s: Vec<_> = dense.iter().map(|v| VectorRef::F32(v)).collect();
    finds_itself::<L2<f32>>(6, &f32s);
    finds_itself::<Cosine<f32>>(6, &f32s);
    finds_itself::<L1<f32>>(6, &f32s);
    let halves: Vec<Vec<f16>> = dense
        .iter()
        .map(|v| v.iter().map(|&x| f16::from_f32(x)).collect())
        .collect();
    let f16s: Vec<_> = halves.iter().map(|v| VectorRef::F16(v)).collect();
    finds_itself::<L2<f16>>(6, &f16s);
    finds_itself::<Cosine<f16>>(6, &f16s);
    finds_itself::<L1<f16>>(6, &f16s);
    // Under inner product a row need not be its own nearest: only check that it is taken.
    let mut ip = finds_itself::<InnerProduct<f16>>(6, &[]);
    ip.insert(0, f16s[0]).unwrap();
    assert_eq!(ip.len(), 1);
    let mut ip = finds_itself::<InnerProduct<f32>>(6, &f32s[..1]);
    ip.insert(1, f32s[1]).unwrap();
    assert_eq!(ip.len(), 2);
    let bytes: Vec<[u8; 4]> = (1..=200u32)
        .map(|i| (i.wrapping_mul(2_654_435_761)).to_le_bytes())
        .collect();
    let bits: Vec<_> = bytes
        .iter()
        .map(|b| VectorRef::Bits {
            bytes: b,
            dimensions: 32,
        })
        .collect();
    finds_itself::<Hamming>(32, &bits);
    finds_itself::<Jaccard>(32, &bits);
    let indices: Vec<[u32; 2]> = (0..200u32).map(|i| [i % 7, 7 + i % 13]).collect();
    let values: Vec<[f32; 2]> = (0..200).map(|i| [1.0 + i as f32, 2.0]).collect();
    let sparse: Vec<_> = indices
        .iter()
        .zip(&values)
        .map(|(i, v)| VectorRef::Sparse {
            vector: SparseSlice::new(i, v),
            dimensions: 20,
        })
        .collect();
    finds_itself::<L2<Sparse>>(20, &sparse);
    finds_itself::<L1<Sparse>>(20, &sparse);
    finds_itself::<Cosine<Sparse>>(20, &sparse[..1]);
    let mut ip = finds_itself::<InnerProduct<Sparse>>(20, &sparse[..1]);
    ip.insert(1, sparse[1]).unwrap();
    assert_eq!(ip.len(), 2);
    let wrong =
        build::<InnerProduct<f32>>(6, hnsw_options(1), &[(0, f16s[0])], &BuildHooks::none());
    assert_eq!(wrong.err().unwrap().sqlstate, "XX000");
    let wrong = build::<Jaccard>(6, hnsw_options(1), &[(0, f32s[0])], &BuildHooks::none());
    assert_eq!(wrong.err().unwrap().sqlstate, "XX000");
    let wrong = build::<Cosine<Sparse>>(6, hnsw_options(1), &[(0, bits[0])], &BuildHooks::none());
    assert_eq!(wrong.err().unwrap().sqlstate, "XX000");
}

/// A zero vector under cosine is skipped (not counted), and the insert succeeds.
#[test]
fn zero_vectors_under_cosine_are_skipped() {
    let mut index = build::<Cosine<f32>>(2, hnsw_options(1), &[], &BuildHooks::none())
        .unwrap()
        .index;
    index.insert(1, VectorRef::F32(&[0.0, 0.0])).unwrap();
    index.insert(2, VectorRef::F32(&[1.0, 0.0])).unwrap();
    assert_eq!(index.len(), 1);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// `len` counts live rows, and a scan with `ef_search` above the row count returns
    /// exactly the live rows, whatever was deleted and whether vacuum ran.
    #[test]
    fn len_and_scans_follow_deletes(
        n in 1usize..60,
        deletes in prop::collection::vec(0u64..80, 0..30),
        vacuum in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let rows = random_rows(seed, n, 3);
        let mut index = l2_index(&rows);
        let mut live: Vec<u64> = (0..n as u64).collect();
        for row_id in &deletes {
            index.delete(*row_id);
            live.retain(|id| id != row_id);
        }
        prop_assert_eq!(index.len(), live.len());
        if vacuum {
            let removed = index.vacuum();
            prop_assert_eq!(removed, n - live.len());
            prop_assert_eq!(index.len(), live.len());
        }
        let options = options(100, IterativeScan::Off);
        let scan = index.scan(VectorRef::F32(&[0.5; 3]), &options, None).unwrap();
        let mut found: Vec<u64> = scan.map(|hit| hit.row_id).collect();
        found.sort_unstable();
        prop_assert_eq!(found, live);
    }
}
