//! Set operations, `DISTINCT`, `COPY (query)` and `CREATE TABLE AS` beyond the SQL
//! scripts: `EXPLAIN`'s plan shapes (vecsh's own, not PostgreSQL's), long chains of
//! operations, `DISTINCT` over an indexed vector column, rows at scale, a query copied
//! to a file, and `CREATE TABLE AS` rolled back with its block.

use crate::common::last_rows;
use vec_shell::Database;

fn explain(session: &mut vec_shell::Session, sql: &str) -> Vec<String> {
    last_rows(session, &format!("EXPLAIN (COSTS OFF) {sql}"))
        .into_iter()
        .map(|row| row[0].clone().unwrap_or_default())
        .collect()
}

#[test]
fn explain_draws_set_operations_and_distinct() {
    let database = Database::in_memory();
    let mut session = database.session();
    session
        .execute("CREATE TABLE a (id int); CREATE TABLE b (id int)")
        .unwrap();
    assert_eq!(
        explain(&mut session, "SELECT id FROM a UNION ALL SELECT id FROM b"),
        ["Append", "  ->  Seq Scan on a", "  ->  Seq Scan on b"]
    );
    assert_eq!(
        explain(
            &mut session,
            "SELECT id FROM a INTERSECT SELECT id FROM b ORDER BY id LIMIT 1"
        ),
        [
            "Limit",
            "  ->  Sort",
            "        Sort Key: id",
            "        ->  HashSetOp Intersect",
            "              ->  Append",
            "                    ->  Seq Scan on a",
            "                    ->  Seq Scan on b",
        ]
    );
    assert_eq!(
        explain(
            &mut session,
            "SELECT DISTINCT ON (id) id FROM a ORDER BY id"
        )[..2],
        ["Unique", "  ->  Sort"]
    );
    assert_eq!(
        explain(&mut session, "SELECT DISTINCT id FROM a")[0],
        "HashAggregate"
    );
}

#[test]
fn long_chains_of_set_operations_run() {
    let database = Database::in_memory();
    let mut session = database.session();
    let sql = (0..150)
        .map(|n| format!("SELECT {}", n % 7))
        .collect::<Vec<_>>()
        .join(" UNION ");
    let rows = last_rows(&mut session, &format!("{sql} ORDER BY 1"));
    assert_eq!(rows.len(), 7);
    let error = session
        .execute(&vec!["SELECT 1"; 5_000].join(" UNION ALL "))
        .unwrap_err();
    assert_eq!(error.sqlstate, "54001");
}

#[test]
fn distinct_and_set_operations_over_many_rows() {
    let database = Database::in_memory();
    let mut session = database.session();
    session
        .execute(
            "CREATE TABLE t (id int, g int, v vector(2));\n\
             INSERT INTO t SELECT n, n % 100, ARRAY[n % 10, 0]::vector FROM generate_series(1, 20000) n;\n\
             CREATE INDEX ON t USING hnsw (v vector_l2_ops)",
        )
        .unwrap();
    let count = |session: &mut vec_shell::Session, sql: &str| {
        last_rows(session, sql)[0][0].clone().unwrap()
    };
    assert_eq!(
        count(
            &mut session,
            "SELECT count(*) FROM (SELECT DISTINCT g FROM t) s"
        ),
        "100"
    );
    assert_eq!(
        count(
            &mut session,
            "SELECT count(*) FROM (SELECT DISTINCT v FROM t) s"
        ),
        "10"
    );
    // DISTINCT with an ORDER BY the vector index could serve still gets every row.
    let rows = last_rows(
        &mut session,
        "SELECT DISTINCT v <-> '[0,0]' AS d FROM t ORDER BY d LIMIT 5",
    );
    assert_eq!(rows.len(), 5);
    assert_eq!(
        count(
            &mut session,
            "SELECT count(*) FROM (SELECT g FROM t WHERE id <= 10000 INTERSECT ALL SELECT g FROM t WHERE id > 15000) s"
        ),
        "5000"
    );
    assert_eq!(
        count(
            &mut session,
            "SELECT count(*) FROM (SELECT g FROM t EXCEPT SELECT g FROM t WHERE g < 50) s"
        ),
        "50"
    );
    let first = last_rows(
        &mut session,
        "SELECT DISTINCT ON (g) g, id FROM t ORDER BY g, id DESC LIMIT 2",
    );
    assert_eq!(
        first,
        [
            [Some("0".to_string()), Some("20000".to_string())],
            [Some("1".to_string()), Some("19901".to_string())]
        ]
    );
}

#[test]
fn copy_of_a_query_writes_a_file_and_create_table_as_rolls_back() {
    let database = Database::in_memory();
    let mut session = database.session();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.csv");
    let results = session
        .execute(&format!(
            "COPY (SELECT 2 AS n UNION SELECT 1 ORDER BY n) TO '{}' WITH (FORMAT csv, HEADER)",
            path.display()
        ))
        .unwrap();
    assert_eq!(results[0].tag, "COPY 2");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "n\n1\n2\n");

    session
        .execute("BEGIN; CREATE TABLE made AS SELECT generate_series(1, 3) AS n")
        .unwrap();
    assert_eq!(
        last_rows(&mut session, "SELECT count(*) FROM made")[0][0].as_deref(),
        Some("3")
    );
    session.execute("ROLLBACK").unwrap();
    let error = session.execute("SELECT * FROM made").unwrap_err();
    assert_eq!(error.message, "relation \"made\" does not exist");
    let results = session
        .execute("CREATE TABLE made AS SELECT 1 AS n UNION ALL SELECT 2")
        .unwrap();
    assert_eq!(results[0].tag, "SELECT 2");
}
