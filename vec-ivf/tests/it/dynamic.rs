//! `IvfIndex<E, M>` through `dyn VectorIndex`: the trait's contract, recall against the
//! exact reference with fixed seeds, iterative scans past the first probes, snapshots that
//! round-trip or fail cleanly, cancellation in every phase, progress reports, SQLSTATE codes,
//! and every element type read through `ViewRef`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use vec_index::testing::ExactIndex;
use vec_index::testing::{as_refs, check_l2_contract, check_progress, random_rows, recall};
use vec_index::{BuildHooks, BuildProgress, IterativeScan, ScanOptions, VectorIndex, VectorRef};
use vec_ivf::{
    build_ivfflat, open_deferred, open_ivfflat, BuildOptions, Cosine, Hamming, InnerProduct,
    DEFAULT_MAX_PROBES, L2,
};
use vec_types::f16;

/// The engine's scan options with `probes` and the mode given (the HNSW fields are unused).
pub fn options(probes: u32, iterative_scan: IterativeScan) -> ScanOptions {
    ScanOptions {
        ef_search: 40,
        probes,
        iterative_scan,
        max_scan_tuples: 20_000,
        scan_memory: 4 << 20,
        max_probes: DEFAULT_MAX_PROBES,
    }
}

/// Build options with `lists` lists, on two threads.
pub fn build_options(lists: u32) -> BuildOptions {
    BuildOptions {
        lists,
        threads: 2,
        ..BuildOptions::default()
    }
}

fn l2_index(rows: &[(u64, Vec<f32>)], lists: u32) -> Box<dyn VectorIndex> {
    let dimensions = rows[0].1.len();
    let options = build_options(lists);
    build_ivfflat::<f32, L2>(dimensions, &options, &as_refs(rows), &BuildHooks::none())
        .expect("build")
        .index
}

#[test]
fn keeps_the_contract() {
    let rows = random_rows(31, 1000, 8);
    let mut index = l2_index(&rows, 10);
    check_l2_contract(index.as_mut(), &rows, &options(1, IterativeScan::Off)).unwrap();
}

/// Recall@10 of 50 queries over 3,000 uniform 16-d rows in 30 lists, probing 10, against
/// brute force: at least 0.85.
#[test]
fn recall_against_exact_search() {
    let rows = random_rows(32, 3000, 16);
    let index = l2_index(&rows, 30);
    let exact = ExactIndex::build(16, &as_refs(&rows), &BuildHooks::none()).unwrap();
    let options = options(10, IterativeScan::Off);
    let queries = random_rows(33, 50, 16);
    let mut total = 0.0;
    for (_, query) in &queries {
        let scan = |index: &dyn VectorIndex| -> Vec<_> {
            let cursor = index.scan(VectorRef::F32(query), &options, None).unwrap();
            cursor.take(10).collect()
        };
        total += recall(&scan(index.as_ref()), &scan(exact.index.as_ref()));
    }
    let mean = total / queries.len() as f64;
    assert!(mean >= 0.85, "recall {mean}");
}

/// One probe without iterative scans returns one list; either iterative mode goes on to
/// every row, in order within each batch.
#[test]
fn iterative_scans_continue_past_the_first_probes() {
    let rows = random_rows(34, 2000, 4);
    let index = l2_index(&rows, 20);
    let query = VectorRef::F32(&[0.5; 4]);
    let count = |mode| index.scan(query, &options(1, mode), None).unwrap().count();
    let off = count(IterativeScan::Off);
    assert!(off > 0 && off < 500, "{off}");
    assert_eq!(count(IterativeScan::RelaxedOrder), 2000);
    assert_eq!(count(IterativeScan::StrictOrder), 2000);
    let capped = ScanOptions {
        max_probes: 3,
        ..options(1, IterativeScan::RelaxedOrder)
    };
    let three = index.scan(query, &capped, None).unwrap().count();
    assert!(three > off && three < 2000);
}

