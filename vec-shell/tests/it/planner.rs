//! The planner's settings and choices: PostgreSQL's `enable_*` parameters (`SET`,
//! `SHOW`, `RESET`, `pg_settings`, and the plans they change), and sort keys written as
//! an alias or a position that a vector index still serves. Expected texts are
//! PostgreSQL 15's with pgvector 0.8.

use vec_shell::{Database, Session};

/// The rows of the last statement, each value as text.
fn rows(session: &mut Session, sql: &str) -> Vec<Vec<String>> {
    let results = session
        .execute(sql)
        .unwrap_or_else(|e| panic!("{sql}: {}", e.message));
    let set = results.last().and_then(|r| r.rows.as_ref()).expect("rows");
    set.rows
        .iter()
        .map(|row| {
            row.iter()
                .map(|d| d.to_text().unwrap_or_default())
                .collect()
        })
        .collect()
}

/// The `EXPLAIN (COSTS OFF)` lines of a query.
fn plan(session: &mut Session, sql: &str) -> Vec<String> {
    rows(session, &format!("EXPLAIN (COSTS OFF) {sql}"))
        .into_iter()
        .map(|mut row| row.remove(0))
        .collect()
}

/// `items` with a category, an HNSW index and a btree on the category.
fn items(n_rows: usize) -> Session {
    let mut session = Database::in_memory().session();
    session
        .execute(&format!(
            "CREATE TABLE items (id int, category int, embedding vector(2));
             INSERT INTO items SELECT i, i % 10, ARRAY[i % 97, i % 89]::vector
                 FROM generate_series(1, {n_rows}) i;
             CREATE INDEX items_embedding_idx ON items USING hnsw (embedding vector_l2_ops);
             CREATE TABLE categories (id int, name text);
             INSERT INTO categories SELECT i, 'c' || i::text FROM generate_series(0, 9) i"
        ))
        .unwrap();
    session
}

#[test]
fn enable_settings_are_real_parameters() {
    let mut session = Database::in_memory().session();
    for name in [
        "enable_seqscan",
        "enable_indexscan",
        "enable_bitmapscan",
        "enable_indexonlyscan",
        "enable_sort",
        "enable_hashjoin",
        "enable_nestloop",
        "enable_mergejoin",
    ] {
        assert_eq!(rows(&mut session, &format!("SHOW {name}")), [["on"]]);
        session.execute(&format!("SET {name} = off")).unwrap();
        assert_eq!(rows(&mut session, &format!("SHOW {name}")), [["off"]]);
        let source = rows(
            &mut session,
            &format!("SELECT setting, vartype, source FROM pg_settings WHERE name = '{name}'"),
        );
        assert_eq!(source, [["off", "bool", "session"]]);
        session.execute(&format!("RESET {name}")).unwrap();
        assert_eq!(rows(&mut session, &format!("SHOW {name}")), [["on"]]);
    }
    let error = session.execute("SET enable_sort = maybe").unwrap_err();
    assert_eq!(
        error.message,
        "parameter \"enable_sort\" requires a Boolean value"
    );
    let error = session.execute("SET enable_nestloop = 2").unwrap_err();
    assert_eq!(
        error.message,
        "parameter \"enable_nestloop\" requires a Boolean value"
    );
}

#[test]
fn enable_hashjoin_off_joins_in_a_nested_loop() {
    let mut session = items(200);
    let query = "SELECT i.id, c.name FROM items i JOIN categories c ON i.category = c.id \
                 WHERE i.id < 30 ORDER BY i.id";
    let hashed = plan(&mut session, query);
    assert!(hashed.iter().any(|l| l.contains("Hash Join")), "{hashed:?}");
    let expected = rows(&mut session, query);
    session.execute("SET enable_hashjoin = off").unwrap();
    let looped = plan(&mut session, query);
    assert!(
        looped.iter().any(|l| l.contains("Nested Loop"))
            && !looped.iter().any(|l| l.contains("Hash")),
        "{looped:?}"
    );
    assert_eq!(rows(&mut session, query), expected);
    assert_eq!(expected.len(), 29);
    // Both off: a hash join is still the only way short of a nested loop PostgreSQL
    // would weigh, so disabling the nested loop too leaves the hash join.
    session.execute("SET enable_nestloop = off").unwrap();
    let both = plan(&mut session, query);
    assert!(both.iter().any(|l| l.contains("Hash Join")), "{both:?}");
    // A join with no equality has no other plan than the nested loop.
    let cross = plan(
        &mut session,
        "SELECT i.id FROM items i JOIN categories c ON i.category < c.id",
    );
    assert!(cross.iter().any(|l| l.contains("Nested Loop")), "{cross:?}");
}

