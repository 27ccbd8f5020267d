//! Btree index scans and the multi-threaded exact scan: both must give exactly the
//! rows, in the order, that the sequential scan gives — for many predicates over random
//! tables, after updates and deletes, and for ordered queries with ties, `LIMIT` and
//! `OFFSET` — and `EXPLAIN` must draw the btree scan as PostgreSQL does.

use proptest::prelude::*;
use vec_shell::{Database, Session};

/// Result rows as text.
type Rows = Vec<Vec<Option<String>>>;

/// One row of the random table: `a`, `b`, `c`, `d`, `e`.
type Values = (Option<i32>, i64, Option<f32>, String, bool);

/// The rows of a query, each as its columns' text.
fn rows(session: &mut Session, sql: &str) -> Rows {
    let results = session
        .execute(sql)
        .unwrap_or_else(|e| panic!("{sql}: {}", e.message));
    let set = results.last().and_then(|r| r.rows.as_ref()).expect("rows");
    set.rows
        .iter()
        .map(|row| row.iter().map(|d| d.to_text()).collect())
        .collect()
}

/// The `EXPLAIN` lines of a query.
fn plan(session: &mut Session, sql: &str) -> Vec<String> {
    rows(session, &format!("EXPLAIN (COSTS OFF) {sql}"))
        .into_iter()
        .map(|row| row[0].clone().unwrap_or_default())
        .collect()
}

/// A query's rows by the sequential scan and by the btree scan (forced by turning the
/// sequential scan off), with the plan the second one used.
fn both_ways(session: &mut Session, sql: &str) -> (Rows, Rows) {
    session.execute("SET enable_indexscan = off").unwrap();
    let sequential = rows(session, sql);
    session
        .execute("SET enable_indexscan = on; SET enable_seqscan = off")
        .unwrap();
    let indexed = rows(session, sql);
    session.execute("RESET enable_seqscan").unwrap();
    (sequential, indexed)
}

fn table_with_indexes(values: &[Values]) -> Session {
    let database = Database::in_memory();
    let mut session = database.session();
    session
        .execute(
            "CREATE TABLE t (id serial PRIMARY KEY, a int, b bigint, c real, d text, e boolean);
             CREATE INDEX ON t (a); CREATE INDEX ON t USING btree (b);
             CREATE INDEX ON t (c, a); CREATE INDEX ON t (d); CREATE INDEX ON t (e)",
        )
        .unwrap();
    let tuples: Vec<String> = values
        .iter()
        .map(|(a, b, c, d, e)| {
            let a = a.map_or("NULL".to_string(), |v| v.to_string());
            let c = c.map_or("NULL".to_string(), |v| format!("'{v}'"));
            format!("({a}, {b}, {c}, '{d}', {e})")
        })
        .collect();
    if !tuples.is_empty() {
        session
            .execute(&format!(
                "INSERT INTO t (a, b, c, d, e) VALUES {}",
                tuples.join(", ")
            ))
            .unwrap();
    }
    session
}

fn value_strategy() -> impl Strategy<Value = Values> {
    (
        prop::option::weighted(0.9, -5i32..15),
        prop_oneof![
            -3i64..6,
            Just(i64::MAX),
            Just(i64::MIN),
            Just(3_000_000_000i64)
        ],
        prop::option::weighted(
            0.9,
            prop_oneof![
                (-40i32..40).prop_map(|v| v as f32 / 4.0),
                Just(0.1f32),
                Just(f32::NAN),
                Just(-0.0f32)
            ],
        ),
        prop::sample::select(vec!["", "a", "ab", "b", "B", "ba", "z"]).prop_map(String::from),
        any::<bool>(),
    )
}

