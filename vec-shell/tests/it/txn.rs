//! Transaction blocks: psql's output for `BEGIN`/`COMMIT`/`ROLLBACK`, rollback of rows,
//! keys, vector indexes and schema changes, aborted blocks, `SET LOCAL`, durability of
//! committed blocks across reopening, a second session's write while a block is open,
//! and a vector index refusing a row before anything is committed.

use vec_shell::{Database, Datum, EngineError, Session};

use crate::common::last_rows as texts;
use crate::common::random_vector as vector;
use crate::output::{lines, run};

fn tags(session: &mut Session, sql: &str) -> Vec<String> {
    session
        .execute(sql)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .into_iter()
        .map(|r| r.tag)
        .collect()
}

fn error(session: &mut Session, sql: &str) -> EngineError {
    match session.execute(sql) {
        Ok(_) => panic!("{sql} succeeded"),
        Err(error) => error,
    }
}

fn count(session: &mut Session, table: &str) -> String {
    texts(session, &format!("SELECT count(*) FROM {table}"))[0][0]
        .clone()
        .unwrap()
}

/// The ids nearest to a few query vectors, through the index and through an exact
/// scan; the two must agree (the searches are wide enough to be exact).
fn nearest_both_ways(session: &mut Session) -> Vec<Vec<Option<String>>> {
    let mut through_index = Vec::new();
    let mut exact = Vec::new();
    for seed in [1000, 1001, 1002] {
        let query = format!(
            "SELECT id FROM items ORDER BY embedding <-> '{}' LIMIT 7",
            vector(seed, 4)
        );
        let plan = texts(session, &format!("EXPLAIN {query}"));
        assert!(
            plan.iter()
                .flatten()
                .flatten()
                .any(|l| l.contains("Index Scan")),
            "{plan:?}"
        );
        through_index.extend(texts(session, &query));
        session.execute("SET enable_indexscan = off").unwrap();
        exact.extend(texts(session, &query));
        session.execute("RESET enable_indexscan").unwrap();
    }
    assert_eq!(through_index, exact);
    exact
}

fn load(session: &mut Session, method: &str) {
    session
        .execute("CREATE TABLE items (id int PRIMARY KEY, serial bigserial, embedding vector(4))")
        .unwrap();
    let values: Vec<String> = (0..60)
        .map(|i| format!("({i}, '{}')", vector(i, 4)))
        .collect();
    session
        .execute(&format!(
            "INSERT INTO items (id, embedding) VALUES {}",
            values.join(", ")
        ))
        .unwrap();
    let with = if method == "hnsw" {
        ""
    } else {
        " WITH (lists = 1)"
    };
    session
        .execute(&format!(
            "CREATE INDEX items_idx ON items USING {method} (embedding vector_l2_ops){with}; \
             SET hnsw.ef_search = 1000"
        ))
        .unwrap();
}

#[test]
fn psql_output_of_transaction_commands() {
    let output = run("COMMIT;\n\
        ROLLBACK;\n\
        SET LOCAL hnsw.ef_search = 10;\n\
        SHOW hnsw.ef_search;\n\
        BEGIN;\n\
        BEGIN;\n\
        SELECT 1/0;\n\
        SELECT 1;\n\
        COMMIT;\n\
        SELECT 2 AS two;");
    // The helper prints standard output first, then standard error.
    assert_eq!(
        output,
        lines(&[
            "COMMIT;",
            "ROLLBACK;",
            "SET LOCAL hnsw.ef_search = 10;",
            "SHOW hnsw.ef_search;",
            " hnsw.ef_search ",
            "----------------",
            " 40",
            "(1 row)",
            "",
            "BEGIN;",
            "BEGIN;",
            "SELECT 1/0;",
            "SELECT 1;",
            "COMMIT;",
            "SELECT 2 AS two;",
            " two ",
            "-----",
            "   2",
            "(1 row)",
            "",
            "WARNING:  there is no transaction in progress",
            "WARNING:  there is no transaction in progress",
            "WARNING:  SET LOCAL can only be used in transaction blocks",
            "WARNING:  there is already a transaction in progress",
            "ERROR:  division by zero",
            "ERROR:  current transaction is aborted, commands ignored until end of transaction block",
        ])
    );
}

