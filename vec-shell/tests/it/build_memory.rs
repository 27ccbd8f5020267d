//! `maintenance_work_mem` in an HNSW build through SQL: past it, pgvector's NOTICE (with
//! its DETAIL and HINT) and a build that goes on the slower way to a working index;
//! within it, no notice.

use vec_shell::Database;

use crate::common::{first_column_ids as ids, random_vector as vector};

#[test]
fn a_build_past_maintenance_work_mem_says_so_and_goes_on() {
    let database = Database::in_memory();
    let mut session = database.session();
    session
        .execute("CREATE TABLE m (id bigserial PRIMARY KEY, e vector(64))")
        .unwrap();
    let values: Vec<String> = (0..4_000)
        .map(|i| format!("('{}')", vector(i, 64)))
        .collect();
    session
        .execute(&format!("INSERT INTO m (e) VALUES {}", values.join(", ")))
        .unwrap();
    let query = format!(
        "SELECT id FROM m ORDER BY e <-> '{}' LIMIT 10",
        vector(9_999, 64)
    );
    let exact = ids(&mut session, &query);
    session.execute("SET maintenance_work_mem = '1MB'").unwrap();
    let results = session
        .execute("CREATE INDEX m_small ON m USING hnsw (e vector_l2_ops)")
        .unwrap();
    let notices = &results[0].notices;
    assert_eq!(notices.len(), 1, "{notices:?}");
    let notice = &notices[0];
    assert!(
        notice
            .message
            .starts_with("hnsw graph no longer fits into maintenance_work_mem after "),
        "{}",
        notice.message
    );
    assert!(notice.message.ends_with(" tuples"));
    assert_eq!(
        notice.detail.as_deref(),
        Some("Building will take significantly more time.")
    );
    assert_eq!(
        notice.hint.as_deref(),
        Some("Increase maintenance_work_mem to speed up builds.")
    );
    session.execute("SET hnsw.ef_search = 200").unwrap();
    let found = ids(&mut session, &query);
    let recalled = found.iter().filter(|id| exact.contains(id)).count();
    assert!(
        recalled >= 9,
        "recall {recalled}/10 from the index built past its budget"
    );
    session.execute("DROP INDEX m_small").unwrap();
    session
        .execute("SET maintenance_work_mem = '64MB'")
        .unwrap();
    let results = session
        .execute("CREATE INDEX m_large ON m USING hnsw (e vector_l2_ops)")
        .unwrap();
    assert!(results[0].notices.is_empty(), "{:?}", results[0].notices);
}
