//! `EXPLAIN (ANALYZE)` beyond the recorded scripts: what each node did in joins, in a
//! lateral subquery run once per outer row (`loops`), under a `LIMIT` that stops its
//! input early and in the exact scan that runs on several threads; buffer counts read
//! from a database on disk; times; estimates that follow `ANALYZE`; and a statistics
//! target that survives reopening the database; `ANALYZE` of values over 1 kB.

use vec_shell::{Database, Session};

/// The plan's lines.
fn plan(session: &mut Session, sql: &str) -> Vec<String> {
    let results = session
        .execute(sql)
        .unwrap_or_else(|e| panic!("{sql}: {}", e.message));
    let set = results.last().and_then(|r| r.rows.as_ref()).expect("rows");
    set.rows
        .iter()
        .map(|row| row[0].to_text().unwrap_or_default())
        .collect()
}

fn analyzed(session: &mut Session, sql: &str) -> Vec<String> {
    plan(
        session,
        &format!("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) {sql}"),
    )
}

fn setup() -> Session {
    let database = Database::in_memory();
    let mut session = database.session();
    session
        .execute(
            "CREATE TABLE a (id int, g int);\
             CREATE TABLE b (id int, a_id int);\
             INSERT INTO a SELECT n, n % 3 FROM generate_series(1, 30) n;\
             INSERT INTO b SELECT n, n % 40 FROM generate_series(1, 100) n;",
        )
        .unwrap();
    session
}

#[test]
fn a_hash_join_counts_each_side() {
    let mut session = setup();
    assert_eq!(
        analyzed(
            &mut session,
            "SELECT * FROM a JOIN b ON a.id = b.a_id WHERE a.g = 1"
        ),
        [
            "Hash Join (actual rows=27 loops=1)",
            "  Hash Cond: (a.id = b.a_id)",
            "  Filter: (a.g = 1)",
            "  Rows Removed by Filter: 53",
            "  ->  Seq Scan on a (actual rows=30 loops=1)",
            "  ->  Hash (actual rows=100 loops=1)",
            "        ->  Seq Scan on b (actual rows=100 loops=1)",
        ]
    );
}

#[test]
fn a_lateral_subquery_runs_once_per_outer_row() {
    let mut session = setup();
    let lines = analyzed(
        &mut session,
        "SELECT * FROM a, LATERAL (SELECT count(*) FROM b WHERE b.a_id = a.id) c WHERE a.id <= 4",
    );
    // The right side runs for each of the 30 rows of `a`; the filter keeps 4 joined rows.
    let lateral = lines
        .iter()
        .find(|line| line.contains("Aggregate"))
        .unwrap_or_else(|| panic!("{lines:?}"));
    assert!(lateral.ends_with("(actual rows=1 loops=30)"), "{lines:?}");
    let scan = lines
        .iter()
        .find(|line| line.contains("Seq Scan on b"))
        .unwrap_or_else(|| panic!("{lines:?}"));
    // Rows are averaged over the loops, as PostgreSQL prints them: 100 rows' ids fall
    // into 40 values, 2 or 3 per id of `a` up to 39.
    assert!(scan.contains("loops=30)"), "{lines:?}");
    assert!(lines[0].contains("(actual rows=4 loops=1)"), "{lines:?}");
}

#[test]
fn a_limit_stops_its_input_and_a_limit_0_runs_nothing() {
    let mut session = setup();
    assert_eq!(
        analyzed(&mut session, "SELECT * FROM b WHERE id > 10 LIMIT 3"),
        [
            "Limit (actual rows=3 loops=1)",
            "  ->  Seq Scan on b (actual rows=3 loops=1)",
            "        Filter: (id > 10)",
            "        Rows Removed by Filter: 10",
        ]
    );
    assert_eq!(
        analyzed(&mut session, "SELECT * FROM b LIMIT 0"),
        [
            "Limit (actual rows=0 loops=1)",
            "  ->  Seq Scan on b (never executed)",
        ]
    );
}

#[test]
fn times_grow_from_startup_to_total_and_the_summary_follows() {
    let mut session = setup();
    let lines = plan(
        &mut session,
        "EXPLAIN ANALYZE SELECT g, count(*) FROM b JOIN a ON a.id = b.a_id GROUP BY g ORDER BY g",
    );
    for line in lines.iter().filter(|l| l.contains("actual time=")) {
        let times = line.split("actual time=").nth(1).unwrap();
        let (startup, rest) = times.split_once("..").unwrap();
        let total = rest.split(' ').next().unwrap();
        let (startup, total): (f64, f64) = (startup.parse().unwrap(), total.parse().unwrap());
        assert!(startup <= total, "{line}");
    }
    assert!(lines[0].starts_with("Sort  (cost="), "{lines:?}");
    assert!(lines.iter().any(|l| l.starts_with("Planning Time: ")));
    assert!(lines.last().unwrap().starts_with("Execution Time: "));
}

