//! Snapshot isolation between sessions, statement by statement: what a `READ COMMITTED`
//! statement and a `REPEATABLE READ` block see, the second writer of a row (it waits,
//! then re-reads under `READ COMMITTED` and fails with `40001` under `REPEATABLE READ`),
//! savepoints, and vector index scans that skip versions their snapshot does not see.

use std::time::Duration;

use vec_shell::{Database, Session};

use super::common::last_rows;

fn value(session: &mut Session, sql: &str) -> String {
    last_rows(session, sql)[0][0].clone().unwrap_or_default()
}

fn database() -> (tempfile::TempDir, Database) {
    let dir = tempfile::tempdir().unwrap();
    let database = Database::open(dir.path().join("db")).unwrap();
    database
        .session()
        .execute(
            "CREATE TABLE t (id int PRIMARY KEY, v int);
             INSERT INTO t VALUES (1, 10), (2, 20);",
        )
        .unwrap();
    (dir, database)
}

#[test]
fn a_repeatable_read_block_sees_its_snapshot_and_read_committed_sees_each_commit() {
    let (_dir, database) = database();
    let (mut a, mut b, mut c) = (database.session(), database.session(), database.session());
    a.execute("BEGIN ISOLATION LEVEL REPEATABLE READ").unwrap();
    assert_eq!(
        value(&mut a, "SHOW transaction_isolation"),
        "repeatable read"
    );
    assert_eq!(value(&mut a, "SELECT count(*) FROM t"), "2");
    c.execute("BEGIN").unwrap();
    assert_eq!(value(&mut c, "SELECT count(*) FROM t"), "2");
    b.execute("INSERT INTO t VALUES (3, 30)").unwrap();
    assert_eq!(value(&mut a, "SELECT count(*) FROM t"), "2");
    assert_eq!(value(&mut c, "SELECT count(*) FROM t"), "3");
    a.execute("COMMIT").unwrap();
    c.execute("COMMIT").unwrap();
    assert_eq!(value(&mut a, "SELECT count(*) FROM t"), "3");
}

#[test]
fn uncommitted_rows_stay_invisible_to_other_sessions_and_their_index_scans() {
    let dir = tempfile::tempdir().unwrap();
    let database = Database::open(dir.path().join("db")).unwrap();
    let mut a = database.session();
    let mut b = database.session();
    a.execute(
        "CREATE TABLE items (id int, embedding vector(3));
         INSERT INTO items SELECT i, ARRAY[i, i, i]::vector FROM generate_series(1, 50) i;
         CREATE INDEX ON items USING hnsw (embedding vector_l2_ops);",
    )
    .unwrap();
    a.execute("BEGIN; INSERT INTO items VALUES (0, '[0,0,0]'); DELETE FROM items WHERE id = 1;")
        .unwrap();
    let knn = "SELECT id FROM items ORDER BY embedding <-> '[0,0,0]' LIMIT 2";
    let plan = last_rows(&mut b, &format!("EXPLAIN (COSTS OFF) {knn}"));
    assert!(
        plan.iter()
            .any(|r| r[0].as_deref().unwrap_or("").contains("Index Scan")),
        "{plan:?}"
    );
    let seen: Vec<String> = last_rows(&mut b, knn)
        .into_iter()
        .map(|r| r[0].clone().unwrap())
        .collect();
    assert_eq!(seen, ["1", "2"]);
    let own: Vec<String> = last_rows(&mut a, knn)
        .into_iter()
        .map(|r| r[0].clone().unwrap())
        .collect();
    assert_eq!(own, ["0", "2"]);
    a.execute("COMMIT").unwrap();
    let seen: Vec<String> = last_rows(&mut b, knn)
        .into_iter()
        .map(|r| r[0].clone().unwrap())
        .collect();
    assert_eq!(seen, ["0", "2"]);
}

#[test]
fn a_repeatable_read_update_of_a_row_changed_since_its_snapshot_fails_with_40001() {
    let (_dir, database) = database();
    let (mut a, mut b) = (database.session(), database.session());
    a.execute("BEGIN ISOLATION LEVEL REPEATABLE READ").unwrap();
    assert_eq!(value(&mut a, "SELECT v FROM t WHERE id = 1"), "10");
    b.execute("UPDATE t SET v = v + 1 WHERE id = 1").unwrap();
    let error = a
        .execute("UPDATE t SET v = v + 100 WHERE id = 1")
        .unwrap_err();
    assert_eq!(error.sqlstate, "40001");
    assert_eq!(
        error.message,
        "could not serialize access due to concurrent update"
    );
    a.execute("ROLLBACK").unwrap();
    assert_eq!(value(&mut a, "SELECT v FROM t WHERE id = 1"), "11");
}

#[test]
fn a_read_committed_update_after_another_commit_works_on_the_new_version() {
    let (_dir, database) = database();
    let (mut a, mut b) = (database.session(), database.session());
    a.execute("BEGIN").unwrap();
    assert_eq!(value(&mut a, "SELECT v FROM t WHERE id = 1"), "10");
    b.execute("UPDATE t SET v = v + 1 WHERE id = 1").unwrap();
    a.execute("UPDATE t SET v = v + 100 WHERE id = 1").unwrap();
    a.execute("COMMIT").unwrap();
    assert_eq!(value(&mut b, "SELECT v FROM t WHERE id = 1"), "111");
}

#[test]
fn the_second_writer_of_a_row_waits_for_the_first_to_commit() {
    let (_dir, database) = database();
    let mut a = database.session();
    a.execute("BEGIN; UPDATE t SET v = v + 1 WHERE id = 2;")
        .unwrap();
    let other = database.clone();
    let second = std::thread::spawn(move || {
        let mut b = other.session();
        b.execute("UPDATE t SET v = v * 2 WHERE id = 2").unwrap();
        value(&mut b, "SELECT v FROM t WHERE id = 2")
    });
    std::thread::sleep(Duration::from_millis(200));
    assert!(!second.is_finished(), "the second writer did not wait");
    a.execute("COMMIT").unwrap();
    // It waited, then doubled the committed 21.
    assert_eq!(second.join().unwrap(), "42");
}

#[test]
fn savepoints_roll_back_part_of_a_block() {
    let (_dir, database) = database();
    let mut a = database.session();
    a.execute(
        "BEGIN;
         INSERT INTO t VALUES (3, 30);
         SAVEPOINT first;
         INSERT INTO t VALUES (4, 40);
         UPDATE t SET v = 0 WHERE id = 1;
         ROLLBACK TO SAVEPOINT first;
         INSERT INTO t VALUES (5, 50);
         SAVEPOINT second;
         DELETE FROM t WHERE id = 2;
         RELEASE SAVEPOINT second;
         COMMIT;",
    )
    .unwrap();
    let rows = last_rows(&mut a, "SELECT id, v FROM t ORDER BY id");
    let text: Vec<String> = rows
        .iter()
        .map(|r| format!("{}:{}", r[0].as_deref().unwrap(), r[1].as_deref().unwrap()))
        .collect();
    assert_eq!(text, ["1:10", "3:30", "5:50"]);
    // An error after a savepoint can be rolled back to it, and the block goes on.
    a.execute("BEGIN; SAVEPOINT s; INSERT INTO t VALUES (1, 0);")
        .unwrap_err();
    a.execute("ROLLBACK TO s; INSERT INTO t VALUES (6, 60); COMMIT;")
        .unwrap();
    assert_eq!(value(&mut a, "SELECT count(*) FROM t"), "4");
}
