//! vecsh's index options past pgvector's: `WITH (quantization = 'sq8' | 'rabitq')` on
//! `hnsw` (recall against the exact scan, less memory, snapshots, errors), `vector` and
//! `halfvec` indexes past 2,000 and 4,000 dimensions, and `vecsh.target_recall` (the
//! chosen `ef_search` / `probes` in `EXPLAIN`, refreshed by `ANALYZE`, kept in snapshots).

use vec_shell::{Database, Session};

use crate::common::{first_column_ids as ids, random_vector as vector};

/// `items`: `n` rows of `dims`-d vectors.
fn load(session: &mut Session, n: u64, dims: usize) {
    session
        .execute(&format!(
            "CREATE TABLE items (id bigserial PRIMARY KEY, embedding vector({dims}))"
        ))
        .unwrap();
    insert(session, 0, n, dims);
}

fn insert(session: &mut Session, from: u64, to: u64, dims: usize) {
    let values: Vec<String> = (from..to)
        .map(|i| format!("('{}')", vector(i, dims)))
        .collect();
    for chunk in values.chunks(500) {
        session
            .execute(&format!(
                "INSERT INTO items (embedding) VALUES {}",
                chunk.join(", ")
            ))
            .unwrap();
    }
}

/// The share of the exact answer's rows the index returns, over 10 queries of 10 rows.
fn recall(session: &mut Session, dims: usize, operator: &str) -> f64 {
    let mut found = 0;
    for q in 0..10u64 {
        let query = vector(90_000 + q, dims);
        let sql = format!("SELECT id FROM items ORDER BY embedding {operator} '{query}' LIMIT 10");
        let indexed = ids(session, &sql);
        session.execute("SET enable_indexscan = off").unwrap();
        let exact = ids(session, &sql);
        session.execute("RESET enable_indexscan").unwrap();
        found += indexed.iter().filter(|id| exact.contains(id)).count();
    }
    found as f64 / 100.0
}

fn explain(session: &mut Session, sql: &str) -> Vec<String> {
    let results = session.execute(&format!("EXPLAIN {sql}")).unwrap();
    results[0]
        .rows
        .as_ref()
        .unwrap()
        .rows
        .iter()
        .map(|row| row[0].to_text().unwrap_or_default())
        .collect()
}

fn index_memory(database: &Database, index: &str) -> usize {
    database.with_catalog(|catalog| {
        catalog
            .table("items")
            .unwrap()
            .vector_indexes
            .iter()
            .find(|entry| entry.name == index)
            .unwrap()
            .index
            .read()
            .memory_bytes()
    })
}

#[test]
fn quantized_hnsw_reaches_recall_with_less_memory() {
    let database = Database::in_memory();
    let mut session = database.session();
    load(&mut session, 2000, 64);
    session.execute("SET hnsw.ef_search = 100").unwrap();
    session
        .execute("CREATE INDEX plain ON items USING hnsw (embedding vector_l2_ops)")
        .unwrap();
    let plain = index_memory(&database, "plain");
    session.execute("DROP INDEX plain").unwrap();
    // Uniform random vectors have no structure for one-bit codes to follow: RaBitQ needs
    // more candidates than SQ8 on them.
    for (quantization, operator, opclass, ef_search) in [
        ("sq8", "<->", "vector_l2_ops", 100),
        ("rabitq", "<=>", "vector_cosine_ops", 400),
        ("SQ8", "<#>", "vector_ip_ops", 100),
    ] {
        session
            .execute(&format!("SET hnsw.ef_search = {ef_search}"))
            .unwrap();
        let result = session
            .execute(&format!(
                "CREATE INDEX q ON items USING hnsw (embedding {opclass}) WITH (quantization = '{quantization}')"
            ))
            .unwrap();
        assert!(result[0].notices.is_empty());
        assert!(index_memory(&database, "q") < plain, "{quantization}");
        let recall = recall(&mut session, 64, operator);
        assert!(recall >= 0.9, "{quantization} {operator}: {recall}");
        session.execute("DROP INDEX q").unwrap();
    }
}

#[test]
fn quantization_errors() {
    let database = Database::in_memory();
    let mut session = database.session();
    session
        .execute("CREATE TABLE items (id bigserial PRIMARY KEY, embedding vector(3), b bit(8))")
        .unwrap();
    let error = session
        .execute(
            "CREATE INDEX ON items USING hnsw (embedding vector_l2_ops) WITH (quantization = 'pq')",
        )
        .unwrap_err();
    assert_eq!(
        (
            error.sqlstate,
            error.message.as_str(),
            error.detail.as_deref()
        ),
        (
            "22023",
            "invalid value for enum option \"quantization\": pq",
            Some("Valid values are \"none\", \"sq8\", and \"rabitq\".")
        )
    );
    let error = session
        .execute("CREATE INDEX ON items USING hnsw (embedding vector_l1_ops) WITH (quantization = 'sq8')")
        .unwrap_err();
    assert_eq!(error.sqlstate, "0A000");
    let error = session
        .execute(
            "CREATE INDEX ON items USING hnsw (b bit_hamming_ops) WITH (quantization = 'rabitq')",
        )
        .unwrap_err();
    assert_eq!(error.sqlstate, "0A000");
    let error = session
        .execute("CREATE INDEX ON items USING ivfflat (embedding vector_l2_ops) WITH (quantization = 'sq8')")
        .unwrap_err();
    assert_eq!(error.message, "unrecognized parameter \"quantization\"");
    session
        .execute(
            "CREATE INDEX ON items USING hnsw (embedding vector_l2_ops) WITH (quantization = none)",
        )
        .unwrap();
}

