//! Builds on empty and tiny tables, pgvector's option and dimension errors, progress phases,
//! determinism, deletes and vacuum, and pgvector's small regression cases.

use vec_ivf::{
    BuildHooks, BuildOptions, BuildPhase, Cosine, Hamming, InnerProduct, IvfError, IvfIndex,
    Notice, Rows, SearchOptions, L2,
};
use vec_types::f16;

use crate::common::{ids, uniform_rows};

fn small_table() -> (Vec<u64>, Vec<f32>) {
    (
        vec![1, 2, 3],
        vec![0.0, 0.0, 0.0, 1.0, 2.0, 3.0, 1.0, 1.0, 1.0],
    )
}

fn ids_of(neighbors: &[vec_ivf::Neighbor]) -> Vec<u64> {
    neighbors.iter().map(|n| n.id).collect()
}

#[test]
fn pgvector_regression_l2_ip_cosine() {
    let (ids, data) = small_table();
    let options = BuildOptions {
        lists: 1,
        ..Default::default()
    };
    let all = SearchOptions::default();

    let mut l2 = IvfIndex::<f32, L2>::build(Rows::new(3, &ids, &data).unwrap(), &options).unwrap();
    assert!(l2.notices.is_empty());
    l2.index.insert(4, &[1.0, 2.0, 4.0]).unwrap();
    assert_eq!(
        ids_of(&l2.index.search(&[3.0, 3.0, 3.0], 10, &all).unwrap()),
        vec![2, 4, 3, 1]
    );

    let mut ip = IvfIndex::<f32, InnerProduct>::build(Rows::new(3, &ids, &data).unwrap(), &options)
        .unwrap()
        .index;
    ip.insert(4, &[1.0, 2.0, 4.0]).unwrap();
    assert_eq!(
        ids_of(&ip.search(&[3.0, 3.0, 3.0], 10, &all).unwrap()),
        vec![4, 2, 3, 1]
    );

    // Cosine does not index the zero vector.
    let mut cosine = IvfIndex::<f32, Cosine>::build(Rows::new(3, &ids, &data).unwrap(), &options)
        .unwrap()
        .index;
    assert!(cosine.insert(4, &[1.0, 2.0, 4.0]).unwrap());
    assert!(!cosine.insert(5, &[0.0, 0.0, 0.0]).unwrap());
    assert_eq!(
        ids_of(&cosine.search(&[3.0, 3.0, 3.0], 10, &all).unwrap()),
        vec![3, 2, 4]
    );
    assert_eq!(cosine.search(&[0.0, 0.0, 0.0], 10, &all).unwrap().len(), 3);
}

#[test]
fn pgvector_regression_hamming() {
    let ids = [1, 2, 3];
    let data = [0b0000_0000u8, 0b1000_0000, 0b1110_0000];
    let options = BuildOptions {
        lists: 1,
        ..Default::default()
    };
    let mut index = IvfIndex::<u8, Hamming>::build(Rows::new(3, &ids, &data).unwrap(), &options)
        .unwrap()
        .index;
    index.insert(4, &[0b1100_0000]).unwrap();
    let found = index
        .search(&[0b1110_0000], 10, &SearchOptions::default())
        .unwrap();
    assert_eq!(ids_of(&found), vec![3, 4, 2, 1]);
}

#[test]
fn empty_and_tiny_tables_build_with_notice() {
    let built =
        IvfIndex::<f32, L2>::build(Rows::new(3, &[], &[]).unwrap(), &BuildOptions::default())
            .unwrap();
    assert_eq!(built.notices, vec![Notice::LittleData]);
    assert_eq!(
        built.notices[0].message(),
        "ivfflat index created with little data"
    );
    assert_eq!(built.notices[0].detail(), "This will cause low recall.");
    assert!(built
        .index
        .search(&[3.0, 3.0, 3.0], 10, &SearchOptions::default())
        .unwrap()
        .is_empty());
    let mut index = built.index;
    index.insert(9, &[1.0, 1.0, 1.0]).unwrap();
    let all = SearchOptions {
        probes: 100,
        ..Default::default()
    };
    assert_eq!(
        ids_of(&index.search(&[0.0, 0.0, 0.0], 1, &all).unwrap()),
        vec![9]
    );

    let cosine = IvfIndex::<f32, Cosine>::build(
        Rows::new(2000, &[], &[]).unwrap(),
        &BuildOptions::default(),
    );
    assert_eq!(cosine.unwrap().notices, vec![Notice::LittleData]);
    let data = uniform_rows(1, 5, 4);
    let tiny = IvfIndex::<f32, Cosine>::build(
        Rows::new(4, &ids(5), &data).unwrap(),
        &BuildOptions::default(),
    )
    .unwrap();
    assert_eq!(tiny.index.lists(), 100);
    assert_eq!(tiny.index.len(), 5);
}

