//! Snapshot round trips through a memory map, and damaged files rejected with errors.

use vec_ivf::{BuildOptions, Cosine, IvfError, IvfIndex, Rows, SearchOptions, L2};

use crate::common::{ids, uniform_rows};

fn index() -> (IvfIndex<f32, Cosine>, Vec<f32>) {
    let data = uniform_rows(6, 3_000, 16);
    let ids = ids(3_000);
    let options = BuildOptions {
        lists: 12,
        ..Default::default()
    };
    let index = IvfIndex::<f32, Cosine>::build(Rows::new(16, &ids, &data).unwrap(), &options)
        .unwrap()
        .index;
    (index, data)
}

#[test]
fn round_trip_answers_the_same() {
    let (mut index, data) = index();
    index.delete(5);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("items.ivf");
    index.save(&path).unwrap();
    let mut opened = IvfIndex::<f32, Cosine>::open(&path).unwrap();
    assert_eq!(opened.list_sizes(), index.list_sizes());
    let options = SearchOptions {
        probes: 3,
        ..Default::default()
    };
    for query in data.chunks(16).step_by(300) {
        assert_eq!(
            index.search(query, 10, &options).unwrap(),
            opened.search(query, 10, &options).unwrap()
        );
    }
    // Writes copy the touched list out of the map; the rest stays mapped.
    opened.insert(10_000, &data[..16]).unwrap();
    assert_eq!(opened.vacuum(), 1);
    assert_eq!(opened.len(), 3_000);
    let found = opened.search(&data[..16], 2, &options).unwrap();
    assert!(found.iter().any(|n| n.id == 10_000));
}

#[test]
fn damaged_files_are_errors() {
    let (index, _) = index();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("items.ivf");
    index.save(&path).unwrap();
    let bytes = std::fs::read(&path).unwrap();

    let truncated = dir.path().join("truncated.ivf");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    assert!(matches!(
        IvfIndex::<f32, Cosine>::open(&truncated),
        Err(IvfError::Corrupted { .. })
    ));

    let mut flipped = bytes.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x10;
    let flipped_path = dir.path().join("flipped.ivf");
    std::fs::write(&flipped_path, &flipped).unwrap();
    let error = IvfIndex::<f32, Cosine>::open(&flipped_path).unwrap_err();
    assert!(error.to_string().contains("checksum mismatch"), "{error}");

    let empty = dir.path().join("empty.ivf");
    std::fs::write(&empty, b"").unwrap();
    assert!(matches!(
        IvfIndex::<f32, Cosine>::open(&empty),
        Err(IvfError::Corrupted { .. })
    ));
    assert!(matches!(
        IvfIndex::<f32, L2>::open(&path),
        Err(IvfError::Corrupted { .. })
    ));
    assert!(matches!(
        IvfIndex::<f32, L2>::open(&dir.path().join("missing")),
        Err(IvfError::Io { .. })
    ));
}

/// A calibration's recall grows with `probes` up to exact search at every list, and it
/// survives a snapshot; a stop request keeps the old one.
#[test]
fn calibration_grows_with_probes_and_is_kept() {
    let (mut index, _) = index();
    assert!(index.calibration().is_none());
    index.calibrate(2, &|| false).unwrap();
    let calibration = index.calibration().unwrap().clone();
    assert_eq!(calibration.knob, vec_index::Knob::Probes);
    assert!(calibration.points.windows(2).all(|w| w[0].knob < w[1].knob));
    assert!(calibration.points.first().unwrap().recall < 0.99);
    let last = calibration.points.last().unwrap();
    assert!(last.recall >= 0.99 && last.knob <= 12, "{calibration:?}");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("calibrated.ivf");
    index.save(&path).unwrap();
    let opened = IvfIndex::<f32, Cosine>::open(&path).unwrap();
    assert_eq!(opened.calibration(), Some(&calibration));
    assert!(matches!(
        index.calibrate(2, &|| true),
        Err(IvfError::Cancelled)
    ));
    assert_eq!(index.calibration(), Some(&calibration));
    // A damaged calibration length is refused.
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[14] = bytes[14].wrapping_add(1);
    std::fs::write(&path, &bytes).unwrap();
    assert!(IvfIndex::<f32, Cosine>::open(&path).is_err());
}
