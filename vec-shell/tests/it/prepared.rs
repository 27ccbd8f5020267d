//! Prepared statements and `$n` parameters: `PREPARE` / `EXECUTE` / `DEALLOCATE` /
//! `DISCARD ALL` in SQL, the library's prepare / describe / execute, parameter types
//! inferred from context, and plans made again after schema and settings changes.

use vec_shell::{Database, Datum, Session, SqlType};

use super::common::last_rows;

fn items() -> Session {
    let mut session = Database::in_memory().session();
    session
        .execute(
            "CREATE TABLE items (id bigint PRIMARY KEY, embedding halfvec(3), label text);
             INSERT INTO items VALUES (1, '[1,0,0]', 'a'), (2, '[0,1,0]', 'b'), (3, '[0,0,1]', 'c')",
        )
        .unwrap();
    session
}

#[test]
fn parameter_types_are_inferred_from_context() {
    let mut session = items();
    let described = session
        .prepare(
            "knn",
            "SELECT id, embedding <=> $1 AS d FROM items WHERE id <> $2 ORDER BY embedding <=> $1 LIMIT $3",
            &[],
        )
        .unwrap();
    assert_eq!(
        described.params,
        [SqlType::HalfVec, SqlType::Int8, SqlType::Int8]
    );
    let columns = described.columns.unwrap();
    assert_eq!(columns[0].name, "id");
    assert_eq!(columns[1].ty, SqlType::Float8);

    let cast = session
        .prepare("cast", "SELECT $1::halfvec(3) AS v, $2 AS untyped", &[])
        .unwrap();
    assert_eq!(cast.params, [SqlType::HalfVec, SqlType::Text]);

    let declared = session
        .prepare("declared", "SELECT $1", &[SqlType::Int4])
        .unwrap();
    assert_eq!(declared.params, [SqlType::Int4]);
    assert_eq!(declared.columns.unwrap()[0].ty, SqlType::Int4);

    let error = session
        .prepare("bad", "SELECT 1 WHERE $1 IS NULL", &[])
        .unwrap_err();
    assert_eq!(error.sqlstate, "42P18");
    assert_eq!(
        error.message,
        "could not determine data type of parameter $1"
    );
    let error = session.execute("SELECT $1").unwrap_err();
    assert_eq!(error.message, "there is no parameter $1");
}

#[test]
fn execute_runs_the_kept_plan_with_the_values() {
    let mut session = items();
    session
        .prepare(
            "knn",
            "SELECT id FROM items WHERE id <> $2 ORDER BY embedding <-> $1 LIMIT 2",
            &[],
        )
        .unwrap();
    let query = Datum::HalfVec("[0.9,0.1,0]".parse().unwrap());
    let result = session
        .execute_prepared("knn", &[query.clone(), Datum::Int8(1)])
        .unwrap();
    assert_eq!(result.tag, "SELECT 2");
    let rows = result.rows.unwrap().rows;
    assert_eq!(rows, [vec![Datum::Int8(2)], vec![Datum::Int8(3)]]);

    // An index created after PREPARE is used by the next execution: the plan is made
    // again, and the answer stays the same.
    session
        .execute("CREATE INDEX ON items USING hnsw (embedding halfvec_l2_ops)")
        .unwrap();
    session.execute("SET hnsw.ef_search = 10").unwrap();
    let result = session
        .execute_prepared("knn", &[query, Datum::Int8(1)])
        .unwrap();
    assert_eq!(
        result.rows.unwrap().rows,
        [vec![Datum::Int8(2)], vec![Datum::Int8(3)]]
    );

    let error = session
        .execute_prepared("knn", &[Datum::Int8(1)])
        .unwrap_err();
    assert_eq!(error.sqlstate, "08P01");
    let error = session.execute_prepared("nope", &[]).unwrap_err();
    assert_eq!(error.message, "prepared statement \"nope\" does not exist");
}

#[test]
fn sql_prepare_execute_deallocate() {
    let mut session = items();
    let results = session
        .execute(
            "PREPARE ins (bigint, halfvec(3)) AS INSERT INTO items (id, embedding, label) VALUES ($1, $2, 'new') RETURNING id;
             EXECUTE ins (10, '[1,1,1]');
             PREPARE upd AS UPDATE items SET label = $1 WHERE id = $2;
             EXECUTE upd ('ten', 10);
             PREPARE del AS DELETE FROM items WHERE id = $1",
        )
        .unwrap();
    assert_eq!(results[0].tag, "PREPARE");
    assert_eq!(results[1].tag, "INSERT 0 1");
    assert_eq!(results[3].tag, "UPDATE 1");
    assert_eq!(
        last_rows(&mut session, "SELECT label FROM items WHERE id = 10"),
        [[Some("ten".to_string())]]
    );
    assert_eq!(
        session.execute("EXECUTE del (10)").unwrap()[0].tag,
        "DELETE 1"
    );
    let rows = last_rows(
        &mut session,
        "PREPARE q (int) AS SELECT id FROM items WHERE id > $1 ORDER BY id; EXECUTE q (1)",
    );
    assert_eq!(rows, [[Some("2".to_string())], [Some("3".to_string())]]);

    let error = session.execute("EXECUTE q (1, 2)").unwrap_err();
    assert_eq!(
        error.message,
        "wrong number of parameters for prepared statement \"q\""
    );
    assert_eq!(
        error.detail.as_deref(),
        Some("Expected 1 parameters but got 2.")
    );
    let error = session.execute("EXECUTE q ('x')").unwrap_err();
    assert_eq!(
        error.message,
        "invalid input syntax for type integer: \"x\""
    );
    let error = session.execute("PREPARE q AS SELECT 1").unwrap_err();
    assert_eq!(error.message, "prepared statement \"q\" already exists");
    assert_eq!(
        session.execute("DEALLOCATE q").unwrap()[0].tag,
        "DEALLOCATE"
    );
    let error = session.execute("DEALLOCATE q").unwrap_err();
    assert_eq!(error.sqlstate, "26000");
    assert_eq!(
        session.execute("DEALLOCATE ALL").unwrap()[0].tag,
        "DEALLOCATE ALL"
    );
    assert!(session.execute("EXECUTE ins (11, '[1,1,1]')").is_err());
}