#[test]
fn command_tags_and_synonyms() {
    let database = Database::in_memory();
    let mut session = database.session();
    assert_eq!(tags(&mut session, "BEGIN"), ["BEGIN"]);
    assert!(session.in_transaction_block());
    assert_eq!(tags(&mut session, "END"), ["COMMIT"]);
    assert_eq!(
        tags(&mut session, "START TRANSACTION"),
        ["START TRANSACTION"]
    );
    assert_eq!(tags(&mut session, "ABORT"), ["ROLLBACK"]);
    assert_eq!(tags(&mut session, "BEGIN WORK"), ["BEGIN"]);
    assert_eq!(tags(&mut session, "COMMIT TRANSACTION"), ["COMMIT"]);
    assert!(!session.in_transaction_block());
    let results = session.execute("COMMIT").unwrap();
    assert_eq!(results[0].tag, "COMMIT");
    assert_eq!(results[0].notices[0].sqlstate, "25P01");
    assert_eq!(results[0].notices[0].severity, vec_shell::Severity::Warning);
    session.execute("BEGIN").unwrap();
    let results = session.execute("BEGIN").unwrap();
    assert_eq!(results[0].notices[0].sqlstate, "25001");
    // An aborted block: COMMIT reports ROLLBACK; BEGIN is refused like the rest.
    assert_eq!(error(&mut session, "SELEC 1").sqlstate, "42601");
    assert_eq!(error(&mut session, "BEGIN").sqlstate, "25P02");
    assert_eq!(
        error(&mut session, "SET work_mem = '1MB'").sqlstate,
        "25P02"
    );
    assert_eq!(tags(&mut session, "COMMIT"), ["ROLLBACK"]);
    assert!(!session.in_transaction_block());
    assert_eq!(tags(&mut session, "SELECT 1"), ["SELECT 1"]);
}

fn rollback_restores_rows_keys_and_index(method: &str) {
    let database = Database::in_memory();
    let mut session = database.session();
    load(&mut session, method);
    let rows_before = texts(&mut session, "SELECT * FROM items ORDER BY id");
    let nearest_before = nearest_both_ways(&mut session);
    session.execute("BEGIN").unwrap();
    let values: Vec<String> = (100..130)
        .map(|i| format!("({i}, '{}')", vector(i, 4)))
        .collect();
    session
        .execute(&format!(
            "INSERT INTO items (id, embedding) VALUES {}",
            values.join(", ")
        ))
        .unwrap();
    session
        .execute("UPDATE items SET embedding = embedding * '[-1,2,-1,2]', id = id + 1000 WHERE id % 3 = 0")
        .unwrap();
    session
        .execute("DELETE FROM items WHERE id % 5 = 1")
        .unwrap();
    session
        .execute("INSERT INTO items (id, embedding) VALUES (1, '[0,0,0,1]')")
        .unwrap();
    // Read your writes: the block's rows are seen, through the index too.
    assert_ne!(count(&mut session, "items"), "60");
    let nearest_inside = nearest_both_ways(&mut session);
    assert_ne!(nearest_inside, nearest_before);
    assert_eq!(tags(&mut session, "ROLLBACK"), ["ROLLBACK"]);
    assert_eq!(
        texts(&mut session, "SELECT * FROM items ORDER BY id"),
        rows_before
    );
    assert_eq!(nearest_both_ways(&mut session), nearest_before);
    // The key set is the one before the block: old keys clash, the block's do not.
    assert_eq!(
        error(&mut session, "INSERT INTO items (id) VALUES (3)").sqlstate,
        "23505"
    );
    session
        .execute("INSERT INTO items (id, embedding) VALUES (100, '[1,1,1,1]'), (1003, NULL)")
        .unwrap();
    // The serial column moved on during the block and stays moved on.
    let serials = texts(&mut session, "SELECT serial FROM items WHERE id = 100");
    assert_eq!(serials, vec![vec![Some("92".to_string())]]);
    assert_eq!(count(&mut session, "items"), "62");
}

