//! `WITH name AS [NOT] MATERIALIZED (query)`, checked against psql's exact output
//! (`WITH RECURSIVE` has its script, `tests/sql/recursive.sql`).

use crate::output::{lines, run};

#[test]
fn ctes_feed_the_query_and_each_other() {
    let output = run("CREATE TABLE t (id int, v vector(2));\n\
        INSERT INTO t VALUES (1, '[1,1]'), (2, '[2,2]'), (3, '[3,3]');\n\
        WITH near AS MATERIALIZED (SELECT id, v <-> '[0,0]' AS d FROM t ORDER BY d LIMIT 2) SELECT id FROM near ORDER BY id DESC;\n\
        WITH a AS NOT MATERIALIZED (SELECT 1 AS x), b AS (SELECT x + 1 AS y FROM a) SELECT * FROM a, b;\n\
        WITH a AS (SELECT 5 AS x) SELECT (SELECT x FROM a) AS z;");
    assert!(
        output.ends_with(&lines(&[
            " id ",
            "----",
            "  2",
            "  1",
            "(2 rows)",
            "",
            "WITH a AS NOT MATERIALIZED (SELECT 1 AS x), b AS (SELECT x + 1 AS y FROM a) SELECT * FROM a, b;",
            " x | y ",
            "---+---",
            " 1 | 2",
            "(1 row)",
            "",
            "WITH a AS (SELECT 5 AS x) SELECT (SELECT x FROM a) AS z;",
            " z ",
            "---",
            " 5",
            "(1 row)",
            "",
        ])),
        "{output}"
    );
}

#[test]
fn a_cte_hides_a_table_and_feeds_insert() {
    let output = run("CREATE TABLE t (id int);\n\
        WITH t AS (SELECT 42 AS id) SELECT * FROM t;\n\
        INSERT INTO t WITH s AS (SELECT 9 AS n) SELECT n FROM s;\n\
        SELECT * FROM t;");
    assert!(
        output.ends_with(&lines(&[
            " id ",
            "----",
            " 42",
            "(1 row)",
            "",
            "INSERT INTO t WITH s AS (SELECT 9 AS n) SELECT n FROM s;",
            "SELECT * FROM t;",
            " id ",
            "----",
            "  9",
            "(1 row)",
            "",
        ])),
        "{output}"
    );
}

#[test]
fn cte_errors() {
    let doubling: String = (1..40)
        .map(|i| format!(", c{i} AS (SELECT * FROM c{} x, c{} y)", i - 1, i - 1))
        .collect();
    let script = format!(
        "WITH RECURSIVE r AS (SELECT 1 UNION SELECT * FROM r, r r2) SELECT * FROM r;\n\
         WITH c0 AS (SELECT 1 AS v){doubling} SELECT count(*) FROM c39;"
    );
    let output = run(&script);
    assert!(
        output.contains(
            "ERROR:  recursive reference to query \"r\" must not appear more than once\n"
        ),
        "{output}"
    );
    assert!(
        output.contains("ERROR:  WITH query expands into too many references\n"),
        "{output}"
    );
}
