//! Column defaults (`DEFAULT expr`, the `DEFAULT` keyword, `DEFAULT VALUES`) and
//! stored generated columns, checked against psql's exact output, and their
//! definitions surviving a reopened database.

use crate::output::{lines, run};
use vec_shell::{Database, Datum};

#[test]
fn binary_quantized_generated_column() {
    let output = run(
        "CREATE TABLE items (id bigserial PRIMARY KEY, embedding vector(3), bq bit(3) GENERATED ALWAYS AS (binary_quantize(embedding)::bit(3)) STORED);\n\
        INSERT INTO items (embedding) VALUES ('[1,-2,3]'), ('[-1,2,3]'), ('[-1,-2,-3]');\n\
        CREATE INDEX ON items USING hnsw (bq bit_hamming_ops);\n\
        SELECT * FROM items ORDER BY bq <~> B'101' LIMIT 2;\n\
        UPDATE items SET embedding = '[-1,-1,-1]' WHERE id = 1 RETURNING bq;\n\
        INSERT INTO items (embedding, bq) VALUES ('[1,2,3]', DEFAULT) RETURNING *;\n\
        SELECT id FROM items ORDER BY bq <~> B'111' LIMIT 1;\n\
        \\d items",
    );
    assert!(
        output.contains(&lines(&[
            "SELECT * FROM items ORDER BY bq <~> B'101' LIMIT 2;",
            " id | embedding | bq  ",
            "----+-----------+-----",
            "  1 | [1,-2,3]  | 101",
            "  2 | [-1,2,3]  | 011",
            "(2 rows)",
            "",
            "UPDATE items SET embedding = '[-1,-1,-1]' WHERE id = 1 RETURNING bq;",
            " bq  ",
            "-----",
            " 000",
            "(1 row)",
            "",
            "INSERT INTO items (embedding, bq) VALUES ('[1,2,3]', DEFAULT) RETURNING *;",
            " id | embedding | bq  ",
            "----+-----------+-----",
            "  4 | [1,2,3]   | 111",
            "(1 row)",
            "",
            "SELECT id FROM items ORDER BY bq <~> B'111' LIMIT 1;",
            " id ",
            "----",
            "  4",
            "(1 row)",
            "",
            "\\d items",
            "                                              Table \"public.items\"",
            "  Column   |   Type    | Collation | Nullable |                             Default                             ",
            "-----------+-----------+-----------+----------+-----------------------------------------------------------------",
            " id        | bigint    |           | not null | nextval('items_id_seq'::regclass)",
            " embedding | vector(3) |           |          | ",
            " bq        | bit(3)    |           |          | generated always as (binary_quantize(embedding)::bit(3)) stored",
            "Indexes:",
            "    \"items_pkey\" PRIMARY KEY, btree (id)",
            "    \"items_bq_idx\" hnsw (bq bit_hamming_ops)",
            "",
        ])),
        "{output}"
    );
}

#[test]
fn generated_columns_refuse_explicit_values() {
    let setup = "CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a * 2) STORED);\n";
    let error = |statement: &str| {
        let output = run(&format!("{setup}{statement}"));
        output
            .split_once(&format!("{statement}\n"))
            .map(|(_, rest)| rest.to_string())
            .unwrap_or(output)
    };
    let insert = lines(&[
        "ERROR:  cannot insert a non-DEFAULT value into column \"b\"",
        "DETAIL:  Column \"b\" is a generated column.",
    ]);
    assert_eq!(error("INSERT INTO t VALUES (1, 2);"), insert);
    assert_eq!(error("INSERT INTO t (b) SELECT 1;"), insert);
    assert_eq!(
        error("UPDATE t SET b = 1;"),
        lines(&[
            "ERROR:  column \"b\" can only be updated to DEFAULT",
            "DETAIL:  Column \"b\" is a generated column.",
        ])
    );
    assert_eq!(
        error("COPY t (a, b) FROM STDIN;"),
        lines(&[
            "ERROR:  column \"b\" is a generated column",
            "DETAIL:  Generated columns cannot be used in COPY.",
        ])
    );
    assert_eq!(
        error("SELECT DEFAULT;"),
        lines(&[
            "ERROR:  DEFAULT is not allowed in this context",
            "LINE 1: SELECT DEFAULT;",
            "               ^",
        ])
    );
}