#[test]
fn disabled_scans_are_expensive_not_forbidden() {
    let mut session = items(500);
    let query = "SELECT id FROM items ORDER BY embedding <-> '[3,1]' LIMIT 5";
    let index_scan = "  ->  Index Scan using items_embedding_idx on items";
    assert_eq!(plan(&mut session, query)[1], index_scan);
    session.execute("SET enable_indexscan = off").unwrap();
    assert_eq!(
        plan(&mut session, query)[3],
        "        ->  Seq Scan on items"
    );
    // With the sequential scan disabled as well, the cheaper plan wins again.
    session.execute("SET enable_seqscan = off").unwrap();
    assert_eq!(plan(&mut session, query)[1], index_scan);
    // A table without an index is still scanned sequentially.
    assert_eq!(
        plan(&mut session, "SELECT * FROM categories"),
        ["Seq Scan on categories"]
    );
}

#[test]
fn enable_sort_off_reads_the_vector_index_without_limit() {
    let mut session = items(300);
    let query = "SELECT id FROM items ORDER BY embedding <-> '[3,1]'";
    assert_eq!(plan(&mut session, query)[0], "Sort");
    session.execute("SET enable_sort = off").unwrap();
    assert_eq!(
        plan(&mut session, query),
        [
            "Index Scan using items_embedding_idx on items",
            "  Order By: (embedding <-> '[3,1]'::vector)",
        ]
    );
}

#[test]
fn sort_keys_by_alias_and_position_use_the_vector_index() {
    let mut session = items(500);
    let expected = [
        "Limit",
        "  ->  Index Scan using items_embedding_idx on items",
        "        Order By: (embedding <-> '[3,1]'::vector)",
    ];
    for query in [
        "SELECT id, embedding <-> '[3,1]' AS distance FROM items ORDER BY distance LIMIT 5",
        "SELECT id, embedding <-> '[3,1]' AS distance FROM items ORDER BY 2 LIMIT 5",
        "SELECT embedding <-> '[3,1]' FROM items ORDER BY 1 LIMIT 5",
    ] {
        assert_eq!(plan(&mut session, query), expected, "{query}");
    }
    // pgvector's iterative-scan example: the CTE's inner query takes the index.
    let cte = plan(
        &mut session,
        "WITH relaxed_results AS MATERIALIZED (
             SELECT id, embedding <-> '[3,1]' AS distance FROM items
             WHERE category = 3 ORDER BY distance LIMIT 5)
         SELECT * FROM relaxed_results ORDER BY distance + 0",
    );
    assert!(
        cte.iter()
            .any(|l| l.contains("Index Scan using items_embedding_idx on items")),
        "{cte:?}"
    );
    let by_alias = rows(
        &mut session,
        "SELECT id, embedding <-> '[3,1]' AS distance FROM items ORDER BY distance LIMIT 5",
    );
    let by_position = rows(
        &mut session,
        "SELECT id, embedding <-> '[3,1]' AS distance FROM items ORDER BY 2 LIMIT 5",
    );
    assert_eq!(by_alias, by_position);
    assert_eq!(by_alias.len(), 5);
}

/// `docs` of `n_rows` random 8-dimensional vectors with filter columns that keep 0.1%,
/// 1%, 10% and 50% of the rows (`c1000 = 0`, `c100 = 0`, `c10 = 0`, `c2 = 0`), an
/// HNSW index, and btrees on the columns named in `btrees`.
fn docs(n_rows: u64, btrees: &[&str]) -> Session {
    let mut session = Database::in_memory().session();
    session
        .execute(
            "CREATE TABLE docs (id int, c1000 int, c100 int, c10 int, c2 int, embedding vector(8))",
        )
        .unwrap();
    let values: Vec<String> = (0..n_rows)
        .map(|id| {
            // A scrambled id, so that each filter's rows spread over the vector space.
            let h = id.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 20;
            format!(
                "({id}, {}, {}, {}, {}, '{}')",
                h % 1000,
                h % 100,
                h % 10,
                h % 2,
                super::common::random_vector(id, 8)
            )
        })
        .collect();
    for chunk in values.chunks(500) {
        session
            .execute(&format!("INSERT INTO docs VALUES {}", chunk.join(",")))
            .unwrap();
    }
    session
        .execute("CREATE INDEX docs_embedding_idx ON docs USING hnsw (embedding vector_l2_ops)")
        .unwrap();
    for column in btrees {
        session
            .execute(&format!("CREATE INDEX ON docs ({column})"))
            .unwrap();
    }
    session
}

