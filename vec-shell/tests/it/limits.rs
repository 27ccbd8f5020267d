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
