//! The shell's exact output for scripts, as `psql -X -a -q` would print it (standard
//! error interleaved in order).

use vec_shell::format::{OutputFormat, PrintOptions};
use vec_shell::repl::{Shell, ShellOptions};
use vec_shell::Database;

fn run_with(script: &str, print: PrintOptions) -> String {
    let database = Database::in_memory();
    let mut out = Vec::new();
    {
        // Errors and results share one buffer, as in a terminal.
        let mut err = Vec::new();
        let options = ShellOptions {
            echo_all: true,
            quiet: true,
            ..ShellOptions::default()
        };
        let mut shell = Shell::new(database.session(), print, options, &mut out, &mut err);
        for line in script.lines() {
            shell.run_script(line.as_bytes());
        }
        drop(shell);
        out.extend_from_slice(&err);
    }
    String::from_utf8(out).unwrap()
}

/// Joins lines with newlines (each line, the last included, ends with one).
pub(crate) fn lines(lines: &[&str]) -> String {
    lines.iter().map(|l| format!("{l}\n")).collect()
}

pub(crate) fn run(script: &str) -> String {
    run_with(script, PrintOptions::default())
}

#[test]
fn aligned_table_with_numbers_and_nulls() {
    let output = run("CREATE TABLE t (id int, v vector(2), name text);\n\
        INSERT INTO t VALUES (1, '[1,2]', 'a'), (10, NULL, 'bb'), (NULL, '[3,4]', NULL);\n\
        SELECT * FROM t ORDER BY id;");
    assert!(
        output.ends_with(&lines(&[
            " id |   v   | name ",
            "----+-------+------",
            "  1 | [1,2] | a",
            " 10 |       | bb",
            "    | [3,4] | ",
            "(3 rows)",
            "",
        ])),
        "{output}"
    );
}

#[test]
fn nearest_neighbours_with_top_k() {
    let output = run(
        "CREATE TABLE items (id bigserial PRIMARY KEY, embedding vector(3));\n\
        INSERT INTO items (embedding) VALUES ('[1,2,3]'), ('[4,5,6]'), ('[1,1,1]');\n\
        SELECT id, embedding <-> '[3,1,2]' AS distance FROM items ORDER BY distance LIMIT 2;",
    );
    assert!(
        output.ends_with(&lines(&[
            " id |     distance      ",
            "----+-------------------",
            "  3 |  2.23606797749979",
            "  1 | 2.449489742783178",
            "(2 rows)",
            "",
        ])),
        "{output}"
    );
}

#[test]
fn grouped_aggregates_over_vectors() {
    let output = run("CREATE TABLE t (c int, v vector(2));\n\
        INSERT INTO t VALUES (1, '[1,2]'), (1, '[3,4]'), (2, '[5,5]');\n\
        SELECT c, count(*), avg(v), sum(v) FROM t GROUP BY c ORDER BY c;");
    assert!(
        output.ends_with(&lines(&[
            " c | count |  avg  |  sum  ",
            "---+-------+-------+-------",
            " 1 |     2 | [2,3] | [4,6]",
            " 2 |     1 | [5,5] | [5,5]",
            "(2 rows)",
            "",
        ])),
        "{output}"
    );
}

#[test]
fn errors_carry_position_detail_and_hint() {
    let output = run("SELECT '[1,2,3]9'::vector;");
    assert_eq!(
        output,
        "SELECT '[1,2,3]9'::vector;\n\
         ERROR:  invalid input syntax for type vector: \"[1,2,3]9\"\n\
         LINE 1: SELECT '[1,2,3]9'::vector;\n\
         \x20              ^\n\
         DETAIL:  Junk after closing right brace.\n"
    );
    let output = run("SELECT foo(1);");
    assert!(output.contains("ERROR:  function foo(integer) does not exist\nLINE 1: SELECT foo(1);\n               ^\nHINT:  No function matches"), "{output}");
    let output = run("SELECT 1 +;");
    assert!(
        output.ends_with(
            "ERROR:  syntax error at or near \";\"\nLINE 1: SELECT 1 +;\n                  ^\n"
        ),
        "{output}"
    );
}

