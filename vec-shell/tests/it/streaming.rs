//! Streaming execution and memory limits: `LIMIT` stops a cross join of two 100,000-row
//! tables and an endless `generate_series` at once under `ulimit -v 2000000`; sorts and
//! joins and hash aggregations past `work_mem` spill to temporary files and give the same
//! rows as in memory;
//! a result too large for the process's memory fails with `out of memory` and the
//! shell goes on.

use std::os::unix::process::CommandExt;
use std::process::{Command, Output, Stdio};

use vec_shell::Database;

use super::common::last_rows;

/// Runs `vecsh -X -A -t DB -c SQL…` with its address space limited to `limit_kb` kB
/// (`ulimit -v`).
fn vecsh_limited(db: &std::path::Path, commands: &[&str], limit_kb: u64) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_vecsh"));
    command.args(["-X", "-A", "-t"]).arg(db);
    for sql in commands {
        command.args(["-c", sql]);
    }
    command.stdin(Stdio::null());
    // SAFETY: `setrlimit` is async-signal-safe; the closure touches nothing else.
    unsafe {
        command.pre_exec(move || {
            let limit = libc::rlimit {
                rlim_cur: limit_kb * 1024,
                rlim_max: limit_kb * 1024,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    command.output().unwrap()
}

fn table_of(db: &std::path::Path, rows: u32) {
    let database = Database::open(db).unwrap();
    let mut session = database.session();
    session
        .execute(&format!(
            "CREATE TABLE b (id int, label text);
             INSERT INTO b SELECT i, 'row ' || i::text FROM generate_series(1, {rows}) i;"
        ))
        .unwrap();
}

#[test]
fn limit_stops_a_cross_join_and_an_endless_series_under_a_memory_limit() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    table_of(&db, 100_000);
    let output = vecsh_limited(
        &db,
        &[
            "SELECT x.id FROM b x, b y LIMIT 3",
            "SELECT generate_series(1, 10000000000) LIMIT 2",
            "SELECT * FROM generate_series(1, 10000000000) LIMIT 2",
            "SELECT x.id, y.id FROM b x JOIN b y ON x.id = y.id + 1 ORDER BY x.id LIMIT 2",
        ],
        2_000_000,
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{:?}: {stderr}", output.status);
    assert_eq!(stdout, "1\n1\n1\n1\n2\n1\n2\n2|1\n3|2\n", "{stderr}");
}

#[test]
fn a_result_past_the_memory_limit_is_out_of_memory_and_the_shell_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    table_of(&db, 10);
    let output = vecsh_limited(
        &db,
        &[
            "SELECT generate_series(1, 10000000000)",
            "SELECT count(*) FROM b",
        ],
        700_000,
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.code().is_some(),
        "killed: {:?}",
        output.status
    );
    assert!(
        stderr.starts_with("ERROR:  out of memory\nDETAIL:  Failed on request of size "),
        "{stderr}"
    );
    assert!(
        stderr.contains("while building the query's result."),
        "{stderr}"
    );
    assert_eq!(stdout, "10\n", "{stderr}");
}

/// The rows of `sql` with `work_mem` small enough to spill and with the default.
fn spilled_and_in_memory(
    session: &mut vec_shell::Session,
    sql: &str,
) -> (Vec<Vec<Option<String>>>, Vec<Vec<Option<String>>>) {
    session.execute("SET work_mem = '64kB'").unwrap();
    let spilled = last_rows(session, sql);
    session.execute("RESET work_mem").unwrap();
    (spilled, last_rows(session, sql))
}

#[test]
fn sorts_joins_and_groups_past_work_mem_spill_and_give_the_same_rows() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let database = Database::open(&db).unwrap();
    let mut session = database.session();
    session
        .execute(
            "CREATE TABLE a (id int, k int, pad text);
             CREATE TABLE c (id int, k int, pad text);
             INSERT INTO a SELECT i, i % 1000, repeat('a', 40) FROM generate_series(1, 20000) i;
             INSERT INTO c SELECT i, i % 1500, repeat('c', 40) FROM generate_series(1, 12000) i;
             INSERT INTO c VALUES (NULL, NULL, 'no key');",
        )
        .unwrap();
    let queries = [
        // An external sort: ties keep their input order.
        "SELECT id, k FROM a ORDER BY k DESC",
        // A hash join whose right side is partitioned to files.
        "SELECT count(*), sum(a.id), sum(c.id) FROM a JOIN c ON a.k = c.k",
        "SELECT a.id, c.id FROM a LEFT JOIN c ON a.k = c.k AND c.id < 3000 ORDER BY 1, 2",
        "SELECT a.id, c.id FROM a RIGHT JOIN c ON a.k = c.k + 999 ORDER BY 2, 1",
        "SELECT a.id, c.id FROM a FULL JOIN c ON a.k = c.k AND a.id < 100 ORDER BY 1, 2",
        // A nested loop over a spilled right side.
        "SELECT a.id, c.id FROM (SELECT * FROM a WHERE id < 4) a \
         JOIN c ON c.id > a.id + 11990 ORDER BY 1, 2",
        "SELECT a.id, c.id FROM (SELECT * FROM a WHERE id < 3) a \
         RIGHT JOIN c ON c.id > a.id + 11990 ORDER BY 2, 1",
        "SELECT count(*) FROM (SELECT a.id FROM (SELECT * FROM a WHERE id < 4) a, c) s",
        // Hash aggregation whose groups outgrow 2 × work_mem: new groups' rows go to
        // files, split again when a file's groups outgrow it too.
        "SELECT id, count(*), sum(k), max(pad) FROM a GROUP BY id ORDER BY id",
        "SELECT k, id % 7 AS m, count(*), avg(id), min(id), array_agg(id ORDER BY id DESC), \
         string_agg(pad, ',') FILTER (WHERE id % 3 = 0), count(DISTINCT id % 5) \
         FROM a GROUP BY k, id % 7 HAVING count(*) > 2 ORDER BY 1, 2",
        "SELECT c.k, count(*) FROM a JOIN c ON a.k = c.k GROUP BY c.k ORDER BY 1",
        "SELECT count(*), sum(n) FROM (SELECT id % 9000 AS g, count(*) AS n FROM a GROUP BY id % 9000) s",
    ];
    for sql in queries {
        let (spilled, in_memory) = spilled_and_in_memory(&mut session, sql);
        assert!(!in_memory.is_empty(), "{sql}");
        assert_eq!(spilled, in_memory, "{sql}");
    }
    let counts = last_rows(
        &mut session,
        "SELECT count(*) FROM a FULL JOIN c ON a.k = c.k AND a.id < 100",
    );
    // 99 × 8 matched pairs + 20,000 - 99 unmatched left rows + every right row but the
    // 99 × 8 matched ones, the NULL one included (12,001 - 792).
    assert_eq!(counts, vec![vec![Some("31902".to_string())]]);
    drop(session);
    drop(database);
    let temp = db.join("pgsql_tmp");
    if temp.exists() {
        assert_eq!(
            std::fs::read_dir(&temp).unwrap().count(),
            0,
            "temporary files left"
        );
    }
}
