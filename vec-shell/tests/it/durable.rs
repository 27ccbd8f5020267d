//! Databases opened from a directory: committed statements survive closing and
//! reopening, and a second opener of the same directory gets an error.

use vec_shell::{Database, Datum};

fn texts(database: &Database, sql: &str) -> Vec<Vec<Option<String>>> {
    let mut session = database.session();
    let results = session.execute(sql).unwrap();
    results[0]
        .rows
        .as_ref()
        .unwrap()
        .rows
        .iter()
        .map(|row| row.iter().map(Datum::to_text).collect())
        .collect()
}

#[test]
fn statements_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    {
        let database = Database::open(dir.path()).unwrap();
        assert!(!database.is_in_memory());
        let mut session = database.session();
        session
            .execute("CREATE EXTENSION vector; CREATE TABLE items (id bigserial PRIMARY KEY, e vector(3), h halfvec(2), s sparsevec(4), b bit(2), label text)")
            .unwrap();
        session
            .execute("INSERT INTO items (e, h, s, b, label) VALUES ('[1,2,3]', '[1,2]', '{1:1}/4', B'10', 'a'), ('[4,5,6]', NULL, NULL, NULL, 'b')")
            .unwrap();
        session
            .execute("UPDATE items SET label = 'z' WHERE id = 2")
            .unwrap();
        session
            .execute("CREATE TABLE gone (a int); DROP TABLE gone")
            .unwrap();
        // A failing statement changes nothing.
        assert!(session
            .execute("INSERT INTO items (e) VALUES ('[1,1,1]'), ('[1,1]')")
            .is_err());
    }
    let database = Database::open(dir.path()).unwrap();
    assert_eq!(
        texts(
            &database,
            "SELECT id, e, h, s, b, label FROM items ORDER BY id"
        ),
        vec![
            ["1", "[1,2,3]", "[1,2]", "{1:1}/4", "10", "a"]
                .map(|s| Some(s.to_string()))
                .to_vec(),
            vec![
                Some("2".into()),
                Some("[4,5,6]".into()),
                None,
                None,
                None,
                Some("z".into())
            ],
        ]
    );
    let mut session = database.session();
    assert!(session.execute("SELECT * FROM gone").is_err());
    let error = session.execute("CREATE EXTENSION vector").unwrap_err();
    assert_eq!(error.message, "extension \"vector\" already exists");
    // The identity sequence continues where it stopped (a failed insert consumes none).
    let inserted = session
        .execute("INSERT INTO items (e) VALUES ('[0,0,0]') RETURNING id")
        .unwrap();
    assert_eq!(
        inserted[0].rows.as_ref().unwrap().rows[0][0],
        Datum::Int8(3)
    );
}

#[test]
fn truncate_and_delete_are_durable() {
    let dir = tempfile::tempdir().unwrap();
    {
        let database = Database::open(dir.path()).unwrap();
        let mut session = database.session();
        session
            .execute("CREATE TABLE t (a int, v vector(2))")
            .unwrap();
        session
            .execute("INSERT INTO t SELECT n, ARRAY[n, n]::vector FROM generate_series(1, 500) n")
            .unwrap();
        session.execute("DELETE FROM t WHERE a % 2 = 0").unwrap();
        session.execute("CREATE TABLE u (a int); INSERT INTO u VALUES (1); TRUNCATE u; INSERT INTO u VALUES (2)").unwrap();
    }
    let database = Database::open(dir.path()).unwrap();
    assert_eq!(
        texts(&database, "SELECT count(*), sum(a) FROM t"),
        vec![vec![Some("250".into()), Some("62500".into())]]
    );
    assert_eq!(
        texts(&database, "SELECT a FROM u"),
        vec![vec![Some("2".into())]]
    );
}

#[test]
fn a_second_opener_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let _first = Database::open(dir.path()).unwrap();
    let error = Database::open(dir.path()).err().unwrap();
    assert_eq!(error.sqlstate, "55006");
}

#[test]
fn commits_without_waiting_for_the_flush_survive_a_clean_close() {
    let dir = tempfile::tempdir().unwrap();
    {
        let database = Database::open(dir.path()).unwrap();
        let mut session = database.session();
        session
            .execute(
                "SET synchronous_commit = off; CREATE TABLE t (a int); INSERT INTO t VALUES (1)",
            )
            .unwrap();
        session
            .execute("BEGIN; INSERT INTO t VALUES (2); COMMIT")
            .unwrap();
        session
            .execute("RESET synchronous_commit; INSERT INTO t VALUES (3)")
            .unwrap();
        session
            .execute("BEGIN; SET LOCAL synchronous_commit = off; INSERT INTO t VALUES (4); COMMIT")
            .unwrap();
    }
    let database = Database::open(dir.path()).unwrap();
    assert_eq!(
        texts(&database, "SELECT a FROM t ORDER BY a"),
        (1..=4)
            .map(|a| vec![Some(a.to_string())])
            .collect::<Vec<_>>()
    );
}

#[test]
fn schemas_and_their_tables_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    {
        let database = Database::open(dir.path()).unwrap();
        let mut session = database.session();
        session
            .execute(
                "CREATE SCHEMA a; CREATE SCHEMA empty; CREATE SCHEMA gone; \
                 CREATE TABLE a.t (id serial, e vector(2)); CREATE TABLE t (id int); \
                 INSERT INTO a.t (e) VALUES ('[1,2]'), ('[3,4]'); INSERT INTO t VALUES (7); \
                 CREATE INDEX ON a.t USING hnsw (e vector_l2_ops); DROP SCHEMA gone",
            )
            .unwrap();
    }
    let database = Database::open(dir.path()).unwrap();
    assert_eq!(
        texts(
            &database,
            "SELECT id, e FROM a.t ORDER BY e <-> '[3,3]' LIMIT 1"
        ),
        vec![vec![Some("2".to_string()), Some("[3,4]".to_string())]]
    );
    assert_eq!(
        texts(&database, "SELECT id FROM t"),
        vec![vec![Some("7".to_string())]]
    );
    assert_eq!(
        texts(
            &database,
            "SELECT nspname FROM pg_namespace WHERE nspname IN ('a', 'empty', 'gone') ORDER BY 1"
        ),
        vec![vec![Some("a".to_string())], vec![Some("empty".to_string())]]
    );
    // The next serial value and the schema's own search path still hold.
    let mut session = database.session();
    session
        .execute("SET search_path = a; INSERT INTO t (e) VALUES ('[5,6]')")
        .unwrap();
    assert_eq!(
        texts(&database, "SELECT max(id) FROM a.t"),
        vec![vec![Some("3".to_string())]]
    );
}

#[test]
fn analyze_statistics_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let query = "SELECT attname, null_frac::text, n_distinct::text, most_common_vals, histogram_bounds FROM pg_stats WHERE tablename = 'st' ORDER BY attname";
    let before = {
        let database = Database::open(dir.path()).unwrap();
        let mut session = database.session();
        session
            .execute(
                "CREATE TABLE st (id int, cat text, e vector(2)); \
                 INSERT INTO st SELECT i, 'c' || (i % 3), ARRAY[i, 1]::vector FROM generate_series(1, 50) i; \
                 INSERT INTO st VALUES (NULL, NULL, NULL); ANALYZE st",
            )
            .unwrap();
        texts(&database, query)
    };
    assert_eq!(before.len(), 3);
    assert_eq!(before[0][3].as_deref(), Some("{c1,c2,c0}"));
    let database = Database::open(dir.path()).unwrap();
    assert_eq!(texts(&database, query), before);
}