#[test]
fn rollback_restores_rows_keys_and_hnsw_index() {
    rollback_restores_rows_keys_and_index("hnsw");
}

#[test]
fn rollback_restores_rows_keys_and_ivfflat_index() {
    rollback_restores_rows_keys_and_index("ivfflat");
}

#[test]
fn commit_keeps_the_block_and_an_error_undoes_it() {
    let database = Database::in_memory();
    let mut session = database.session();
    load(&mut session, "hnsw");
    session.execute("BEGIN").unwrap();
    session.execute("DELETE FROM items WHERE id < 10").unwrap();
    session
        .execute("INSERT INTO items (id, embedding) VALUES (500, '[1,2,3,4]')")
        .unwrap();
    assert_eq!(tags(&mut session, "COMMIT"), ["COMMIT"]);
    assert_eq!(count(&mut session, "items"), "51");
    nearest_both_ways(&mut session);
    // A failing statement aborts the block and undoes its earlier statements at once.
    session.execute("BEGIN").unwrap();
    session.execute("DELETE FROM items WHERE id > 20").unwrap();
    let failed = error(&mut session, "INSERT INTO items (id) VALUES (1), (1)");
    assert_eq!(failed.sqlstate, "23505");
    let other = database
        .session()
        .execute("SELECT count(*) FROM items")
        .unwrap();
    assert_eq!(other[0].rows.as_ref().unwrap().rows[0][0], Datum::Int8(51));
    assert_eq!(error(&mut session, "SELECT 1").sqlstate, "25P02");
    assert_eq!(tags(&mut session, "ROLLBACK"), ["ROLLBACK"]);
    assert_eq!(count(&mut session, "items"), "51");
    nearest_both_ways(&mut session);
}

#[test]
fn copy_from_stdin_inside_blocks() {
    let database = Database::in_memory();
    let mut session = database.session();
    session
        .execute("CREATE TABLE t (a int PRIMARY KEY, v vector(2)); BEGIN")
        .unwrap();
    let copied = session
        .copy_in("COPY t FROM STDIN", b"1\t[1,2]\n2\t[3,4]\n")
        .unwrap();
    assert_eq!(copied.tag, "COPY 2");
    assert_eq!(count(&mut session, "t"), "2");
    session.execute("ROLLBACK").unwrap();
    assert_eq!(count(&mut session, "t"), "0");
    // A failing COPY aborts the block; a COPY in an aborted block is refused.
    session.execute("BEGIN").unwrap();
    let failed = session
        .copy_in("COPY t FROM STDIN", b"1\t[1,2]\n1\t[3,4]\n")
        .unwrap_err();
    assert_eq!(failed.sqlstate, "23505");
    let refused = session
        .copy_in("COPY t FROM STDIN", b"3\t[1,2]\n")
        .unwrap_err();
    assert_eq!(refused.sqlstate, "25P02");
    assert_eq!(tags(&mut session, "COMMIT"), ["ROLLBACK"]);
    assert_eq!(count(&mut session, "t"), "0");
}

