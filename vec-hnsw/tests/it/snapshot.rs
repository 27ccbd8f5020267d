//! Snapshots: a round trip gives the same answers, a reopened index takes inserts, deletes
//! and vacuum, and damaged or truncated files are errors.

use crate::common::{recall, tap_queries, tap_vectors, Rng};
use vec_hnsw::store::SparseBuf;
use vec_hnsw::store::VectorStore;
use vec_hnsw::{Cosine, Hnsw, HnswError, HnswOptions, SearchOptions, Sparse, L2};

fn rows(n: usize, seed: u64) -> Vec<(u64, Vec<f32>)> {
    let mut rng = Rng::new(seed);
    tap_vectors(&mut rng, n, 3)
        .into_iter()
        .enumerate()
        .map(|(i, v)| (i as u64, v))
        .collect()
}

#[test]
fn round_trip_then_insert() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("index.hnsw");
    let all = rows(6_000, 81);
    let queries = tap_queries(&mut Rng::new(82), 20, 3);
    let mut index = Hnsw::<L2<f32>>::build(
        3,
        HnswOptions::default(),
        all[..4_000].iter().map(|(r, v)| (*r, v.as_slice())),
    )
    .unwrap();
    index.insert(1_000_000, &[0.5, 0.5, 0.5]).unwrap();
    index.insert(1_000_001, &[0.5, 0.5, 0.5]).unwrap();
    index.delete(3);
    index.save(&path).unwrap();

    let mut reopened = Hnsw::<L2<f32>>::open(&path).unwrap();
    let options = SearchOptions::default();
    for query in &queries {
        assert_eq!(
            index.search(query, 10, &options).unwrap(),
            reopened.search(query, 10, &options).unwrap()
        );
    }
    assert_eq!(reopened.len(), index.len());
    let twins = reopened.search(&[0.5, 0.5, 0.5], 2, &options).unwrap();
    assert_eq!(
        twins.iter().map(|h| h.row_id).collect::<Vec<_>>(),
        vec![1_000_000, 1_000_001]
    );

    for (row, v) in &all[4_000..] {
        reopened.insert(*row, v).unwrap();
    }
    let mut expected: Vec<(u64, Vec<f32>)> = all.iter().filter(|(r, _)| *r != 3).cloned().collect();
    expected.push((1_000_000, vec![0.5, 0.5, 0.5]));
    expected.push((1_000_001, vec![0.5, 0.5, 0.5]));
    let found = recall(&reopened, &expected, &queries, 20);
    assert!(found >= 0.99, "recall after reopen and insert {found}");
    reopened.vacuum();
    assert_eq!(reopened.len(), expected.len());

    // Saving the reopened index (partly mapped, partly owned) round-trips too.
    let second = dir.path().join("second.hnsw");
    reopened.save(&second).unwrap();
    let again = Hnsw::<L2<f32>>::open(&second).unwrap();
    assert_eq!(
        again.search(&queries[0], 10, &options).unwrap(),
        reopened.search(&queries[0], 10, &options).unwrap()
    );
}

#[test]
fn sparse_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sparse.hnsw");
    let mut index = Hnsw::<Cosine<Sparse>>::new(1000, HnswOptions::default()).unwrap();
    let mut bufs = Vec::new();
    for i in 0..500u32 {
        let buf = SparseBuf {
            indices: vec![i % 997, 998],
            values: vec![1.0 + i as f32, 2.0],
        };
        index
            .insert(
                i as u64,
                <Cosine<Sparse> as vec_hnsw::Metric>::Store::view(&buf),
            )
            .unwrap();
        bufs.push(buf);
    }
    index.save(&path).unwrap();
    let reopened = Hnsw::<Cosine<Sparse>>::open(&path).unwrap();
    let query = vec_hnsw::store::SparseStore::view(&bufs[10]);
    let options = SearchOptions::default();
    assert_eq!(
        index.search(query, 5, &options).unwrap(),
        reopened.search(query, 5, &options).unwrap()
    );
}

#[test]
fn damaged_files_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("index.hnsw");
    let index = Hnsw::<L2<f32>>::build(
        3,
        HnswOptions::default(),
        rows(500, 83).iter().map(|(r, v)| (*r, v.as_slice())),
    )
    .unwrap();
    index.save(&path).unwrap();
    let bytes = std::fs::read(&path).unwrap();

    // Another metric.
    assert!(matches!(
        Hnsw::<Cosine<f32>>::open(&path),
        Err(HnswError::Corrupt { .. })
    ));
    // Missing file.
    assert!(matches!(
        Hnsw::<L2<f32>>::open(&dir.path().join("none")),
        Err(HnswError::Io { .. })
    ));
    // Every truncation.
    let cut = dir.path().join("cut.hnsw");
    for len in (0..bytes.len()).step_by(97).chain([bytes.len() - 1]) {
        std::fs::write(&cut, &bytes[..len]).unwrap();
        assert!(Hnsw::<L2<f32>>::open(&cut).is_err(), "truncated to {len}");
    }
    // Flipped bytes: either an error, or (in the unchecked large sections) an index that
    // still answers without panicking.
    let flipped = dir.path().join("flipped.hnsw");
    for at in (0..bytes.len()).step_by(53) {
        let mut damaged = bytes.clone();
        damaged[at] ^= 0xa5;
        std::fs::write(&flipped, &damaged).unwrap();
        if let Ok(mut opened) = Hnsw::<L2<f32>>::open(&flipped) {
            let _ = opened
                .search(&[0.5, 0.5, 0.5], 10, &SearchOptions::default())
                .unwrap();
            opened.insert(9_999, &[0.1, 0.2, 0.3]).unwrap();
        }
    }
}
