//! Product quantization: recall@10 after re-ranking within 0.02 of IVFFlat at equal probes
//! (x4, x8) on clustered data, exactness with full re-ranking and lower bounds for the harder
//! ratios (x16..x64), code sizes per ratio, dimensions that the subvector size does not divide,
//! every metric, writes, determinism and option errors.

use vec_ivf::{
    BuildOptions, Cosine, DenseRows, Element, FlatIndex, InnerProduct, IvfError, IvfIndex, Metric,
    Neighbor, ProductRatio, Quantization, QuantizedIvf, QuantizedOptions, QuantizedSearchOptions,
    Rows, SearchOptions, L2,
};

use crate::common::{ids, normalized, recall, uniform_rows, TestRng};

/// `n` rows of `dims` values around `clusters` random centers (spread 0.05 per dimension).
fn clustered_rows(seed: u64, n: usize, dims: usize, clusters: usize) -> Vec<f32> {
    let centers = uniform_rows(seed, clusters, dims);
    let mut rng = TestRng::new(seed + 1);
    let mut rows = Vec::with_capacity(n * dims);
    for _ in 0..n {
        let cluster = (rng.next_u64() % clusters as u64) as usize;
        for dim in 0..dims {
            rows.push(centers[cluster * dims + dim] + 0.1 * (rng.next_f32() - 0.5));
        }
    }
    rows
}

fn product(ratio: ProductRatio, sample_rows: usize) -> QuantizedOptions {
    QuantizedOptions {
        quantization: Quantization::Product { ratio },
        sample_rows,
        threads: 2,
    }
}

fn search_all<E: Element, M: Metric<E>>(
    index: &QuantizedIvf<E, M>,
    queries: &[Vec<E>],
    options: &QuantizedSearchOptions,
    source: &DenseRows<'_, E>,
) -> Vec<Vec<Neighbor>> {
    queries
        .iter()
        .map(|q| index.search(q, 10, options, source).unwrap())
        .collect()
}

const DIMS: usize = 32;
const N_ROWS: usize = 10_000;
/// Candidates re-ranked with exact distances in the recall comparison.
const RERANK: usize = 50;

#[test]
fn product_recall_matches_ivfflat_after_rerank() {
    let data = clustered_rows(20, N_ROWS, DIMS, 100);
    let ids = ids(N_ROWS);
    let options = BuildOptions {
        lists: 20,
        seed: 3,
        ..Default::default()
    };
    let rows = Rows::new(DIMS, &ids, &data).unwrap();
    let plain = IvfIndex::<f32, L2>::build(rows, &options).unwrap().index;
    let source = DenseRows {
        data: &data,
        stride: DIMS,
    };
    let queries: Vec<Vec<f32>> = clustered_rows(21, 30, DIMS, 100)
        .chunks(DIMS)
        .map(|q| q.to_vec())
        .collect();
    for ratio in [ProductRatio::X4, ProductRatio::X8] {
        let pq = QuantizedIvf::from_index(&plain, &product(ratio, 4_000), 3).unwrap();
        for probes in [1, 3, 20] {
            let search = SearchOptions {
                probes,
                ..Default::default()
            };
            let exact: Vec<_> = queries
                .iter()
                .map(|q| plain.search(q, 10, &search).unwrap())
                .collect();
            let rerank = QuantizedSearchOptions {
                search,
                rerank: RERANK,
            };
            let found = search_all(&pq, &queries, &rerank, &source);
            let plain_recall = recall::<f32, L2>(&data, DIMS, &queries, &exact, 10);
            let pq_recall = recall::<f32, L2>(&data, DIMS, &queries, &found, 10);
            assert!(
                pq_recall >= plain_recall - 0.02,
                "{ratio} probes={probes}: PQ {pq_recall} vs IVFFlat {plain_recall}"
            );
        }
    }
}

#[test]
fn harder_ratios_have_recall_floors_and_full_rerank_is_exact() {
    let data = clustered_rows(22, 4_000, DIMS, 40);
    let ids = ids(4_000);
    let source = DenseRows {
        data: &data,
        stride: DIMS,
    };
    let queries: Vec<Vec<f32>> = clustered_rows(23, 20, DIMS, 40)
        .chunks(DIMS)
        .map(|q| q.to_vec())
        .collect();
    for (ratio, floor) in [
        (ProductRatio::X16, 0.85),
        (ProductRatio::X32, 0.7),
        (ProductRatio::X64, 0.6),
    ] {
        let rows = Rows::new(DIMS, &ids, &data).unwrap();
        let flat = FlatIndex::<f32, L2>::build(rows, Some(&product(ratio, 2_000))).unwrap();
        let found = |rerank: usize| -> Vec<Vec<Neighbor>> {
            queries
                .iter()
                .map(|q| flat.search(q, 10, rerank, &source).unwrap())
                .collect()
        };
        let all = recall::<f32, L2>(&data, DIMS, &queries, &found(4_000), 10);
        assert_eq!(all, 1.0, "{ratio}: re-ranking every row is exact");
        let some = recall::<f32, L2>(&data, DIMS, &queries, &found(RERANK), 10);
        assert!(some >= floor, "{ratio}: recall {some} below {floor}");
    }
}