/// One condition a btree may serve (or not), as SQL.
fn condition_strategy() -> impl Strategy<Value = String> {
    let op = prop::sample::select(vec!["=", "<", "<=", ">", ">="]);
    let constant = prop::sample::select(vec![
        "3",
        "-1",
        "2.5",
        "3.0",
        "3000000000",
        "'4'",
        "0.1",
        "'NaN'::real",
        "NULL",
        "9223372036854775807",
        "(1 + 2)",
    ]);
    let text = prop::sample::select(vec!["''", "'a'", "'ab'", "'b'", "'zz'"]);
    prop_oneof![
        (
            prop::sample::select(vec!["a", "b", "c", "id"]),
            op.clone(),
            constant.clone()
        )
            .prop_map(|(col, op, k)| format!("{col} {op} {k}")),
        (op.clone(), constant).prop_map(|(op, k)| format!("{k} {op} a")),
        (op.clone(), text).prop_map(|(op, k)| format!("d {op} {k}")),
        (op, any::<bool>()).prop_map(|(op, b)| format!("e {op} {b}")),
        Just("a IS NULL".to_string()),
        Just("(a = 1 OR b = 2)".to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn btree_scans_give_the_sequential_rows(
        values in prop::collection::vec(value_strategy(), 0..120),
        conditions in prop::collection::vec(condition_strategy(), 1..4),
        changed in -5i32..15,
        sort_column in prop::sample::select(vec!["a", "b", "c", "d", "e", "id"]),
        direction in prop::sample::select(vec!["", " DESC", " NULLS FIRST", " DESC NULLS LAST"]),
    ) {
        let mut session = table_with_indexes(&values);
        let sql = format!("SELECT * FROM t WHERE {}", conditions.join(" AND "));
        let (sequential, indexed) = both_ways(&mut session, &sql);
        prop_assert_eq!(&sequential, &indexed, "{}", sql);
        // Rows move between keys and leave; the indexes follow.
        session
            .execute(&format!(
                "UPDATE t SET a = a + 1, c = c * 2, d = d || 'a' WHERE a = {changed};
                 DELETE FROM t WHERE b = 1 OR id % 7 = 0;
                 INSERT INTO t (a, b, c, d, e) VALUES ({changed}, 2, 2.5, 'b', true), (NULL, 3, NULL, 'a', false)"
            ))
            .unwrap();
        let (sequential, indexed) = both_ways(&mut session, &sql);
        prop_assert_eq!(&sequential, &indexed, "{} after changes", sql);
        let ordered = format!("{sql} ORDER BY c, a DESC LIMIT 7 OFFSET 2");
        let (sequential, indexed) = both_ways(&mut session, &ordered);
        prop_assert_eq!(&sequential, &indexed, "{}", ordered);
        // One key on an indexed column: the btree is read in key order instead of a sort.
        for filter in [String::new(), format!(" WHERE {}", conditions[0])] {
            let sorted = format!("SELECT * FROM t{filter} ORDER BY {sort_column}{direction} LIMIT 9 OFFSET 1");
            let (sequential, indexed) = both_ways(&mut session, &sorted);
            prop_assert_eq!(&sequential, &indexed, "{}", sorted);
        }
    }
}

fn items(rows: usize) -> Session {
    let database = Database::in_memory();
    let mut session = database.session();
    session
        .execute(&format!(
            "CREATE TABLE items (id bigserial PRIMARY KEY, category_id int, price real, embedding vector(3));
             INSERT INTO items (category_id, price, embedding)
                 SELECT g % 200, g % 13, ARRAY[g % 11, g % 5, 1]::vector(3) FROM generate_series(1, {rows}) g;
             CREATE INDEX items_category_idx ON items (category_id)"
        ))
        .unwrap();
    session
}

#[test]
fn explain_draws_the_btree_scan_with_its_condition_and_filter() {
    let mut session = items(2000);
    assert_eq!(
        plan(&mut session, "SELECT id FROM items WHERE category_id = 123"),
        [
            "Index Scan using items_category_idx on items",
            "  Index Cond: (category_id = 123)",
        ]
    );
    assert_eq!(
        plan(
            &mut session,
            "SELECT id FROM items WHERE price > 3 AND 5 >= category_id AND category_id > 2 AND price < 9"
        ),
        [
            "Index Scan using items_category_idx on items",
            "  Index Cond: ((category_id <= 5) AND (category_id > 2))",
            "  Filter: ((price > '3'::real) AND (price < '9'::real))",
        ]
    );
    assert_eq!(
        plan(
            &mut session,
            "SELECT id FROM items WHERE id = 7 ORDER BY price LIMIT 3"
        ),
        [
            "Limit",
            "  ->  Sort",
            "        Sort Key: price",
            "        ->  Index Scan using items_pkey on items",
            "              Index Cond: (id = 7)",
        ]
    );
    // `ORDER BY` an indexed column with `LIMIT` reads the index in order.
    assert_eq!(
        plan(
            &mut session,
            "SELECT id FROM items ORDER BY id DESC LIMIT 3"
        ),
        [
            "Limit",
            "  ->  Index Scan Backward using items_pkey on items"
        ]
    );
    assert_eq!(
        plan(
            &mut session,
            "SELECT price FROM items WHERE price > 2 ORDER BY category_id LIMIT 3"
        ),
        [
            "Limit",
            "  ->  Index Scan using items_category_idx on items",
            "        Filter: (price > '2'::real)",
        ]
    );
    assert_eq!(
        rows(
            &mut session,
            "SELECT id FROM items ORDER BY id DESC LIMIT 2"
        ),
        [[Some("2000".to_string())], [Some("1999".to_string())]]
    );
    // Not selective enough, not indexed, or the index turned off: a sequential scan.
    assert_eq!(
        plan(&mut session, "SELECT id FROM items WHERE category_id > 10")[0],
        "Seq Scan on items"
    );
    assert_eq!(
        plan(&mut session, "SELECT id FROM items WHERE price = 3")[0],
        "Seq Scan on items"
    );
    session.execute("SET enable_indexscan = off").unwrap();
    assert_eq!(
        plan(&mut session, "SELECT id FROM items WHERE category_id = 123")[0],
        "Seq Scan on items"
    );
    // With the sequential scan off, any usable btree condition takes the index.
    session
        .execute("SET enable_indexscan = on; SET enable_seqscan = off")
        .unwrap();
    assert_eq!(
        plan(&mut session, "SELECT id FROM items WHERE category_id > 10")[0],
        "Index Scan using items_category_idx on items"
    );
}

#[test]
fn a_selective_btree_filter_beats_the_vector_index() {
    let mut session = items(3000);
    session
        .execute("CREATE INDEX items_hnsw ON items USING hnsw (embedding vector_l2_ops)")
        .unwrap();
    let query =
        "SELECT id FROM items WHERE category_id = 42 ORDER BY embedding <-> '[3,1,1]' LIMIT 5";
    let lines = plan(&mut session, query);
    assert_eq!(
        lines[3], "        ->  Index Scan using items_category_idx on items",
        "{lines:?}"
    );
    session.execute("SET enable_indexscan = off").unwrap();
    let exact = rows(&mut session, query);
    session.execute("RESET enable_indexscan").unwrap();
    assert_eq!(rows(&mut session, query), exact);
    assert_eq!(exact.len(), 5);
    // An unselective filter leaves the query to the vector index.
    let wide =
        "SELECT id FROM items WHERE category_id > 0 ORDER BY embedding <-> '[3,1,1]' LIMIT 5";
    assert_eq!(
        plan(&mut session, wide)[1],
        "  ->  Index Scan using items_hnsw on items"
    );
}

#[test]
fn btree_indexes_survive_truncate_drop_and_reopen() {
    let dir = tempfile::tempdir().unwrap();
    {
        let database = Database::open(dir.path()).unwrap();
        let mut session = database.session();
        session
            .execute(
                "CREATE TABLE t (id int PRIMARY KEY, k text);
                 INSERT INTO t SELECT g, (g % 100)::text FROM generate_series(1, 500) g;
                 CREATE INDEX t_k ON t (k)",
            )
            .unwrap();
    }
    let database = Database::open(dir.path()).unwrap();
    let mut session = database.session();
    let query = "SELECT id FROM t WHERE k = '42'";
    assert_eq!(plan(&mut session, query)[0], "Index Scan using t_k on t");
    assert_eq!(rows(&mut session, query).len(), 5);
    assert_eq!(
        rows(&mut session, "SELECT k FROM t WHERE id = 142"),
        [[Some("42".to_string())]]
    );
    session
        .execute("TRUNCATE t; INSERT INTO t SELECT g, 'x' FROM generate_series(1, 100) g")
        .unwrap();
    assert_eq!(rows(&mut session, query).len(), 0);
    assert_eq!(
        rows(&mut session, "SELECT id FROM t WHERE id = 100").len(),
        1
    );
    session.execute("DROP INDEX t_k").unwrap();
    assert_eq!(plan(&mut session, query)[0], "Seq Scan on t");
}

/// A table big enough for the multi-threaded scan, with many ties.
fn big() -> Session {
    let database = Database::in_memory();
    let mut session = database.session();
    session
        .execute(
            "CREATE TABLE big (id int, k int, f real, embedding vector(3));
             INSERT INTO big SELECT g, g % 37, (g % 101) / 4.0, ARRAY[g % 11, g % 5, 1]::vector(3)
                 FROM generate_series(1, 12000) g",
        )
        .unwrap();
    session
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn the_parallel_scan_gives_the_sequential_rows(
        order in prop::sample::select(vec![
            "embedding <-> '[3,1,1]'",
            "embedding <=> '[1,2,3]' DESC",
            "k",
            "f DESC, k",
            "k NULLS FIRST",
            "",
        ]),
        filter in prop::sample::select(vec!["", "k < 20", "f > 3 AND k <> 5", "id % 3 = 0"]),
        columns in prop::sample::select(vec!["id, k, embedding <-> '[3,1,1]' AS d", "*", "id, 7"]),
        limit in prop::option::of(0usize..40),
        offset in prop::option::of(0usize..30),
    ) {
        thread_local! {
            static BIG: std::cell::RefCell<Session> = std::cell::RefCell::new(big());
        }
        let mut sql = format!("SELECT {columns} FROM big");
        // `random()` keeps a scan on one thread, which makes it the reference.
        let mut reference = format!("{sql} WHERE random() >= 0");
        if !filter.is_empty() {
            sql.push_str(&format!(" WHERE {filter}"));
            reference.push_str(&format!(" AND {filter}"));
        }
        let mut tail = String::new();
        if !order.is_empty() {
            tail.push_str(&format!(" ORDER BY {order}"));
        }
        if let Some(limit) = limit {
            tail.push_str(&format!(" LIMIT {limit}"));
        }
        if let Some(offset) = offset {
            tail.push_str(&format!(" OFFSET {offset}"));
        }
        let (parallel, sequential) = BIG.with(|big| {
            let mut session = big.borrow_mut();
            (
                rows(&mut session, &format!("{sql}{tail}")),
                rows(&mut session, &format!("{reference}{tail}")),
            )
        });
        prop_assert_eq!(parallel, sequential, "{}{}", sql, tail);
    }
}

#[test]
fn the_parallel_scan_reports_the_first_error_in_storage_order() {
    let mut session = big();
    let error = session
        .execute("SELECT id FROM big WHERE 1 / (k - 3) > 0 OR id = 1 ORDER BY id")
        .unwrap_err();
    assert_eq!(error.message, "division by zero");
}