#[test]
fn set_local_and_set_in_blocks() {
    let database = Database::in_memory();
    let mut session = database.session();
    let show = |session: &mut Session| texts(session, "SHOW hnsw.ef_search")[0][0].clone().unwrap();
    let results = session.execute("SET LOCAL hnsw.ef_search = 10").unwrap();
    assert_eq!(results[0].tag, "SET");
    assert_eq!(
        results[0].notices[0].message,
        "SET LOCAL can only be used in transaction blocks"
    );
    assert_eq!(show(&mut session), "40");
    assert_eq!(
        error(&mut session, "SET LOCAL hnsw.ef_search = 0").sqlstate,
        "22023"
    );
    session
        .execute("BEGIN; SET LOCAL hnsw.ef_search = 100")
        .unwrap();
    assert_eq!(show(&mut session), "100");
    session.execute("COMMIT").unwrap();
    assert_eq!(show(&mut session), "40");
    // A plain SET is undone by ROLLBACK and kept by COMMIT, over any SET LOCAL.
    session.execute("BEGIN; SET hnsw.ef_search = 200").unwrap();
    assert_eq!(show(&mut session), "200");
    session.execute("ROLLBACK").unwrap();
    assert_eq!(show(&mut session), "40");
    session
        .execute("BEGIN; SET hnsw.ef_search = 200; SET LOCAL hnsw.ef_search = 300")
        .unwrap();
    assert_eq!(show(&mut session), "300");
    session.execute("COMMIT").unwrap();
    assert_eq!(show(&mut session), "200");
    session
        .execute("BEGIN; RESET hnsw.ef_search; COMMIT")
        .unwrap();
    assert_eq!(show(&mut session), "40");
    // An aborted block's settings go back at ROLLBACK.
    session.execute("BEGIN; SET hnsw.ef_search = 77").unwrap();
    error(&mut session, "SELECT nothing");
    session.execute("ROLLBACK").unwrap();
    assert_eq!(show(&mut session), "40");
}

#[test]
fn schema_changes_roll_back() {
    let database = Database::in_memory();
    let mut session = database.session();
    load(&mut session, "hnsw");
    session
        .execute("CREATE TABLE other (a int PRIMARY KEY, v vector(4)); INSERT INTO other VALUES (1, '[1,1,1,1]')")
        .unwrap();
    let rows_before = texts(&mut session, "SELECT * FROM items ORDER BY id");
    let nearest_before = nearest_both_ways(&mut session);
    session
        .execute(
            "BEGIN; \
             CREATE TABLE fresh (a int); INSERT INTO fresh VALUES (1); \
             CREATE INDEX ON other USING hnsw (v vector_cosine_ops); \
             DROP INDEX items_idx; \
             CREATE INDEX items_idx ON items USING ivfflat (embedding) WITH (lists = 1); \
             INSERT INTO items (id, embedding) VALUES (900, '[0,0,0,0]'); \
             TRUNCATE items; \
             INSERT INTO items (id, embedding) VALUES (901, '[1,0,0,0]'); \
             ALTER TABLE other ADD COLUMN note text; \
             UPDATE other SET note = 'x'; \
             DROP TABLE other; \
             CREATE EXTENSION vector",
        )
        .unwrap();
    assert_eq!(count(&mut session, "items"), "1");
    assert_eq!(count(&mut session, "fresh"), "1");
    session.execute("ROLLBACK").unwrap();
    assert_eq!(error(&mut session, "SELECT * FROM fresh").sqlstate, "42P01");
    assert_eq!(
        texts(&mut session, "SELECT * FROM other"),
        vec![vec![Some("1".to_string()), Some("[1,1,1,1]".to_string())]]
    );
    assert_eq!(
        texts(&mut session, "SELECT * FROM items ORDER BY id"),
        rows_before
    );
    assert_eq!(nearest_both_ways(&mut session), nearest_before);
    database.with_catalog(|catalog| {
        let items = catalog.table("items").unwrap();
        let names: Vec<&str> = items.indexes.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["items_pkey", "items_idx"]);
        assert_eq!(items.indexes[1].method.name(), "hnsw");
        assert_eq!(catalog.table("other").unwrap().indexes.len(), 1);
        assert!(!catalog.extension_installed);
    });
    // The extension can be created now, in a block that commits.
    session
        .execute("BEGIN; CREATE EXTENSION vector; COMMIT")
        .unwrap();
    database.with_catalog(|catalog| assert!(catalog.extension_installed));
}