/// The ids of a query's rows.
fn ids(session: &mut Session, sql: &str) -> Vec<String> {
    rows(session, sql)
        .into_iter()
        .map(|mut row| row.remove(0))
        .collect()
}

/// The exact answer of a query: every index scan off.
fn exact_ids(session: &mut Session, sql: &str) -> Vec<String> {
    session.execute("SET enable_indexscan = off").unwrap();
    let exact = ids(session, sql);
    session.execute("RESET enable_indexscan").unwrap();
    exact
}

#[test]
fn filtered_vector_search_fills_its_limit_at_every_selectivity() {
    for btrees in [&[][..], &["c1000", "c100", "c10", "c2"][..]] {
        let mut session = docs(4000, btrees);
        let (mut found, mut wanted) = (0, 0);
        for column in ["c1000", "c100", "c10", "c2"] {
            let matching: usize = rows(
                &mut session,
                &format!("SELECT count(*) FROM docs WHERE {column} = 0"),
            )[0][0]
                .parse()
                .unwrap();
            for q in 0..8u64 {
                let query = super::common::random_vector(1_000_000 + q, 8);
                let sql = format!(
                    "SELECT id FROM docs WHERE {column} = 0 \
                     ORDER BY embedding <-> '{query}' LIMIT 10"
                );
                let chosen = ids(&mut session, &sql);
                let exact = exact_ids(&mut session, &sql);
                assert_eq!(chosen.len(), matching.min(10), "{sql} with {btrees:?}");
                assert_eq!(exact.len(), chosen.len());
                found += chosen.iter().filter(|id| exact.contains(id)).count();
                wanted += exact.len();
            }
        }
        let recall = found as f64 / wanted as f64;
        assert!(recall >= 0.95, "recall {recall} with btrees {btrees:?}");
    }
}

#[test]
fn the_plan_follows_the_estimated_selectivity() {
    let mut session = docs(4000, &["c100", "c2"]);
    let query = super::common::random_vector(7, 8);
    // 1% of 4000 rows: the btree's rows and an exact top-k.
    let selective = plan(
        &mut session,
        &format!("SELECT id FROM docs WHERE c100 = 0 ORDER BY embedding <-> '{query}' LIMIT 10"),
    );
    assert_eq!(
        selective[3], "        ->  Index Scan using docs_c100_idx on docs",
        "{selective:?}"
    );
    // 50%: the filter-aware walk of the vector index, with the btree's estimate.
    let wide = plan(
        &mut session,
        &format!("SELECT id FROM docs WHERE c2 = 0 ORDER BY embedding <-> '{query}' LIMIT 10"),
    );
    assert_eq!(
        wide[1], "  ->  Index Scan using docs_embedding_idx on docs",
        "{wide:?}"
    );
    assert!(
        wide[3].starts_with(
            "        Filter Strategy: iterative index scan, exact scan if it runs out \
             (expected rows: "
        ) && wide[3].ends_with(" of 4000)"),
        "{wide:?}"
    );
    assert_eq!(wide[4], "        Filter: (c2 = 0)");
    // No btree: the walk, without an estimate.
    let unestimated = plan(
        &mut session,
        &format!("SELECT id FROM docs WHERE c10 = 0 ORDER BY embedding <-> '{query}' LIMIT 10"),
    );
    assert_eq!(
        unestimated[3],
        "        Filter Strategy: iterative index scan, exact scan if it runs out"
    );
}