#[test]
fn snapshot_round_trip_and_damage() {
    let dir = tempfile::tempdir().unwrap();
    let rows = random_rows(35, 1500, 6);
    let mut index = l2_index(&rows, 12);
    index.delete(5);
    let path = dir.path().join("ivf");
    index
        .write_snapshot(&mut std::fs::File::create(&path).unwrap())
        .unwrap();
    let opened = open_ivfflat::<f32, L2>(&path).unwrap();
    assert_eq!((opened.len(), opened.dimensions()), (1499, 6));
    let options = options(3, IterativeScan::RelaxedOrder);
    for (_, query) in random_rows(36, 5, 6) {
        let scan = |index: &dyn VectorIndex| -> Vec<_> {
            let cursor = index.scan(VectorRef::F32(&query), &options, None).unwrap();
            cursor.take(300).collect()
        };
        assert_eq!(scan(opened.as_ref()), scan(index.as_ref()));
    }
    let corrupt = |result: Result<Box<dyn VectorIndex>, vec_index::IndexError>| {
        assert_eq!(result.err().expect("an error").sqlstate, "XX001");
    };
    corrupt(open_ivfflat::<f32, Cosine>(&path));
    corrupt(open_ivfflat::<f16, L2>(&path));
    corrupt(open_deferred::<f32, L2>(&path));
    corrupt(open_ivfflat::<f32, L2>(&dir.path().join("missing")));
    let bytes = std::fs::read(&path).unwrap();
    let damaged = dir.path().join("damaged");
    for len in (0..bytes.len()).step_by(97) {
        std::fs::write(&damaged, &bytes[..len]).unwrap();
        corrupt(open_ivfflat::<f32, L2>(&damaged));
    }
    for at in (0..bytes.len()).step_by(89) {
        let mut flipped = bytes.clone();
        flipped[at] ^= 0x21;
        std::fs::write(&damaged, &flipped).unwrap();
        corrupt(open_ivfflat::<f32, L2>(&damaged));
    }
}

/// A hook that asks the build to stop once `phase` is reported.
fn cancel_at(phase: &str, rows: &[(u64, Vec<f32>)]) -> vec_index::IndexError {
    let stop = AtomicBool::new(false);
    let hooks = BuildHooks {
        progress: &|p: BuildProgress| {
            if p.phase == phase {
                stop.store(true, Ordering::Relaxed);
            }
        },
        should_stop: &|| stop.load(Ordering::Relaxed),
    };
    build_ivfflat::<f32, L2>(4, &build_options(8), &as_refs(rows), &hooks)
        .err()
        .expect("cancelled")
}

#[test]
fn should_stop_cancels_every_phase_with_57014() {
    let rows = random_rows(37, 5000, 4);
    for phase in ["performing k-means", "assigning tuples", "loading tuples"] {
        let error = cancel_at(phase, &rows);
        assert_eq!(error.sqlstate, "57014", "{phase}");
        assert_eq!(error.message, "canceling statement due to user request");
    }
}

#[test]
fn progress_reports_pgvector_phases_in_order() {
    let rows = random_rows(38, 5000, 4);
    let seen = Mutex::new(Vec::new());
    let hooks = BuildHooks {
        progress: &|p| seen.lock().unwrap().push(p),
        should_stop: &|| false,
    };
    build_ivfflat::<f32, L2>(4, &build_options(8), &as_refs(&rows), &hooks).unwrap();
    let seen = seen.into_inner().unwrap();
    let phases = [
        "performing k-means",
        "assigning tuples",
        "loading tuples",
        "calibrating",
    ];
    check_progress(&seen, &phases).unwrap();
    for report in &seen {
        let unit = match report.phase {
            "performing k-means" => "iterations",
            "calibrating" => "queries",
            _ => "tuples",
        };
        assert_eq!(report.unit, unit);
        if unit == "tuples" {
            assert_eq!(report.total, 5000);
        }
    }
}

#[test]
fn errors_carry_pgvector_sqlstates() {
    let none = BuildHooks::none();
    let rows = random_rows(39, 50, 3);
    let index = l2_index(&rows, 2);
    let error = index.check(VectorRef::F32(&[1.0, 2.0])).unwrap_err();
    assert_eq!(
        (error.sqlstate, &*error.message),
        ("22000", "expected 3 dimensions, not 2")
    );
    assert_eq!(
        index
            .check(VectorRef::F16(&[f16::ONE; 3]))
            .unwrap_err()
            .sqlstate,
        "XX000"
    );
    let error = index.scan(
        VectorRef::F32(&[0.0; 3]),
        &options(0, IterativeScan::Off),
        None,
    );
    let error = error.err().unwrap();
    assert_eq!(error.sqlstate, "22023");

    let error = build_ivfflat::<f32, L2>(3, &build_options(0), &[], &none)
        .err()
        .unwrap();
    assert_eq!(
        (error.sqlstate, &*error.message),
        ("22023", "value 0 out of bounds for option \"lists\"")
    );
    assert_eq!(
        error.detail.as_deref(),
        Some("Valid values are between \"1\" and \"32768\".")
    );
    let error = build_ivfflat::<f32, L2>(0, &build_options(1), &[], &none)
        .err()
        .unwrap();
    assert_eq!(
        (error.sqlstate, &*error.message),
        ("22023", "column does not have dimensions")
    );
    let error = build_ivfflat::<f32, Cosine>(1, &build_options(1), &[], &none)
        .err()
        .unwrap();
    assert_eq!(error.sqlstate, "22023");
    let error = build_ivfflat::<f32, L2>(16_001, &build_options(1), &[], &none)
        .err()
        .unwrap();
    assert_eq!(error.sqlstate, "54000");
    let small = BuildOptions {
        memory_budget_bytes: 1024,
        ..build_options(1)
    };
    let error = build_ivfflat::<f32, L2>(3, &small, &as_refs(&rows), &none)
        .err()
        .unwrap();
    assert_eq!(error.sqlstate, "54000");
    let error = build_ivfflat::<f32, L2>(4, &build_options(1), &as_refs(&rows), &none).err();
    assert_eq!(error.unwrap().sqlstate, "22000");
    let bits = build_ivfflat::<u8, Hamming>(12, &build_options(1), &[], &none)
        .unwrap()
        .index;
    let error = bits
        .check(VectorRef::Bits {
            bytes: &[0, 0],
            dimensions: 16,
        })
        .unwrap_err();
    assert_eq!(error.message, "expected 12 dimensions, not 16");
}

