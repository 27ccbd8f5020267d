//! Aggregates beyond the SQL script: `DISTINCT`, `ORDER BY` and `FILTER` inside calls
//! over many groups and rows, checked against the same answer computed in Rust, and
//! the errors of misplaced clauses.

use crate::common::last_rows;
use vec_shell::Database;

/// The rows of a one-statement query, each value as text.
fn texts(database: &Database, sql: &str) -> Vec<Vec<Option<String>>> {
    last_rows(&mut database.session(), sql)
}

#[test]
fn sorted_distinct_and_filtered_aggregates_match_a_model() {
    let database = Database::in_memory();
    database
        .session()
        .execute(
            "CREATE TABLE m (id int, g int, v int); \
             INSERT INTO m SELECT n, n % 7, (n * 37) % 11 FROM generate_series(1, 500) n",
        )
        .unwrap();
    let found = texts(
        &database,
        "SELECT g, string_agg(v::text, ',' ORDER BY v DESC, id), count(DISTINCT v), \
         sum(v) FILTER (WHERE id % 2 = 0), bool_and(v < 10), bool_or(v = 0) \
         FROM m GROUP BY g ORDER BY g",
    );
    for g in 0..7 {
        let mut rows: Vec<(i32, i32)> = (1..=500)
            .filter(|n| n % 7 == g)
            .map(|n| (n, (n * 37) % 11))
            .collect();
        rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let joined: Vec<String> = rows.iter().map(|(_, v)| v.to_string()).collect();
        let distinct: std::collections::BTreeSet<i32> = rows.iter().map(|r| r.1).collect();
        let even_sum: i32 = rows.iter().filter(|r| r.0 % 2 == 0).map(|r| r.1).sum();
        let expected = vec![
            Some(g.to_string()),
            Some(joined.join(",")),
            Some(distinct.len().to_string()),
            Some(even_sum.to_string()),
            Some(
                if rows.iter().all(|r| r.1 < 10) {
                    "t"
                } else {
                    "f"
                }
                .to_string(),
            ),
            Some(
                if rows.iter().any(|r| r.1 == 0) {
                    "t"
                } else {
                    "f"
                }
                .to_string(),
            ),
        ];
        assert_eq!(found[g as usize], expected, "group {g}");
    }
}

#[test]
fn misplaced_clauses_get_postgres_errors() {
    let database = Database::in_memory();
    database
        .session()
        .execute("CREATE TABLE e (a int, b text)")
        .unwrap();
    let cases = [
        (
            "SELECT lower(b ORDER BY a) FROM e",
            "ORDER BY specified, but lower is not an aggregate function",
            7,
        ),
        (
            "SELECT count(a) FILTER (WHERE a) FROM e",
            "argument of FILTER must be type boolean, not type integer",
            30,
        ),
        (
            "SELECT array_agg(a ORDER BY max(a)) FROM e",
            "aggregate function calls cannot be nested",
            28,
        ),
        (
            "SELECT string_agg(b, 1) FROM e",
            "function string_agg(text, integer) does not exist",
            7,
        ),
    ];
    for (sql, message, position) in cases {
        let error = database.session().execute(sql).unwrap_err();
        assert_eq!(
            (error.message.as_str(), error.position),
            (message, Some(position)),
            "{sql}"
        );
    }
}
