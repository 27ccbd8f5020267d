//! Tests of the script and output splitter, on made-up scripts for each lexical case and on
//! pgvector's own files (read from the suite beside the workspace, skipped when absent).

use super::*;
use crate::regress::tests::suite_dir;

fn echoes(script: &str) -> Vec<Vec<String>> {
    split_script(script)
        .into_iter()
        .map(|statement| statement.echo)
        .collect()
}

fn lines(text: &[&str]) -> Vec<String> {
    text.iter().map(|line| line.to_string()).collect()
}

#[test]
fn one_statement_per_line_with_blank_lines_skipped() {
    let statements = split_script("SELECT 1;\n\nSELECT 2;\n");
    assert_eq!(statements.len(), 2);
    assert_eq!(statements[1].echo, ["SELECT 2;"]);
    assert_eq!(statements[1].line, 3);
}

#[test]
fn comments_and_whitespace_lines_lead_into_the_next_statement() {
    let statements = split_script("-- vector\n\n   \n/* block ; */\nCREATE TABLE t (a int);\n");
    assert_eq!(statements.len(), 1);
    assert_eq!(
        statements[0].echo,
        [
            "-- vector",
            "   ",
            "/* block ; */",
            "CREATE TABLE t (a int);"
        ]
    );
    assert_eq!(statements[0].sql_lines(), ["CREATE TABLE t (a int);"]);
    assert_eq!(statements[0].line, 5);
}

#[test]
fn a_statement_spans_lines_until_its_semicolon() {
    let script = "SELECT 1,\n  2 -- two;\n\n  FROM t;\nSELECT 3;\n";
    assert_eq!(
        echoes(script),
        [
            lines(&["SELECT 1,", "  2 -- two;", "  FROM t;"]),
            lines(&["SELECT 3;"])
        ]
    );
    assert_eq!(split_script(script)[0].line, 1);
}

#[test]
fn semicolons_inside_quotes_comments_and_parentheses_do_not_end_a_statement() {
    let script = concat!(
        "SELECT 'a;b', \"c;d\", 'it''s;';\n",
        "SELECT E'\\';', 1 /* x; /* nested; */ y; */;\n",
        "SELECT $$;$$, $tag$ ; $$ ; $tag$;\n",
        "CREATE RULE r AS ON INSERT TO t DO (SELECT 1; SELECT 2);\n",
    );
    assert_eq!(split_script(script).len(), 4);
}

#[test]
fn quoted_text_spans_lines_and_keeps_its_empty_lines() {
    let script = "SELECT 'first\n\nthird;';\n/*\n\n*/\nSELECT 2;\n";
    assert_eq!(
        echoes(script),
        [
            lines(&["SELECT 'first", "", "third;';"]),
            lines(&["/*", "", "*/", "SELECT 2;"])
        ]
    );
}

#[test]
fn two_statements_on_one_line_are_one_unit() {
    assert_eq!(echoes("SELECT 1; SELECT 2;\nSELECT 3;\n").len(), 2);
}

#[test]
fn a_line_that_completes_one_statement_and_starts_another_ends_the_unit() {
    // psql runs `SELECT 1` before it reads (and echoes) the next line.
    let script = "SELECT 1; SELECT\n2;\n";
    assert_eq!(
        echoes(script),
        [lines(&["SELECT 1; SELECT"]), lines(&["2;"])]
    );
}

#[test]
fn meta_commands_are_units_of_their_own() {
    let script = concat!(
        "\\set ON_ERROR_STOP 0\n",
        "\\copy t TO 'results/x.bin' WITH (FORMAT binary)\n",
        "SELECT 1\n",
        "\\g\n",
        "\\pset null '(null)'\n",
    );
    assert_eq!(
        echoes(script),
        [
            lines(&["\\set ON_ERROR_STOP 0"]),
            lines(&["\\copy t TO 'results/x.bin' WITH (FORMAT binary)"]),
            lines(&["SELECT 1", "\\g"]),
            lines(&["\\pset null '(null)'"]),
        ]
    );
}