#[test]
fn committed_block_survives_reopen_and_the_others_do_not() {
    let dir = tempfile::tempdir().unwrap();
    {
        let database = Database::open(dir.path()).unwrap();
        let mut session = database.session();
        load(&mut session, "hnsw");
        session
            .execute(
                "BEGIN; \
                 CREATE TABLE added (a int PRIMARY KEY, v vector(2)); \
                 INSERT INTO added VALUES (1, '[1,2]'), (2, '[3,4]'); \
                 CREATE INDEX ON added USING hnsw (v vector_l2_ops); \
                 DELETE FROM items WHERE id >= 50; \
                 UPDATE items SET embedding = '[1,1,1,1]' WHERE id = 0; \
                 INSERT INTO items (id, embedding) VALUES (70, '[2,2,2,2]'); \
                 TRUNCATE added; INSERT INTO added VALUES (3, '[5,6]'); \
                 COMMIT",
            )
            .unwrap();
        // Rolled back: none of it stays.
        session
            .execute(
                "BEGIN; \
                 INSERT INTO items (id, embedding) VALUES (80, '[3,3,3,3]'); \
                 DROP TABLE added; CREATE TABLE never (a int); \
                 DELETE FROM items WHERE id < 5; \
                 ROLLBACK",
            )
            .unwrap();
        // Left open: the session goes away without COMMIT.
        session
            .execute(
                "BEGIN; \
                 INSERT INTO items (id, embedding) VALUES (81, '[4,4,4,4]'); \
                 CREATE TABLE unfinished (a int); \
                 UPDATE items SET embedding = '[9,9,9,9]' WHERE id = 1",
            )
            .unwrap();
        drop(session);
        drop(database);
    }
    let database = Database::open(dir.path()).unwrap();
    let mut session = database.session();
    assert_eq!(count(&mut session, "items"), "51");
    assert_eq!(
        texts(
            &mut session,
            "SELECT embedding FROM items WHERE id = 0 OR id = 1 OR id = 70 ORDER BY id"
        ),
        vec![
            vec![Some("[1,1,1,1]".to_string())],
            vec![Some(vector(1, 4))],
            vec![Some("[2,2,2,2]".to_string())],
        ]
    );
    assert_eq!(
        texts(&mut session, "SELECT a, v FROM added"),
        vec![vec![Some("3".to_string()), Some("[5,6]".to_string())]]
    );
    assert_eq!(error(&mut session, "SELECT * FROM never").sqlstate, "42P01");
    assert_eq!(
        error(&mut session, "SELECT * FROM unfinished").sqlstate,
        "42P01"
    );
    session.execute("SET hnsw.ef_search = 1000").unwrap();
    nearest_both_ways(&mut session);
    database.with_catalog(|catalog| {
        assert_eq!(catalog.table("added").unwrap().vector_indexes.len(), 1);
    });
}

