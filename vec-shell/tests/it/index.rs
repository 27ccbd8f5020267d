//! HNSW indexes through SQL: recall against the exact scan, maintenance on insert,
//! update and delete, the planner's choice, option errors, and rebuilding on reopen.

use crate::common::{first_column_ids as ids, random_vector as vector};
use vec_shell::{Database, Session};

fn load(session: &mut Session, n: u64) {
    session
        .execute("CREATE TABLE items (id bigserial PRIMARY KEY, category int, embedding vector(8))")
        .unwrap();
    let values: Vec<String> = (0..n)
        .map(|i| format!("({}, '{}')", i % 10, vector(i, 8)))
        .collect();
    session
        .execute(&format!(
            "INSERT INTO items (category, embedding) VALUES {}",
            values.join(", ")
        ))
        .unwrap();
}

#[test]
fn index_scan_recall_matches_exact_search() {
    let database = Database::in_memory();
    let mut session = database.session();
    load(&mut session, 2000);
    session.execute("CREATE INDEX items_hnsw ON items USING hnsw (embedding vector_l2_ops) WITH (m = 8, ef_construction = 32)").unwrap();
    let mut found = 0;
    for q in 0..20u64 {
        let query = vector(10_000 + q, 8);
        let sql = format!("SELECT id FROM items ORDER BY embedding <-> '{query}' LIMIT 10");
        let approximate = ids(&mut session, &sql);
        session.execute("SET enable_indexscan = off").unwrap();
        let exact = ids(&mut session, &sql);
        session.execute("RESET enable_indexscan").unwrap();
        assert_eq!(approximate.len(), 10);
        found += approximate.iter().filter(|id| exact.contains(id)).count();
    }
    let recall = found as f64 / 200.0;
    assert!(recall >= 0.9, "recall {recall}");
}

#[test]
fn filtered_iterative_scan_and_maintenance() {
    let database = Database::in_memory();
    let mut session = database.session();
    load(&mut session, 1000);
    session
        .execute("CREATE INDEX ON items USING hnsw (embedding vector_cosine_ops)")
        .unwrap();
    session
        .execute("SET hnsw.iterative_scan = relaxed_order")
        .unwrap();
    let query = vector(99_999, 8);
    let filtered = ids(
        &mut session,
        &format!(
            "SELECT id FROM items WHERE category = 3 ORDER BY embedding <=> '{query}' LIMIT 20"
        ),
    );
    assert_eq!(filtered.len(), 20);
    // Deleted rows leave the index; updated rows move.
    session.execute("DELETE FROM items WHERE id = 5").unwrap();
    session
        .execute(&format!(
            "UPDATE items SET embedding = '{query}' WHERE id = 6"
        ))
        .unwrap();
    let nearest = ids(
        &mut session,
        &format!("SELECT id FROM items ORDER BY embedding <=> '{query}' LIMIT 3"),
    );
    assert_eq!(nearest[0], 6);
    assert!(!nearest.contains(&5));
}

#[test]
fn options_are_checked_like_pgvector() {
    let database = Database::in_memory();
    let mut session = database.session();
    session
        .execute("CREATE TABLE t (v vector(3), w vector)")
        .unwrap();
    let error = session
        .execute("CREATE INDEX ON t USING hnsw (v vector_l2_ops) WITH (m = 1)")
        .unwrap_err();
    assert_eq!(error.message, "value 1 out of bounds for option \"m\"");
    assert_eq!(
        error.detail.as_deref(),
        Some("Valid values are between \"2\" and \"100\".")
    );
    let error = session
        .execute("CREATE INDEX ON t USING hnsw (v halfvec_l2_ops)")
        .unwrap_err();
    assert_eq!(
        error.message,
        "operator class \"halfvec_l2_ops\" does not accept data type vector"
    );
    let error = session
        .execute("CREATE INDEX ON t USING hnsw (w vector_l2_ops)")
        .unwrap_err();
    assert_eq!(error.message, "column does not have dimensions");
}

#[test]
fn indexes_are_rebuilt_on_reopen() {
    let dir = tempfile::tempdir().unwrap();
    {
        let database = Database::open(dir.path()).unwrap();
        let mut session = database.session();
        load(&mut session, 300);
        session
            .execute("CREATE INDEX ON items USING hnsw (embedding vector_l2_ops)")
            .unwrap();
    }
    let database = Database::open(dir.path()).unwrap();
    let mut session = database.session();
    let query = vector(3, 8);
    let nearest = ids(
        &mut session,
        &format!("SELECT id FROM items ORDER BY embedding <-> '{query}' LIMIT 1"),
    );
    assert_eq!(nearest, vec![4]);
}

#[test]
fn builds_without_parallel_workers_answer_as_the_exact_scan() {
    let database = Database::in_memory();
    let mut session = database.session();
    load(&mut session, 300);
    session
        .execute("SET max_parallel_maintenance_workers = 0; SET hnsw.ef_search = 400; SET ivfflat.probes = 4")
        .unwrap();
    for create in [
        "CREATE INDEX built ON items USING hnsw (embedding vector_l2_ops)",
        "CREATE INDEX built ON items USING ivfflat (embedding vector_l2_ops) WITH (lists = 4)",
    ] {
        session.execute(create).unwrap();
        for q in 0..5u64 {
            let query = vector(20_000 + q, 8);
            let sql = format!("SELECT id FROM items ORDER BY embedding <-> '{query}' LIMIT 10");
            let explained = session.execute(&format!("EXPLAIN {sql}")).unwrap();
            let plan: Vec<String> = explained[0]
                .rows
                .as_ref()
                .unwrap()
                .rows
                .iter()
                .map(|row| row[0].to_text().unwrap_or_default())
                .collect();
            assert!(plan.join("\n").contains("built"), "{plan:?}");
            let indexed = ids(&mut session, &sql);
            session.execute("SET enable_indexscan = off").unwrap();
            let exact = ids(&mut session, &sql);
            session.execute("RESET enable_indexscan").unwrap();
            assert_eq!(indexed, exact, "{create}");
        }
        session.execute("DROP INDEX built").unwrap();
    }
}
