//! Unit tests of the log: round trips across segment switches, group commit from many
//! threads, truncation of a torn tail.

use super::reader::WalReader;
use super::*;
use crate::file_io::OsBackend;

fn small_options() -> WalOptions {
    WalOptions {
        segment_size: 4096,
        ..WalOptions::default()
    }
}

fn read_all(dir: &Path, from: Lsn) -> (Vec<record::WalRecord>, Lsn) {
    let mut reader = WalReader::open(Arc::new(OsBackend), dir, from).unwrap();
    let records: Vec<_> = reader.by_ref().map(|r| r.unwrap()).collect();
    (records, reader.end())
}

#[test]
fn records_survive_reopen_across_segments() {
    let dir = tempfile::tempdir().unwrap();
    let backend: Arc<dyn StorageBackend> = Arc::new(OsBackend);
    let wal = Wal::open(backend.clone(), dir.path(), Lsn(0), small_options()).unwrap();
    let mut ends = Vec::new();
    for i in 0..100u32 {
        let payload = vec![i as u8; 100 + i as usize];
        let rec = RecordRef {
            kind: 1,
            tag: i as u16,
            payload: &payload,
        };
        ends.push(wal.append(&[rec]).unwrap().end_lsn);
    }
    wal.flush_all().unwrap();
    drop(wal);
    assert!(
        segment::list_segments(&OsBackend, dir.path())
            .unwrap()
            .len()
            > 3
    );
    let (records, end) = read_all(dir.path(), Lsn(0));
    assert_eq!(records.len(), 100);
    for (i, rec) in records.iter().enumerate() {
        assert_eq!(rec.tag as usize, i);
        assert_eq!(rec.payload, vec![i as u8; 100 + i]);
    }
    assert_eq!(end, *ends.last().unwrap());
    // Replay from the middle.
    let (tail, _) = read_all(dir.path(), ends[49]);
    assert_eq!(tail.len(), 50);
    assert_eq!(tail[0].tag, 50);
}

#[test]
fn torn_tail_is_ignored_and_truncated() {
    let dir = tempfile::tempdir().unwrap();
    let backend: Arc<dyn StorageBackend> = Arc::new(OsBackend);
    let wal = Wal::open(backend.clone(), dir.path(), Lsn(0), WalOptions::default()).unwrap();
    let first = wal
        .append(&[RecordRef {
            kind: 1,
            tag: 0,
            payload: b"first",
        }])
        .unwrap();
    wal.append(&[RecordRef {
        kind: 1,
        tag: 0,
        payload: &[7u8; 300],
    }])
    .unwrap();
    drop(wal);
    let path = segment::segment_path(dir.path(), 0);
    let len = std::fs::metadata(&path).unwrap().len();
    let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    file.set_len(len - 10).unwrap();
    let (records, end) = read_all(dir.path(), Lsn(0));
    assert_eq!(records.len(), 1);
    assert_eq!(end, first.end_lsn);
    let wal = Wal::open(backend, dir.path(), end, WalOptions::default()).unwrap();
    wal.append(&[RecordRef {
        kind: 2,
        tag: 0,
        payload: b"after",
    }])
    .unwrap();
    drop(wal);
    let (records, _) = read_all(dir.path(), Lsn(0));
    assert_eq!(records.len(), 2);
    assert_eq!(records[1].payload, b"after");
}

#[test]
fn concurrent_committers_share_fsyncs() {
    let dir = tempfile::tempdir().unwrap();
    let backend: Arc<dyn StorageBackend> = Arc::new(OsBackend);
    let wal = Arc::new(Wal::open(backend, dir.path(), Lsn(0), small_options()).unwrap());
    let threads: Vec<_> = (0..4u16)
        .map(|t| {
            let wal = wal.clone();
            std::thread::spawn(move || {
                for i in 0..25u16 {
                    let payload = [t as u8; 40];
                    let rec = RecordRef {
                        kind: 1,
                        tag: t * 100 + i,
                        payload: &payload,
                    };
                    let end = wal.append(&[rec]).unwrap().end_lsn;
                    wal.flush(end).unwrap();
                    assert!(wal.synced_lsn() >= end);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    drop(wal);
    let (records, _) = read_all(dir.path(), Lsn(0));
    assert_eq!(records.len(), 100);
}

#[test]
fn background_writer_flushes_without_commit_wait() {
    let dir = tempfile::tempdir().unwrap();
    let options = WalOptions {
        synchronous_commit: false,
        writer_delay: Duration::from_millis(5),
        ..WalOptions::default()
    };
    let wal = Wal::open(Arc::new(OsBackend), dir.path(), Lsn(0), options).unwrap();
    let end = wal
        .append(&[RecordRef {
            kind: 1,
            tag: 0,
            payload: b"x",
        }])
        .unwrap()
        .end_lsn;
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while wal.synced_lsn() < end {
        assert!(std::time::Instant::now() < deadline, "writer never flushed");
        std::thread::sleep(Duration::from_millis(2));
    }
}

#[test]
fn a_failure_in_the_background_writer_is_reported_as_itself_once() {
    use crate::file_io::{FaultBackend, Faults};
    let dir = tempfile::tempdir().unwrap();
    let backend = Arc::new(FaultBackend::default());
    let faults = backend.faults.clone();
    let options = WalOptions {
        synchronous_commit: false,
        writer_delay: Duration::from_millis(2),
        ..WalOptions::default()
    };
    let wal = Wal::open(backend, dir.path(), Lsn(0), options).unwrap();
    Faults::set(&faults.disk_full, true);
    let record = RecordRef {
        kind: 1,
        tag: 0,
        payload: b"x",
    };
    let end = wal.append(&[record]).unwrap().end_lsn;
    // Let the background writer meet the full disk first.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while wal.shared.state.lock().poisoned.is_none() {
        assert!(
            std::time::Instant::now() < deadline,
            "the writer never wrote"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    let first = wal.flush(end).unwrap_err();
    assert!(!matches!(first, Error::Poisoned { .. }), "{first}");
    assert!(
        first.to_string().contains("No space left on device"),
        "{first}"
    );
    let second = wal.append(&[record]).unwrap_err();
    assert!(matches!(second, Error::Poisoned { .. }), "{second}");
}