#[test]
fn constraints_and_notices() {
    let output = run("DROP TABLE IF EXISTS nope;\n\
        CREATE TABLE t (id int PRIMARY KEY, v vector(2));\n\
        INSERT INTO t VALUES (1, '[1,2]');\n\
        INSERT INTO t VALUES (1, '[3,4]');\n\
        INSERT INTO t VALUES (NULL, '[3,4]');\n\
        INSERT INTO t VALUES (2, '[1,2,3]');");
    assert!(
        output.contains("NOTICE:  table \"nope\" does not exist, skipping\n"),
        "{output}"
    );
    assert!(output.contains(
        "ERROR:  duplicate key value violates unique constraint \"t_pkey\"\nDETAIL:  Key (id)=(1) already exists.\n"
    ), "{output}");
    assert!(output.contains(
        "ERROR:  null value in column \"id\" of relation \"t\" violates not-null constraint\nDETAIL:  Failing row contains (null, [3,4]).\n"
    ), "{output}");
    assert!(
        output.contains("ERROR:  expected 2 dimensions, not 3\n"),
        "{output}"
    );
}

#[test]
fn unaligned_csv_tuples_and_expanded() {
    let script = "SELECT 1 AS a, 'x,y' AS b;";
    let unaligned = PrintOptions {
        format: OutputFormat::Unaligned,
        field_separator: ";".to_string(),
        ..PrintOptions::default()
    };
    assert!(run_with(script, unaligned).ends_with("a;b\n1;x,y\n(1 row)\n"));
    let csv = PrintOptions {
        format: OutputFormat::Csv,
        ..PrintOptions::default()
    };
    assert!(run_with(script, csv).ends_with("a,b\n1,\"x,y\"\n"));
    let tuples = PrintOptions {
        tuples_only: true,
        ..PrintOptions::default()
    };
    assert!(run_with(script, tuples).ends_with(" 1 | x,y\n\n"));
    let expanded = PrintOptions {
        expanded: true,
        ..PrintOptions::default()
    };
    assert!(run_with(script, expanded).ends_with("-[ RECORD 1 ]\na | 1\nb | x,y\n\n"));
}

#[test]
fn settings_show_and_range_errors() {
    let output = run("SHOW hnsw.ef_search;\nSET hnsw.ef_search = 0;\nSET ivfflat.probes = 7;\nSHOW ivfflat.probes;");
    assert!(
        output.contains(" hnsw.ef_search \n----------------\n 40\n(1 row)\n\n"),
        "{output}"
    );
    assert!(output.contains(
        "ERROR:  0 is outside the valid range for parameter \"hnsw.ef_search\" (1 .. 1000)\n"
    ));
    assert!(output.contains(" ivfflat.probes \n----------------\n 7\n(1 row)\n"));
}

#[test]
fn explain_shows_the_chosen_scan() {
    let output = run("CREATE TABLE t (id int, val vector(3));\n\
        INSERT INTO t SELECT n, ARRAY[n, n, n]::vector FROM generate_series(1, 50) n;\n\
        CREATE INDEX ON t USING hnsw (val vector_l2_ops);\n\
        EXPLAIN (COSTS OFF) SELECT * FROM t ORDER BY val <-> '[3,3,3]' LIMIT 5;\n\
        SET enable_indexscan = off;\n\
        EXPLAIN (COSTS OFF) SELECT * FROM t ORDER BY val <-> '[3,3,3]' LIMIT 5;");
    assert!(
        output.contains(&lines(&[
            " Limit",
            "   ->  Index Scan using t_val_idx on t",
            "         Order By: (val <-> '[3,3,3]'::vector)",
            "(3 rows)",
        ])),
        "{output}"
    );
    assert!(
        output.contains(&lines(&[
            " Limit",
            "   ->  Sort",
            "         Sort Key: ((val <-> '[3,3,3]'::vector))",
            "         ->  Seq Scan on t",
            "(4 rows)",
        ])),
        "{output}"
    );
}
