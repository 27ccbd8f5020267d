//! Window functions over random tables, checked against the same answers computed in
//! Rust: sums over sliding `ROWS` frames, counts over `RANGE` frames with offsets,
//! ranks with NULLs and ties, and `lag` — each per partition.

use crate::common::last_rows;
use proptest::prelude::*;
use vec_shell::Database;

/// One table row: id (1..), partition, value.
#[derive(Clone, Debug)]
struct Item {
    id: i64,
    g: i64,
    v: Option<i64>,
}

/// The partition's rows in the order of `key` (stable, NULLs last as ascending keys).
fn partition<'a>(items: &'a [Item], g: i64, by_value: bool) -> Vec<&'a Item> {
    let mut rows: Vec<&Item> = items.iter().filter(|i| i.g == g).collect();
    if by_value {
        rows.sort_by_key(|i| (i.v.is_none(), i.v, i.id));
    }
    rows
}

fn expected(items: &[Item]) -> Vec<Vec<Option<String>>> {
    items
        .iter()
        .map(|item| {
            let by_id = partition(items, item.g, false);
            let at = by_id.iter().position(|i| i.id == item.id).unwrap();
            let frame = &by_id[at.saturating_sub(2)..(at + 2).min(by_id.len())];
            let values: Vec<i64> = frame.iter().filter_map(|i| i.v).collect();
            let sum = (!values.is_empty()).then(|| values.iter().sum::<i64>().to_string());
            let count = match item.v {
                None => 0,
                Some(x) => by_id
                    .iter()
                    .filter(|i| i.v.is_some_and(|v| v >= x - 3 && v <= x + 1))
                    .count(),
            };
            let before = by_id
                .iter()
                .filter(|i| match (i.v, item.v) {
                    (Some(v), Some(x)) => v < x,
                    (Some(_), None) => true,
                    (None, _) => false,
                })
                .count();
            let lag = items
                .iter()
                .find(|i| i.id == item.id - 2)
                .and_then(|i| i.v)
                .map(|v| v.to_string());
            vec![
                Some(item.id.to_string()),
                sum,
                Some(count.to_string()),
                Some((before + 1).to_string()),
                lag,
            ]
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]
    #[test]
    fn window_values_match_a_model(
        rows in prop::collection::vec((0i64..3, prop::option::weighted(0.8, 0i64..12)), 1..40)
    ) {
        let items: Vec<Item> = rows
            .iter()
            .enumerate()
            .map(|(n, (g, v))| Item { id: n as i64 + 1, g: *g, v: *v })
            .collect();
        let database = Database::in_memory();
        let values: Vec<String> = items
            .iter()
            .map(|i| format!("({}, {}, {})", i.id, i.g, i.v.map_or("NULL".to_string(), |v| v.to_string())))
            .collect();
        database
            .session()
            .execute(&format!(
                "CREATE TABLE t (id bigint, g bigint, v bigint); INSERT INTO t VALUES {}",
                values.join(", ")
            ))
            .unwrap();
        let found = last_rows(
            &mut database.session(),
            "SELECT id, \
             sum(v) OVER (PARTITION BY g ORDER BY id ROWS BETWEEN 2 PRECEDING AND 1 FOLLOWING), \
             count(v) OVER (PARTITION BY g ORDER BY v RANGE BETWEEN 3 PRECEDING AND 1 FOLLOWING), \
             rank() OVER (PARTITION BY g ORDER BY v), \
             lag(v, 2) OVER (ORDER BY id) \
             FROM t ORDER BY id",
        );
        prop_assert_eq!(found, expected(&items));
    }
}

#[test]
fn windows_over_a_large_partition_give_exact_totals() {
    // 20,000 rows in one partition: the running sum is folded incrementally and the
    // whole-partition count once, so this stays quick even in a debug build.
    let database = Database::in_memory();
    let found = last_rows(
        &mut database.session(),
        "SELECT max(s), min(c), max(r) FROM (SELECT sum(n) OVER (ORDER BY n) AS s, \
         count(*) OVER () AS c, row_number() OVER (ORDER BY n DESC) AS r \
         FROM generate_series(1, 20000) n) w",
    );
    assert_eq!(
        found,
        vec![vec![
            Some("200010000".to_string()),
            Some("20000".to_string()),
            Some("20000".to_string())
        ]]
    );
}

#[test]
fn ranks_in_the_query_order_stream_from_a_vector_index() {
    let database = Database::in_memory();
    let mut session = database.session();
    session
        .execute("CREATE TABLE v (id bigserial PRIMARY KEY, e vector(8))")
        .unwrap();
    let values: Vec<String> = (0..2_000)
        .map(|i| format!("('{}')", crate::common::random_vector(i, 8)))
        .collect();
    session
        .execute(&format!("INSERT INTO v (e) VALUES {}", values.join(", ")))
        .unwrap();
    session
        .execute("CREATE INDEX ON v USING hnsw (e vector_l2_ops); SET hnsw.ef_search = 400")
        .unwrap();
    let q = crate::common::random_vector(9_999, 8);
    let query = format!(
        "SELECT id, rank() OVER (ORDER BY e <-> '{q}'), row_number() OVER (ORDER BY e <-> '{q}') \
         FROM v ORDER BY e <-> '{q}' LIMIT 10"
    );
    let plan = last_rows(&mut session, &format!("EXPLAIN {query}"));
    let plan: Vec<String> = plan.into_iter().map(|r| r[0].clone().unwrap()).collect();
    assert!(
        plan.iter().any(|l| l.contains("Index Scan using v_e_idx")),
        "{plan:?}"
    );
    let indexed = last_rows(&mut session, &query);
    session.execute("SET enable_indexscan = off").unwrap();
    assert_eq!(indexed, last_rows(&mut session, &query));
    // A window that needs every row keeps the exact scan.
    let total = format!("EXPLAIN SELECT id, count(*) OVER () FROM v ORDER BY e <-> '{q}' LIMIT 10");
    session.execute("RESET enable_indexscan").unwrap();
    let plan = last_rows(&mut session, &total);
    assert!(plan
        .iter()
        .any(|r| r[0].as_deref().is_some_and(|l| l.contains("Seq Scan"))));
}
