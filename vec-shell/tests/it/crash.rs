//! Crash safety at the SQL level: the `vecsh` binary runs a stream of statements on a
//! database directory (multi-row INSERTs of numbered batches, DELETEs of whole batches,
//! `CREATE INDEX … USING hnsw`) and is killed with SIGKILL at a random moment. After
//! each kill, a copy of the directory is opened and checked: every acknowledged
//! statement is there, the one in flight is wholly there or wholly absent, values are
//! exact, and the index scan answers as the exact scan does. The next run continues on
//! the crashed directory itself, so recovery runs in `vecsh` too.
//!
//! A few kills by default; `VECSH_SQL_CRASH_ITERATIONS=50` runs fifty.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::common::copy_dir;
use vec_shell::{Database, Datum};

/// Rows per batch.
const BATCH: u64 = 8;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The exact text of row `k` of batch `b`'s vector.
fn vector(b: u64, k: u64) -> String {
    let mut x = (b * BATCH + k + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let parts: Vec<String> = (0..6)
        .map(|_| {
            x ^= x >> 29;
            x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
            format!("{}.{}", (x >> 40) % 100, (x >> 20) % 8 + 1)
        })
        .collect();
    format!("[{}]", parts.join(","))
}

/// What the database must hold: batches inserted and not deleted, and the one
/// statement whose fate the kill left open.
#[derive(Default)]
struct Model {
    live: BTreeSet<u64>,
    next_batch: u64,
    index: bool,
}

enum Op {
    Insert(u64),
    Delete(u64),
    CreateIndex,
}

impl Model {
    fn choose(&self, rng: &mut Rng) -> Op {
        match rng.below(20) {
            0 if !self.index => Op::CreateIndex,
            1..=4 if !self.live.is_empty() => {
                let nth = rng.below(self.live.len() as u64) as usize;
                Op::Delete(*self.live.iter().nth(nth).unwrap_or(&0))
            }
            _ => Op::Insert(self.next_batch),
        }
    }

    fn apply(&mut self, op: &Op) {
        match op {
            Op::Insert(b) => {
                self.live.insert(*b);
            }
            Op::Delete(b) => {
                self.live.remove(b);
            }
            Op::CreateIndex => self.index = true,
        }
    }
}

fn sql(op: &Op) -> String {
    match op {
        Op::Insert(b) => {
            let rows: Vec<String> = (0..BATCH)
                .map(|k| format!("({b}, {k}, '{}')", vector(*b, k)))
                .collect();
            format!("INSERT INTO t (batch, k, v) VALUES {};", rows.join(", "))
        }
        Op::Delete(b) => format!("DELETE FROM t WHERE batch = {b};"),
        Op::CreateIndex => {
            "CREATE INDEX IF NOT EXISTS t_v ON t USING hnsw (v vector_l2_ops);".to_string()
        }
    }
}

/// Runs `vecsh` on `dir` until it is killed after `kill_after`; returns the statements
/// acknowledged and the one sent but not acknowledged, if any.
fn run_until_killed(
    dir: &Path,
    model: &mut Model,
    rng: &mut Rng,
    kill_after: Duration,
) -> Option<Op> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vecsh"))
        .args(["-X", "-v", "ON_ERROR_STOP=1"])
        .arg(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("vecsh starts");
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut stderr = child.stderr.take().unwrap();
    let killed = Arc::new(AtomicBool::new(false));
    let pid = child.id();
    // Most kills come while statements run (timed from the first acknowledgement),
    // some while vecsh is still opening the database.
    let during_open = rng.below(5) == 0;
    let (ready, wait_ready) = std::sync::mpsc::channel::<()>();
    let killer = {
        let killed = killed.clone();
        std::thread::spawn(move || {
            if !during_open {
                let _ = wait_ready.recv();
            }
            std::thread::sleep(kill_after);
            killed.store(true, Ordering::SeqCst);
            let _ = child.kill();
            child.wait().unwrap()
        })
    };
    let setup =
        "CREATE TABLE IF NOT EXISTS t (batch bigint NOT NULL, k bigint NOT NULL, v vector(6));";
    let mut line = String::new();
    let mut in_flight = None;
    let mut first = true;
    loop {
        let op = model.choose(rng);
        let text = if first { setup.to_string() } else { sql(&op) };
        if stdin
            .write_all(format!("{text}\n").as_bytes())
            .and_then(|()| stdin.flush())
            .is_err()
        {
            if !first {
                in_flight = Some(op);
            }
            break;
        }
        line.clear();
        match stdout.read_line(&mut line) {
            Ok(n) if n > 0 => {
                let expected = match (&op, first) {
                    (_, true) => "CREATE TABLE",
                    (Op::Insert(_), _) => "INSERT 0 8",
                    (Op::Delete(_), _) => "DELETE ",
                    (Op::CreateIndex, _) => "CREATE INDEX",
                };
                assert!(line.starts_with(expected), "vecsh {pid} said {line:?}");
                if first {
                    let _ = ready.send(());
                } else {
                    model.apply(&op);
                    if let Op::Insert(b) = op {
                        model.next_batch = b + 1;
                    }
                }
                first = false;
            }
            _ => {
                if !first {
                    in_flight = Some(op);
                }
                break;
            }
        }
    }
    drop(ready);
    let status = killer.join().unwrap();
    if !killed.load(Ordering::SeqCst) || status.code().is_some() {
        let mut errors = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr, &mut errors);
        panic!("vecsh ended before it was killed ({status}): {errors}");
    }
    in_flight
}

