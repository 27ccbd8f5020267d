//! The process-kill crash harness. The parent test re-runs this test binary as a child
//! (selected by `VECSH_CRASH_CHILD_DIR`) that performs random inserts, updates and deletes in
//! transactions, with checkpoints now and then, and prints `PENDING <ops>` before each commit
//! and `ACK` after the commit returned. The parent kills it with SIGKILL at a random moment,
//! reopens the database and checks that:
//!
//! - every page on disk verifies its checksum;
//! - every acknowledged commit is present with its exact bytes;
//! - the transaction in flight at the kill is either wholly present or wholly absent.
//!
//! `cargo test` runs 24 kill points; `VECSH_CRASH_ITERATIONS=500` runs the long mode.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::ops::ControlFlow;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use vec_storage::{RowId, Store, StoreOptions};

use crate::common::{open_with_heap, row_bytes, row_key, Rng, HEAP};

const CHILD_DIR: &str = "VECSH_CRASH_CHILD_DIR";
const CHILD_SEED: &str = "VECSH_CRASH_CHILD_SEED";

fn crash_options() -> StoreOptions {
    StoreOptions {
        buffer_pool_bytes: 24 * 8192,
        wal_segment_size: 64 << 10,
        ..StoreOptions::default()
    }
}

/// key → (row id, version, length)
type Model = BTreeMap<u32, (RowId, u32, usize)>;

#[derive(Debug, Clone, PartialEq)]
enum Op {
    Put {
        key: u32,
        version: u32,
        len: usize,
        row: RowId,
    },
    Delete {
        key: u32,
    },
}

fn format_ops(ops: &[Op]) -> String {
    let parts: Vec<String> = ops
        .iter()
        .map(|op| match op {
            Op::Put {
                key,
                version,
                len,
                row,
            } => format!("P:{key}:{version}:{len}:{}", row.0),
            Op::Delete { key } => format!("D:{key}"),
        })
        .collect();
    parts.join(" ")
}

fn parse_ops(text: &str) -> Vec<Op> {
    text.split_whitespace()
        .map(|part| {
            let fields: Vec<&str> = part.split(':').collect();
            match fields[0] {
                "P" => Op::Put {
                    key: fields[1].parse().unwrap(),
                    version: fields[2].parse().unwrap(),
                    len: fields[3].parse().unwrap(),
                    row: RowId(fields[4].parse().unwrap()),
                },
                _ => Op::Delete {
                    key: fields[1].parse().unwrap(),
                },
            }
        })
        .collect()
}

fn apply(model: &mut Model, ops: &[Op]) {
    for op in ops {
        match *op {
            Op::Put {
                key,
                version,
                len,
                row,
            } => {
                model.insert(key, (row, version, len));
            }
            Op::Delete { key } => {
                model.remove(&key);
            }
        }
    }
}

fn read_state(store: &Store) -> Model {
    let mut state = Model::new();
    store
        .scan(HEAP, &store.snapshot(), |row, bytes| {
            let (key, version) = row_key(bytes);
            assert_eq!(
                bytes,
                &row_bytes(key, version, bytes.len())[..],
                "row {row} holds bytes that were never written"
            );
            assert!(
                state.insert(key, (row, version, bytes.len())).is_none(),
                "key {key} twice"
            );
            ControlFlow::Continue(())
        })
        .unwrap();
    state
}

