//! Partial indexes across reopening and rollback: the predicate is stored with the
//! index, bound again when the database opens, and decides which later rows get entries;
//! an index scan returns the same rows as the exact scan of the same query.

use vec_shell::{Database, Datum, Session};

fn ids(session: &mut Session, sql: &str) -> Vec<i64> {
    let results = session.execute(sql).unwrap();
    let rows = &results.last().unwrap().rows.as_ref().unwrap().rows;
    rows.iter()
        .map(|row| match &row[0] {
            Datum::Int4(v) => i64::from(*v),
            Datum::Int8(v) => *v,
            other => panic!("not an id: {other:?}"),
        })
        .collect()
}

fn plan(session: &mut Session, sql: &str) -> String {
    let results = session
        .execute(&format!("EXPLAIN (COSTS OFF) {sql}"))
        .unwrap();
    let rows = &results[0].rows.as_ref().unwrap().rows;
    rows.iter()
        .map(|row| row[0].to_text().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

const NEAREST_CAT_1: &str =
    "SELECT id FROM items WHERE cat = 1 ORDER BY embedding <-> '[0,0]' LIMIT 3";
const NOTE_CAT_3: &str = "SELECT id FROM items WHERE note = 'n7' AND cat = 3 ORDER BY id";

#[test]
fn partial_indexes_keep_their_predicate_across_reopening() {
    let dir = tempfile::tempdir().unwrap();
    {
        let database = Database::open(dir.path()).unwrap();
        let mut session = database.session();
        session
            .execute(
                "CREATE EXTENSION vector;
                 CREATE TABLE items (id int PRIMARY KEY, cat int, note text, embedding vector(2));
                 INSERT INTO items SELECT i, i % 4, 'n' || (i % 9)::text, ARRAY[i, i]::vector(2) FROM generate_series(1, 400) i;
                 CREATE INDEX items_cat1 ON items USING hnsw (embedding vector_l2_ops) WHERE cat = 1;
                 CREATE INDEX items_note3 ON items (note) WHERE cat = 3",
            )
            .unwrap();
    }
    let database = Database::open(dir.path()).unwrap();
    let mut session = database.session();
    session.execute("SET enable_seqscan = off").unwrap();
    assert!(plan(&mut session, NEAREST_CAT_1).contains("Index Scan using items_cat1"));
    assert!(plan(&mut session, NOTE_CAT_3).contains("items_note3"));
    // Rows written after the reopen: only those meeting the predicate get entries.
    session
        .execute("INSERT INTO items VALUES (1001, 1, 'n7', '[0.5,0.5]'), (1002, 2, 'n7', '[0.1,0.1]'), (1003, 3, 'n7', '[9,9]')")
        .unwrap();
    session
        .execute("UPDATE items SET cat = 3 WHERE id = 16")
        .unwrap();
    let by_index = (
        ids(&mut session, NEAREST_CAT_1),
        ids(&mut session, NOTE_CAT_3),
    );
    assert_eq!(by_index.0, [1001, 1, 5]);
    // The same queries without the indexes.
    session
        .execute("SET enable_indexscan = off; SET enable_seqscan = on")
        .unwrap();
    assert!(!plan(&mut session, NEAREST_CAT_1).contains("Index Scan"));
    assert_eq!(by_index.0, ids(&mut session, NEAREST_CAT_1));
    assert_eq!(by_index.1, ids(&mut session, NOTE_CAT_3));
    assert!(by_index.1.contains(&1003) && by_index.1.contains(&16));
    // A rolled-back partial index leaves nothing behind: its name is free again.
    let create_cat2 =
        "CREATE INDEX items_cat2 ON items USING hnsw (embedding vector_l2_ops) WHERE cat = 2";
    session
        .execute(&format!("BEGIN; {create_cat2}; ROLLBACK"))
        .unwrap();
    session.execute(create_cat2).unwrap();
}

#[test]
fn a_partial_index_serves_queries_whose_conditions_imply_its_predicate() {
    let mut session = Database::in_memory().session();
    session
        .execute(
            "CREATE TABLE t (id int, price int, cat text, v vector(2));
             INSERT INTO t SELECT g, g % 100,
                 CASE WHEN g % 3 = 0 THEN NULL ELSE 'c' || (g % 5) END,
                 ARRAY[g % 17, g % 13]::vector
             FROM generate_series(1, 3000) g;
             CREATE INDEX t_cheap ON t USING hnsw (v vector_l2_ops) WHERE (price > 10);
             CREATE INDEX t_cat ON t (id) WHERE cat IS NOT NULL",
        )
        .unwrap();
    let nearest =
        |filter: &str| format!("SELECT id FROM t WHERE {filter} ORDER BY v <-> '[1,1]' LIMIT 20");
    // The predicate itself: no filter left. A stronger condition: the index, and the
    // condition still checked. A weaker one (`>= 10` lets 10 in): no index.
    assert!(!plan(&mut session, &nearest("price > 10")).contains("Filter: (price"));
    for (filter, served) in [
        ("price > 20", true),
        ("price = 15", true),
        ("price BETWEEN 11 AND 50", true),
        ("price >= 10", false),
        ("price > 10.5", false),
    ] {
        let shown = plan(&mut session, &nearest(filter));
        assert_eq!(shown.contains("using t_cheap"), served, "{filter}: {shown}");
        if served {
            assert!(shown.contains("Filter: "), "{filter}: {shown}");
        }
    }
    // `cat = 'c1'` is strict, so it implies `cat IS NOT NULL`.
    let sql = "SELECT id FROM t WHERE id < 40 AND cat = 'c1' ORDER BY id";
    assert!(plan(&mut session, sql).contains("Index Scan using t_cat on t"));
    assert!(!plan(&mut session, "SELECT id FROM t WHERE id < 40").contains("t_cat"));
    // The rows are the exact scan's.
    let served = ids(&mut session, sql);
    session.execute("SET enable_indexscan = off").unwrap();
    assert_eq!(served, ids(&mut session, sql));
    assert_eq!(served, [1, 11, 16, 26, 31]);
}
