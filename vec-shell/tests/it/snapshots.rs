//! Vector index snapshots: a reopened database opens its indexes from the snapshots its
//! checkpoints wrote instead of rebuilding them, replays the changes logged after them,
//! never reads the snapshot of a dropped index, and rebuilds when a snapshot is damaged.
//! Crash images are copies of the directory taken while the database is open (every
//! commit is in the log; the close-time checkpoint has not run).

use crate::common::copy_dir;
use vec_shell::catalog::snapshots::IndexSource;
use vec_shell::Database;

fn texts(database: &Database, sql: &str) -> Vec<Vec<Option<String>>> {
    crate::common::last_rows(&mut database.session(), sql)
}

/// A deterministic 4-d vector for row `i`, salted.
fn vector(i: u64, salt: u64) -> String {
    let mut x = i.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ salt.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    let mut parts = Vec::new();
    for _ in 0..4 {
        x ^= x >> 31;
        x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
        parts.push(format!("{}", (x >> 40) % 1000));
    }
    format!("[{}]", parts.join(","))
}

fn insert_rows(database: &Database, from: u64, to: u64, salt: u64) {
    let values: Vec<String> = (from..to)
        .map(|i| format!("({i}, '{}', '{}')", vector(i, salt), vector(i, salt + 1)))
        .collect();
    database
        .session()
        .execute(&format!(
            "INSERT INTO items (id, e, f) VALUES {}",
            values.join(", ")
        ))
        .unwrap();
}

/// Asserts that the index scan (the plan uses `index`) and the exact scan give the same
/// nearest rows for a few queries with operator `op` on column `column`.
fn assert_index_matches_exact(database: &Database, index: &str, column: &str, op: &str) {
    let settings = "SET hnsw.ef_search = 1000; SET ivfflat.probes = 100;";
    for q in 0..5 {
        let query = format!(
            "SELECT id FROM items ORDER BY {column} {op} '{}' LIMIT 7",
            vector(1000 + q, 7)
        );
        let plan = texts(database, &format!("{settings} EXPLAIN {query}"));
        assert!(
            plan.iter().any(|line| line[0]
                .as_deref()
                .unwrap_or("")
                .contains(&format!("Index Scan using {index}"))),
            "{plan:?}"
        );
        let by_index = texts(database, &format!("{settings} {query}"));
        let exact = texts(
            database,
            &format!("{settings} SET enable_indexscan = off; {query}"),
        );
        assert_eq!(by_index, exact, "{query}");
        assert_eq!(by_index.len(), 7);
    }
}

fn create_items(database: &Database, rows: u64) {
    database
        .session()
        .execute("CREATE TABLE items (id bigint PRIMARY KEY, e vector(4), f vector(4))")
        .unwrap();
    insert_rows(database, 0, rows, 0);
}

fn source_of(database: &Database, index: &str) -> IndexSource {
    let report = database.recovery_report();
    let entry = report.indexes.iter().find(|i| i.index == index);
    entry
        .unwrap_or_else(|| panic!("{index} in {report:?}"))
        .source
        .clone()
}

#[test]
fn reopening_opens_indexes_from_snapshots() {
    let dir = tempfile::tempdir().unwrap();
    {
        let database = Database::open(dir.path()).unwrap();
        create_items(&database, 300);
        database
            .session()
            .execute(
                "CREATE INDEX by_e ON items USING hnsw (e vector_l2_ops);
                 CREATE INDEX by_f ON items USING ivfflat (f vector_cosine_ops) WITH (lists = 4)",
            )
            .unwrap();
        // Rows added after the build reach the snapshot written at close.
        insert_rows(&database, 300, 320, 0);
    }
    let database = Database::open(dir.path()).unwrap();
    let report = database.recovery_report();
    assert_eq!(report.from_snapshots(), ["by_e", "by_f"], "{report:?}");
    assert!(report.rebuilt().is_empty());
    assert_eq!(
        source_of(&database, "by_e"),
        IndexSource::Snapshot { replayed_rows: 0 }
    );
    assert_eq!(
        texts(&database, "SELECT count(*) FROM items"),
        [[Some("320".into())]]
    );
    assert_index_matches_exact(&database, "by_e", "e", "<->");
    assert_index_matches_exact(&database, "by_f", "f", "<=>");
    // The reopened indexes take changes and are saved again at the next close.
    database
        .session()
        .execute("DELETE FROM items WHERE id < 50; UPDATE items SET e = f WHERE id % 3 = 0")
        .unwrap();
    drop(database);
    let database = Database::open(dir.path()).unwrap();
    assert_eq!(
        database.recovery_report().from_snapshots(),
        ["by_e", "by_f"]
    );
    assert_index_matches_exact(&database, "by_e", "e", "<->");
    assert_index_matches_exact(&database, "by_f", "f", "<=>");
}