#[test]
fn codes_take_one_byte_per_subvector() {
    // 30 dimensions: 2, 4, 8 and 16 do not divide it, so the last subvector is padded.
    let dims = 30;
    let data = uniform_rows(24, 600, dims);
    let ids = ids(600);
    let options = BuildOptions {
        lists: 2,
        ..Default::default()
    };
    let plain = IvfIndex::<f32, L2>::build(Rows::new(dims, &ids, &data).unwrap(), &options)
        .unwrap()
        .index;
    for (ratio, expected) in [
        (ProductRatio::X4, 30),
        (ProductRatio::X8, 15),
        (ProductRatio::X16, 8),
        (ProductRatio::X32, 4),
        (ProductRatio::X64, 2),
    ] {
        assert_eq!(ratio.code_bytes(dims), expected);
        let pq = QuantizedIvf::from_index(&plain, &product(ratio, 600), 0).unwrap();
        assert_eq!(pq.code_bytes_per_row(), expected, "{ratio}");
        assert_eq!(pq.quantization(), Quantization::Product { ratio });
        let codebooks = expected * ratio.subvector_dimensions() * 256 * 4;
        let centers = 2 * dims * 4;
        assert_eq!(
            pq.memory_bytes(),
            centers + 600 * (8 + expected) + codebooks,
            "{ratio}"
        );
    }
}

/// Flat PQ over 30-d rows (x16: the last subvector holds 2 dimensions): a full re-rank is
/// exact, and the approximate order alone finds most of the top 10.
fn check_metric<M: Metric<f32>>(data: &[f32], truth: &[f32], queries: &[Vec<f32>]) {
    let dims = 30;
    let n_rows = data.len() / dims;
    let ids = ids(n_rows);
    let rows = Rows::new(dims, &ids, data).unwrap();
    let flat = FlatIndex::<f32, M>::build(rows, Some(&product(ProductRatio::X16, 2_000))).unwrap();
    let source = DenseRows { data, stride: dims };
    let found = |rerank: usize| -> Vec<Vec<Neighbor>> {
        queries
            .iter()
            .map(|q| flat.search(q, 10, rerank, &source).unwrap())
            .collect()
    };
    let kind = M::default();
    assert_eq!(
        recall::<f32, M>(truth, dims, queries, &found(n_rows), 10),
        1.0,
        "{kind:?}"
    );
    let approximate = recall::<f32, M>(truth, dims, queries, &found(0), 10);
    assert!(approximate >= 0.5, "{kind:?}: {approximate}");
}

#[test]
fn every_metric_with_a_padded_last_subvector() {
    let dims = 30;
    let data = clustered_rows(25, 2_000, dims, 20);
    let queries: Vec<Vec<f32>> = clustered_rows(26, 20, dims, 20)
        .chunks(dims)
        .map(|q| q.to_vec())
        .collect();
    check_metric::<L2>(&data, &data, &queries);
    check_metric::<InnerProduct>(&data, &data, &queries);
    let unit: Vec<f32> = data.chunks(dims).flat_map(normalized).collect();
    let unit_queries: Vec<Vec<f32>> = queries.iter().map(|q| normalized(q)).collect();
    check_metric::<Cosine>(&data, &unit, &unit_queries);
}

#[test]
fn product_writes_determinism_and_errors() {
    let data = clustered_rows(27, 2_000, 16, 10);
    let ids = ids(2_000);
    let options = BuildOptions {
        lists: 4,
        seed: 9,
        ..Default::default()
    };
    let build = |quantized: &QuantizedOptions| {
        QuantizedIvf::<f32, Cosine>::build(Rows::new(16, &ids, &data).unwrap(), &options, quantized)
    };
    let mut pq = build(&product(ProductRatio::X8, 1_000)).unwrap().index;
    let one_thread = QuantizedOptions {
        threads: 1,
        ..product(ProductRatio::X8, 1_000)
    };
    assert!(
        pq == build(&one_thread).unwrap().index,
        "same seed, same index"
    );

    let source = DenseRows {
        data: &data,
        stride: 16,
    };
    let all = QuantizedSearchOptions {
        search: SearchOptions {
            probes: 4,
            ..Default::default()
        },
        rerank: 20,
    };
    let row = &data[16 * 7..16 * 8];
    assert_eq!(pq.search(row, 1, &all, &source).unwrap()[0].id, 7);
    pq.delete(7);
    assert_ne!(pq.search(row, 1, &all, &source).unwrap()[0].id, 7);
    assert_eq!(pq.vacuum(), 1);
    assert!(pq.insert(7, row).unwrap());
    assert!(
        !pq.insert(8, &[0.0; 16]).unwrap(),
        "a zero row has no direction"
    );
    assert_eq!(pq.len(), 2_000);
    assert_eq!(pq.search(row, 1, &all, &source).unwrap()[0].id, 7);

    let error = build(&product(ProductRatio::X8, 0)).err().unwrap();
    assert_eq!(
        error.to_string(),
        "value 0 out of bounds for option \"sample\""
    );
    assert_eq!(
        error.detail().unwrap(),
        "Valid values are between \"1\" and \"1000000\"."
    );
    let error = "x128".parse::<ProductRatio>().unwrap_err();
    assert!(matches!(error, IvfError::InvalidOption { .. }));
    assert_eq!(
        error.to_string(),
        "invalid value for option \"quantization.product.ratio\": \"x128\" is not one of x4, x8, \
         x16, x32, x64"
    );
    let bits = [0u8; 16];
    let refused = QuantizedIvf::<u8, vec_ivf::Hamming>::build(
        Rows::new(64, &[1, 2], &bits).unwrap(),
        &BuildOptions {
            lists: 1,
            ..Default::default()
        },
        &product(ProductRatio::X4, 10),
    );
    assert_eq!(
        refused.err().unwrap().to_string(),
        "quantization of bit vectors is not supported"
    );
}