#[test]
fn bad_column_expressions_fail_create_table() {
    let output = run(
        "CREATE TABLE g (a int, b int GENERATED ALWAYS AS (a) STORED, c int GENERATED ALWAYS AS (b + 1) STORED);",
    );
    assert!(
        output.ends_with(&lines(&[
            "ERROR:  cannot use generated column \"b\" in column generation expression",
            "LINE 1: ... ALWAYS AS (a) STORED, c int GENERATED ALWAYS AS (b + 1) STO...",
            "                                                             ^",
            "DETAIL:  A generated column cannot reference another generated column.",
        ])),
        "{output}"
    );
    let output = run("CREATE TABLE g (a int DEFAULT a);");
    assert!(
        output.ends_with(&lines(&[
            "ERROR:  cannot use column reference in DEFAULT expression",
            "LINE 1: CREATE TABLE g (a int DEFAULT a);",
            "                                      ^",
        ])),
        "{output}"
    );
    let cases = [
        (
            "CREATE TABLE g (a int DEFAULT 1 GENERATED ALWAYS AS (2) STORED);",
            "ERROR:  both default and generation expression specified for column \"a\" of table \"g\"\nLINE 1: CREATE TABLE g (a int DEFAULT 1 GENERATED ALWAYS AS (2) STOR...\n                                        ^\n",
        ),
        (
            "CREATE TABLE g (a float8 GENERATED ALWAYS AS (random()) STORED);",
            "ERROR:  generation expression is not immutable\n",
        ),
        (
            "CREATE TABLE g (a int DEFAULT 'x'::text);",
            "ERROR:  column \"a\" is of type integer but default expression is of type text\nHINT:  You will need to rewrite or cast the expression.\n",
        ),
        (
            "CREATE TABLE g (a int GENERATED ALWAYS AS (count(*)) STORED);",
            "ERROR:  aggregate functions are not allowed in column generation expressions\n",
        ),
    ];
    for (statement, expected) in cases {
        let output = run(statement);
        assert!(output.contains(expected), "{statement}\n{output}");
    }
    // Nothing was created.
    let output = run("SELECT * FROM g;");
    assert!(output.contains("relation \"g\" does not exist"), "{output}");
}

#[test]
fn defaults_fill_missing_values() {
    let output = run(
        "CREATE TABLE d (a int DEFAULT 7, b text DEFAULT 'x', c int GENERATED ALWAYS AS (a * 2) STORED, e int);\n\
        INSERT INTO d DEFAULT VALUES;\n\
        INSERT INTO d (e) VALUES (1);\n\
        INSERT INTO d VALUES (DEFAULT, 'y', DEFAULT, 2), (3, DEFAULT);\n\
        UPDATE d SET a = DEFAULT, b = DEFAULT, e = 20 WHERE e = 2;\n\
        SELECT * FROM d ORDER BY e NULLS FIRST, a;\n\
        ALTER TABLE d ADD COLUMN f int DEFAULT 42;\n\
        ALTER TABLE d ADD COLUMN g int GENERATED ALWAYS AS (a + e) STORED;\n\
        SELECT * FROM d ORDER BY e NULLS FIRST, a;\n\
        \\d d",
    );
    assert!(
        output.contains(&lines(&[
            "SELECT * FROM d ORDER BY e NULLS FIRST, a;",
            " a | b | c  | e  ",
            "---+---+----+----",
            " 3 | x |  6 |   ",
            " 7 | x | 14 |   ",
            " 7 | x | 14 |  1",
            " 7 | x | 14 | 20",
            "(4 rows)",
            "",
            "ALTER TABLE d ADD COLUMN f int DEFAULT 42;",
            "ALTER TABLE d ADD COLUMN g int GENERATED ALWAYS AS (a + e) STORED;",
            "SELECT * FROM d ORDER BY e NULLS FIRST, a;",
            " a | b | c  | e  | f  | g  ",
            "---+---+----+----+----+----",
            " 3 | x |  6 |    | 42 |   ",
            " 7 | x | 14 |    | 42 |   ",
            " 7 | x | 14 |  1 | 42 |  8",
            " 7 | x | 14 | 20 | 42 | 27",
            "(4 rows)",
            "",
            "\\d d",
            "                               Table \"public.d\"",
            " Column |  Type   | Collation | Nullable |              Default               ",
            "--------+---------+-----------+----------+------------------------------------",
            " a      | integer |           |          | 7",
            " b      | text    |           |          | 'x'::text",
            " c      | integer |           |          | generated always as (a * 2) stored",
            " e      | integer |           |          | ",
            " f      | integer |           |          | 42",
            " g      | integer |           |          | generated always as (a + e) stored",
            "",
        ])),
        "{output}"
    );
}

