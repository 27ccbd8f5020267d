//! Cross joins, comma joins and `CROSS JOIN LATERAL`, checked against psql's exact
//! output.

use crate::output::{lines, run};

#[test]
fn lateral_nearest_neighbour_per_row() {
    let output = run("CREATE TABLE t (val vector(3));\n\
        INSERT INTO t (val) VALUES ('[0,0,0]'), ('[1,2,3]'), ('[1,1,1]'), (NULL);\n\
        CREATE INDEX ON t USING hnsw (val vector_cosine_ops);\n\
        INSERT INTO t (val) VALUES ('[1,2,4]');\n\
        SELECT * FROM t CROSS JOIN LATERAL (SELECT * FROM t t2 ORDER BY val <=> t.val LIMIT 1) t2 WHERE t.val != '[0,0,0]' ORDER BY t.val;");
    assert!(
        output.ends_with(&lines(&[
            "   val   |   val   ",
            "---------+---------",
            " [1,1,1] | [1,1,1]",
            " [1,2,3] | [1,2,3]",
            " [1,2,4] | [1,2,4]",
            "(3 rows)",
            "",
        ])),
        "{output}"
    );
}

#[test]
fn comma_and_cross_joins_pair_every_row() {
    let output = run("CREATE TABLE a (x int);\n\
        INSERT INTO a VALUES (1), (2);\n\
        SELECT * FROM a, a b ORDER BY 1, 2;\n\
        SELECT a.x, g FROM a CROSS JOIN generate_series(1, 3) g WHERE g > a.x ORDER BY 1, 2;\n\
        SELECT * FROM a CROSS JOIN LATERAL (SELECT a.x * 10 AS y) s ORDER BY y;");
    assert!(
        output.ends_with(&lines(&[
            " x | x ",
            "---+---",
            " 1 | 1",
            " 1 | 2",
            " 2 | 1",
            " 2 | 2",
            "(4 rows)",
            "",
            "SELECT a.x, g FROM a CROSS JOIN generate_series(1, 3) g WHERE g > a.x ORDER BY 1, 2;",
            " x | g ",
            "---+---",
            " 1 | 2",
            " 1 | 3",
            " 2 | 3",
            "(3 rows)",
            "",
            "SELECT * FROM a CROSS JOIN LATERAL (SELECT a.x * 10 AS y) s ORDER BY y;",
            " x | y  ",
            "---+----",
            " 1 | 10",
            " 2 | 20",
            "(2 rows)",
            "",
        ])),
        "{output}"
    );
}

#[test]
fn join_errors() {
    let output = run("CREATE TABLE a (x int);\n\
        SELECT * FROM a, a;\n\
        SELECT * FROM a CROSS JOIN (SELECT a.x) s;");
    assert!(
        output.contains("ERROR:  table name \"a\" specified more than once\n"),
        "{output}"
    );
    assert!(
        output.contains("ERROR:  missing FROM-clause entry for table \"a\"\n"),
        "{output}"
    );
}