#[test]
fn the_parallel_exact_scan_reports_its_nodes() {
    let database = Database::in_memory();
    let mut session = database.session();
    // Enough pages for the scan to split across threads.
    session
        .execute(
            "CREATE TABLE big (id int, v vector(64));\
             INSERT INTO big SELECT n, ('[' || repeat(n::text || ',', 63) || n::text || ']')::vector \
             FROM generate_series(1, 12000) n;",
        )
        .unwrap();
    let query = format!("[{}]", vec!["7"; 64].join(","));
    let lines = analyzed(
        &mut session,
        &format!("SELECT id FROM big WHERE id % 2 = 0 ORDER BY v <-> '{query}' LIMIT 4"),
    );
    assert_eq!(lines.len(), 6, "{lines:?}");
    assert_eq!(lines[0], "Limit (actual rows=4 loops=1)");
    assert_eq!(lines[1], "  ->  Sort (actual rows=4 loops=1)");
    assert!(
        lines[2].starts_with("        Sort Key: ((v <-> "),
        "{lines:?}"
    );
    assert_eq!(
        lines[3..],
        [
            "        ->  Seq Scan on big (actual rows=6000 loops=1)",
            "              Filter: ((id % 2) = 0)",
            "              Rows Removed by Filter: 6000",
        ]
    );
}

#[test]
fn buffers_count_the_pages_a_scan_reads() {
    let dir = tempfile::tempdir().unwrap();
    let database = Database::open(dir.path()).unwrap();
    let mut session = database.session();
    session
        .execute(
            "CREATE TABLE t (id int, note text);\
             INSERT INTO t SELECT n, repeat('x', 200) FROM generate_series(1, 2000) n;",
        )
        .unwrap();
    let lines = plan(
        &mut session,
        "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT count(*) FROM t",
    );
    let buffers: Vec<&String> = lines
        .iter()
        .filter(|l| l.contains("Buffers: shared"))
        .collect();
    assert_eq!(buffers.len(), 2, "{lines:?}");
    // 2,000 rows of ~210 bytes fill dozens of pages; each is pinned at least once.
    let pages: u64 = buffers[1]
        .split_whitespace()
        .filter_map(|part| {
            part.split_once('=')
                .and_then(|(_, n)| n.parse::<u64>().ok())
        })
        .sum();
    assert!(pages >= 40, "{lines:?}");
    // Structured formats list every counter.
    let json = plan(
        &mut session,
        "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) SELECT count(*) FROM t",
    )
    .join("\n");
    assert!(json.contains("\"Shared Hit Blocks\": "), "{json}");
    assert!(json.contains("\"Execution Time\": "), "{json}");
}

#[test]
fn estimates_follow_analyze() {
    let mut session = setup();
    let before = plan(&mut session, "EXPLAIN SELECT * FROM b WHERE a_id = 7");
    session.execute("ANALYZE b").unwrap();
    let after = plan(&mut session, "EXPLAIN SELECT * FROM b WHERE a_id = 7");
    // Without statistics: PostgreSQL's 0.5% of the rows (at least one); with them,
    // 1 in 40 of the 100 rows.
    assert!(before[0].contains("rows=1 width="), "{before:?}");
    assert!(
        after[0].contains("rows=2 width=8)") || after[0].contains("rows=3 width=8)"),
        "{after:?}"
    );
}

#[test]
fn a_statistics_target_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    {
        let database = Database::open(dir.path()).unwrap();
        let mut session = database.session();
        session
            .execute(
                "CREATE TABLE s (a int, b text);\
                 ALTER TABLE s ALTER COLUMN b SET STATISTICS 2;\
                 INSERT INTO s SELECT n, 'v' || (n % 5) FROM generate_series(1, 100) n;",
            )
            .unwrap();
    }
    let database = Database::open(dir.path()).unwrap();
    let mut session = database.session();
    session.execute("ANALYZE s").unwrap();
    let target = plan(
        &mut session,
        "SELECT attstattarget FROM pg_attribute WHERE attrelid = 's'::regclass AND attname = 'b'",
    );
    assert_eq!(target, ["2"]);
    let mcv = plan(
        &mut session,
        "SELECT most_common_vals FROM pg_stats WHERE tablename = 's' AND attname = 'b'",
    );
    assert_eq!(mcv, ["{v0,v1}"]);
}

#[test]
fn analyze_leaves_values_over_1kb_out_of_the_lists() {
    let mut session = Database::in_memory().session();
    session
        .execute(
            "CREATE TABLE wide (id int, t text);\
             INSERT INTO wide SELECT g, repeat(chr(97 + g % 3), 1000000) FROM generate_series(1, 6) g;\
             INSERT INTO wide VALUES (7, 'short'), (8, 'short');\
             ANALYZE wide;",
        )
        .unwrap();
    // As PostgreSQL 15 shows: the six 1 MB values count as distinct, and only 'short'
    // is a most common value; no histogram (PostgreSQL's avg_width is of the values as
    // compressed, 15 bytes here, where vecsh stores them whole).
    let stats = plan(
        &mut session,
        "SELECT n_distinct::text || ' ' || most_common_vals::text || ' ' || most_common_freqs::text \
         || ' ' || coalesce(histogram_bounds::text, '-') FROM pg_stats WHERE tablename = 'wide' AND attname = 't'",
    );
    assert_eq!(stats, ["-0.875 {short} {0.25} -"]);
}
