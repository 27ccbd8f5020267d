//! Quantized snapshots (SQ8 and PQ): a round trip gives back the same index and answers, and
//! damaged, truncated or mismatched files are errors, never panics.

use vec_ivf::{
    BuildOptions, Cosine, DenseRows, IvfError, IvfIndex, ProductRatio, Quantization, QuantizedIvf,
    QuantizedOptions, QuantizedSearchOptions, Rows, SearchOptions, L2,
};

use crate::common::{ids, uniform_rows};

const DIMS: usize = 30;

fn quantized(quantization: Quantization) -> (QuantizedIvf<f32, Cosine>, Vec<f32>) {
    let data = uniform_rows(40, 2_000, DIMS);
    let ids = ids(2_000);
    let options = BuildOptions {
        lists: 8,
        ..Default::default()
    };
    let rows = Rows::new(DIMS, &ids, &data).unwrap();
    let plain = IvfIndex::<f32, Cosine>::build(rows, &options)
        .unwrap()
        .index;
    let options = QuantizedOptions {
        quantization,
        sample_rows: 1_000,
        threads: 2,
    };
    (QuantizedIvf::from_index(&plain, &options, 1).unwrap(), data)
}

#[test]
fn quantized_round_trip_answers_the_same() {
    let dir = tempfile::tempdir().unwrap();
    for quantization in [
        Quantization::Scalar,
        Quantization::Product {
            ratio: ProductRatio::X8,
        },
        Quantization::Product {
            ratio: ProductRatio::X64,
        },
    ] {
        let (mut index, data) = quantized(quantization);
        index.delete(3);
        let path = dir.path().join("items.ivfq");
        index.save(&path).unwrap();
        let mut opened = QuantizedIvf::<f32, Cosine>::open(&path).unwrap();
        assert!(opened == index, "{quantization:?}");
        let source = DenseRows {
            data: &data,
            stride: DIMS,
        };
        let options = QuantizedSearchOptions {
            search: SearchOptions {
                probes: 3,
                ..Default::default()
            },
            rerank: 0,
        };
        for query in data.chunks(DIMS).step_by(250) {
            assert_eq!(
                index.search(query, 10, &options, &source).unwrap(),
                opened.search(query, 10, &options, &source).unwrap()
            );
        }
        assert!(opened.insert(5_000, &data[..DIMS]).unwrap());
        assert_eq!(opened.vacuum(), 1);
        assert_eq!(opened.len(), 2_000);
    }
}

#[test]
fn damaged_quantized_files_are_errors() {
    let (index, _) = quantized(Quantization::Product {
        ratio: ProductRatio::X16,
    });
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("items.ivfq");
    index.save(&path).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let open_bytes = |name: &str, contents: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, contents).unwrap();
        QuantizedIvf::<f32, Cosine>::open(&path)
    };

    let error = open_bytes("truncated", &bytes[..bytes.len() - 7]).unwrap_err();
    assert!(error.to_string().contains("truncated"), "{error}");
    // Every byte of the header, the directory and the quantizer, and some of the lists.
    for position in (0..400).chain((400..bytes.len()).step_by(997)) {
        let mut flipped = bytes.clone();
        flipped[position] ^= 0x10;
        let result = open_bytes("flipped", &flipped);
        assert!(
            matches!(result, Err(IvfError::Corrupted { .. })),
            "byte {position}"
        );
    }
    let mut flipped = bytes.clone();
    flipped[bytes.len() / 2] ^= 1;
    let error = open_bytes("flipped", &flipped).unwrap_err();
    assert!(error.to_string().contains("checksum mismatch"), "{error}");

    let error = QuantizedIvf::<f32, L2>::open(&path).unwrap_err();
    assert!(error.to_string().contains("element type or metric differs"));
    let ivfflat = dir.path().join("items.ivf");
    let data = uniform_rows(41, 100, DIMS);
    let ids = ids(100);
    let options = BuildOptions {
        lists: 2,
        ..Default::default()
    };
    IvfIndex::<f32, Cosine>::build(Rows::new(DIMS, &ids, &data).unwrap(), &options)
        .unwrap()
        .index
        .save(&ivfflat)
        .unwrap();
    let error = QuantizedIvf::<f32, Cosine>::open(&ivfflat).unwrap_err();
    assert!(error.to_string().contains("not a quantized ivf snapshot"));
    assert!(matches!(
        QuantizedIvf::<f32, Cosine>::open(&dir.path().join("missing")),
        Err(IvfError::Io { .. })
    ));
}