#[test]
fn option_and_dimension_errors() {
    let (ids, data) = small_table();
    let rows = Rows::new(3, &ids, &data).unwrap();
    let error = IvfIndex::<f32, L2>::build(
        rows,
        &BuildOptions {
            lists: 0,
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "value 0 out of bounds for option \"lists\""
    );
    assert_eq!(
        error.detail().unwrap(),
        "Valid values are between \"1\" and \"32768\"."
    );

    // Past pgvector's 2,000 (vector) and 4,000 (halfvec): up to 16,000, with pgvector's
    // text above that.
    let options = BuildOptions::default();
    let empty = |dimensions| Rows::<f32>::new(dimensions, &[], &[]).unwrap();
    let empty_half = |dimensions| Rows::<f16>::new(dimensions, &[], &[]).unwrap();
    assert!(IvfIndex::<f32, L2>::build(empty(16_000), &options).is_ok());
    assert!(IvfIndex::<f16, L2>::build(empty_half(16_000), &options).is_ok());
    for error in [
        IvfIndex::<f32, L2>::build(empty(16_001), &options).unwrap_err(),
        IvfIndex::<f16, L2>::build(empty_half(16_001), &options).unwrap_err(),
    ] {
        assert_eq!(
            error.to_string(),
            "column cannot have more than 16000 dimensions for ivfflat index"
        );
    }
    let error = IvfIndex::<u8, Hamming>::build(
        Rows::new(64001, &[], &[]).unwrap(),
        &BuildOptions::default(),
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "column cannot have more than 64000 dimensions for ivfflat index"
    );
    let error =
        IvfIndex::<f32, Cosine>::build(Rows::new(1, &[], &[]).unwrap(), &BuildOptions::default())
            .unwrap_err();
    assert_eq!(
        error.to_string(),
        "dimensions must be greater than one for this opclass"
    );
    assert!(matches!(
        Rows::new(3, &ids, &data[..8]),
        Err(IvfError::RowCountMismatch { .. })
    ));

    let index = IvfIndex::<f32, L2>::build(
        rows,
        &BuildOptions {
            lists: 1,
            ..Default::default()
        },
    )
    .unwrap()
    .index;
    let error = index
        .search(&[1.0, 2.0], 1, &SearchOptions::default())
        .unwrap_err();
    assert_eq!(
        error,
        IvfError::DimensionMismatch {
            expected: 3,
            received: 2
        }
    );
    let error = index.search(
        &[1.0, 2.0, 3.0],
        1,
        &SearchOptions {
            probes: 0,
            ..Default::default()
        },
    );
    assert_eq!(
        error.unwrap_err().to_string(),
        "0 is outside the valid range for parameter \"ivfflat.probes\" (1 .. 32768)"
    );
}

#[test]
fn memory_budget_is_honoured() {
    let data = uniform_rows(2, 20_000, 64);
    let ids = ids(20_000);
    let rows = Rows::new(64, &ids, &data).unwrap();
    let options = BuildOptions {
        lists: 1000,
        memory_budget_bytes: 1 << 20,
        ..Default::default()
    };
    let error = IvfIndex::<f32, L2>::build(rows, &options).unwrap_err();
    assert!(
        matches!(error, IvfError::MemoryBudgetExceeded { budget_bytes, .. } if budget_bytes == 1 << 20)
    );
    assert!(
        error.to_string().ends_with("maintenance_work_mem is 1 MB"),
        "{error}"
    );
}

#[test]
fn progress_reports_pgvector_phases_and_builds_are_deterministic() {
    let data = uniform_rows(3, 5_000, 8);
    let ids = ids(5_000);
    let mut phases = Vec::new();
    let options = BuildOptions {
        lists: 20,
        seed: 9,
        threads: 2,
        ..Default::default()
    };
    let first = IvfIndex::<f32, L2>::build_with_progress(
        Rows::new(8, &ids, &data).unwrap(),
        &options,
        &mut |p| {
            if phases.last() != Some(&p.phase) {
                phases.push(p.phase);
            }
        },
    )
    .unwrap()
    .index;
    let names: Vec<&str> = phases.iter().map(|phase| phase.name()).collect();
    assert_eq!(
        names,
        [
            "initializing",
            "performing k-means",
            "assigning tuples",
            "loading tuples"
        ]
    );
    assert_eq!(phases[0], BuildPhase::Initializing);

    let one_thread = BuildOptions {
        threads: 1,
        ..options
    };
    let second = IvfIndex::<f32, L2>::build(Rows::new(8, &ids, &data).unwrap(), &one_thread)
        .unwrap()
        .index;
    assert_eq!(first.list_sizes(), second.list_sizes());
    for list_idx in 0..20 {
        assert_eq!(first.center(list_idx), second.center(list_idx));
    }
    let other_seed = BuildOptions {
        seed: 10,
        ..options
    };
    let third = IvfIndex::<f32, L2>::build(Rows::new(8, &ids, &data).unwrap(), &other_seed)
        .unwrap()
        .index;
    assert_ne!(first.center(0), third.center(0));
}

#[test]
fn deletes_hide_rows_and_vacuum_removes_them() {
    let data = uniform_rows(4, 2_000, 4);
    let ids = ids(2_000);
    let options = BuildOptions {
        lists: 10,
        ..Default::default()
    };
    let mut index = IvfIndex::<f32, L2>::build(Rows::new(4, &ids, &data).unwrap(), &options)
        .unwrap()
        .index;
    let all = SearchOptions {
        probes: 10,
        ..Default::default()
    };
    let query = &data[..4];
    assert_eq!(index.search(query, 1, &all).unwrap()[0].id, 0);
    index.delete(0);
    assert_ne!(index.search(query, 1, &all).unwrap()[0].id, 0);
    assert_eq!(index.len(), 2_000);
    assert_eq!(index.vacuum(), 1);
    assert_eq!(index.len(), 1_999);
    assert_eq!(index.bulk_delete(|id| id % 2 == 1), 1_000);
    let found = index.search(query, 2_000, &all).unwrap();
    assert_eq!(found.len(), 999);
    assert!(found.iter().all(|n| n.id % 2 == 0 && n.id != 0));
}

/// A stop request in any phase ends the build with `Cancelled`, and no phase after it starts;
/// hooks that never stop give the same index as a plain build.
#[test]
fn should_stop_cancels_each_phase() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let data = uniform_rows(5, 20_000, 8);
    let ids = ids(20_000);
    let options = BuildOptions {
        lists: 20,
        threads: 2,
        ..Default::default()
    };
    for stop_in in [
        BuildPhase::PerformingKmeans,
        BuildPhase::AssigningTuples,
        BuildPhase::LoadingTuples,
    ] {
        let stop = AtomicBool::new(false);
        let mut phases = Vec::new();
        let result = IvfIndex::<f32, L2>::build_with_hooks(
            Rows::new(8, &ids, &data).unwrap(),
            &options,
            &mut BuildHooks {
                progress: &mut |p| {
                    if phases.last() != Some(&p.phase) {
                        phases.push(p.phase);
                    }
                    if p.phase == stop_in {
                        stop.store(true, Ordering::Relaxed);
                    }
                },
                should_stop: &|| stop.load(Ordering::Relaxed),
            },
        );
        assert!(matches!(result, Err(IvfError::Cancelled)), "{stop_in:?}");
        assert_eq!(phases.last(), Some(&stop_in));
    }
    assert_eq!(
        IvfError::Cancelled.to_string(),
        "canceling statement due to user request"
    );

    let hooked = IvfIndex::<f32, L2>::build_with_hooks(
        Rows::new(8, &ids, &data).unwrap(),
        &options,
        &mut BuildHooks {
            progress: &mut |_| {},
            should_stop: &|| false,
        },
    )
    .unwrap()
    .index;
    let plain = IvfIndex::<f32, L2>::build(Rows::new(8, &ids, &data).unwrap(), &options)
        .unwrap()
        .index;
    assert_eq!(hooked.list_sizes(), plain.list_sizes());
}