/// The child role: runs until killed. A no-op in a normal test run.
#[test]
fn crash_child() {
    let Ok(dir) = std::env::var(CHILD_DIR) else {
        return;
    };
    let seed: u64 = std::env::var(CHILD_SEED).unwrap().parse().unwrap();
    let store = open_with_heap(Path::new(&dir), crash_options());
    let mut model = read_state(&store);
    let mut rng = Rng(seed);
    let mut next_key = (seed as u32 & 0xffff) << 16;
    let stdout = std::io::stdout();
    for _ in 0..100_000 {
        let mut txn = store.begin();
        let mut ops = Vec::new();
        let mut pending = model.clone();
        for _ in 0..1 + rng.below(5) {
            let choice = rng.below(10);
            let existing = if pending.is_empty() {
                None
            } else {
                pending
                    .keys()
                    .nth(rng.below(pending.len() as u64) as usize)
                    .copied()
            };
            match (choice, existing) {
                (0..=4, _) | (_, None) => {
                    next_key += 1;
                    let len = rng.row_len().max(8);
                    let row = txn.insert(HEAP, &row_bytes(next_key, 0, len)).unwrap();
                    ops.push(Op::Put {
                        key: next_key,
                        version: 0,
                        len,
                        row,
                    });
                }
                (5..=7, Some(key)) => {
                    let (row, version, _) = pending[&key];
                    let len = rng.row_len().max(8);
                    txn.overwrite(HEAP, row, &row_bytes(key, version + 1, len))
                        .unwrap();
                    ops.push(Op::Put {
                        key,
                        version: version + 1,
                        len,
                        row,
                    });
                }
                (_, Some(key)) => {
                    txn.delete(HEAP, pending[&key].0).unwrap();
                    ops.push(Op::Delete { key });
                }
            }
            apply(&mut pending, &ops[ops.len() - 1..]);
        }
        writeln!(stdout.lock(), "PENDING {}", format_ops(&ops)).unwrap();
        txn.commit().unwrap();
        writeln!(stdout.lock(), "ACK").unwrap();
        model = pending;
        if rng.below(8) == 0 {
            store.checkpoint().unwrap();
        }
    }
}

fn run_child(dir: &Path, seed: u64, rng: &mut Rng) -> (Vec<Vec<Op>>, Option<Vec<Op>>) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "crash::crash_child",
            "--exact",
            "--nocapture",
            "--test-threads=1",
            "--quiet",
        ])
        .env(CHILD_DIR, dir)
        .env(CHILD_SEED, seed.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let wanted_acks = rng.below(10);
    let mut acked = Vec::new();
    let mut pending: Option<Vec<Op>> = None;
    let mut handle = |line: String, acked: &mut Vec<Vec<Op>>| {
        if let Some(ops) = line.strip_prefix("PENDING ") {
            pending = Some(parse_ops(ops));
        } else if line == "ACK" {
            acked.push(pending.take().expect("ACK without PENDING"));
        }
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while (acked.len() as u64) < wanted_acks {
        assert!(Instant::now() < deadline, "child made no progress");
        match lines.next() {
            Some(line) => handle(line.unwrap(), &mut acked),
            None => break,
        }
    }
    std::thread::sleep(Duration::from_micros(rng.below(5000)));
    child.kill().unwrap();
    let status = child.wait().unwrap();
    // Lines the child printed before it died are still in the pipe.
    for line in lines {
        handle(line.unwrap(), &mut acked);
    }
    if status.code().is_some() {
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
        panic!("child exited by itself ({status}) instead of being killed:\n{stderr}");
    }
    (acked, pending)
}

#[test]
fn crash_harness() {
    let iterations: u64 = std::env::var("VECSH_CRASH_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24);
    let seed: u64 = std::env::var("VECSH_CRASH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_260_101);
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng(seed);
    let mut model = Model::new();
    let mut total_acks = 0;
    let mut in_flight_survived = 0;
    for iteration in 0..iterations {
        let child_seed = (seed.wrapping_mul(31) ^ iteration) & 0xffff_ffff;
        let child_seed = (child_seed & !0xffff) | (iteration & 0xffff);
        let (acked, pending) = run_child(dir.path(), child_seed, &mut rng);
        total_acks += acked.len();
        for ops in &acked {
            apply(&mut model, ops);
        }
        let store = Store::open(dir.path(), crash_options()).unwrap();
        let pages = store
            .verify_pages()
            .unwrap_or_else(|e| panic!("iteration {iteration}: {e}"));
        assert!(pages > 0 || model.is_empty());
        let state = read_state(&store);
        if state != model {
            let mut with_pending = model.clone();
            let pending = pending.unwrap_or_else(|| {
                panic!("iteration {iteration}: state differs from the acknowledged commits")
            });
            apply(&mut with_pending, &pending);
            assert!(
                state == with_pending,
                "iteration {iteration}: state is neither the acknowledged commits nor them plus \
                 the transaction in flight (partial transaction visible or commit lost)"
            );
            model = with_pending;
            in_flight_survived += 1;
        }
        drop(store);
    }
    eprintln!(
        "crash harness: {iterations} kill points, {total_acks} acknowledged commits, \
         {in_flight_survived} in-flight commits found durable, {} rows at the end",
        model.len()
    );
}