#[test]
fn discard_all_resets_the_session() {
    let mut session = items();
    session
        .execute("SET hnsw.ef_search = 7; PREPARE q AS SELECT 1")
        .unwrap();
    session.execute("BEGIN").unwrap();
    let error = session.execute("DISCARD ALL").unwrap_err();
    assert_eq!(
        error.message,
        "DISCARD ALL cannot run inside a transaction block"
    );
    session.execute("ROLLBACK").unwrap();
    assert_eq!(
        session.execute("DISCARD ALL").unwrap()[0].tag,
        "DISCARD ALL"
    );
    assert_eq!(
        last_rows(&mut session, "SHOW hnsw.ef_search"),
        [[Some("40".to_string())]]
    );
    assert!(session.execute("EXECUTE q").is_err());
}

#[test]
fn a_dropped_table_fails_the_next_execution_cleanly() {
    let mut session = items();
    session
        .prepare("q", "SELECT count(*) FROM items", &[])
        .unwrap();
    session.execute("DROP TABLE items").unwrap();
    let error = session.execute_prepared("q", &[]).unwrap_err();
    assert_eq!(error.message, "relation \"items\" does not exist");
}

#[test]
fn sessions_move_between_threads() {
    fn send<T: Send>(_: &T) {}
    let database = Database::in_memory();
    let session = database.session();
    send(&session);
    send(&database);
    std::thread::spawn(move || drop(session)).join().unwrap();
}

#[test]
fn parameters_in_where_get_a_plan_per_value() {
    let mut session = items();
    session
        .prepare(
            "near",
            "SELECT id FROM items ORDER BY embedding <-> (SELECT embedding FROM items WHERE id = $1) LIMIT 1",
            &[],
        )
        .unwrap();
    for id in [1i64, 2, 3] {
        let result = session
            .execute_prepared("near", &[Datum::Int8(id)])
            .unwrap();
        assert_eq!(result.rows.unwrap().rows, [vec![Datum::Int8(id)]]);
    }
    session
        .prepare("one", "SELECT label FROM items WHERE id = $1", &[])
        .unwrap();
    let result = session.execute_prepared("one", &[Datum::Int8(2)]).unwrap();
    assert_eq!(result.rows.unwrap().rows, [vec![Datum::Text("b".into())]]);
}

/// `(seq_scan, idx_scan)` of table `t`.
fn scans_of_t(session: &mut Session) -> (i64, i64) {
    let rows = last_rows(
        session,
        "SELECT seq_scan, idx_scan FROM pg_stat_user_tables WHERE relname = 't'",
    );
    let count = |text: &Option<String>| text.as_deref().unwrap().parse::<i64>().unwrap();
    (count(&rows[0][0]), count(&rows[0][1]))
}

#[test]
fn an_automatic_analyze_makes_prepared_queries_plan_again() {
    let database = Database::in_memory();
    database.set_autovacuum_naptime(None);
    let mut session = database.session();
    session
        .execute(
            "CREATE TABLE t (a int, b text);
             INSERT INTO t SELECT g % 100, 'x' || g FROM generate_series(1, 2000) g;
             CREATE INDEX ON t (a);
             ANALYZE t;
             PREPARE p AS SELECT count(*) FROM t WHERE a = 3",
        )
        .unwrap();
    // 20 rows of 2,000 match: the kept plan reads the btree.
    assert_eq!(
        last_rows(&mut session, "EXECUTE p"),
        [[Some("20".to_string())]]
    );
    let (seq, idx) = scans_of_t(&mut session);
    assert_eq!(idx, 1);
    // Now every row matches; once statistics say so, a scan of the table is cheaper.
    session.execute("UPDATE t SET a = 3").unwrap();
    let nap = std::time::Duration::from_millis(20);
    database.set_autovacuum_naptime(Some(nap));
    std::thread::sleep(nap * 2);
    session.execute("SELECT 1").unwrap();
    let analyzed = last_rows(
        &mut session,
        "SELECT autoanalyze_count FROM pg_stat_user_tables WHERE relname = 't'",
    );
    assert_eq!(analyzed, [[Some("1".to_string())]]);
    let explained = last_rows(&mut session, "EXPLAIN (COSTS OFF) EXECUTE p");
    assert_eq!(explained[1], [Some("  ->  Seq Scan on t".to_string())]);
    let before = scans_of_t(&mut session);
    assert_eq!(
        last_rows(&mut session, "EXECUTE p"),
        [[Some("2000".to_string())]]
    );
    let after = scans_of_t(&mut session);
    assert_eq!(
        (after.0 - before.0, after.1 - before.1),
        (1, 0),
        "the prepared query still read the btree after the automatic ANALYZE \
         (scans before the UPDATE: {seq} sequential, {idx} by index)"
    );
}
