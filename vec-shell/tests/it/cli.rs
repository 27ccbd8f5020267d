//! The `vecsh` binary: flags, scripts on standard input and from files, exit statuses.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn vecsh(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vecsh"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("vecsh starts");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn command_flags_and_formats() {
    let output = vecsh(
        &["-c", "SELECT '[1,2]'::vector AS v", "-c", "SELECT 2 AS n"],
        "",
    );
    assert_eq!(
        stdout(&output),
        "   v   \n-------\n [1,2]\n(1 row)\n\n n \n---\n 2\n(1 row)\n\n"
    );
    assert!(output.status.success());
    let output = vecsh(&["-At", "-F", ";", "-c", "SELECT 1, 'a'"], "");
    assert_eq!(stdout(&output), "1;a\n");
    let output = vecsh(&["--csv", "-c", "SELECT 1 AS x"], "");
    assert_eq!(stdout(&output), "x\n1\n");
}

#[test]
fn stdin_script_with_echo_and_quiet() {
    let script = "-- a comment\nCREATE TABLE t (v vector(2));\n\nINSERT INTO t VALUES ('[1,2]');\nSELECT * FROM t;\n";
    let output = vecsh(&["-X", "-a", "-q"], script);
    assert_eq!(
        stdout(&output),
        "-- a comment\nCREATE TABLE t (v vector(2));\nINSERT INTO t VALUES ('[1,2]');\nSELECT * FROM t;\n   v   \n-------\n [1,2]\n(1 row)\n\n"
    );
    let output = vecsh(
        &[],
        "CREATE TABLE t (a int);\nINSERT INTO t VALUES (1), (2);\n",
    );
    assert_eq!(stdout(&output), "CREATE TABLE\nINSERT 0 2\n");
}

#[test]
fn on_error_stop_exits_three() {
    let output = vecsh(&["-v", "ON_ERROR_STOP=1"], "SELECT 1/0;\nSELECT 2;\n");
    assert_eq!(output.status.code(), Some(3));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "ERROR:  division by zero\n"
    );
    assert!(stdout(&output).is_empty());
    let output = vecsh(&[], "SELECT 1/0;\nSELECT 2 AS b;\n");
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).contains(" b \n"));
}

#[test]
fn script_files_and_bad_flags() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("script.sql");
    std::fs::write(&path, "SELECT 3 AS c;\n").unwrap();
    let output = vecsh(&["-f", path.to_str().unwrap()], "");
    assert_eq!(stdout(&output), " c \n---\n 3\n(1 row)\n\n");
    let output = vecsh(&["--no-such-flag"], "");
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("unrecognized option"));
    let output = vecsh(&["-f", "/nonexistent/file.sql"], "");
    assert_eq!(output.status.code(), Some(1));
    let output = vecsh(&["-c"], "");
    assert_eq!(output.status.code(), Some(1));
    // `--shared-buffers` sizes the pool of a database in memory too.
    let output = vecsh(
        &[
            "--shared-buffers",
            "48MB",
            "-At",
            "-c",
            "SHOW shared_buffers",
        ],
        "",
    );
    assert_eq!(stdout(&output), "48MB\n");
}

#[test]
fn copy_in_and_out() {
    let script = "CREATE TABLE t (id int, v vector(2));\nCOPY t FROM STDIN;\n1\t[1,2]\n2\t\\N\n\\.\nCOPY t TO STDOUT WITH (FORMAT csv, HEADER);\n";
    let output = vecsh(&["-q"], script);
    assert_eq!(stdout(&output), "id,v\n1,\"[1,2]\"\n2,\n");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t.bin");
    let file = file.to_str().unwrap();
    let script = format!(
        "CREATE TABLE t (v halfvec(2));\nINSERT INTO t VALUES ('[1,2]'), (NULL);\n\\copy t TO '{file}' WITH (FORMAT binary)\nCREATE TABLE u (v halfvec(2));\n\\copy u FROM '{file}' WITH (FORMAT binary)\nSELECT count(v), count(*) FROM u;\n"
    );
    let output = vecsh(&["-q", "-A", "-t"], &script);
    assert_eq!(stdout(&output), "1|2\n");
    let output = vecsh(
        &[
            "-c",
            "CREATE TABLE t (a int)",
            "-c",
            "COPY t FROM STDIN WITH (FORMAT csv)",
            "-c",
            "SELECT sum(a) FROM t",
        ],
        "1\n2\n",
    );
    assert!(stdout(&output).contains("COPY 2\n"), "{}", stdout(&output));
    assert!(stdout(&output).contains("  3\n"));
}

