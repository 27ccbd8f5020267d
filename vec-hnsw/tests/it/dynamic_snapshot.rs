//! Snapshots through the trait: `write_snapshot` then `open` gives the same scan results
//! (rows and distances) for several metrics, and missing, truncated, damaged or
//! other-metric files are `XX001` errors, never panics.

use vec_hnsw::{build, open, Cosine, Hamming, HnswOptions, L2};
use vec_index::testing::{as_refs, random_rows};
use vec_index::{BuildHooks, Hit, IterativeScan, VectorIndex, VectorRef};

use crate::dynamic::{l2_index, options};

fn save(index: &dyn VectorIndex, path: &std::path::Path) {
    let mut file = std::fs::File::create(path).unwrap();
    index.write_snapshot(&mut file).unwrap();
}

fn scan(index: &dyn VectorIndex, query: VectorRef<'_>) -> Vec<Hit> {
    let options = options(40, IterativeScan::StrictOrder);
    index
        .scan(query, &options, None)
        .unwrap()
        .take(60)
        .collect()
}

#[test]
fn round_trip_gives_the_same_scans() {
    let dir = tempfile::tempdir().unwrap();
    let rows = random_rows(21, 1500, 8);
    let mut index = l2_index(&rows);
    index.delete(3);
    let path = dir.path().join("l2.hnsw");
    save(index.as_ref(), &path);
    let opened = open::<L2<f32>>(&path).unwrap();
    assert_eq!((opened.len(), opened.dimensions()), (1499, 8));
    for (_, query) in random_rows(22, 5, 8) {
        let query = VectorRef::F32(&query);
        assert_eq!(scan(opened.as_ref(), query), scan(index.as_ref(), query));
    }

    let refs = as_refs(&rows);
    let cosine = build::<Cosine<f32>>(8, HnswOptions::default(), &refs, &BuildHooks::none())
        .unwrap()
        .index;
    let path = dir.path().join("cosine.hnsw");
    save(cosine.as_ref(), &path);
    let opened = open::<Cosine<f32>>(&path).unwrap();
    let query = VectorRef::F32(&rows[9].1);
    assert_eq!(scan(opened.as_ref(), query), scan(cosine.as_ref(), query));

    let bytes: Vec<[u8; 2]> = (0..300u16)
        .map(|i| i.wrapping_mul(40_503).to_le_bytes())
        .collect();
    let bits: Vec<_> = bytes
        .iter()
        .enumerate()
        .map(|(i, b)| {
            (
                i as u64,
                VectorRef::Bits {
                    bytes: b,
                    dimensions: 16,
                },
            )
        })
        .collect();
    let hamming = build::<Hamming>(16, HnswOptions::default(), &bits, &BuildHooks::none())
        .unwrap()
        .index;
    let path = dir.path().join("bits.hnsw");
    save(hamming.as_ref(), &path);
    let opened = open::<Hamming>(&path).unwrap();
    assert_eq!(
        scan(opened.as_ref(), bits[5].1),
        scan(hamming.as_ref(), bits[5].1)
    );
}

#[test]
fn damaged_snapshots_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let rows = random_rows(23, 300, 4);
    let index = l2_index(&rows);
    let path = dir.path().join("index.hnsw");
    save(index.as_ref(), &path);
    let bytes = std::fs::read(&path).unwrap();
    let corrupt = |result: Result<Box<dyn VectorIndex>, vec_index::IndexError>| {
        assert_eq!(result.err().expect("an error").sqlstate, "XX001");
    };
    corrupt(open::<Cosine<f32>>(&path));
    corrupt(open::<L2<f32>>(&dir.path().join("missing")));
    let damaged = dir.path().join("damaged.hnsw");
    for len in (0..bytes.len()).step_by(61) {
        std::fs::write(&damaged, &bytes[..len]).unwrap();
        corrupt(open::<L2<f32>>(&damaged));
    }
    // The header and tables are checked; a flip in the large sections may open, and the
    // index must then still answer without panicking.
    for at in (0..bytes.len()).step_by(37) {
        let mut flipped = bytes.clone();
        flipped[at] ^= 0x5a;
        std::fs::write(&damaged, &flipped).unwrap();
        if at < 64 {
            corrupt(open::<L2<f32>>(&damaged));
        } else if let Ok(mut opened) = open::<L2<f32>>(&damaged) {
            let _ = scan(opened.as_ref(), VectorRef::F32(&[0.5; 4]));
            opened.insert(10_000, VectorRef::F32(&[0.1; 4])).unwrap();
        }
    }
}