fn rows(database: &Database, sql: &str) -> Vec<Vec<Option<String>>> {
    let results = database.session().execute(sql).unwrap();
    let set = results.last().unwrap().rows.as_ref().unwrap();
    set.rows
        .iter()
        .map(|row| row.iter().map(Datum::to_text).collect())
        .collect()
}

/// Checks a copy of the crashed directory against the model, settling the in-flight
/// statement by what the database holds.
fn check(dir: &Path, model: &mut Model, in_flight: Option<Op>, context: &str) {
    let copy = tempfile::tempdir().unwrap();
    copy_dir(dir, copy.path());
    let database = Database::open(copy.path()).unwrap();
    let exists = database.with_catalog(|catalog| catalog.table("t").is_some());
    if !exists {
        assert!(model.live.is_empty() && model.next_batch == 0, "{context}");
        return;
    }
    let found = rows(&database, "SELECT batch, k, v FROM t ORDER BY batch, k");
    let mut batches = BTreeSet::new();
    for chunk in found.chunk_by(|a, b| a[0] == b[0]) {
        let b: u64 = chunk[0][0].as_deref().unwrap().parse().unwrap();
        batches.insert(b);
        // All or nothing, with exact values.
        assert_eq!(chunk.len() as u64, BATCH, "{context}: batch {b} is partial");
        for (k, row) in chunk.iter().enumerate() {
            assert_eq!(row[1].as_deref(), Some(k.to_string().as_str()), "{context}");
            assert_eq!(
                row[2].as_deref(),
                Some(vector(b, k as u64).as_str()),
                "{context}"
            );
        }
    }
    match in_flight {
        Some(Op::Insert(b)) => {
            if batches.contains(&b) {
                model.live.insert(b);
            }
            model.next_batch = b + 1;
        }
        Some(Op::Delete(b)) if !batches.contains(&b) => {
            model.live.remove(&b);
        }
        Some(Op::CreateIndex) => {
            model.index = database.with_catalog(|c| c.index_exists("t_v"));
        }
        _ => {}
    }
    assert_eq!(batches, model.live, "{context}: acknowledged batches");
    let has_index = database.with_catalog(|c| c.index_exists("t_v"));
    assert_eq!(has_index, model.index, "{context}: index");
    if has_index {
        for q in 0..3 {
            let query = format!(
                "SELECT batch, k FROM t ORDER BY v <-> '{}' LIMIT 10",
                vector(1_000_000 + q, 0)
            );
            let settings = "SET hnsw.ef_search = 1000;";
            let plan = rows(&database, &format!("{settings} EXPLAIN {query}"));
            assert!(
                plan.iter()
                    .any(|l| l[0].as_deref().unwrap_or("").contains("Index Scan")),
                "{context}: {plan:?}"
            );
            let by_index = rows(&database, &format!("{settings} {query}"));
            let exact = rows(
                &database,
                &format!("{settings} SET enable_indexscan = off; {query}"),
            );
            assert_eq!(by_index, exact, "{context}: index scan");
        }
    }
}

#[test]
fn killed_vecsh_keeps_every_acknowledged_statement() {
    let iterations: u64 = std::env::var("VECSH_SQL_CRASH_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let seed: u64 = std::env::var("VECSH_SQL_CRASH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5eed_c0de_1234_5678);
    let dir = tempfile::tempdir().unwrap();
    let mut model = Model::default();
    let mut rng = Rng(seed | 1);
    for iteration in 0..iterations {
        let kill_after = Duration::from_millis(rng.below(300));
        let in_flight = run_until_killed(dir.path(), &mut model, &mut rng, kill_after);
        let context = format!("seed {seed}, iteration {iteration}");
        let open = in_flight.is_some();
        check(dir.path(), &mut model, in_flight, &context);
        eprintln!(
            "{context}: killed after {kill_after:?}, {} live batches of {}, index {}, statement in flight {open}",
            model.live.len(),
            model.next_batch,
            model.index
        );
    }
}
