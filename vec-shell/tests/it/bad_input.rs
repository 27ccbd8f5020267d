//! Bad input to the `vecsh` binary: scripts, `COPY` data and arguments that are not
//! UTF-8, a leading byte-order mark, directories where files are expected, a file that
//! includes itself, `COPY` errors' `CONTEXT:` lines and `COPY` files inside the database.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn vecsh(args: &[&std::ffi::OsStr], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vecsh"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("vecsh starts");
    let mut input = child.stdin.take().unwrap();
    // A child that stops reading early (exit at an error) closes the pipe.
    let _ = input.write_all(stdin);
    drop(input);
    child.wait_with_output().unwrap()
}

fn os(text: &str) -> &std::ffi::OsStr {
    std::ffi::OsStr::new(text)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn invalid_utf8_in_a_script_fails_that_statement_and_goes_on() {
    let script = b"SELECT 1 AS a;\nSELECT 'x\xffy' AS b;\nSELECT 2 AS c;\n";
    let output = vecsh(&[os("-X"), os("-q")], script);
    assert_eq!(
        text(&output.stderr),
        "ERROR:  invalid byte sequence for encoding \"UTF8\": 0xff\n"
    );
    assert_eq!(
        text(&output.stdout),
        " a \n---\n 1\n(1 row)\n\n c \n---\n 2\n(1 row)\n\n"
    );
    assert_eq!(output.status.code(), Some(0));

    let output = vecsh(
        &[os("-X"), os("-q"), os("-v"), os("ON_ERROR_STOP=1")],
        script,
    );
    assert_eq!(output.status.code(), Some(3));
    assert!(
        !text(&output.stdout).contains(" c "),
        "{}",
        text(&output.stdout)
    );

    // A sequence cut short is named with the bytes it has, as PostgreSQL does.
    let output = vecsh(&[os("-X"), os("-q")], b"SELECT '\xe2\x82(';\n");
    assert_eq!(
        text(&output.stderr),
        "ERROR:  invalid byte sequence for encoding \"UTF8\": 0xe2 0x82 0x28\n"
    );
}

#[test]
fn copy_from_stdin_with_invalid_utf8_is_all_or_nothing() {
    let mut script = b"CREATE TABLE t (id int, name text);\nCOPY t FROM STDIN;\n".to_vec();
    for i in 1..=60 {
        if i == 50 {
            script.extend_from_slice(b"50\tbad \xff name\n");
        } else {
            script.extend_from_slice(format!("{i}\tname {i}\n").as_bytes());
        }
    }
    script.extend_from_slice(b"\\.\nSELECT count(*) FROM t;\n");
    let output = vecsh(&[os("-X"), os("-q")], &script);
    assert_eq!(
        text(&output.stderr),
        "ERROR:  invalid byte sequence for encoding \"UTF8\": 0xff\nCONTEXT:  COPY t, line 50\n"
    );
    assert_eq!(
        text(&output.stdout),
        " count \n-------\n     0\n(1 row)\n\n"
    );
}

#[test]
fn copy_errors_name_the_line_and_column() {
    let script = "CREATE TABLE t (id int, v vector(2));\nCOPY t FROM STDIN;\n1\t[1,2]\n2\t[1,\n\\.\nCOPY t FROM STDIN;\n1\t[1,2]\t3\n\\.\nCOPY t FROM STDIN;\n7\n\\.\nSELECT count(*) FROM t;\n";
    let output = vecsh(&[os("-X"), os("-q")], script.as_bytes());
    assert_eq!(
        text(&output.stderr),
        "ERROR:  invalid input syntax for type vector: \"[1,\"\n\
         CONTEXT:  COPY t, line 2, column v: \"[1,\"\n\
         ERROR:  extra data after last expected column\n\
         CONTEXT:  COPY t, line 1: \"1\t[1,2]\t3\"\n\
         ERROR:  missing data for column \"v\"\n\
         CONTEXT:  COPY t, line 1: \"7\"\n"
    );
    assert!(text(&output.stdout).contains("     0\n"));
}

#[cfg(unix)]
#[test]
fn arguments_that_are_not_utf8_do_not_panic() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let command = std::ffi::OsStr::from_bytes(b"SELECT '\xff'");
    let output = vecsh(&[os("-X"), os("-c"), command], b"");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        text(&output.stderr),
        "ERROR:  invalid byte sequence for encoding \"UTF8\": 0xff\n"
    );
    let name = dir.path().join(std::ffi::OsStr::from_bytes(b"db-\xff"));
    let output = vecsh(
        &[os("-X"), name.as_os_str(), os("-c"), os("SELECT 1 AS one")],
        b"",
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(name.join("MANIFEST").exists());
}

