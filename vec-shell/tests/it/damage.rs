//! Damaged files at the SQL level: a damaged page of one table is reported when that
//! table is read while the other tables stay usable; a damaged catalog, or a database
//! that lost its `MANIFEST` and log, fails to open with an error naming the file instead
//! of opening empty; damage in the middle of the log refuses the open until `vecsh
//! --recover-truncate` discards it, saying how many transactions it dropped.

use std::path::Path;
use std::process::Command;

use vec_shell::{Database, Datum};

fn count(database: &Database, table: &str) -> Result<i64, vec_shell::EngineError> {
    let mut session = database.session();
    let results = session.execute(&format!("SELECT count(*) FROM {table}"))?;
    match results[0].rows.as_ref().unwrap().rows[0][0] {
        Datum::Int8(n) => Ok(n),
        ref other => panic!("{other:?}"),
    }
}

/// A closed database with a 5,000-row table `t` (heap 2) and a 10-row table `u`.
fn database(dir: &Path) {
    let database = Database::open(dir).unwrap();
    let mut session = database.session();
    session
        .execute(
            "CREATE TABLE t (id int, note text); \
             INSERT INTO t SELECT i, 'row number ' || i::text FROM generate_series(1, 5000) i; \
             CREATE TABLE u (id int); INSERT INTO u SELECT i FROM generate_series(1, 10) i",
        )
        .unwrap();
}