#[test]
fn serial_columns_take_their_next_value_for_default() {
    let output = run("CREATE TABLE t (id serial PRIMARY KEY, v int);\n\
        INSERT INTO t (v) VALUES (1), (2);\n\
        UPDATE t SET id = DEFAULT WHERE v = 2;\n\
        INSERT INTO t VALUES (DEFAULT, 3);\n\
        SELECT * FROM t ORDER BY id;");
    assert!(
        output.ends_with(&lines(&[
            " id | v ", "----+---", "  1 | 1", "  3 | 2", "  4 | 3", "(3 rows)", "",
        ])),
        "{output}"
    );
}

#[test]
fn on_conflict_recomputes_generated_columns() {
    let output = run("CREATE TABLE t (id int PRIMARY KEY, n int DEFAULT 10, twice int GENERATED ALWAYS AS (n * 2) STORED);\n\
        INSERT INTO t VALUES (1, DEFAULT), (2, 5);\n\
        INSERT INTO t (id, n) VALUES (1, 7), (3, DEFAULT) ON CONFLICT (id) DO UPDATE SET n = excluded.n;\n\
        SELECT * FROM t ORDER BY id;");
    assert!(
        output.ends_with(&lines(&[
            " id | n  | twice ",
            "----+----+-------",
            "  1 |  7 |    14",
            "  2 |  5 |    10",
            "  3 | 10 |    20",
            "(3 rows)",
            "",
        ])),
        "{output}"
    );
}

#[test]
fn copy_skips_generated_columns_and_fills_defaults() {
    let database = Database::in_memory();
    let mut session = database.session();
    session
        .execute("CREATE TABLE t (id int, label text DEFAULT 'none', twice int GENERATED ALWAYS AS (id * 2) STORED)")
        .unwrap();
    session
        .copy_in("COPY t FROM STDIN", b"1\ta\n2\t\\N\n")
        .unwrap();
    session.copy_in("COPY t (id) FROM STDIN", b"3\n").unwrap();
    let results = session.execute("COPY t TO STDOUT").unwrap();
    let data = String::from_utf8(results[0].copy_data.clone().unwrap()).unwrap();
    assert_eq!(data, "1\ta\n2\t\\N\n3\tnone\n");
    let results = session.execute("SELECT twice FROM t ORDER BY id").unwrap();
    let twice: Vec<Option<String>> = results[0]
        .rows
        .as_ref()
        .unwrap()
        .rows
        .iter()
        .map(|row| row[0].to_text())
        .collect();
    assert_eq!(twice, ["2", "4", "6"].map(|s| Some(s.to_string())));
}

#[test]
fn definitions_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    {
        let database = Database::open(dir.path()).unwrap();
        let mut session = database.session();
        session
            .execute("CREATE TABLE items (id bigserial PRIMARY KEY, embedding vector(3), bq bit(3) GENERATED ALWAYS AS (binary_quantize(embedding)::bit(3)) STORED, label text DEFAULT 'new')")
            .unwrap();
        session
            .execute("INSERT INTO items (embedding) VALUES ('[1,-2,3]')")
            .unwrap();
        session
            .execute("ALTER TABLE items ADD COLUMN n int DEFAULT 5")
            .unwrap();
    }
    let database = Database::open(dir.path()).unwrap();
    let mut session = database.session();
    session
        .execute("INSERT INTO items (embedding) VALUES ('[-1,2,-3]')")
        .unwrap();
    let error = session.execute("UPDATE items SET bq = '000'").unwrap_err();
    assert_eq!(error.sqlstate, "428C9");
    let results = session
        .execute("SELECT id, bq, label, n FROM items ORDER BY id")
        .unwrap();
    let rows: Vec<Vec<Option<String>>> = results[0]
        .rows
        .as_ref()
        .unwrap()
        .rows
        .iter()
        .map(|row| row.iter().map(Datum::to_text).collect())
        .collect();
    let expected: Vec<Vec<Option<String>>> = [["1", "101", "new", "5"], ["2", "010", "new", "5"]]
        .iter()
        .map(|row| row.iter().map(|s| Some(s.to_string())).collect())
        .collect();
    assert_eq!(rows, expected);
}