#[test]
fn an_unterminated_final_statement_runs_and_trailing_comments_do_not() {
    assert_eq!(
        echoes("SELECT 1;\nSELECT 2\n"),
        [lines(&["SELECT 1;"]), lines(&["SELECT 2"])]
    );
    assert_eq!(echoes("SELECT 1;\n-- the end\n"), [lines(&["SELECT 1;"])]);
}

#[test]
fn dollar_parameters_are_not_quotes() {
    assert_eq!(
        split_script("PREPARE p AS SELECT $1;\nSELECT a$b$;\nSELECT 2;\n").len(),
        3
    );
}

#[test]
fn blocks_run_from_each_echo_to_the_next() {
    let statements = split_script("SELECT 1;\nSELECT 2;\n");
    let output = ["SELECT 1;", " ?column? ", "SELECT 2;", "ERROR:  x"];
    assert_eq!(
        locate_blocks(&output, &statements),
        [Some(0..2), Some(2..4)]
    );
}

#[test]
fn stray_lines_before_the_first_echo_belong_to_the_first_block() {
    let statements = split_script("SELECT 1;\n");
    assert_eq!(
        locate_blocks(&["banner", "SELECT 1;"], &statements),
        [Some(0..2)]
    );
}

#[test]
fn output_cut_short_leaves_later_statements_missing() {
    let statements = split_script("SELECT 1;\nSELECT 2;\nSELECT 3;\n");
    let output = ["SELECT 1;", "1", "SELECT 2;", "thread 'main' panicked"];
    assert_eq!(
        locate_blocks(&output, &statements),
        [Some(0..2), Some(2..4), None]
    );
}

#[test]
fn a_lost_echo_does_not_skip_ahead_to_a_later_identical_statement() {
    let statements = split_script("DROP TABLE t;\nCREATE TABLE t ();\nDROP TABLE t;\n");
    let output = ["CREATE TABLE t ();", "DROP TABLE t;"];
    assert_eq!(
        locate_blocks(&output, &statements),
        [None, Some(0..1), Some(1..2)]
    );
}

#[test]
fn output_lines_keep_carriage_returns() {
    assert_eq!(output_lines("a\r\nb\n"), ["a\r", "b"]);
    assert_eq!(output_lines("a\n\n"), ["a", ""]);
    assert_eq!(output_lines("a"), ["a"]);
}

#[test]
fn copy_sql_splits_into_its_statements_and_meta_commands() {
    let Some(dir) = suite_dir() else { return };
    let script = std::fs::read_to_string(dir.join("sql/copy.sql")).unwrap();
    let statements = split_script(&script);
    assert_eq!(statements.len(), 24);
    assert_eq!(
        statements[0].echo,
        ["-- vector", "CREATE TABLE t (val vector(3));"]
    );
    assert_eq!(
        statements[3].echo,
        ["\\copy t TO 'results/vector.bin' WITH (FORMAT binary)"]
    );
    assert_eq!(statements[3].line, 8);
}

#[test]
fn every_expected_file_holds_every_statement_echo_in_order() {
    let Some(dir) = suite_dir() else { return };
    let names = crate::regress::suite_names(&dir).unwrap();
    assert!(names.len() >= 14, "{names:?}");
    for name in names {
        let script = std::fs::read_to_string(dir.join(format!("sql/{name}.sql"))).unwrap();
        let expected = std::fs::read_to_string(dir.join(format!("expected/{name}.out"))).unwrap();
        let statements = split_script(&script);
        let output = output_lines(&expected);
        let blocks = locate_blocks(&output, &statements);
        assert!(
            blocks.iter().all(Option::is_some),
            "{name}: an echo is missing"
        );
        // The blocks tile the whole expected output.
        let covered: usize = blocks.iter().flatten().map(|range| range.len()).sum();
        assert_eq!(covered, output.len(), "{name}");
        // Every line psql echoes is some statement's echo: the script's non-empty lines.
        let echoed: usize = statements
            .iter()
            .map(|statement| statement.echo.len())
            .sum();
        let non_empty = script.lines().filter(|line| !line.is_empty()).count();
        assert_eq!(echoed, non_empty, "{name}");
    }
}
