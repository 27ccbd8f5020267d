//! Tests of the statement-by-statement comparison and the line diff, on made-up outputs and
//! on pgvector's expected files altered the way a faulty `vecsh` would alter them.

use super::*;
use crate::regress::tests::suite_dir;

fn read_pair(name: &str) -> Option<(String, String)> {
    let dir = suite_dir()?;
    let script = std::fs::read_to_string(dir.join(format!("sql/{name}.sql"))).unwrap();
    let expected = std::fs::read_to_string(dir.join(format!("expected/{name}.out"))).unwrap();
    Some((script, expected))
}

fn owned(lines: &[&str]) -> Vec<String> {
    lines.iter().map(|line| line.to_string()).collect()
}

#[test]
fn identical_outputs_pass_every_statement() {
    let comparison = compare(
        "SELECT 1;\nSELECT 2;\n",
        "SELECT 1;\n1\nSELECT 2;\n2\n",
        "SELECT 1;\n1\nSELECT 2;\n2\n",
    );
    assert_eq!((comparison.passed, comparison.total), (2, 2));
    assert!(comparison.mismatches.is_empty());
}

#[test]
fn a_changed_line_fails_only_its_statement() {
    let comparison = compare(
        "SELECT 1;\nSELECT 2;\n",
        "SELECT 1;\n1\nSELECT 2;\n2\n",
        "SELECT 1;\n1 \nSELECT 2;\n2\n",
    );
    assert_eq!((comparison.passed, comparison.total), (1, 2));
    let mismatch = &comparison.mismatches[0];
    assert_eq!(mismatch.statement.line, 1);
    assert_eq!(
        mismatch.expected.as_deref(),
        Some(&owned(&["SELECT 1;", "1"])[..])
    );
    assert_eq!(
        mismatch.actual.as_deref(),
        Some(&owned(&["SELECT 1;", "1 "])[..])
    );
}

#[test]
fn every_expected_file_passes_against_itself() {
    let Some(dir) = suite_dir() else { return };
    for name in crate::regress::suite_names(&dir).unwrap() {
        let (script, expected) = read_pair(&name).unwrap();
        let comparison = compare(&script, &expected, &expected);
        assert_eq!(
            comparison.passed,
            comparison.total,
            "{name}: {:?}",
            comparison.mismatches.first()
        );
        assert!(comparison.total > 0, "{name}");
    }
}

#[test]
fn a_wrong_error_in_vector_type_fails_that_statement_alone() {
    let Some((script, expected)) = read_pair("vector_type") else {
        return;
    };
    let wanted = "ERROR:  NaN not allowed in vector";
    assert_eq!(expected.matches(wanted).count(), 1);
    let actual = expected.replace(
        wanted,
        "ERROR:  invalid input syntax for type vector: \"[NaN,1]\"",
    );
    let comparison = compare(&script, &expected, &actual);
    assert_eq!(comparison.passed, comparison.total - 1);
    let mismatch = &comparison.mismatches[0];
    assert_eq!(
        mismatch.statement.sql_lines(),
        ["SELECT '[NaN,1]'::vector;"]
    );
    let diff = line_diff(
        mismatch.expected.as_ref().unwrap(),
        mismatch.actual.as_ref().unwrap(),
    );
    let changed: Vec<_> = diff
        .iter()
        .filter(|line| !matches!(line, DiffLine::Same(_)))
        .collect();
    assert_eq!(changed.len(), 2, "{diff:?}");
}

#[test]
fn a_crash_in_hnsw_vector_fails_the_statements_it_never_reached() {
    let Some((script, expected)) = read_pair("hnsw_vector") else {
        return;
    };
    // The output stops inside the fourth statement's echo run: a crash while it ran.
    let lines: Vec<&str> = expected.lines().collect();
    let cut = lines
        .iter()
        .position(|line| line.starts_with("CREATE INDEX"))
        .unwrap();
    let actual = lines[..=cut].join("\n") + "\nthread 'main' panicked at src/index.rs\n";
    let comparison = compare(&script, &expected, &actual);
    assert_eq!(
        comparison.passed, 3,
        "SET, the comment-led CREATE TABLE and INSERT pass"
    );
    assert_eq!(
        comparison.mismatches[0].statement.sql_lines()[0],
        lines[cut]
    );
    assert!(comparison.mismatches[1].actual.is_none());
}

#[test]
fn copy_meta_commands_compare_like_statements() {
    let Some((script, expected)) = read_pair("copy") else {
        return;
    };
    // A shell that rejects `\copy` prints an error after each such echo.
    let actual: String = expected
        .lines()
        .flat_map(|line| {
            let error = line
                .starts_with("\\copy")
                .then_some("invalid command \\copy");
            std::iter::once(line).chain(error)
        })
        .map(|line| format!("{line}\n"))
        .collect();
    let comparison = compare(&script, &expected, &actual);
    assert_eq!(comparison.total, 24);
    assert_eq!(comparison.total - comparison.passed, 6);
    assert!(comparison
        .mismatches
        .iter()
        .all(|m| m.statement.sql_lines()[0].starts_with("\\copy")));
}

#[test]
fn the_line_diff_keeps_common_lines_and_orders_removals_first() {
    let expected = owned(&["a", "b", "c", "d"]);
    let actual = owned(&["a", "x", "c", "d", "e"]);
    assert_eq!(
        line_diff(&expected, &actual),
        [
            DiffLine::Same("a"),
            DiffLine::Expected("b"),
            DiffLine::Actual("x"),
            DiffLine::Same("c"),
            DiffLine::Same("d"),
            DiffLine::Actual("e"),
        ]
    );
    assert_eq!(line_diff(&[], &owned(&["a"])), [DiffLine::Actual("a")]);
}
