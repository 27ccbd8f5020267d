//! Bad input is an error with pgvector's text, never a panic.

use vec_hnsw::store::SparseBuf;
use vec_hnsw::store::{SparseStore, VectorStore};
use vec_hnsw::{
    Cosine, Hamming, Hnsw, HnswError, HnswOptions, Inserted, SearchOptions, Sparse, L2,
};
use vec_types::f16;

#[test]
fn dimension_limits_and_mismatches() {
    // Past pgvector's 2,000 (vector) and 4,000 (halfvec): up to 16,000, with pgvector's
    // text above that.
    assert!(Hnsw::<L2<f32>>::new(16_000, HnswOptions::default()).is_ok());
    assert!(Hnsw::<L2<f16>>::new(16_000, HnswOptions::default()).is_ok());
    let too_many = Hnsw::<L2<f32>>::new(16_001, HnswOptions::default())
        .err()
        .unwrap();
    assert_eq!(
        too_many.to_string(),
        "column cannot have more than 16000 dimensions for hnsw index"
    );
    let too_many = Hnsw::<L2<f16>>::new(16_001, HnswOptions::default())
        .err()
        .unwrap();
    assert_eq!(
        too_many.to_string(),
        "column cannot have more than 16000 dimensions for hnsw index"
    );
    let too_many = Hnsw::<Hamming>::new(64001, HnswOptions::default())
        .err()
        .unwrap();
    assert_eq!(
        too_many.to_string(),
        "column cannot have more than 64000 dimensions for hnsw index"
    );
    assert!(matches!(
        Hnsw::<L2<f32>>::new(0, HnswOptions::default()),
        Err(HnswError::NoDimensions)
    ));
    let bad_m = HnswOptions {
        m: 1,
        ..HnswOptions::default()
    };
    assert_eq!(
        Hnsw::<L2<f32>>::new(3, bad_m).err().unwrap().to_string(),
        "value 1 out of bounds for option \"m\""
    );

    let mut index = Hnsw::<L2<f32>>::new(3, HnswOptions::default()).unwrap();
    let error = index.insert(1, &[1.0, 2.0]).unwrap_err();
    assert_eq!(error.to_string(), "expected 3 dimensions, not 2");
    index.insert(1, &[1.0, 2.0, 3.0]).unwrap();
    assert!(index.search(&[1.0], 1, &SearchOptions::default()).is_err());
    let bad_ef = SearchOptions {
        ef_search: 0,
        ..SearchOptions::default()
    };
    assert!(index.search(&[1.0, 2.0, 3.0], 1, &bad_ef).is_err());
}

#[test]
fn sparse_limits() {
    let mut index = Hnsw::<L2<Sparse>>::new(5000, HnswOptions::default()).unwrap();
    let buf = SparseBuf {
        indices: (0..1001).collect(),
        values: vec![1.0; 1001],
    };
    let error = index.insert(1, SparseStore::view(&buf)).unwrap_err();
    assert_eq!(
        error.to_string(),
        "sparsevec cannot have more than 1000 non-zero elements for hnsw index"
    );
    let outside = SparseBuf {
        indices: vec![7000],
        values: vec![1.0],
    };
    assert!(matches!(
        index.insert(2, SparseStore::view(&outside)),
        Err(HnswError::InvalidSparse)
    ));
}

#[test]
fn zero_vectors_are_not_indexed_under_cosine() {
    let mut index = Hnsw::<Cosine<f32>>::new(2, HnswOptions::default()).unwrap();
    assert_eq!(index.insert(1, &[0.0, 0.0]).unwrap(), Inserted::Skipped);
    assert_eq!(index.insert(2, &[1.0, 0.0]).unwrap(), Inserted::Added);
    assert_eq!(index.len(), 1);
    assert!(index
        .search(&[0.0, 0.0], 1, &SearchOptions::default())
        .unwrap()
        .is_empty());
    assert_eq!(
        index
            .search(&[2.0, 0.1], 1, &SearchOptions::default())
            .unwrap()[0]
            .row_id,
        2
    );
}

#[test]
fn odd_requests_do_not_panic() {
    let empty = Hnsw::<L2<f32>>::new(2, HnswOptions::default()).unwrap();
    assert!(empty
        .search(&[1.0, 1.0], 10, &SearchOptions::default())
        .unwrap()
        .is_empty());
    assert_eq!(
        empty
            .scan(&[1.0, 1.0], &SearchOptions::default())
            .unwrap()
            .count(),
        0
    );

    let rows: Vec<(u64, [f32; 2])> = (0..100).map(|i| (i, [i as f32, 1.0])).collect();
    let options = HnswOptions {
        threads: 100_000,
        ..HnswOptions::default()
    };
    let index = Hnsw::<L2<f32>>::build(2, options, rows.iter().map(|(r, v)| (*r, &v[..]))).unwrap();
    assert_eq!(index.len(), 100);
    let options = SearchOptions::default();
    assert!(index.search(&[1.0, 1.0], 0, &options).unwrap().is_empty());
    assert_eq!(
        index
            .search(&[1.0, 1.0], usize::MAX, &options)
            .unwrap()
            .len(),
        100
    );
    assert_eq!(
        index.search(&[f32::NAN, 1.0], 5, &options).unwrap().len(),
        5
    );
}
