//! Quantized IVF and flat indexes: recall@10 after re-ranking stays within 0.02 of IVFFlat at
//! equal probes, writes work, and bits are refused.

use vec_ivf::{
    BuildOptions, Cosine, DenseRows, FlatIndex, IvfError, IvfIndex, QuantizedIvf, QuantizedOptions,
    QuantizedSearchOptions, Rows, SearchOptions, L2,
};

use crate::common::{ids, normalized, recall, uniform_rows};

const DIMS: usize = 32;
const N_ROWS: usize = 20_000;

#[test]
fn scalar_quantized_recall_matches_ivfflat() {
    let data = uniform_rows(8, N_ROWS, DIMS);
    let ids = ids(N_ROWS);
    let options = BuildOptions {
        lists: 40,
        seed: 5,
        ..Default::default()
    };
    let quantized = QuantizedOptions {
        sample_rows: 5_000,
        ..Default::default()
    };
    let flat = IvfIndex::<f32, Cosine>::build(Rows::new(DIMS, &ids, &data).unwrap(), &options)
        .unwrap()
        .index;
    let sq = QuantizedIvf::<f32, Cosine>::build(
        Rows::new(DIMS, &ids, &data).unwrap(),
        &options,
        &quantized,
    )
    .unwrap()
    .index;
    assert!(
        sq.memory_bytes() * 10 < flat.memory_bytes() * 4,
        "codes are a quarter of the rows"
    );
    let source = DenseRows {
        data: &data,
        stride: DIMS,
    };
    let truth: Vec<f32> = data.chunks(DIMS).flat_map(normalized).collect();
    let queries: Vec<Vec<f32>> = uniform_rows(9, 30, DIMS)
        .chunks(DIMS)
        .map(normalized)
        .collect();
    for probes in [1, 4, 40] {
        let search = SearchOptions {
            probes,
            ..Default::default()
        };
        let plain: Vec<_> = queries
            .iter()
            .map(|q| flat.search(q, 10, &search).unwrap())
            .collect();
        let options = QuantizedSearchOptions {
            search,
            ..Default::default()
        };
        let reranked: Vec<_> = queries
            .iter()
            .map(|q| sq.search(q, 10, &options, &source).unwrap())
            .collect();
        let plain_recall = recall::<f32, Cosine>(&truth, DIMS, &queries, &plain, 10);
        let sq_recall = recall::<f32, Cosine>(&truth, DIMS, &queries, &reranked, 10);
        assert!(
            sq_recall >= plain_recall - 0.02,
            "probes={probes}: SQ8 {sq_recall} vs {plain_recall}"
        );
    }
}

#[test]
fn flat_index_is_exact_with_and_without_quantization() {
    let data = uniform_rows(10, 5_000, 16);
    let ids = ids(5_000);
    let source = DenseRows {
        data: &data,
        stride: 16,
    };
    let plain = FlatIndex::<f32, L2>::build(Rows::new(16, &ids, &data).unwrap(), None).unwrap();
    let quantized = QuantizedOptions::default();
    let sq =
        FlatIndex::<f32, L2>::build(Rows::new(16, &ids, &data).unwrap(), Some(&quantized)).unwrap();
    assert!(sq.memory_bytes() < plain.memory_bytes() / 2);
    let queries: Vec<Vec<f32>> = uniform_rows(11, 20, 16)
        .chunks(16)
        .map(|q| q.to_vec())
        .collect();
    let exact: Vec<_> = queries
        .iter()
        .map(|q| plain.search(q, 10, 0, &source).unwrap())
        .collect();
    let approximate: Vec<_> = queries
        .iter()
        .map(|q| sq.search(q, 10, 50, &source).unwrap())
        .collect();
    assert_eq!(recall::<f32, L2>(&data, 16, &queries, &exact, 10), 1.0);
    assert!(recall::<f32, L2>(&data, 16, &queries, &approximate, 10) >= 0.98);
}

#[test]
fn quantized_writes_and_errors() {
    let data = uniform_rows(12, 2_000, 8);
    let ids = ids(2_000);
    let options = BuildOptions {
        lists: 5,
        ..Default::default()
    };
    let mut sq = QuantizedIvf::<f32, L2>::build(
        Rows::new(8, &ids, &data).unwrap(),
        &options,
        &QuantizedOptions::default(),
    )
    .unwrap()
    .index;
    let source = DenseRows {
        data: &data,
        stride: 8,
    };
    let all = QuantizedSearchOptions {
        search: SearchOptions {
            probes: 5,
            ..Default::default()
        },
        rerank: 20,
    };
    assert_eq!(sq.search(&data[..8], 1, &all, &source).unwrap()[0].id, 0);
    sq.delete(0);
    assert_ne!(sq.search(&data[..8], 1, &all, &source).unwrap()[0].id, 0);
    assert_eq!(sq.vacuum(), 1);
    assert!(sq.insert(0, &data[..8]).unwrap());
    assert_eq!(sq.len(), 2_000);
    assert_eq!(sq.search(&data[..8], 1, &all, &source).unwrap()[0].id, 0);
    let error = sq.search(&data[..4], 1, &all, &source).unwrap_err();
    assert_eq!(
        error,
        IvfError::DimensionMismatch {
            expected: 8,
            received: 4
        }
    );

    let bits = [0u8; 16];
    let bit_ids = [1, 2];
    let refused = QuantizedIvf::<u8, vec_ivf::Hamming>::build(
        Rows::new(64, &bit_ids, &bits).unwrap(),
        &BuildOptions {
            lists: 1,
            ..Default::default()
        },
        &QuantizedOptions::default(),
    );
    assert!(matches!(refused, Err(IvfError::Unsupported { .. })));
}