/// Copies a database directory as a crash would leave it: the files as they are on
/// disk now, with nothing closed or checkpointed.
fn crash_image(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            crash_image(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn a_crash_keeps_all_or_none_of_a_block() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("live");
    let database = Database::open(&live).unwrap();
    let mut session = database.session();
    load(&mut session, "hnsw");
    session
        .execute(
            "BEGIN;              CREATE TABLE side (a int); INSERT INTO side VALUES (1);              DELETE FROM items WHERE id < 30;              UPDATE items SET embedding = '[7,7,7,7]' WHERE id = 40",
        )
        .unwrap();
    let values: Vec<String> = (100..400)
        .map(|i| format!("({i}, '{}')", vector(i, 4)))
        .collect();
    session
        .execute(&format!(
            "INSERT INTO items (id, embedding) VALUES {}",
            values.join(", ")
        ))
        .unwrap();
    crash_image(&live, &dir.path().join("before"));
    session.execute("COMMIT").unwrap();
    crash_image(&live, &dir.path().join("after"));
    drop(session);
    drop(database);
    {
        let database = Database::open(dir.path().join("before")).unwrap();
        let mut session = database.session();
        assert_eq!(count(&mut session, "items"), "60");
        assert_eq!(error(&mut session, "SELECT * FROM side").sqlstate, "42P01");
        assert_eq!(
            texts(&mut session, "SELECT embedding FROM items WHERE id = 40"),
            vec![vec![Some(vector(40, 4))]]
        );
    }
    let database = Database::open(dir.path().join("after")).unwrap();
    let mut session = database.session();
    assert_eq!(count(&mut session, "items"), "330");
    assert_eq!(count(&mut session, "side"), "1");
    assert_eq!(
        texts(&mut session, "SELECT embedding FROM items WHERE id = 40"),
        vec![vec![Some("[7,7,7,7]".to_string())]]
    );
    session.execute("SET hnsw.ef_search = 1000").unwrap();
    nearest_both_ways(&mut session);
}

#[test]
fn a_second_session_cannot_write_while_a_block_is_open() {
    let dir = tempfile::tempdir().unwrap();
    let database = Database::open(dir.path()).unwrap();
    let mut first = database.session();
    let mut second = database.session();
    first
        .execute("CREATE TABLE t (a int); BEGIN; INSERT INTO t VALUES (1)")
        .unwrap();
    second.execute("SET lock_timeout = 20").unwrap();
    let failed = error(&mut second, "INSERT INTO t VALUES (2)");
    assert_eq!(failed.sqlstate, "55P03");
    assert_eq!(failed.message, "canceling statement due to lock timeout");
    assert_eq!(
        error(&mut second, "CREATE TABLE u (a int)").sqlstate,
        "55P03"
    );
    // Reads go on, and do not see the open block's row.
    assert_eq!(count(&mut second, "t"), "0");
    first.execute("COMMIT").unwrap();
    second.execute("INSERT INTO t VALUES (2)").unwrap();
    assert_eq!(count(&mut first, "t"), "2");
    // A block that has only read holds nothing.
    first.execute("BEGIN; SELECT * FROM t").unwrap();
    second.execute("INSERT INTO t VALUES (3)").unwrap();
    first.execute("COMMIT").unwrap();
}

#[test]
fn an_index_refusing_a_row_fails_the_statement_before_it_commits() {
    let dir = tempfile::tempdir().unwrap();
    let dense: Vec<String> = (1..=1001).map(|i| format!("{i}:1")).collect();
    let too_dense = format!("{{{}}}/2000", dense.join(","));
    {
        let database = Database::open(dir.path()).unwrap();
        let mut session = database.session();
        session
            .execute(
                "CREATE TABLE s (id int PRIMARY KEY, v sparsevec(2000)); \
                 INSERT INTO s VALUES (1, '{1:1}/2000'), (2, '{2:1}/2000'); \
                 CREATE INDEX ON s USING hnsw (v sparsevec_l2_ops)",
            )
            .unwrap();
        for sql in [
            format!("INSERT INTO s VALUES (3, '{{3:1}}/2000'), (4, '{too_dense}')"),
            format!("UPDATE s SET v = '{too_dense}' WHERE id = 2"),
        ] {
            let failed = error(&mut session, &sql);
            assert_eq!(failed.sqlstate, "54000", "{sql}");
            assert_eq!(
                failed.message,
                "sparsevec cannot have more than 1000 non-zero elements for hnsw index"
            );
        }
        // Inside a block too; the block is then aborted.
        session
            .execute("BEGIN; INSERT INTO s VALUES (5, '{5:1}/2000')")
            .unwrap();
        error(
            &mut session,
            &format!("INSERT INTO s VALUES (6, '{too_dense}')"),
        );
        session.execute("COMMIT").unwrap();
        assert_eq!(
            texts(&mut session, "SELECT id, v FROM s ORDER BY id"),
            vec![
                vec![Some("1".to_string()), Some("{1:1}/2000".to_string())],
                vec![Some("2".to_string()), Some("{2:1}/2000".to_string())],
            ]
        );
    }
    // The store holds the same rows, and the index rebuilds from them.
    let database = Database::open(dir.path()).unwrap();
    let mut session = database.session();
    assert_eq!(
        texts(
            &mut session,
            "SELECT id FROM s ORDER BY v <-> '{2:1}/2000' LIMIT 1"
        ),
        vec![vec![Some("2".to_string())]]
    );
    assert_eq!(count(&mut session, "s"), "2");
}
