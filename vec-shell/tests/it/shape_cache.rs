//! Plans of repeated statement shapes: a session that keeps them gives the rows, errors
//! and notices of one that plans every statement afresh (`plan_cache_mode =
//! force_custom_plan`), across query forms, bad literals, schema and settings changes
//! and aborted blocks.

use vec_shell::{Database, Session};

use super::common::{last_rows, random_vector};

/// Two sessions of one database holding `t` (200 rows, 8-d vectors, an HNSW index):
/// the first keeps shapes, the second does not.
fn sessions() -> (Session, Session) {
    let database = table();
    let cached = database.session();
    let mut fresh = database.session();
    fresh
        .execute("SET plan_cache_mode = force_custom_plan")
        .unwrap();
    (cached, fresh)
}

/// A database holding `t`.
fn table() -> Database {
    let database = Database::in_memory();
    let mut setup = database.session();
    let rows: Vec<String> = (0..200)
        .map(|i| {
            let label = ["a", "b", "c"][i % 3];
            format!("({i}, '{}', '{label}')", random_vector(i as u64, 8))
        })
        .collect();
    setup
        .execute(&format!(
            "CREATE TABLE t (id int PRIMARY KEY, v vector(8), label text);
             INSERT INTO t VALUES {};
             CREATE INDEX t_v ON t USING hnsw (v vector_l2_ops);
             CREATE INDEX ON t (label)",
            rows.join(",")
        ))
        .unwrap();
    database
}

/// Runs `sql` in both sessions; the outcomes (rows or error) must be the same.
fn same(cached: &mut Session, fresh: &mut Session, sql: &str) {
    let outcome = |session: &mut Session| match session.execute(sql) {
        Ok(results) => Ok(results
            .iter()
            .map(|r| (r.tag.clone(), format!("{:?}", r.rows), r.notices.len()))
            .collect::<Vec<_>>()),
        Err(e) => Err((e.sqlstate.to_string(), e.message.clone(), e.position)),
    };
    assert_eq!(outcome(cached), outcome(fresh), "{sql}");
}

const SHAPES: &[&str] = &[
    "SELECT id FROM t ORDER BY v <-> '{q}' LIMIT 5",
    "SELECT id, round((v <=> '{q}')::numeric, 4) FROM t WHERE label = 'a' ORDER BY v <=> '{q}' LIMIT 3;",
    "SELECT count(*) FROM t WHERE v <-> '{q}' < 1.5",
    "SELECT id, l2_distance(v, '{q}'), inner_product('{q}', v) FROM t WHERE id IN (3, 7)",
    "WITH n AS (SELECT id FROM t ORDER BY v <#> '{q}' LIMIT 4) SELECT count(*) FROM n",
    "SELECT id FROM t WHERE v = '{q}'",
    "select id from t order by v <-> '{q}', id limit 2 offset 1",
];

#[test]
fn repeated_shapes_give_what_fresh_plans_give() {
    let (mut cached, mut fresh) = sessions();
    for shape in SHAPES {
        for seed in 0..5 {
            let sql = shape.replace("{q}", &random_vector(1000 + seed, 8));
            same(&mut cached, &mut fresh, &sql);
        }
        // An exact row's own vector finds it first.
        let sql = shape.replace("{q}", &random_vector(7, 8));
        same(&mut cached, &mut fresh, &sql);
    }
    let found = last_rows(
        &mut cached,
        &format!("SELECT id FROM t WHERE v = '{}'", random_vector(7, 8)),
    );
    assert_eq!(found, [[Some("7".to_string())]]);
}

#[test]
fn bad_literals_fail_as_they_would_without_the_cache() {
    let (mut cached, mut fresh) = sessions();
    let shape = "SELECT id FROM t ORDER BY v <-> '{q}' LIMIT 5";
    for q in [
        random_vector(1, 8),
        random_vector(2, 8),
        "[1,2".to_string(),
        "[1,2]".to_string(),
        "[1,NaN,3,4,5,6,7,8]".to_string(),
        "{1:2}/8".to_string(),
        random_vector(3, 8),
    ] {
        same(&mut cached, &mut fresh, &shape.replace("{q}", &q));
    }
    let error = cached
        .execute("SELECT id FROM t ORDER BY v <-> '[1,2' LIMIT 5")
        .unwrap_err();
    assert_eq!(
        error.message,
        "invalid input syntax for type vector: \"[1,2\""
    );
    assert!(error.position.is_some());
}

#[test]
fn schema_and_settings_changes_are_seen() {
    let (mut cached, mut fresh) = sessions();
    let shape = "SELECT id FROM t ORDER BY v <-> '{q}' LIMIT 3";
    let run = |cached: &mut Session, fresh: &mut Session, seed| {
        same(
            cached,
            fresh,
            &shape.replace("{q}", &random_vector(seed, 8)),
        );
    };
    run(&mut cached, &mut fresh, 1);
    run(&mut cached, &mut fresh, 2);
    for change in [
        "SET hnsw.ef_search = 1",
        "DROP INDEX t_v",
        "CREATE INDEX t_v ON t USING hnsw (v vector_cosine_ops)",
        "DROP TABLE t; CREATE TABLE t (id int, w vector(8))",
    ] {
        cached.execute(change).unwrap();
        if change.starts_with("SET") {
            fresh.execute(change).unwrap();
        }
        run(&mut cached, &mut fresh, 3);
        run(&mut cached, &mut fresh, 4);
    }
    let error = cached
        .execute(&shape.replace("{q}", &random_vector(5, 8)))
        .unwrap_err();
    assert_eq!(error.message, "column \"v\" does not exist");
}

#[test]
fn blocks_and_other_statements_keep_their_rules() {
    // Two databases (each session writes in a block), scanned exactly.
    let mut cached = table().session();
    let mut fresh = table().session();
    fresh
        .execute("SET plan_cache_mode = force_custom_plan; DROP INDEX t_v")
        .unwrap();
    cached.execute("DROP INDEX t_v").unwrap();
    let query = |seed| {
        format!(
            "SELECT id FROM t ORDER BY v <-> '{}' LIMIT 2",
            random_vector(seed, 8)
        )
    };
    for session in [&mut cached, &mut fresh] {
        session.execute(&query(1)).unwrap();
        session.execute(&query(2)).unwrap();
        session.execute("BEGIN").unwrap();
        session
            .execute("INSERT INTO t VALUES (1000, '[0,0,0,0,0,0,0,0]', 'z')")
            .unwrap();
    }
    // The block's own row is seen by the cached plan.
    let origin = "SELECT id FROM t ORDER BY v <-> '[0,0,0,0,0,0,0,0]' LIMIT 1";
    same(&mut cached, &mut fresh, origin);
    same(&mut cached, &mut fresh, origin);
    assert_eq!(last_rows(&mut cached, origin), [[Some("1000".to_string())]]);
    // A failing statement aborts the block; the cached shape then fails as any would.
    for session in [&mut cached, &mut fresh] {
        assert!(session.execute("SELECT 1/0").is_err());
    }
    same(&mut cached, &mut fresh, &query(3));
    for session in [&mut cached, &mut fresh] {
        session.execute("ROLLBACK").unwrap();
    }
    same(&mut cached, &mut fresh, origin);
    // A literal that is text, not a vector, is left in place.
    same(&mut cached, &mut fresh, "SELECT '[1,2]' || 'x'");
    same(&mut cached, &mut fresh, "SELECT '[1,2]' || 'x'");
    // Two statements in one string are never a shape.
    let two = format!("{}; {}", query(4), query(5));
    same(&mut cached, &mut fresh, &two);
    same(&mut cached, &mut fresh, &two);
}
