//! `UNIQUE` and `CHECK` constraints beyond the SQL script: they survive reopening the
//! database, a rolled-back block's `ALTER TABLE … ADD CONSTRAINT` leaves nothing behind
//! on disk, `COPY` is checked, and bad check expressions get PostgreSQL's errors.

use crate::common::last_rows;
use vec_shell::Database;

/// The rows of a one-statement query, each value as text.
fn texts(database: &Database, sql: &str) -> Vec<Vec<Option<String>>> {
    last_rows(&mut database.session(), sql)
}

fn error(database: &Database, sql: &str) -> (String, Option<String>) {
    let error = database.session().execute(sql).unwrap_err();
    (error.message, error.detail)
}

#[test]
fn constraints_survive_reopening_and_rolled_back_ones_do_not() {
    let dir = tempfile::tempdir().unwrap();
    {
        let database = Database::open(dir.path()).unwrap();
        let mut session = database.session();
        session
            .execute(
                "CREATE TABLE t (id int UNIQUE, n int CHECK (n > 0), v text DEFAULT 'x'); \
                 INSERT INTO t VALUES (1, 1), (2, 2); \
                 ALTER TABLE t ADD CONSTRAINT t_v_key UNIQUE (v, n); \
                 BEGIN; ALTER TABLE t ADD CHECK (n < 5); ROLLBACK; \
                 BEGIN; ALTER TABLE t DROP CONSTRAINT t_n_check; COMMIT",
            )
            .unwrap();
    }
    let database = Database::open(dir.path()).unwrap();
    assert_eq!(
        error(&database, "INSERT INTO t VALUES (1, 5)"),
        (
            "duplicate key value violates unique constraint \"t_id_key\"".to_string(),
            Some("Key (id)=(1) already exists.".to_string())
        )
    );
    assert_eq!(
        error(&database, "INSERT INTO t VALUES (3, 1)").0,
        "duplicate key value violates unique constraint \"t_v_key\""
    );
    // The dropped check and the rolled-back one are gone.
    database
        .session()
        .execute("INSERT INTO t VALUES (4, -4), (5, 7)")
        .unwrap();
    assert_eq!(
        texts(&database, "SELECT count(*) FROM t"),
        [[Some("4".to_string())]]
    );
}

#[test]
fn copy_is_checked_and_changes_nothing_when_a_row_fails() {
    let database = Database::in_memory();
    let mut session = database.session();
    session
        .execute("CREATE TABLE c (id int UNIQUE, n int CHECK (n > 0))")
        .unwrap();
    let failed = session
        .copy_in("COPY c FROM STDIN", b"1\t1\n2\t-2\n")
        .unwrap_err();
    assert_eq!(
        failed.message,
        "new row for relation \"c\" violates check constraint \"c_n_check\""
    );
    assert_eq!(
        failed.detail.as_deref(),
        Some("Failing row contains (2, -2).")
    );
    let failed = session
        .copy_in("COPY c FROM STDIN", b"1\t1\n1\t2\n")
        .unwrap_err();
    assert_eq!(
        failed.message,
        "duplicate key value violates unique constraint \"c_id_key\""
    );
    // Where the row was, as PostgreSQL's CONTEXT line: a key violation without the text.
    assert_eq!(failed.context.as_deref(), Some("COPY c, line 2"));
    let failed = session
        .copy_in("COPY c FROM STDIN", b"1\t1\n2\t-2\n")
        .unwrap_err();
    assert_eq!(failed.context.as_deref(), Some("COPY c, line 2: \"2\t-2\""));
    // Binary data counts rows as lines and has no text to show.
    let binary = session
        .execute(
            "COPY (SELECT 3 AS id, 3 AS n UNION ALL SELECT 4, -4) TO STDOUT WITH (FORMAT binary)",
        )
        .unwrap()[0]
        .copy_data
        .clone()
        .unwrap();
    let failed = session
        .copy_in("COPY c FROM STDIN WITH (FORMAT binary)", &binary)
        .unwrap_err();
    assert_eq!(failed.sqlstate, "23514");
    assert_eq!(failed.context.as_deref(), Some("COPY c, line 2"));
    assert_eq!(
        texts(&database, "SELECT count(*) FROM c"),
        [[Some("0".to_string())]]
    );
}

#[test]
fn bad_check_expressions_get_postgres_errors() {
    let database = Database::in_memory();
    let cases = [
        (
            "CREATE TABLE b (a int CHECK (a))",
            "argument of CHECK must be type boolean, not type integer",
        ),
        (
            "CREATE TABLE b (a int CHECK ((SELECT 1) > 0))",
            "cannot use subquery in check constraint",
        ),
        (
            "CREATE TABLE b (a int CHECK (sum(a) > 0))",
            "aggregate functions are not allowed in check constraints",
        ),
        (
            "CREATE TABLE b (a int CHECK (nope > 0))",
            "column \"nope\" does not exist",
        ),
        (
            "CREATE TABLE b (a int, UNIQUE (a, a))",
            "column \"a\" appears twice in unique constraint",
        ),
    ];
    for (sql, message) in cases {
        let failed = database.session().execute(sql).unwrap_err();
        assert_eq!(failed.message, message, "{sql}");
        if !sql.contains("UNIQUE") {
            assert_eq!(
                failed.position,
                Some(sql.find(" CHECK (").unwrap() + 8),
                "{sql}"
            );
        }
    }
    assert!(database.session().execute("SELECT * FROM b").is_err());
}

#[test]
fn unique_indexes_are_unique_in_pg_index_and_add_column_refuses_constraints() {
    let database = Database::in_memory();
    database
        .session()
        .execute("CREATE TABLE p (id int PRIMARY KEY, a int UNIQUE, b int); CREATE INDEX ON p (b)")
        .unwrap();
    assert_eq!(
        texts(
            &database,
            "SELECT indisunique, indisprimary FROM pg_index ORDER BY indexrelid"
        ),
        [
            [Some("t".to_string()), Some("t".to_string())],
            [Some("t".to_string()), Some("f".to_string())],
            [Some("f".to_string()), Some("f".to_string())],
        ]
    );
    let refused = database
        .session()
        .execute("ALTER TABLE p ADD COLUMN c int CHECK (c > 0)")
        .unwrap_err();
    assert_eq!(refused.sqlstate, "0A000");
    // Nothing was added.
    assert!(database.session().execute("SELECT c FROM p").is_err());
}