#[test]
fn changes_after_the_checkpoint_are_replayed_into_the_indexes() {
    let dir = tempfile::tempdir().unwrap();
    let image = tempfile::tempdir().unwrap();
    let database = Database::open(dir.path()).unwrap();
    create_items(&database, 200);
    // CREATE INDEX checkpoints: the snapshots exist from here on.
    database
        .session()
        .execute(
            "CREATE INDEX by_e ON items USING hnsw (e vector_l2_ops);
             CREATE INDEX by_f ON items USING ivfflat (f vector_l2_ops) WITH (lists = 3)",
        )
        .unwrap();
    insert_rows(&database, 200, 230, 0);
    database
        .session()
        .execute(
            "DELETE FROM items WHERE id >= 10 AND id <= 29;
             UPDATE items SET e = '[5000,5000,5000,5000]', f = '[1,2,3,4]' WHERE id = 40;
             UPDATE items SET e = f WHERE id >= 100 AND id <= 109",
        )
        .unwrap();
    copy_dir(dir.path(), image.path());
    drop(database);

    let database = Database::open(image.path()).unwrap();
    for index in ["by_e", "by_f"] {
        match source_of(&database, index) {
            // 30 inserted rows and 11 new versions of updated ones; deleted and replaced
            // versions keep their entries (scans skip them) until VACUUM.
            IndexSource::Snapshot { replayed_rows } => assert_eq!(replayed_rows, 30 + 11),
            other => panic!("{index}: {other:?}"),
        }
    }
    assert_eq!(
        texts(&database, "SELECT count(*) FROM items"),
        [[Some("210".into())]]
    );
    assert_index_matches_exact(&database, "by_e", "e", "<->");
    assert_index_matches_exact(&database, "by_f", "f", "<->");
    // The updated row is found at its new place, deleted rows are gone.
    let top = texts(
        &database,
        "SET hnsw.ef_search = 1000; SELECT id FROM items ORDER BY e <-> '[5000,5000,5000,5000]' LIMIT 1",
    );
    assert_eq!(top, [[Some("40".into())]]);
    let all = texts(
        &database,
        "SET hnsw.ef_search = 1000; SELECT id FROM items ORDER BY e <-> '[0,0,0,0]' LIMIT 1000",
    );
    assert_eq!(all.len(), 210);
    assert!(!all.iter().any(|row| row[0] == Some("15".into())));
    drop(database);
    // The replayed changes are in the snapshots the next checkpoint wrote.
    let database = Database::open(image.path()).unwrap();
    assert_eq!(
        source_of(&database, "by_e"),
        IndexSource::Snapshot { replayed_rows: 0 }
    );
    assert_index_matches_exact(&database, "by_e", "e", "<->");
}

#[test]
fn a_recreated_index_never_reads_the_old_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    {
        let database = Database::open(dir.path()).unwrap();
        create_items(&database, 150);
        database
            .session()
            .execute("CREATE INDEX idx ON items USING hnsw (e vector_l2_ops)")
            .unwrap();
    }
    let image = tempfile::tempdir().unwrap();
    {
        let database = Database::open(dir.path()).unwrap();
        database
            .session()
            .execute("DROP INDEX idx; CREATE INDEX idx ON items USING hnsw (f vector_l2_ops)")
            .unwrap();
        copy_dir(dir.path(), image.path());
    }
    for path in [dir.path(), image.path()] {
        let database = Database::open(path).unwrap();
        assert_eq!(database.recovery_report().from_snapshots(), ["idx"]);
        // Scans by f use the index and agree with the exact scan: it indexes f, not e.
        assert_index_matches_exact(&database, "idx", "f", "<->");
    }
    // The dropped index's snapshot is gone: one index, one file.
    let files = std::fs::read_dir(dir.path().join("index")).unwrap().count();
    assert_eq!(files, 1);

    // DROP TABLE and a new table of the same name and index name: rebuilt, not reused.
    {
        let database = Database::open(dir.path()).unwrap();
        database.session().execute("DROP TABLE items").unwrap();
        create_items(&database, 40);
        database
            .session()
            .execute("CREATE INDEX idx ON items USING hnsw (e vector_l2_ops)")
            .unwrap();
        database.session().execute("TRUNCATE items").unwrap();
        insert_rows(&database, 0, 60, 9);
    }
    let database = Database::open(dir.path()).unwrap();
    assert_eq!(database.recovery_report().from_snapshots(), ["idx"]);
    assert_eq!(
        texts(&database, "SELECT count(*) FROM items"),
        [[Some("60".into())]]
    );
    assert_index_matches_exact(&database, "idx", "e", "<->");
}