fn zero_page(path: &Path, page: usize) {
    let mut bytes = std::fs::read(path).unwrap();
    bytes[page * 8192..(page + 1) * 8192].fill(0);
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn a_damaged_table_fails_when_read_and_the_others_stay_usable() {
    let dir = tempfile::tempdir().unwrap();
    database(dir.path());
    let heap = dir.path().join("heap").join("2.heap");
    zero_page(&heap, 5);
    let database = Database::open(dir.path()).unwrap();
    let warnings: Vec<String> = database
        .open_warnings()
        .iter()
        .map(|w| w.message.clone())
        .collect();
    // Opening reads no table; recovery's check of the page map names the page.
    assert!(
        warnings
            .iter()
            .any(|w| w.starts_with("invalid page 5 in file")),
        "{warnings:?}"
    );
    let error = count(&database, "t").unwrap_err();
    assert_eq!(error.sqlstate, "XX001");
    assert!(
        error.message.contains(&heap.display().to_string()),
        "{}",
        error.message
    );
    assert_eq!(count(&database, "u").unwrap(), 10);
    let mut session = database.session();
    assert!(session.execute("INSERT INTO t VALUES (1, 'x')").is_err());
    session.execute("INSERT INTO u VALUES (11)").unwrap();
    session.execute("DROP TABLE t").unwrap();
    drop(session);
    drop(database);
    let database = Database::open(dir.path()).unwrap();
    assert!(database.open_warnings().is_empty());
    assert_eq!(count(&database, "u").unwrap(), 11);
}

#[test]
fn a_damaged_catalog_is_an_error_not_an_empty_database() {
    let dir = tempfile::tempdir().unwrap();
    database(dir.path());
    zero_page(&dir.path().join("heap").join("1.heap"), 0);
    for _ in 0..2 {
        let error = Database::open(dir.path()).err().expect("refused");
        assert_eq!(error.sqlstate, "XX001", "{}", error.message);
        assert!(error.message.contains("1.heap"), "{}", error.message);
    }
}

#[test]
fn losing_the_manifest_and_the_log_is_an_error_every_time() {
    let dir = tempfile::tempdir().unwrap();
    database(dir.path());
    std::fs::remove_file(dir.path().join("MANIFEST")).unwrap();
    std::fs::remove_dir_all(dir.path().join("wal")).unwrap();
    for _ in 0..2 {
        let error = Database::open(dir.path()).err().expect("refused");
        assert!(error.message.contains("MANIFEST"), "{}", error.message);
    }
    // Nothing was written over the tables' files.
    assert!(
        std::fs::metadata(dir.path().join("heap").join("2.heap"))
            .unwrap()
            .len()
            > 8192
    );
}

#[cfg(unix)]
#[test]
fn a_damaged_log_refuses_the_open_until_recover_truncate() {
    use std::io::{BufRead, BufReader, Write};
    use std::process::Stdio;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let mut child = Command::new(env!("CARGO_BIN_EXE_vecsh"))
        .args(["-X"])
        .arg(&db)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let mut output = BufReader::new(child.stdout.take().unwrap());
    writeln!(input, "CREATE TABLE t (id int, note text);").unwrap();
    let mut line = String::new();
    output.read_line(&mut line).unwrap();
    for i in 0..20 {
        writeln!(input, "INSERT INTO t VALUES ({i}, 'acknowledged row {i}');").unwrap();
        line.clear();
        output.read_line(&mut line).unwrap();
        assert_eq!(line, "INSERT 0 1\n");
    }
    // Killed after 20 acknowledged INSERTs: they are in the log only.
    child.kill().unwrap();
    child.wait().unwrap();
    let segment = std::fs::read_dir(db.join("wal"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .max()
        .unwrap();
    let mut bytes = std::fs::read(&segment).unwrap();
    let at = bytes.len() * 6 / 10;
    bytes[at] ^= 0x20;
    std::fs::write(&segment, bytes).unwrap();

    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_vecsh"))
            .args(args)
            .arg(&db)
            .args(["-X", "-At", "-c", "SELECT count(*) FROM t"])
            .output()
            .unwrap()
    };
    let refused = run(&[]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.starts_with("vecsh: error: invalid WAL record at offset "),
        "{stderr}"
    );
    assert!(stderr.contains(&segment.display().to_string()), "{stderr}");
    assert!(
        stderr.contains("vecsh: hint: Run \"vecsh --recover-truncate\""),
        "{stderr}"
    );

    let recovered = run(&["--recover-truncate"]);
    let stderr = String::from_utf8_lossy(&recovered.stderr);
    assert_eq!(recovered.status.code(), Some(0), "{stderr}");
    let discarded: usize = stderr
        .strip_prefix("WARNING:  discarded ")
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{stderr}"));
    let rows: usize = String::from_utf8_lossy(&recovered.stdout)
        .trim()
        .parse()
        .unwrap();
    assert!(
        rows + discarded == 20 || rows + discarded == 19,
        "{rows} + {discarded}"
    );
    assert!(discarded > 0);
    // From then on the database opens normally, with what was kept.
    let again = run(&[]);
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&again.stdout).trim(),
        rows.to_string()
    );
}

#[test]
fn vecsh_check_reports_damage_without_changing_anything() {
    let dir = tempfile::tempdir().unwrap();
    database(dir.path());
    let check = || {
        Command::new(env!("CARGO_BIN_EXE_vecsh"))
            .arg("check")
            .arg(dir.path())
            .output()
            .unwrap()
    };
    let clean = check();
    let text = String::from_utf8_lossy(&clean.stdout);
    assert_eq!(clean.status.code(), Some(0), "{text}");
    assert!(text.ends_with("no damage found\n"), "{text}");
    assert!(text.contains("index snapshots: 0 checked"), "{text}");
    let heap = dir.path().join("heap").join("2.heap");
    zero_page(&heap, 2);
    let before = std::fs::read(&heap).unwrap();
    let damaged = check();
    let text = String::from_utf8_lossy(&damaged.stdout);
    assert_eq!(damaged.status.code(), Some(1), "{text}");
    assert!(
        text.contains(&format!(
            "damaged: invalid page 2 in file \"{}\"",
            heap.display()
        )),
        "{text}"
    );
    assert_eq!(std::fs::read(&heap).unwrap(), before);
    let missing = Command::new(env!("CARGO_BIN_EXE_vecsh"))
        .arg("check")
        .arg(dir.path().join("nothing"))
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
}
