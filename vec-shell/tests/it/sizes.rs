//! `pg_relation_size`, `pg_table_size`, `pg_indexes_size` and `pg_total_relation_size`:
//! a table counts its heap's 8 kB pages, a vector index the memory it holds, a btree
//! nothing (it is rebuilt at open, not stored); sizes grow with the rows, on disk and in
//! memory, and survive a reopen. `data_directory` names the database's directory (empty
//! in memory) and `config_file` is empty: vecsh reads no configuration file.

use crate::common::last_rows;
use vec_shell::{Database, Session};

fn size(session: &mut Session, sql: &str) -> i64 {
    let rows = last_rows(session, sql);
    rows[0][0].as_deref().unwrap().parse().unwrap()
}

fn fill(session: &mut Session) {
    session
        .execute(
            "CREATE TABLE t (id int PRIMARY KEY, v vector(3));
             INSERT INTO t SELECT i, ARRAY[i, i + 1, i + 2]::vector FROM generate_series(1, 3000) i;
             CREATE INDEX t_hnsw ON t USING hnsw (v vector_l2_ops)",
        )
        .unwrap();
}

#[test]
fn sizes_count_heap_pages_and_vector_indexes() {
    let database = Database::in_memory();
    let mut session = database.session();
    session.execute("CREATE TABLE e (id int)").unwrap();
    assert_eq!(size(&mut session, "SELECT pg_total_relation_size('e')"), 0);
    fill(&mut session);
    let heap = size(&mut session, "SELECT pg_relation_size('t')");
    assert!(heap > 0 && heap % 8192 == 0, "{heap}");
    assert_eq!(size(&mut session, "SELECT pg_table_size('t')"), heap);
    let hnsw = size(&mut session, "SELECT pg_relation_size('t_hnsw')");
    assert!(hnsw > 0, "{hnsw}");
    assert_eq!(size(&mut session, "SELECT pg_relation_size('t_pkey')"), 0);
    assert_eq!(size(&mut session, "SELECT pg_indexes_size('t')"), hnsw);
    assert_eq!(
        size(&mut session, "SELECT pg_total_relation_size('t'::regclass)"),
        heap + hnsw
    );
    // By OID from pg_class, and by a name known only when the statement runs.
    assert_eq!(
        size(
            &mut session,
            "SELECT pg_relation_size(oid) FROM pg_class WHERE relname = 't'"
        ),
        heap
    );
    assert_eq!(
        size(
            &mut session,
            "SELECT pg_relation_size(n) FROM (VALUES ('t'::text)) s(n)"
        ),
        heap
    );
    // More rows, more pages.
    session
        .execute(
            "INSERT INTO t SELECT i, ARRAY[i, 0, 0]::vector FROM generate_series(3001, 6000) i",
        )
        .unwrap();
    assert!(size(&mut session, "SELECT pg_relation_size('t')") > heap);
    let rows = last_rows(&mut session, "SELECT pg_relation_size(0) IS NULL");
    assert_eq!(rows[0][0].as_deref(), Some("t"));
    let error = session
        .execute("SELECT pg_relation_size('nope'::text)")
        .unwrap_err();
    assert_eq!(error.sqlstate, "42P01");
    assert_eq!(error.message, "relation \"nope\" does not exist");
}

#[test]
fn sizes_of_a_database_on_disk_survive_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let heap = {
        let database = Database::open(dir.path()).unwrap();
        let mut session = database.session();
        fill(&mut session);
        size(&mut session, "SELECT pg_relation_size('t')")
    };
    assert!(heap > 0);
    let database = Database::open(dir.path()).unwrap();
    let mut session = database.session();
    assert_eq!(size(&mut session, "SELECT pg_relation_size('t')"), heap);
    assert!(size(&mut session, "SELECT pg_indexes_size('t')") > 0);
    let directory = std::fs::canonicalize(dir.path()).unwrap();
    let shown = last_rows(&mut session, "SHOW data_directory");
    assert_eq!(shown[0][0].as_deref(), Some(directory.to_str().unwrap()));
    let shown = last_rows(&mut session, "SHOW config_file");
    assert_eq!(shown[0][0].as_deref(), Some(""));
}

#[test]
fn a_database_in_memory_has_no_data_directory() {
    let database = Database::in_memory();
    let mut session = database.session();
    let shown = last_rows(&mut session, "SHOW data_directory");
    assert_eq!(shown[0][0].as_deref(), Some(""));
    session.execute("RESET ALL").unwrap();
    let error = session.execute("SET data_directory = '/tmp'").unwrap_err();
    assert_eq!(error.sqlstate, "55P02");
}