#[test]
fn statistics_estimate_filters_no_btree_serves() {
    let mut session = docs(4000, &[]);
    session.execute("ANALYZE docs").unwrap();
    let query = super::common::random_vector(11, 8);
    let sql = |filter: &str| {
        format!("SELECT id FROM docs WHERE {filter} ORDER BY embedding <-> '{query}' LIMIT 10")
    };
    // 10%: the walk, with the statistics' estimate (400 of 4000, give or take).
    let wide = plan(&mut session, &sql("c10 = 0"));
    assert_eq!(
        wide[1], "  ->  Index Scan using docs_embedding_idx on docs",
        "{wide:?}"
    );
    let expected: usize = wide[3]
        .strip_prefix(
            "        Filter Strategy: iterative index scan, exact scan if it runs out \
             (expected rows: ",
        )
        .and_then(|rest| rest.strip_suffix(" of 4000)"))
        .and_then(|rows| rows.parse().ok())
        .unwrap_or_else(|| panic!("{wide:?}"));
    assert!((300..=500).contains(&expected), "{wide:?}");
    // 0.1%: about four rows pass, so a walk for ten would read the whole index; the
    // exact scan of the table checks the filter on each row instead.
    let narrow = plan(&mut session, &sql("c1000 = 0"));
    assert_eq!(narrow.len(), 5, "{narrow:?}");
    assert_eq!(narrow[1], "  ->  Sort", "{narrow:?}");
    assert_eq!(narrow[3], "        ->  Seq Scan on docs", "{narrow:?}");
    assert_eq!(narrow[4], "              Filter: (c1000 = 0)", "{narrow:?}");
    // The exact scan's answer is the exact one; the walk fills its LIMIT.
    for filter in ["c1000 = 0", "c1000 = 0 OR c1000 = 1"] {
        let sql = sql(filter);
        assert_eq!(
            ids(&mut session, &sql),
            exact_ids(&mut session, &sql),
            "{sql}"
        );
    }
    assert_eq!(ids(&mut session, &sql("c10 = 0")).len(), 10);
    // A condition the statistics cannot estimate leaves the walk unestimated.
    let unknown = plan(&mut session, &sql("c1000 + 1 = 1"));
    assert_eq!(
        unknown[3],
        "        Filter Strategy: iterative index scan, exact scan if it runs out"
    );
}

#[test]
fn explicit_pgvector_settings_keep_their_meaning() {
    let mut session = docs(3000, &[]);
    let query = super::common::random_vector(11, 8);
    let sql =
        format!("SELECT id FROM docs WHERE c100 = 0 ORDER BY embedding <-> '{query}' LIMIT 10");
    session.execute("SET hnsw.iterative_scan = off").unwrap();
    assert_eq!(
        plan(&mut session, &sql),
        [
            "Limit",
            "  ->  Index Scan using docs_embedding_idx on docs",
            &format!("        Order By: (embedding <-> '{query}'::vector)"),
            "        Filter: (c100 = 0)",
        ]
    );
    // pgvector's single walk of ef_search = 40 candidates finds about 1% of them.
    assert!(ids(&mut session, &sql).len() < 10);
    session
        .execute("SET hnsw.iterative_scan = relaxed_order")
        .unwrap();
    assert!(!plan(&mut session, &sql)
        .iter()
        .any(|l| l.contains("Filter Strategy")));
    session.execute("RESET hnsw.iterative_scan").unwrap();
    assert_eq!(ids(&mut session, &sql).len(), 10);
}

#[test]
fn filtered_walks_honour_offset_and_a_null_limit() {
    let mut session = docs(2000, &[]);
    let query = super::common::random_vector(3, 8);
    let sql = |tail: &str| {
        format!("SELECT id FROM docs WHERE c10 = 0 ORDER BY embedding <-> '{query}' {tail}")
    };
    let exact = exact_ids(&mut session, &sql("LIMIT 20"));
    let second_page = ids(&mut session, &sql("LIMIT 10 OFFSET 10"));
    assert_eq!(second_page.len(), 10);
    let overlap = second_page
        .iter()
        .filter(|id| exact[10..].contains(id))
        .count();
    assert!(overlap >= 8, "{second_page:?} vs {exact:?}");
    let everything = ids(&mut session, &sql("LIMIT NULL"));
    let matching = rows(&mut session, "SELECT count(*) FROM docs WHERE c10 = 0");
    assert_eq!(everything.len().to_string(), matching[0][0]);
    assert_eq!(everything, exact_ids(&mut session, &sql("LIMIT NULL")));
    assert!(ids(&mut session, &sql("LIMIT 0")).is_empty());
}