#[test]
fn a_leading_byte_order_mark_is_skipped() {
    let output = vecsh(&[os("-X"), os("-q")], b"\xEF\xBB\xBFSELECT 1 AS one;\n");
    assert_eq!(text(&output.stderr), "");
    assert_eq!(text(&output.stdout), " one \n-----\n   1\n(1 row)\n\n");
}

#[test]
fn directories_are_not_scripts() {
    let dir = tempfile::tempdir().unwrap();
    // psql names the file: `psql:DIR: error: could not read from input file: …`.
    let expected = format!(
        "vecsh:{}: error: could not read from input file: Is a directory\n",
        dir.path().display()
    );
    let output = vecsh(&[os("-X"), os("-f"), dir.path().as_os_str()], b"");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(text(&output.stderr), expected);
    let script = format!("\\i {}\nSELECT 1 AS one;\n", dir.path().display());
    let output = vecsh(&[os("-X"), os("-q")], script.as_bytes());
    assert_eq!(text(&output.stderr), expected);
    assert!(text(&output.stdout).contains("   1\n"));
}

#[test]
fn a_file_that_includes_itself_stops_with_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("self.sql");
    std::fs::write(&path, format!("\\i {}\n", path.display())).unwrap();
    let output = vecsh(&[os("-X"), os("-f"), path.as_os_str()], b"");
    assert!(output.status.code().is_some(), "killed by a signal");
    assert!(
        text(&output.stderr).contains("too many nested \\i files (at most 64)"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn a_directory_that_is_not_a_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    let output = vecsh(
        &[os("-X"), dir.path().as_os_str(), os("-c"), os("SELECT 1")],
        b"",
    );
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        text(&output.stderr),
        format!(
            "vecsh: error: directory \"{}\" is not empty and does not hold a vecsh database\n",
            dir.path().display()
        )
    );
    assert!(!dir.path().join("MANIFEST").exists());
    assert!(!dir.path().join("wal").exists());
}

#[test]
fn copy_refuses_the_database_files() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let heap = db.join("heap").join("1.heap");
    let script = format!(
        "CREATE TABLE p (id int);\nINSERT INTO p VALUES (1);\nCOPY p TO '{}';\nCOPY p FROM '{}';\nCOPY p TO '{}/../MANIFEST';\nSELECT count(*) FROM p;\n",
        heap.display(),
        heap.display(),
        db.join("heap").display(),
    );
    let output = vecsh(&[os("-X"), os("-q"), db.as_os_str()], script.as_bytes());
    let stderr = text(&output.stderr);
    assert_eq!(
        stderr
            .matches("it is inside the database directory")
            .count(),
        3,
        "{stderr}"
    );
    assert!(text(&output.stdout).contains("     1\n"));
    // The database still opens with its row.
    let output = vecsh(
        &[
            os("-X"),
            os("-At"),
            db.as_os_str(),
            os("-c"),
            os("SELECT count(*) FROM p"),
        ],
        b"",
    );
    assert_eq!(text(&output.stdout), "1\n", "{}", text(&output.stderr));
}