/// SIGINT while a statement from a script runs cancels that statement, and the script
/// stops there with exit status 3 as psql's does (from standard input, `-f` or `-c`, with
/// or without `ON_ERROR_STOP`).
#[cfg(unix)]
#[test]
fn sigint_cancels_the_running_statement() {
    use std::io::{BufRead, BufReader, Read};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use std::time::Duration;

    let long = "SELECT count(*) FROM generate_series(1, 2000000000);";
    let after = "SELECT 42 AS after;";
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("long.sql");
    std::fs::write(&file, format!("{long}\n{after}\n")).unwrap();
    let file = file.to_str().unwrap();
    for (args, script) in [
        (vec!["-X", "-a"], format!("{long}\n{after}\n")),
        (
            vec!["-X", "-a", "-v", "ON_ERROR_STOP=1"],
            format!("{long}\n{after}\n"),
        ),
        (vec!["-X", "-a", "-c", long, "-c", after], String::new()),
        (vec!["-X", "-a", "-f", file], String::new()),
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_vecsh"))
            .args(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("vecsh starts");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(script.as_bytes())
            .unwrap();
        let pid = child.id() as libc::pid_t;
        // Should the signal be lost, the statement would run for minutes: end it then.
        let finished = Arc::new(AtomicBool::new(false));
        let watchdog = {
            let finished = finished.clone();
            std::thread::spawn(move || {
                for _ in 0..600 {
                    if finished.load(Ordering::Relaxed) {
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
                // SAFETY: signals the child this test started, which has not been reaped.
                unsafe { libc::kill(pid, libc::SIGKILL) };
            })
        };
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut echoed = String::new();
        stdout.read_line(&mut echoed).unwrap();
        assert_eq!(echoed, format!("{long}\n"));
        // The statement starts right after its echo; give the shell a moment to reach it.
        std::thread::sleep(Duration::from_millis(500));
        // SAFETY: signals the child this test started, which has not been reaped.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
        let mut rest = String::new();
        stdout.read_to_string(&mut rest).unwrap();
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        let status = child.wait().unwrap();
        finished.store(true, Ordering::Relaxed);
        watchdog.join().unwrap();

        assert!(
            stderr.contains("ERROR:  canceling statement due to user request\n"),
            "{stderr}"
        );
        assert_eq!(rest, "", "{args:?}");
        assert_eq!(status.code(), Some(3), "{args:?}");
    }
}

/// SIGINT between the statements of a script keeps its default effect: the shell dies by
/// the signal, as it would without a handler.
#[cfg(unix)]
#[test]
fn sigint_between_script_statements_ends_the_shell() {
    use std::io::{BufRead, BufReader};
    use std::os::unix::process::ExitStatusExt;

    let mut child = Command::new(env!("CARGO_BIN_EXE_vecsh"))
        .args(["-X", "-A", "-t"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("vecsh starts");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"SELECT 7;\n").unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert_eq!(line, "7\n");
    // The shell now waits for the next line of its script, with no statement running.
    // SAFETY: signals the child this test started, which has not been reaped.
    let sent = unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    assert_eq!(sent, 0);
    let status = child.wait().unwrap();
    drop(stdin);
    assert_eq!(status.signal(), Some(libc::SIGINT), "{status}");
}

#[test]
fn messages_from_a_script_file_carry_its_name_and_line() {
    // Expected output recorded from psql 15 (`psql -X -q -f`), its `psql:` prefix written
    // `vecsh:` here; on standard input neither adds a prefix.
    let dir = tempfile::tempdir().unwrap();
    let (main, included) = (dir.path().join("main.sql"), dir.path().join("inc.sql"));
    std::fs::write(&included, "\nSELECT 'inc'/0;\n").unwrap();
    let script = format!(
        "SELECT 1\n  + nope;\nDROP TABLE IF EXISTS nothere;\n\\i {}\nSELECT 1/0; SELECT 2/0;\n\\foo\nSELECT 3/0\n",
        included.display()
    );
    std::fs::write(&main, &script).unwrap();
    let (m, i) = (main.display(), included.display());
    let expected = format!(
        "vecsh:{m}:2: ERROR:  column \"nope\" does not exist\nLINE 2:   + nope;\n            ^\n\
         vecsh:{m}:3: NOTICE:  table \"nothere\" does not exist, skipping\n\
         vecsh:{i}:2: ERROR:  invalid input syntax for type integer: \"inc\"\nLINE 1: SELECT 'inc'/0;\n               ^\n\
         vecsh:{m}:5: ERROR:  division by zero\n\
         vecsh:{m}:5: ERROR:  division by zero\n\
         vecsh:{m}:6: error: invalid command \\foo\n\
         vecsh:{m}:7: ERROR:  division by zero\n"
    );
    let output = vecsh(&["-X", "-q", "-f", main.to_str().unwrap()], "");
    assert_eq!(String::from_utf8_lossy(&output.stderr), expected);
    let output = vecsh(&["-X", "-q"], &script);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(stderr.starts_with("ERROR:  column \"nope\""), "{stderr}");
    assert!(
        stderr.contains(&format!("\nvecsh:{i}:2: ERROR:  invalid input")),
        "{stderr}"
    );
    assert!(
        stderr.contains("\ninvalid command \\foo\nERROR:"),
        "{stderr}"
    );
}