#[test]
fn a_damaged_snapshot_is_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    {
        let database = Database::open(dir.path()).unwrap();
        create_items(&database, 120);
        database
            .session()
            .execute("CREATE INDEX idx ON items USING hnsw (e vector_l2_ops)")
            .unwrap();
    }
    let files: Vec<_> = std::fs::read_dir(dir.path().join("index"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1);
    let mut bytes = std::fs::read(&files[0]).unwrap();
    let middle = bytes.len() / 2;
    for byte in &mut bytes[middle..middle + 16] {
        *byte ^= 0x5a;
    }
    std::fs::write(&files[0], &bytes).unwrap();
    {
        let database = Database::open(dir.path()).unwrap();
        match source_of(&database, "idx") {
            IndexSource::Rebuilt { reason } => assert!(reason.contains("checksum"), "{reason}"),
            other => panic!("{other:?}"),
        }
        assert_index_matches_exact(&database, "idx", "e", "<->");
    }
    // The close after the rebuild wrote a good snapshot again.
    let database = Database::open(dir.path()).unwrap();
    assert_eq!(database.recovery_report().from_snapshots(), ["idx"]);
    assert_index_matches_exact(&database, "idx", "e", "<->");
}

#[test]
fn a_large_log_checkpoints_with_the_snapshots() {
    let dir = tempfile::tempdir().unwrap();
    let image = tempfile::tempdir().unwrap();
    let database = Database::open(dir.path()).unwrap();
    create_items(&database, 100);
    database
        .session()
        .execute("CREATE INDEX idx ON items USING hnsw (e vector_l2_ops)")
        .unwrap();
    // Every statement's log now passes the threshold, so each commit checkpoints.
    database.set_checkpoint_wal_bytes(1);
    insert_rows(&database, 100, 130, 0);
    database
        .session()
        .execute("DELETE FROM items WHERE id < 10")
        .unwrap();
    copy_dir(dir.path(), image.path());
    drop(database);
    let database = Database::open(image.path()).unwrap();
    assert_eq!(
        source_of(&database, "idx"),
        IndexSource::Snapshot { replayed_rows: 0 }
    );
    assert_eq!(
        texts(&database, "SELECT count(*) FROM items"),
        [[Some("120".into())]]
    );
    assert_index_matches_exact(&database, "idx", "e", "<->");
}

#[test]
fn an_in_memory_database_has_an_empty_report() {
    let database = Database::in_memory();
    database.set_checkpoint_wal_bytes(1);
    assert!(database.recovery_report().indexes.is_empty());
}

#[test]
fn a_committed_block_reaches_the_next_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    {
        let database = Database::open(dir.path()).unwrap();
        create_items(&database, 200);
        database
            .session()
            .execute("CREATE INDEX by_e ON items USING hnsw (e vector_l2_ops)")
            .unwrap();
        // Checkpoint after every statement: none may run inside the block (its storage
        // transaction holds the store's writer), the first one after it must.
        database.set_checkpoint_wal_bytes(1);
        let mut session = database.session();
        session
            .execute(
                "BEGIN; DELETE FROM items WHERE id < 40; UPDATE items SET e = f WHERE id % 5 = 0",
            )
            .unwrap();
        insert_rows_in(&mut session, 200, 230);
        session.execute("COMMIT").unwrap();
        session
            .execute("BEGIN; DELETE FROM items WHERE id >= 100; ROLLBACK")
            .unwrap();
        // A statement on another table checkpoints; only the block marked `items` changed.
        session
            .execute("CREATE TABLE other (a int); INSERT INTO other VALUES (1)")
            .unwrap();
    }
    let database = Database::open(dir.path()).unwrap();
    assert_eq!(database.recovery_report().from_snapshots(), ["by_e"]);
    assert_eq!(
        texts(&database, "SELECT count(*), min(id), max(id) FROM items"),
        [[Some("190".into()), Some("40".into()), Some("229".into())]]
    );
    assert_index_matches_exact(&database, "by_e", "e", "<->");
}

fn insert_rows_in(session: &mut vec_shell::Session, from: u64, to: u64) {
    let values: Vec<String> = (from..to)
        .map(|i| format!("({i}, '{}', '{}')", vector(i, 3), vector(i, 4)))
        .collect();
    session
        .execute(&format!(
            "INSERT INTO items (id, e, f) VALUES {}",
            values.join(", ")
        ))
        .unwrap();
}
