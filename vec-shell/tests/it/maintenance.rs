//! `REINDEX`, `VACUUM` and `ANALYZE`: their command tags, their errors for unknown or
//! wrong relations, and indexes that still answer after a rebuild or vacuum.

use crate::output::{lines, run};
use vec_shell::Database;

#[test]
fn maintenance_commands_report_their_tags() {
    let database = Database::in_memory();
    let mut session = database.session();
    session
        .execute("CREATE TABLE items (id bigserial PRIMARY KEY, embedding vector(3)); CREATE INDEX items_hnsw ON items USING hnsw (embedding vector_l2_ops)")
        .unwrap();
    let cases = [
        ("REINDEX INDEX items_hnsw", "REINDEX"),
        ("REINDEX INDEX CONCURRENTLY items_hnsw", "REINDEX"),
        ("REINDEX TABLE items", "REINDEX"),
        ("VACUUM items", "VACUUM"),
        ("VACUUM", "VACUUM"),
        ("VACUUM ANALYZE items", "VACUUM"),
        ("VACUUM (VERBOSE, ANALYZE) items", "VACUUM"),
        ("ANALYZE", "ANALYZE"),
        ("ANALYZE items", "ANALYZE"),
    ];
    for (sql, tag) in cases {
        let results = session.execute(sql).unwrap();
        assert_eq!(results[0].tag, tag, "{sql}");
    }
}

#[test]
fn rebuilt_and_vacuumed_indexes_still_answer() {
    let output = run(
        "CREATE TABLE items (id bigserial PRIMARY KEY, embedding vector(3));\n\
        INSERT INTO items (embedding) VALUES ('[1,2,3]'), ('[4,5,6]'), ('[1,1,1]'), ('[9,9,9]');\n\
        CREATE INDEX items_hnsw ON items USING hnsw (embedding vector_l2_ops);\n\
        DELETE FROM items WHERE id = 1;\n\
        REINDEX INDEX items_hnsw;\n\
        INSERT INTO items (embedding) VALUES ('[1,2,4]');\n\
        VACUUM items;\n\
        SELECT id FROM items ORDER BY embedding <-> '[1,2,3]' LIMIT 2;",
    );
    assert!(
        output.ends_with(&lines(&[
            "SELECT id FROM items ORDER BY embedding <-> '[1,2,3]' LIMIT 2;",
            " id ",
            "----",
            "  5",
            "  3",
            "(2 rows)",
            "",
        ])),
        "{output}"
    );
}

#[test]
fn maintenance_errors_and_notices() {
    let setup = "CREATE TABLE items (id int PRIMARY KEY, embedding vector(3));\n\
        CREATE INDEX items_hnsw ON items USING hnsw (embedding vector_l2_ops);\n\
        CREATE TABLE plain (a int);\n";
    let cases: &[(&str, &[&str])] = &[
        ("REINDEX INDEX nope;", &["ERROR:  relation \"nope\" does not exist"]),
        ("REINDEX TABLE nope;", &["ERROR:  relation \"nope\" does not exist"]),
        ("REINDEX INDEX items;", &["ERROR:  \"items\" is not an index"]),
        (
            "REINDEX TABLE items_hnsw;",
            &["ERROR:  \"items_hnsw\" is not a table or materialized view"],
        ),
        ("VACUUM nope;", &["ERROR:  relation \"nope\" does not exist"]),
        ("ANALYZE nope;", &["ERROR:  relation \"nope\" does not exist"]),
        (
            "VACUUM items_hnsw;",
            &["WARNING:  skipping \"items_hnsw\" --- cannot vacuum non-tables or special system tables"],
        ),
        (
            "REINDEX TABLE plain;",
            &["NOTICE:  table \"plain\" has no indexes to reindex"],
        ),
    ];
    for (statement, expected) in cases {
        let output = run(&format!("{setup}{statement}"));
        assert!(
            output.ends_with(&format!("{statement}\n{}", lines(expected))),
            "{statement}\n{output}"
        );
    }
}
