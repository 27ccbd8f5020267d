//! `DeferredIndex` (pgvecto.rs's IVF and flat), directly and through `dyn VectorIndex`: the
//! growing state and its transition to built lists, the trait's contract in every state,
//! quantized scans re-ranked through the exact callback, iterative quantized scans,
//! progress phases, cancellation and errors.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use vec_index::testing::ExactIndex;
use vec_index::testing::{as_refs, check_l2_contract, check_progress, random_rows, recall};
use vec_index::{
    BuildHooks, BuildProgress, ExactDistance, Hit, IterativeScan, VectorIndex, VectorRef,
};
use vec_ivf::{
    build_deferred, BuildHooks as IvfHooks, BuildOptions, DeferredIndex, DeferredSpec,
    DeferredState, Hamming, ProductRatio, Quantization, QuantizedOptions, Rows, L2,
};

use crate::dynamic::options;

/// A spec with `lists` lists, the quantizer given, flat or not, on two threads.
pub fn spec(lists: u32, quantization: Option<Quantization>, flat: bool) -> DeferredSpec {
    DeferredSpec {
        build: BuildOptions {
            lists,
            threads: 2,
            ..BuildOptions::default()
        },
        quantized: quantization.map(|quantization| QuantizedOptions {
            quantization,
            threads: 2,
            ..QuantizedOptions::default()
        }),
        flat,
    }
}

/// Product quantization with two dimensions per subvector.
pub const PRODUCT: Quantization = Quantization::Product {
    ratio: ProductRatio::X8,
};

/// The index over `rows` (ids `0..n`), built directly.
pub fn build(rows: &[(u64, Vec<f32>)], spec: &DeferredSpec) -> DeferredIndex<f32, L2> {
    let ids: Vec<u64> = rows.iter().map(|(id, _)| *id).collect();
    let data: Vec<f32> = rows.iter().flat_map(|(_, v)| v.iter().copied()).collect();
    let rows = Rows::new(rows[0].1.len(), &ids, &data).unwrap();
    let mut hooks = IvfHooks {
        progress: &mut |_| {},
        should_stop: &|| false,
    };
    DeferredIndex::build(rows, spec, &mut hooks).unwrap()
}

fn l2(a: &[f32], b: &[f32]) -> f64 {
    let sum: f64 = a
        .iter()
        .zip(b)
        .map(|(&x, &y)| (f64::from(x) - f64::from(y)).powi(2))
        .sum();
    sum.sqrt()
}

/// The table's exact distances to `query`, for re-ranking (row `id` is `rows[id]`).
pub fn exact<'a>(rows: &'a [(u64, Vec<f32>)], query: &'a [f32]) -> ExactDistance<'a> {
    Box::new(move |id| rows.get(id as usize).map(|(_, v)| l2(v, query)))
}

fn scan_all(
    index: &dyn VectorIndex,
    rows: &[(u64, Vec<f32>)],
    query: &[f32],
    probes: u32,
) -> Vec<Hit> {
    let options = options(probes, IterativeScan::Off);
    let scan = index.scan(VectorRef::F32(query), &options, Some(exact(rows, query)));
    scan.unwrap().collect()
}

