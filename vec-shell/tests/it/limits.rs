//! Resource limits: a write past the file-size limit (`ulimit -f`) fails the statement
//! with PostgreSQL's `could not extend file …: File too large` instead of killing the
//! shell with SIGXFSZ, and what was committed before stays.

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};

#[test]
fn the_file_size_limit_is_an_error_not_a_kill() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let mut script = String::from(
        "CREATE TABLE t (id int, v text);\nINSERT INTO t VALUES (0, 'kept');\nCOPY t FROM STDIN;\n",
    );
    for i in 1..=4000 {
        script.push_str(&format!("{i}\t{}\n", "x".repeat(400)));
    }
    script.push_str("\\.\nSELECT 1 AS after;\n");
    let mut command = Command::new(env!("CARGO_BIN_EXE_vecsh"));
    command
        .args(["-X", "-q"])
        .arg(&db)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // SAFETY: `setrlimit` is async-signal-safe; the closure touches nothing else.
    unsafe {
        command.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 1 << 20,
                rlim_max: 1 << 20,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = command.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    let _ = input.write_all(script.as_bytes());
    drop(input);
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.code().is_some(),
        "killed by a signal: {:?}, {stderr}",
        output.status
    );
    assert!(
        stderr.starts_with("ERROR:  could not extend file \""),
        "{stderr}"
    );
    assert!(stderr.contains(".wal\": File too large\n"), "{stderr}");
    assert!(String::from_utf8_lossy(&output.stdout).contains(" after "));
    // Reopened without the limit, the row committed before the COPY is there, and none
    // of the COPY's.
    let output = Command::new(env!("CARGO_BIN_EXE_vecsh"))
        .args(["-X", "-At"])
        .arg(&db)
        .args(["-c", "SELECT count(*), min(v) FROM t"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "1|kept\n",
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Runs `vecsh -X -q DB` on `script` with the address space limited to `bytes`.
fn vecsh_with_address_space(
    db: &std::path::Path,
    script: &str,
    bytes: u64,
) -> std::process::Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_vecsh"));
    command
        .args(["-X", "-q"])
        .arg(db)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // SAFETY: `setrlimit` is async-signal-safe; the closure touches nothing else.
    unsafe {
        command.pre_exec(move || {
            let limit = libc::rlimit {
                rlim_cur: bytes,
                rlim_max: bytes,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = command.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    let _ = input.write_all(script.as_bytes());
    drop(input);
    child.wait_with_output().unwrap()
}

#[test]
fn copy_of_a_file_larger_than_memory_is_out_of_memory() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    // A sparse file: 4 GiB long, no blocks on disk.
    let big = dir.path().join("big.tsv");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(4 << 30)
        .unwrap();
    let script = format!(
        "CREATE TABLE t (id int);\nCOPY t FROM '{}';\nINSERT INTO t VALUES (1);\nSELECT count(*) FROM t;\n",
        big.display()
    );
    let output = vecsh_with_address_space(&db, &script, 1 << 30);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.code().is_some(), "killed: {stderr}");
    // The file is read a piece at a time, and its one "line" (no line break in 4 GiB)
    // outgrows the address space.
    assert!(
        stderr.starts_with("ERROR:  out of memory\nDETAIL:  Failed on request of size "),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 2, "{stderr}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("     1\n"));
}