/// Builds `(E, M)` over `values` and checks that each value is found first by a scan for
/// itself with every list probed.
fn finds_itself<E: vec_ivf::ViewRef, M: vec_ivf::Metric<E>>(
    dimensions: usize,
    values: &[VectorRef<'_>],
) -> Box<dyn VectorIndex> {
    let rows: Vec<_> = values
        .iter()
        .enumerate()
        .map(|(i, v)| (i as u64, *v))
        .collect();
    let index = build_ivfflat::<E, M>(dimensions, &build_options(4), &rows, &BuildHooks::none())
        .unwrap()
        .index;
    assert_eq!(index.len(), values.len());
    for (row_id, value) in rows.iter().step_by(13) {
        let first = index
            .scan(*value, &options(4, IterativeScan::Off), None)
            .unwrap()
            .next();
        assert_eq!(
            first.unwrap().row_id,
            *row_id,
            "{}",
            std::any::type_name::<M>()
        );
    }
    index
}

#[test]
fn every_element_type_is_viewed() {
    let rows = random_rows(40, 200, 6);
    let f32s: Vec<_> = rows.iter().map(|(_, v)| VectorRef::F32(v)).collect();
    finds_itself::<f32, L2>(6, &f32s);
    finds_itself::<f32, Cosine>(6, &f32s);
    let halves: Vec<Vec<f16>> = rows
        .iter()
        .map(|(_, v)| v.iter().map(|&x| f16::from_f32(x)).collect())
        .collect();
    let f16s: Vec<_> = halves.iter().map(|v| VectorRef::F16(v)).collect();
    finds_itself::<f16, L2>(6, &f16s);
    finds_itself::<f16, Cosine>(6, &f16s);
    // Under inner product a row need not be its own nearest: only check that it is taken.
    let mut ip = finds_itself::<f16, InnerProduct>(6, &f16s[..1]);
    ip.insert(100, f16s[9]).unwrap();
    assert_eq!(ip.len(), 2);
    let bytes: Vec<[u8; 4]> = (1..=200u32)
        .map(|i| i.wrapping_mul(2_654_435_761).to_le_bytes())
        .collect();
    let bits: Vec<_> = bytes
        .iter()
        .map(|b| VectorRef::Bits {
            bytes: b,
            dimensions: 32,
        })
        .collect();
    finds_itself::<u8, Hamming>(32, &bits);
    let none = BuildHooks::none();
    let wrong = build_ivfflat::<f32, L2>(6, &build_options(1), &[(0, f16s[0])], &none);
    assert_eq!(wrong.err().unwrap().sqlstate, "XX000");
    let wrong = build_ivfflat::<u8, Hamming>(6, &build_options(1), &[(0, f32s[0])], &none);
    assert_eq!(wrong.err().unwrap().sqlstate, "XX000");
}

/// A zero vector under cosine is skipped (not counted) and the insert succeeds; a little
/// table gives pgvector's notice.
#[test]
fn zero_vectors_and_little_data() {
    let rows = random_rows(41, 5, 2);
    let built =
        build_ivfflat::<f32, Cosine>(2, &build_options(10), &as_refs(&rows), &BuildHooks::none())
            .unwrap();
    let notice = &built.notices[0];
    assert_eq!(notice.message, "ivfflat index created with little data");
    assert_eq!(
        notice.detail.as_deref(),
        Some("This will cause low recall.")
    );
    assert_eq!(
        notice.hint.as_deref(),
        Some("Drop the index until the table has more data.")
    );
    let mut index = built.index;
    index.insert(99, VectorRef::F32(&[0.0, 0.0])).unwrap();
    assert_eq!(index.len(), 5);
}