#[test]
fn growing_until_enough_rows_then_built() {
    let rows = random_rows(51, 60, 4);
    let plain = spec(50, None, false);
    let mut index = build(&rows[..20], &plain);
    assert_eq!(index.state(), DeferredState::Growing);
    // Searched exactly while growing: every row, in exact order.
    let reference = ExactIndex::build(4, &as_refs(&rows[..20]), &BuildHooks::none()).unwrap();
    let query = [0.3f32; 4];
    let found = scan_all(&index, &rows, &query, 1);
    let expected = scan_all(reference.index.as_ref(), &rows, &query, 1);
    assert_eq!(found.len(), 20);
    for (f, e) in found.iter().zip(&expected) {
        assert_eq!(f.row_id, e.row_id);
        assert!((f.distance - e.distance).abs() < 1e-5);
    }
    // Deletes drop growing rows at once.
    index.delete(3);
    assert_eq!((VectorIndex::len(&index), index.vacuum()), (19, 0));
    for (row_id, values) in &rows[20..50] {
        assert_eq!(index.state(), DeferredState::Growing);
        VectorIndex::insert(&mut index, *row_id, VectorRef::F32(values)).unwrap();
    }
    assert_eq!(index.state(), DeferredState::Growing);
    VectorIndex::insert(&mut index, 50, VectorRef::F32(&rows[50].1)).unwrap();
    assert_eq!(index.state(), DeferredState::Plain);
    assert_eq!(VectorIndex::len(&index), 50);
    let hits = scan_all(&index, &rows, &rows[42].1, 50);
    assert_eq!((hits.len(), hits[0].row_id), (50, 42));

    // A quantizer needs 256 rows.
    let rows = random_rows(52, 300, 4);
    let mut index = build(&rows[..255], &spec(2, Some(Quantization::Scalar), false));
    assert_eq!(index.state(), DeferredState::Growing);
    VectorIndex::insert(&mut index, 255, VectorRef::F32(&rows[255].1)).unwrap();
    assert_eq!(index.state(), DeferredState::Quantized);
    assert_eq!(scan_all(&index, &rows, &rows[7].1, 2)[0].row_id, 7);
    // A plain flat index needs no rows.
    let empty = DeferredIndex::<f32, L2>::new(4, &spec(100, None, true)).unwrap();
    assert_eq!((empty.state(), empty.len()), (DeferredState::Plain, 0));
}

#[test]
fn keeps_the_contract_in_every_state() {
    let rows = random_rows(53, 600, 8);
    let specs = [
        spec(1000, None, false),
        spec(10, None, false),
        spec(4, Some(Quantization::Scalar), false),
        spec(4, Some(PRODUCT), false),
        spec(4, None, true),
        spec(4, Some(Quantization::Scalar), true),
    ];
    for spec in &specs {
        let mut index = build(&rows, spec);
        let probes = spec.build.lists.min(10);
        let options = options(probes, IterativeScan::Off);
        check_l2_contract(&mut index, &rows, &options).unwrap_or_else(|e| panic!("{spec:?}: {e}"));
    }
}

/// With an exact callback, the first hits of a quantized scan probing every list are the
/// exact top 10, with exact distances; without one they come in code-distance order.
#[test]
fn quantized_scans_rerank_to_the_exact_top_k() {
    let rows = random_rows(54, 600, 8);
    let reference = ExactIndex::build(8, &as_refs(&rows), &BuildHooks::none()).unwrap();
    for spec in [
        spec(4, Some(Quantization::Scalar), false),
        spec(4, Some(PRODUCT), false),
        spec(1, Some(Quantization::Scalar), true),
    ] {
        let index = build(&rows, &spec);
        assert_eq!(index.state(), DeferredState::Quantized);
        for (_, query) in random_rows(55, 10, 8) {
            let found: Vec<Hit> = scan_all(&index, &rows, &query, 4)
                .into_iter()
                .take(10)
                .collect();
            let expected: Vec<Hit> = scan_all(reference.index.as_ref(), &rows, &query, 4)
                .into_iter()
                .take(10)
                .collect();
            let ids = |hits: &[Hit]| hits.iter().map(|h| h.row_id).collect::<Vec<_>>();
            assert_eq!(ids(&found), ids(&expected), "{spec:?}");
            for (f, e) in found.iter().zip(&expected) {
                assert!((f.distance - e.distance).abs() < 1e-5);
            }
            let options = options(4, IterativeScan::Off);
            let codes: Vec<Hit> = VectorIndex::scan(&index, VectorRef::F32(&query), &options, None)
                .unwrap()
                .take(10)
                .collect();
            assert!(codes.windows(2).all(|w| w[0].distance <= w[1].distance));
            assert!(recall(&codes, &expected) >= 0.5, "{spec:?}");
        }
    }
}

