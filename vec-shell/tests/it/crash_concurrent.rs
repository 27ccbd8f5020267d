//! Crash safety with concurrent sessions: the test binary re-runs itself as a child
//! (selected by `VECSH_CONCURRENT_CHILD_DIR`) in which four threads, each with its own
//! session on one database, insert numbered rows one statement at a time (some inside
//! `BEGIN … COMMIT` blocks) and print `ACK thread n` after each commit. The parent kills
//! the child with SIGKILL after a random delay, reopens the database and checks that
//! every acknowledged row is there with its exact value, and that each thread's rows are
//! a prefix of what it sent (at most its one statement in flight beyond the
//! acknowledgements).
//!
//! Three kills by default; `VECSH_CONCURRENT_CRASH_ITERATIONS=30` runs thirty.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

use vec_shell::{Database, Datum};

const THREADS: u64 = 4;
const CHILD: &str = "VECSH_CONCURRENT_CHILD_DIR";

fn value(thread: u64, n: u64) -> String {
    format!("thread {thread} row {n} {}", "x".repeat((n % 97) as usize))
}

/// The child: writes until killed.
fn child(dir: &str) {
    let database = Database::open(dir).unwrap();
    database
        .session()
        .execute("CREATE TABLE IF NOT EXISTS w (thread int, n int, note text)")
        .unwrap();
    let start: Vec<u64> = (0..THREADS)
        .map(|thread| {
            let mut session = database.session();
            let results = session
                .execute(&format!("SELECT count(*) FROM w WHERE thread = {thread}"))
                .unwrap();
            match results[0].rows.as_ref().unwrap().rows[0][0] {
                Datum::Int8(n) => n as u64,
                _ => 0,
            }
        })
        .collect();
    println!("READY");
    std::thread::scope(|scope| {
        for thread in 0..THREADS {
            let database = database.clone();
            let first = start[thread as usize];
            scope.spawn(move || {
                let mut session = database.session();
                let mut n = first;
                loop {
                    let sql = if n % 5 == 0 {
                        format!(
                            "BEGIN; INSERT INTO w VALUES ({thread}, {n}, '{}'); INSERT INTO w VALUES ({thread}, {}, '{}'); COMMIT",
                            value(thread, n),
                            n + 1,
                            value(thread, n + 1)
                        )
                    } else {
                        format!("INSERT INTO w VALUES ({thread}, {n}, '{}')", value(thread, n))
                    };
                    session.execute(&sql).unwrap();
                    n += if n % 5 == 0 { 2 } else { 1 };
                    println!("ACK {thread} {n}");
                }
            });
        }
    });
}

#[cfg(unix)]
#[test]
fn concurrent_writers_killed_lose_no_acknowledged_row() {
    if let Ok(dir) = std::env::var(CHILD) {
        child(&dir);
        return;
    }
    let iterations: u64 = std::env::var("VECSH_CONCURRENT_CRASH_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let dir = tempfile::tempdir().unwrap();
    let mut acknowledged = vec![0u64; THREADS as usize];
    let mut state = 0x9e37_79b9u64;
    for iteration in 0..iterations {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "crash_concurrent::concurrent_writers_killed_lose_no_acknowledged_row",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD, dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            let mut acks = vec![0u64; THREADS as usize];
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let mut words = line.split(' ');
                if words.next() == Some("ACK") {
                    let thread: usize = words.next().unwrap().parse().unwrap();
                    let n: u64 = words.next().unwrap().parse().unwrap();
                    acks[thread] = acks[thread].max(n);
                }
            }
            acks
        });
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        std::thread::sleep(Duration::from_millis(300 + state % 700));
        child.kill().unwrap();
        child.wait().unwrap();
        let acks = reader.join().unwrap();
        for (total, acked) in acknowledged.iter_mut().zip(&acks) {
            *total = (*total).max(*acked);
        }
        let database = Database::open(dir.path()).unwrap();
        let mut session = database.session();
        for thread in 0..THREADS {
            let results = session
                .execute(&format!(
                    "SELECT n, note FROM w WHERE thread = {thread} ORDER BY n"
                ))
                .unwrap();
            let rows = &results[0].rows.as_ref().unwrap().rows;
            for (i, row) in rows.iter().enumerate() {
                assert_eq!(
                    row[0],
                    Datum::Int4(i as i32),
                    "iteration {iteration}, thread {thread}"
                );
                assert_eq!(row[1], Datum::Text(value(thread, i as u64)));
            }
            let acked = acknowledged[thread as usize] as usize;
            assert!(
                rows.len() >= acked && rows.len() <= acked + 2,
                "iteration {iteration}, thread {thread}: {} rows, {acked} acknowledged",
                rows.len()
            );
            acknowledged[thread as usize] = rows.len() as u64;
        }
        let _ = std::io::stdout().flush();
    }
    let total: u64 = acknowledged.iter().sum();
    eprintln!("{iterations} kills: {total} rows from {THREADS} threads survived, every acknowledged one among them");
    assert!(total > 0, "the child never committed");
}
