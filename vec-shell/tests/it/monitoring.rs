//! The monitoring views that need more than one session or the wire protocol:
//! `pg_stat_progress_create_index` seen from another session while a build runs, and
//! `pg_stat_statements` counting statements from the engine's API and from both query
//! paths of the server. (`tests/sql/stat_views.sql` checks `pg_stat_user_tables`
//! against PostgreSQL's output.)

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use vec_shell::server::ServerOptions;
use vec_shell::{Database, Datum, Session};

use crate::server::Running;

fn rows(session: &mut Session, sql: &str) -> Vec<Vec<Datum>> {
    let results = session.execute(sql).unwrap();
    results
        .into_iter()
        .last()
        .and_then(|r| r.rows)
        .map(|r| r.rows)
        .unwrap_or_default()
}

#[test]
fn another_session_sees_an_index_build_progress_while_it_runs() {
    let database = Database::in_memory();
    let mut builder = database.session();
    builder
        .execute(
            "CREATE TABLE items (id bigserial PRIMARY KEY, embedding vector(8));
             INSERT INTO items (embedding)
             SELECT ARRAY[random(), random(), random(), random(),
                          random(), random(), random(), random()]::vector
             FROM generate_series(1, 20000)",
        )
        .unwrap();
    let builder_pid = builder.backend_pid();
    let done = Arc::new(AtomicBool::new(false));
    let finished = Arc::clone(&done);
    let build = std::thread::spawn(move || {
        let result = builder.execute("CREATE INDEX ON items USING hnsw (embedding vector_l2_ops)");
        finished.store(true, Ordering::SeqCst);
        result.map(|_| ())
    });
    let mut watcher = database.session();
    let table_oid = rows(
        &mut watcher,
        "SELECT oid FROM pg_class WHERE relname = 'items'",
    )[0][0]
        .clone();
    let mut loading = Vec::new();
    let started = Instant::now();
    while !done.load(Ordering::SeqCst) && started.elapsed() < Duration::from_secs(600) {
        // Each query returns while the build runs: the build holds no catalog write lock.
        let seen = rows(
            &mut watcher,
            "SELECT pid, relid, command, phase, tuples_done, tuples_total, datname
             FROM pg_stat_progress_create_index",
        );
        if let Some(row) = seen.first() {
            assert_eq!(seen.len(), 1);
            assert_eq!(row[0], Datum::Int4(builder_pid));
            assert_eq!(row[1], table_oid);
            assert_eq!(row[2], Datum::Text("CREATE INDEX".into()));
            assert_eq!(row[6], Datum::Text("vecsh".into()));
            if row[3] == Datum::Text("building index: loading tuples".into()) {
                let (Datum::Int8(done), Datum::Int8(total)) = (&row[4], &row[5]) else {
                    panic!("tuple counts are not bigint: {row:?}");
                };
                assert_eq!(*total, 20000);
                assert!(*done <= *total);
                loading.push(*done);
            }
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    build.join().unwrap().unwrap();
    loading.dedup();
    assert!(
        loading.len() >= 2 && loading.windows(2).all(|w| w[0] < w[1]),
        "tuples_done did not grow while the build ran: {loading:?}"
    );
    assert!(rows(&mut watcher, "SELECT * FROM pg_stat_progress_create_index").is_empty());
    // The index is there for both sessions.
    let indexes = rows(
        &mut watcher,
        "SELECT indexname FROM pg_indexes WHERE tablename = 'items' ORDER BY 1",
    );
    assert_eq!(indexes.len(), 2);
}

#[test]
fn statements_are_counted_from_the_engine_and_both_server_paths() {
    let database = Database::in_memory();
    let mut session = database.session();
    session
        .execute("CREATE TABLE items (id integer, embedding vector(3))")
        .unwrap();
    // Nothing is counted before the extension exists.
    session
        .execute("INSERT INTO items VALUES (1, '[1,2,3]')")
        .unwrap();
    session
        .execute("CREATE EXTENSION pg_stat_statements")
        .unwrap();
    session
        .execute("INSERT INTO items VALUES (2, '[4,5,6]'); INSERT INTO items VALUES (3, '[7,8,9]')")
        .unwrap();

    let server = Running::on(database.clone(), ServerOptions::default());
    let mut client = server.client();
    client
        .simple_query("SELECT id FROM items ORDER BY embedding <-> '[1,1,1]' LIMIT 2")
        .unwrap();
    let statement = client
        .prepare("SELECT id FROM items WHERE id > $1 ORDER BY id LIMIT 10")
        .unwrap();
    for floor in [0, 1, 2] {
        client.query(&statement, &[&floor]).unwrap();
    }

    let counted = rows(
        &mut session,
        "SELECT query, calls, rows, total_exec_time >= 0, mean_exec_time >= 0, plans
         FROM pg_stat_statements ORDER BY query",
    );
    let find = |text: &str| {
        counted
            .iter()
            .find(|row| row[0] == Datum::Text(text.into()))
            .unwrap_or_else(|| panic!("{text} was not counted: {counted:?}"))
            .clone()
    };
    let inserts = find("INSERT INTO items VALUES ($1, $2)");
    assert_eq!(
        (&inserts[1], &inserts[2]),
        (&Datum::Int8(2), &Datum::Int8(2))
    );
    let simple = find("SELECT id FROM items ORDER BY embedding <-> $1 LIMIT $2");
    assert_eq!((&simple[1], &simple[2]), (&Datum::Int8(1), &Datum::Int8(2)));
    let extended = find("SELECT id FROM items WHERE id > $1 ORDER BY id LIMIT $2");
    assert_eq!(
        (&extended[1], &extended[2]),
        (&Datum::Int8(3), &Datum::Int8(6))
    );
    assert_eq!(extended[3], Datum::Bool(true));
    assert_eq!(extended[5], Datum::Int8(0));
    // The seeds' monitoring query runs.
    let top = rows(
        &mut session,
        "SELECT query, calls, ROUND((total_plan_time + total_exec_time) / calls) AS avg_time_ms,
                ROUND((total_plan_time + total_exec_time) / 60000) AS total_time_min
         FROM pg_stat_statements
         ORDER BY total_plan_time + total_exec_time DESC LIMIT 20",
    );
    assert!(top.len() >= 4);

    client
        .simple_query("SELECT pg_stat_statements_reset()")
        .unwrap();
    let left = rows(&mut session, "SELECT query FROM pg_stat_statements");
    assert_eq!(
        left,
        vec![vec![Datum::Text(
            "SELECT pg_stat_statements_reset()".into()
        )]]
    );
    session
        .execute("DROP EXTENSION pg_stat_statements")
        .unwrap();
    let error = session
        .execute("SELECT * FROM pg_stat_statements")
        .unwrap_err();
    assert_eq!(
        error.message,
        "relation \"pg_stat_statements\" does not exist"
    );
}

#[test]
fn the_extension_survives_reopening_a_database() {
    let directory = tempfile::tempdir().unwrap();
    {
        let database = Database::open(directory.path()).unwrap();
        let mut session = database.session();
        session
            .execute("CREATE EXTENSION pg_stat_statements")
            .unwrap();
        session.execute("SELECT 1").unwrap();
    }
    let database = Database::open(directory.path()).unwrap();
    let mut session = database.session();
    // The counts start again; the extension is still installed.
    let counted = rows(&mut session, "SELECT count(*) FROM pg_stat_statements");
    assert_eq!(counted, vec![vec![Datum::Int8(0)]]);
    let error = session
        .execute("CREATE EXTENSION pg_stat_statements")
        .unwrap_err();
    assert_eq!(
        error.message,
        "extension \"pg_stat_statements\" already exists"
    );
}

/// `autoanalyze_count`, `analyze_count` and `n_mod_since_analyze` of table `t`, and
/// how many of its columns `pg_stats` lists.
fn analyze_state(session: &mut Session) -> (i64, i64, i64, usize) {
    let counts = rows(
        session,
        "SELECT autoanalyze_count, analyze_count, n_mod_since_analyze, \
                last_autoanalyze IS NOT NULL
         FROM pg_stat_user_tables WHERE relname = 't'",
    );
    let int = |d: &Datum| match d {
        Datum::Int8(n) => *n,
        other => panic!("{other:?}"),
    };
    let row = &counts[0];
    assert_eq!(row[3], Datum::Bool(int(&row[0]) > 0));
    let columns = rows(
        session,
        "SELECT attname FROM pg_stats WHERE tablename = 't'",
    )
    .len();
    (int(&row[0]), int(&row[1]), int(&row[2]), columns)
}

#[test]
fn automatic_analyze_follows_large_changes_once_per_naptime() {
    let database = Database::in_memory();
    database.set_autovacuum_naptime(None);
    let mut session = database.session();
    session
        .execute(
            "CREATE TABLE t (a int, b text);
             INSERT INTO t SELECT g % 7, 'x' || g FROM generate_series(1, 1000) g",
        )
        .unwrap();
    // Off: nothing is analyzed, however long it waits.
    assert_eq!(analyze_state(&mut session), (0, 0, 1000, 0));
    let nap = Duration::from_millis(20);
    let wait_a_naptime = || std::thread::sleep(nap * 2);
    database.set_autovacuum_naptime(Some(nap));
    // Not yet due: the first look is a naptime away.
    session.execute("SELECT 1").unwrap();
    assert_eq!(analyze_state(&mut session), (0, 0, 1000, 0));
    wait_a_naptime();
    session.execute("SELECT 1").unwrap();
    assert_eq!(analyze_state(&mut session), (1, 0, 0, 2));
    // 100 changes on 1000 analyzed rows stay under 50 + 10%.
    session
        .execute("UPDATE t SET a = a + 1 WHERE a = 0")
        .unwrap();
    wait_a_naptime();
    session.execute("SELECT 1").unwrap();
    let (auto, _, changed, _) = analyze_state(&mut session);
    assert_eq!((auto, changed), (1, 142));
    // Inside a block no look is taken; the next statement after it takes one.
    session
        .execute("BEGIN; UPDATE t SET a = 5; SELECT 1")
        .unwrap();
    wait_a_naptime();
    session.execute("SELECT 1").unwrap();
    assert_eq!(analyze_state(&mut session).0, 1);
    session.execute("COMMIT").unwrap();
    wait_a_naptime();
    session.execute("SELECT 1").unwrap();
    assert_eq!(analyze_state(&mut session), (2, 0, 0, 2));
    let common = rows(
        &mut session,
        "SELECT most_common_vals::text FROM pg_stats WHERE tablename = 't' AND attname = 'a'",
    );
    assert_eq!(common, vec![vec![Datum::Text("{5}".into())]]);
}