/// One probe of a quantized index without iterative scans stays in one list; an iterative
/// scan widens until every row is returned, each once.
#[test]
fn iterative_quantized_scans_widen() {
    let rows = random_rows(56, 600, 4);
    let index: Box<dyn VectorIndex> =
        Box::new(build(&rows, &spec(8, Some(Quantization::Scalar), false)));
    let query = VectorRef::F32(&[0.5; 4]);
    let off = index
        .scan(query, &options(1, IterativeScan::Off), None)
        .unwrap()
        .count();
    assert!(off > 0 && off < 300, "{off}");
    let all: Vec<Hit> = index
        .scan(query, &options(1, IterativeScan::RelaxedOrder), None)
        .unwrap()
        .collect();
    let mut ids: Vec<u64> = all.iter().map(|h| h.row_id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!((all.len(), ids.len()), (600, 600));
}

fn progress_of(rows: &[(u64, Vec<f32>)], spec: &DeferredSpec) -> Vec<BuildProgress> {
    let seen = Mutex::new(Vec::new());
    let hooks = BuildHooks {
        progress: &|p| seen.lock().unwrap().push(p),
        should_stop: &|| false,
    };
    build_deferred::<f32, L2>(4, spec, &as_refs(rows), &hooks).unwrap();
    seen.into_inner().unwrap()
}

#[test]
fn progress_phases_in_order() {
    let rows = random_rows(57, 3000, 4);
    let ivf = ["performing k-means", "assigning tuples", "loading tuples"];
    let quantized = [ivf[0], ivf[1], ivf[2], "quantizing tuples"];
    check_progress(&progress_of(&rows, &spec(8, None, false)), &ivf).unwrap();
    let seen = progress_of(&rows, &spec(40, Some(PRODUCT), false));
    check_progress(&seen, &quantized).unwrap();
    assert!(
        seen.iter()
            .filter(|p| p.phase == "quantizing tuples")
            .count()
            > 2
    );
    check_progress(
        &progress_of(&rows, &spec(1, Some(Quantization::Scalar), true)),
        &quantized,
    )
    .unwrap();
    check_progress(
        &progress_of(&rows[..100], &spec(1000, None, false)),
        &["loading tuples"],
    )
    .unwrap();
}

fn cancel_at(phase: &str, rows: &[(u64, Vec<f32>)], spec: &DeferredSpec) -> &'static str {
    let stop = AtomicBool::new(false);
    let hooks = BuildHooks {
        progress: &|p: BuildProgress| {
            if p.phase == phase {
                stop.store(true, Ordering::Relaxed);
            }
        },
        should_stop: &|| stop.load(Ordering::Relaxed),
    };
    let result = build_deferred::<f32, L2>(4, spec, &as_refs(rows), &hooks);
    result.err().expect("cancelled").sqlstate
}

#[test]
fn should_stop_cancels_with_57014() {
    let rows = random_rows(58, 3000, 4);
    let product = spec(8, Some(PRODUCT), false);
    for phase in [
        "performing k-means",
        "assigning tuples",
        "loading tuples",
        "quantizing tuples",
    ] {
        assert_eq!(cancel_at(phase, &rows, &product), "57014", "{phase}");
    }
    assert_eq!(
        cancel_at("performing k-means", &rows, &spec(1, None, true)),
        "57014"
    );
    assert_eq!(
        cancel_at("loading tuples", &rows[..10], &spec(100, None, false)),
        "57014"
    );
}

#[test]
fn errors_carry_sqlstates() {
    let none = BuildHooks::none();
    let rows = random_rows(59, 10, 4);
    let error = build_deferred::<f32, L2>(4, &spec(0, None, false), &[], &none)
        .err()
        .unwrap();
    assert_eq!(error.sqlstate, "22023");
    let mut bad_sample = spec(4, Some(Quantization::Scalar), false);
    if let Some(quantized) = &mut bad_sample.quantized {
        quantized.sample_rows = 0;
    }
    let error = build_deferred::<f32, L2>(4, &bad_sample, &[], &none)
        .err()
        .unwrap();
    assert_eq!(error.sqlstate, "22023");
    let bits = spec(4, Some(Quantization::Scalar), false);
    let error = build_deferred::<u8, Hamming>(8, &bits, &[], &none)
        .err()
        .unwrap();
    assert_eq!(error.sqlstate, "0A000");
    let index = build_deferred::<f32, L2>(4, &spec(100, None, false), &as_refs(&rows), &none)
        .unwrap()
        .index;
    let error = index.check(VectorRef::F32(&[1.0; 5])).unwrap_err();
    assert_eq!(
        (error.sqlstate, &*error.message),
        ("22000", "expected 4 dimensions, not 5")
    );
    let error = index.scan(
        VectorRef::F32(&[1.0; 4]),
        &options(0, IterativeScan::Off),
        None,
    );
    assert_eq!(error.err().unwrap().sqlstate, "22023");
}
