//! Long flat lists and operator chains (100,000 items) are answered, as PostgreSQL
//! answers them, without recursion as deep as the list is long; deep nesting fails with
//! PostgreSQL's `stack depth limit exceeded` (SQLSTATE 54001) instead of overflowing the
//! stack. The statements run through `Session::execute` on the test's own thread and
//! through the `vecsh` binary.

use vec_shell::{Database, Datum};

const N: usize = 100_000;

fn one_value(sql: &str) -> Datum {
    let mut session = Database::in_memory().session();
    let results = session.execute(sql).unwrap_or_else(|e| panic!("{e}"));
    results[0].rows.as_ref().unwrap().rows[0][0].clone()
}

fn list(item: &str, separator: &str) -> String {
    vec![item; N].join(separator)
}

#[test]
fn a_long_in_list_is_answered() {
    let sql = format!("SELECT 1 IN ({})", list("2", ", ") + ", 1");
    assert_eq!(one_value(&sql), Datum::Bool(true));
    let sql = format!("SELECT 3 NOT IN ({})", list("2", ", "));
    assert_eq!(one_value(&sql), Datum::Bool(true));
}

#[test]
fn long_and_or_chains_are_answered() {
    assert_eq!(
        one_value(&format!("SELECT {}", list("true", " AND "))),
        Datum::Bool(true)
    );
    assert_eq!(
        one_value(&format!("SELECT {} OR NULL", list("false", " OR "))),
        Datum::Null
    );
}

#[test]
fn long_operator_chains_are_answered() {
    assert_eq!(
        one_value(&format!("SELECT {}", list("1", " + "))),
        Datum::Int4(N as i32)
    );
    let text = one_value(&format!("SELECT length({})", list("'ab'", " || ")));
    assert_eq!(text, Datum::Int4(2 * N as i32));
    // The running value's type changes along the chain (integer, then numeric).
    assert_eq!(
        one_value(&format!("SELECT (1 + 0.5 {})::text", " + 1".repeat(100))).to_text(),
        Some("101.5".to_string())
    );
}

#[test]
fn a_long_or_filter_over_a_table_and_explain() {
    let mut session = Database::in_memory().session();
    session
        .execute("CREATE TABLE t (id int); INSERT INTO t SELECT i FROM generate_series(1, 50) i")
        .unwrap();
    let filter: Vec<String> = (0..N).map(|i| format!("id = {}", i * 7)).collect();
    let sql = format!("SELECT count(*) FROM t WHERE {}", filter.join(" OR "));
    let results = session.execute(&sql).unwrap();
    assert_eq!(results[0].rows.as_ref().unwrap().rows[0][0], Datum::Int8(7));
    let sql = format!("EXPLAIN SELECT id + {} FROM t", list("1", " + "));
    session.execute(&sql).unwrap();
}

#[test]
fn deep_nesting_is_stack_depth_limit_exceeded() {
    let mut session = Database::in_memory().session();
    for sql in [
        format!("SELECT {}1{}", "(".repeat(N), ")".repeat(N)),
        format!("SELECT {}1", "NOT ".repeat(N)),
        format!("SELECT {}1", "- ".repeat(N)),
        format!("SELECT 1{}", "::int".repeat(N)),
        format!("SELECT 1{}", " IS NULL".repeat(N)),
        format!("SELECT {}1{}", "abs(".repeat(N), ")".repeat(N)),
        format!("SELECT {}1{}", "ARRAY[".repeat(N), "]".repeat(N)),
    ] {
        let error = session.execute(&sql).unwrap_err();
        assert_eq!(
            (error.sqlstate, error.message.as_str()),
            ("54001", "stack depth limit exceeded"),
            "{}",
            &sql[..40]
        );
    }
}

#[test]
fn the_shell_answers_a_long_in_list() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let script = format!(
        "SELECT 1 IN ({}) AS found;\nSELECT {} AS total;\n",
        list("1", ","),
        list("1", "+")
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_vecsh"))
        .args(["-X", "-q", "-At"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "t\n100000\n",
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