#[test]
fn indexes_past_pgvectors_dimension_limits() {
    let database = Database::in_memory();
    let mut session = database.session();
    load(&mut session, 300, 3072);
    session
        .execute("ALTER TABLE items ADD COLUMN half halfvec(4500)")
        .unwrap();
    for create in [
        "CREATE INDEX wide ON items USING hnsw (embedding vector_l2_ops)",
        "CREATE INDEX wide ON items USING ivfflat (embedding vector_l2_ops) WITH (lists = 3)",
        "CREATE INDEX wide ON items USING hnsw (embedding vector_cosine_ops) WITH (quantization = 'rabitq')",
    ] {
        session.execute(create).unwrap();
        session
            .execute("SET ivfflat.probes = 3; SET hnsw.ef_search = 200")
            .unwrap();
        let recall = recall(&mut session, 3072, if create.contains("cosine") { "<=>" } else { "<->" });
        assert!(recall >= 0.9, "{create}: {recall}");
        session.execute("DROP INDEX wide").unwrap();
    }
    session
        .execute("CREATE INDEX ON items USING hnsw (half halfvec_l2_ops)")
        .unwrap();
    session
        .execute("CREATE INDEX ON items USING ivfflat (half halfvec_l2_ops) WITH (lists = 1)")
        .unwrap();
}

#[test]
fn target_recall_chooses_and_explains() {
    let database = Database::in_memory();
    let mut session = database.session();
    load(&mut session, 3000, 16);
    session
        .execute("CREATE INDEX h ON items USING hnsw (embedding vector_l2_ops)")
        .unwrap();
    let sql = format!(
        "SELECT id FROM items ORDER BY embedding <-> '{}' LIMIT 10",
        vector(7, 16)
    );
    // Off by default: no line, the plain setting applies.
    assert_eq!(
        session.execute("SHOW vecsh.target_recall").unwrap()[0]
            .rows
            .as_ref()
            .unwrap()
            .rows[0][0]
            .to_text()
            .as_deref(),
        Some("0")
    );
    assert!(!explain(&mut session, &sql)
        .join("\n")
        .contains("Target Recall"));
    session.execute("SET vecsh.target_recall = 0.95").unwrap();
    let plan = explain(&mut session, &sql);
    let line = plan.iter().find(|l| l.contains("Target Recall")).unwrap();
    assert!(
        line.trim_start()
            .starts_with("Target Recall: 0.95 (ef_search = ")
            && line.contains(", expected recall "),
        "{plan:?}"
    );
    assert!(recall(&mut session, 16, "<->") >= 0.9);
    // Beyond the range: PostgreSQL's error.
    let error = session
        .execute("SET vecsh.target_recall = 1.5")
        .unwrap_err();
    assert_eq!(
        error.message,
        "1.5 is outside the valid range for parameter \"vecsh.target_recall\" (0 .. 1)"
    );

    // An index built on an empty table has nothing to calibrate on until ANALYZE.
    session
        .execute("CREATE TABLE late (id bigserial PRIMARY KEY, embedding vector(16))")
        .unwrap();
    session
        .execute("CREATE INDEX l ON late USING ivfflat (embedding vector_l2_ops) WITH (lists = 10)")
        .unwrap();
    let values: Vec<String> = (0..2000)
        .map(|i| format!("('{}')", vector(i, 16)))
        .collect();
    session
        .execute(&format!(
            "INSERT INTO late (embedding) VALUES {}",
            values.join(", ")
        ))
        .unwrap();
    let late_sql = sql.replace("items", "late");
    let plan = explain(&mut session, &late_sql).join("\n");
    assert!(
        plan.contains("calibrated: probes = ") || plan.contains("(probes = "),
        "{plan}"
    );
    session.execute("ANALYZE late").unwrap();
    let plan = explain(&mut session, &late_sql).join("\n");
    assert!(plan.contains("Target Recall: 0.95 (probes = "), "{plan}");
}

#[test]
fn calibrations_and_codes_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let sql = format!(
        "SELECT id FROM items ORDER BY embedding <-> '{}' LIMIT 10",
        vector(11, 16)
    );
    let (plan, answer) = {
        let database = Database::open(dir.path()).unwrap();
        let mut session = database.session();
        load(&mut session, 1500, 16);
        session
            .execute("CREATE INDEX h ON items USING hnsw (embedding vector_l2_ops) WITH (quantization = 'sq8')")
            .unwrap();
        session.execute("SET vecsh.target_recall = 0.9").unwrap();
        session.execute("ANALYZE items").unwrap();
        (explain(&mut session, &sql), ids(&mut session, &sql))
    };
    let database = Database::open(dir.path()).unwrap();
    assert_eq!(database.recovery_report().from_snapshots(), ["h"]);
    let mut session = database.session();
    session.execute("SET vecsh.target_recall = 0.9").unwrap();
    assert_eq!(explain(&mut session, &sql), plan);
    assert_eq!(ids(&mut session, &sql), answer);
}
