//! pgvecto.rs's `USING vectors` indexes through SQL: every operator class on every
//! indexing kind against the exact scan, option defaults and errors, the `vecf16` type
//! name, the `vectors.*` settings, maintenance, filters and reopening a database.

use vec_shell::{Database, Session};

use crate::common::{first_column_ids as ids, random_vector as vector};
use crate::output::{lines, run};

fn error(session: &mut Session, sql: &str) -> String {
    session.execute(sql).unwrap_err().message
}

/// `items`: `n` rows of 8-d `vector` and `vecf16` values in 10 categories.
fn load(session: &mut Session, n: u64) {
    session
        .execute(
            "CREATE TABLE items (id bigserial PRIMARY KEY, category int, v vector(8), h vecf16(8))",
        )
        .unwrap();
    let values: Vec<String> = (0..n)
        .map(|i| {
            let v = vector(i, 8);
            format!("({}, '{v}', '{v}')", i % 10)
        })
        .collect();
    session
        .execute(&format!(
            "INSERT INTO items (category, v, h) VALUES {}",
            values.join(", ")
        ))
        .unwrap();
}

/// The share of the exact answer's rows the index returns, over 10 queries of 10 rows.
fn recall(session: &mut Session, column: &str, operator: &str) -> f64 {
    let mut found = 0;
    for q in 0..10u64 {
        let query = vector(50_000 + q, 8);
        let sql = format!("SELECT id FROM items ORDER BY {column} {operator} '{query}' LIMIT 10");
        let indexed = ids(session, &sql);
        session.execute("SET enable_indexscan = off").unwrap();
        let exact = ids(session, &sql);
        session.execute("RESET enable_indexscan").unwrap();
        assert_eq!(indexed.len(), 10, "{sql}");
        found += indexed.iter().filter(|id| exact.contains(id)).count();
    }
    found as f64 / 100.0
}

const KINDS: [(&str, f64); 8] = [
    ("", 0.9),
    ("[indexing.hnsw]\nm = 16\nef_construction = 100", 0.9),
    ("[indexing.ivf]\nnlist = 8", 1.0),
    ("[indexing.ivf]\nnlist = 8\nquantization.scalar = {}", 0.95),
    (
        "[indexing.ivf]\nnlist = 8\n[indexing.ivf.quantization.product]\nratio = \"x4\"",
        0.95,
    ),
    ("[indexing.flat]", 1.0),
    ("indexing.flat.quantization = { scalar = {} }", 0.95),
    ("[indexing.flat]\nquantization.product.ratio = \"x8\"", 0.9),
];

#[test]
fn every_class_and_kind_answers_like_the_exact_scan() {
    let database = Database::in_memory();
    let mut session = database.session();
    load(&mut session, 300);
    // Exhaustive search settings: every list, a wide HNSW beam.
    session.execute("SET vectors.ivf_nprobe = 8").unwrap();
    session.execute("SET vectors.hnsw_ef_search = 300").unwrap();
    for (column, prefix) in [("v", "vector"), ("h", "vecf16")] {
        for (suffix, operator) in [("l2", "<->"), ("dot", "<#>"), ("cos", "<=>")] {
            for (options, floor) in KINDS {
                let with = if options.is_empty() {
                    String::new()
                } else {
                    format!(" WITH (options = $${options}$$)")
                };
                session
                    .execute(&format!(
                        "CREATE INDEX idx ON items USING vectors ({column} {prefix}_{suffix}_ops){with}"
                    ))
                    .unwrap();
                let plan = explain(
                    &mut session,
                    &format!("SELECT id FROM items ORDER BY {column} {operator} '[1,0,0,0,0,0,0,0]' LIMIT 3"),
                );
                assert!(plan.contains("Index Scan using idx on items"), "{plan}");
                let recall = recall(&mut session, column, operator);
                assert!(
                    recall >= floor,
                    "{prefix}_{suffix}_ops {options:?}: recall {recall}"
                );
                session.execute("DROP INDEX idx").unwrap();
            }
        }
    }
}

fn explain(session: &mut Session, sql: &str) -> String {
    let results = session
        .execute(&format!("EXPLAIN (COSTS OFF) {sql}"))
        .unwrap();
    results[0]
        .rows
        .as_ref()
        .unwrap()
        .rows
        .iter()
        .map(|row| row[0].to_text().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn operator_classes_and_parameters_are_checked() {
    let database = Database::in_memory();
    let mut session = database.session();
    session
        .execute("CREATE TABLE t (v vector(3), h vecf16(3), s sparsevec(3), w vector)")
        .unwrap();
    let e = session
        .execute("CREATE INDEX ON t USING vectors (v)")
        .unwrap_err();
    assert_eq!(
        e.message,
        "data type vector has no default operator class for access method \"vectors\""
    );
    assert!(e.hint.is_some());
    assert_eq!(
        error(
            &mut session,
            "CREATE INDEX ON t USING vectors (v vector_ip_ops)"
        ),
        "operator class \"vector_ip_ops\" does not exist for access method \"vectors\""
    );
    assert_eq!(
        error(
            &mut session,
            "CREATE INDEX ON t USING vectors (h vector_l2_ops)"
        ),
        "operator class \"vector_l2_ops\" does not accept data type halfvec"
    );
    assert_eq!(
        error(
            &mut session,
            "CREATE INDEX ON t USING vectors (s vector_l2_ops)"
        ),
        "operator class \"vector_l2_ops\" does not accept data type sparsevec"
    );
    assert_eq!(
        error(
            &mut session,
            "CREATE INDEX ON t USING vectors (w vector_l2_ops)"
        ),
        "column does not have dimensions"
    );
    assert_eq!(
        error(
            &mut session,
            "CREATE INDEX ON t USING vectors (v vector_l2_ops) WITH (lists = 3)"
        ),
        "unrecognized parameter \"lists\""
    );
    // pgvecto.rs's own spelling `WITH (options = "…")` (an identifier) works too.
    session
        .execute("CREATE INDEX ON t USING vectors (h vecf16_cos_ops) WITH (options = \"[indexing.flat]\")")
        .unwrap();
    // HNSW quantizes (SQ8 for `scalar`), without a notice.
    let results = session
        .execute("CREATE INDEX ON t USING vectors (v vector_dot_ops) WITH (options = $$[indexing.hnsw.quantization.scalar]$$)")
        .unwrap();
    assert!(results[0].notices.is_empty());
}

#[test]
fn range_errors_name_the_key_as_pgvecto_rs_does() {
    let database = Database::in_memory();
    let mut session = database.session();
    session.execute("CREATE TABLE t (v vector(3))").unwrap();
    let reason = |path: &str, value: &str, min: &str, max: &str| {
        format!(
            "pgvecto.rs: The given index option is invalid.\nINFORMATION: reason = \"{path}: Validation error: range [{{\\\"value\\\": Number({value}), \\\"min\\\": Number({min}), \\\"max\\\": Number({max})}}]\""
        )
    };
    let cases = [
        (
            "segment.max_growing_segment_size = 0",
            reason(
                "segment.max_growing_segment_size",
                "0",
                "1.0",
                "4000000000.0",
            ),
        ),
        (
            "segment.max_sealed_segment_size = 4000000001",
            reason(
                "segment.max_sealed_segment_size",
                "4000000001",
                "1.0",
                "4000000000.0",
            ),
        ),
        (
            "optimizing.sealing_secs = 61",
            reason("optimizing.sealing_secs", "61", "1.0", "60.0"),
        ),
        (
            "optimizing.sealing_size = 0",
            reason("optimizing.sealing_size", "0", "1.0", "4000000000.0"),
        ),
        (
            "optimizing.delete_threshold = 1.5",
            reason("optimizing.delete_threshold", "1.5", "0.01", "1.0"),
        ),
        (
            "optimizing.optimizing_threads = 0",
            reason("optimizing.optimizing_threads", "0", "1.0", "65535.0"),
        ),
        (
            "[indexing.hnsw]\nm = 3",
            reason("indexing.m", "3", "4.0", "128.0"),
        ),
        (
            "[indexing.hnsw]\nef_construction = 2001",
            reason("indexing.ef_construction", "2001", "10.0", "2000.0"),
        ),
        (
            "[indexing.ivf]\nnlist = 0",
            reason("indexing.nlist", "0", "1.0", "1000000.0"),
        ),
        (
            "[indexing.ivf]\nnsample = 1000001",
            reason("indexing.nsample", "1000001", "1.0", "1000000.0"),
        ),
        (
            "[indexing.ivf]\nleast_iterations = 0",
            reason("indexing.least_iterations", "0", "1.0", "1000000.0"),
        ),
        (
            "[indexing.ivf]\niterations = 0",
            reason("indexing.iterations", "0", "1.0", "1000000.0"),
        ),
        (
            "[indexing.flat]\nquantization.product.sample = 0",
            reason("indexing.quantization.sample", "0", "1.0", "1000000.0"),
        ),
    ];
    for (options, expected) in cases {
        let e = session
            .execute(&format!(
                "CREATE INDEX ON t USING vectors (v vector_l2_ops) WITH (options = $${options}$$)"
            ))
            .unwrap_err();
        assert_eq!(e.message, expected, "{options}");
        assert_eq!(e.sqlstate, "XX000");
    }
    // Values at the bounds are accepted.
    session
        .execute("CREATE INDEX ON t USING vectors (v vector_l2_ops) WITH (options = $$[indexing.hnsw]\nm = 128\nef_construction = 10\n[optimizing]\nsealing_secs = 60\ndelete_threshold = 0.01$$)")
        .unwrap();
    assert!(error(
        &mut session,
        "CREATE INDEX ON t USING vectors (v vector_l2_ops) WITH (options = $$segment.max_growing_segment_size = 30000\nsegment.max_sealed_segment_size = 20000$$)"
    )
    .ends_with("segment.__all__: Validation error: `max_growing_segment_size` must be less than or equal to `max_sealed_segment_size` [{}]\""));
}

#[test]
fn unknown_keys_and_bad_toml_are_parse_errors() {
    let database = Database::in_memory();
    let mut session = database.session();
    session.execute("CREATE TABLE t (v vector(3))").unwrap();
    let create = |options: &str| {
        format!("CREATE INDEX ON t USING vectors (v vector_l2_ops) WITH (options = $${options}$$)")
    };
    assert_eq!(
        error(&mut session, &create("[indexing.hnsw]\nm = 12\nlists = 3")),
        "failed to parse options: TOML parse error at line 3, column 1\n  |\n3 | lists = 3\n  | ^^^^^\nunknown field `lists`, expected one of `m`, `ef_construction`, `quantization`"
    );
    assert_eq!(
        error(&mut session, &create("[indexing.ivf]\nnlist = 10 nprobe = 2")),
        "failed to parse options: TOML parse error at line 2, column 12\n  |\n2 | nlist = 10 nprobe = 2\n  |            ^\nexpected newline, `#`"
    );
    for (options, tail) in [
        (
            "[segment]\nfoo = 1",
            "unknown field `foo`, expected `max_growing_segment_size` or `max_sealed_segment_size`",
        ),
        (
            "[indexing.diskann]",
            "unknown variant `diskann`, expected one of `flat`, `ivf`, `hnsw`",
        ),
        (
            "[indexing.ivf]\nquantization.lvq = {}",
            "unknown variant `lvq`, expected one of `trivial`, `scalar`, `product`",
        ),
        (
            "[indexing.ivf]\nnlist = \"10\"",
            "invalid type: string \"10\", expected u32",
        ),
        (
            "[indexing.ivf]\nnlist = 1.5",
            "invalid type: floating point `1.5`, expected u32",
        ),
        (
            "[indexing.ivf]\nnlist = 10\nnlist = 20",
            "duplicate key `nlist` in table `indexing.ivf`",
        ),
        ("[indexing", "invalid table header\nexpected `.`, `]`"),
        ("indexing = 3", "wanted string or table"),
        (
            "segment = 3",
            "invalid type: integer `3`, expected struct SegmentsOptions",
        ),
    ] {
        let message = error(&mut session, &create(options));
        assert!(
            message.starts_with("failed to parse options: TOML parse error at line "),
            "{message}"
        );
        assert!(message.ends_with(tail), "{options:?}: {message}");
    }
}

#[test]
fn vecf16_is_halfvec_and_settings_have_pgvecto_rs_ranges() {
    let output = run("CREATE EXTENSION IF NOT EXISTS vectors;\n\
        CREATE EXTENSION vectors;\n\
        CREATE TABLE t (id int, h vecf16(3));\n\
        INSERT INTO t VALUES (1, '[1,2,3]'::vecf16), (2, '[3,2,1]');\n\
        SELECT h, '[1.5,2]'::vecf16(2) AS c FROM t ORDER BY id;\n\
        SHOW vectors.hnsw_ef_search;\n\
        SHOW vectors.ivf_nprobe;\n\
        SHOW vectors.search_mode;\n\
        SET vectors.hnsw_ef_search = 65535;\n\
        SET vectors.hnsw_ef_search = 0;\n\
        SET vectors.ivf_nprobe = 1000001;\n\
        SET vectors.search_mode = fast;\n\
        SET vectors.search_mode = basic;\n\
        SHOW vectors.search_mode;");
    assert!(
        output.contains(&lines(&[
            "    h    |    c    ",
            "---------+---------",
            " [1,2,3] | [1.5,2]",
            " [3,2,1] | [1.5,2]",
            "(2 rows)",
        ])),
        "{output}"
    );
    assert!(!output.contains("ERROR:  extension"), "{output}");
    assert!(output.contains(" vectors.hnsw_ef_search \n------------------------\n 100\n"));
    assert!(output.contains(" vectors.ivf_nprobe \n--------------------\n 10\n"));
    assert!(output.contains(" vectors.search_mode \n---------------------\n vbase\n"));
    assert!(output.contains(" vectors.search_mode \n---------------------\n basic\n"));
    assert!(output.contains(
        "ERROR:  0 is outside the valid range for parameter \"vectors.hnsw_ef_search\" (1 .. 65535)\n"
    ));
    assert!(output.contains(
        "ERROR:  1000001 is outside the valid range for parameter \"vectors.ivf_nprobe\" (1 .. 1000000)\n"
    ));
    assert!(output.contains("ERROR:  invalid value for parameter \"vectors.search_mode\": \"fast\"\nHINT:  Available values: basic, vbase.\n"), "{output}");
}

#[test]
fn filters_search_modes_and_maintenance() {
    let database = Database::in_memory();
    let mut session = database.session();
    load(&mut session, 300);
    let query = vector(77_777, 8);
    let filtered =
        format!("SELECT id FROM items WHERE category = 3 ORDER BY v <-> '{query}' LIMIT 20");
    for options in [
        "[indexing.hnsw]",
        "[indexing.ivf]\nnlist = 16",
        "[indexing.ivf]\nnlist = 16\nquantization.product.ratio = \"x8\"",
        "[indexing.flat]\nquantization.scalar = {}",
    ] {
        session
            .execute(&format!(
                "CREATE INDEX idx ON items USING vectors (v vector_l2_ops) WITH (options = $${options}$$)"
            ))
            .unwrap();
        // vbase (the default) goes on until the filter is satisfied: all 30 rows of the
        // category are reachable.
        session.execute("SET vectors.ivf_nprobe = 1").unwrap();
        session.execute("SET vectors.hnsw_ef_search = 10").unwrap();
        assert_eq!(ids(&mut session, &filtered).len(), 20, "{options}");
        // basic stops after the first round: ten candidates for HNSW, one list for IVF.
        session.execute("SET vectors.search_mode = basic").unwrap();
        let basic = ids(&mut session, &filtered).len();
        if !options.starts_with("[indexing.flat]") {
            assert!(basic < 20, "{options}: {basic}");
        }
        session.execute("RESET vectors.search_mode").unwrap();
        // New rows are indexed; deleted rows leave it.
        session.execute("SET vectors.ivf_nprobe = 16").unwrap();
        session
            .execute(&format!(
                "INSERT INTO items (id, category, v, h) VALUES (1000, 3, '{query}', '{query}')"
            ))
            .unwrap();
        assert_eq!(ids(&mut session, &filtered)[0], 1000, "{options}");
        session
            .execute("DELETE FROM items WHERE id = 1000")
            .unwrap();
        assert!(!ids(&mut session, &filtered).contains(&1000));
        // vectors.enable_index = off leaves the index unused.
        session.execute("SET vectors.enable_index = off").unwrap();
        assert!(explain(&mut session, &filtered).contains("Seq Scan on items"));
        session.execute("RESET vectors.enable_index").unwrap();
        session.execute("DROP INDEX idx").unwrap();
    }
}

#[test]
fn dollar_quoted_options_in_a_script_and_explain() {
    let output = run("CREATE TABLE items (id int, embedding vector(3));\n\
        INSERT INTO items SELECT n, ARRAY[n, n + 1, n + 2]::vector FROM generate_series(1, 100) n;\n\
        CREATE INDEX items_ivf ON items USING vectors (embedding vector_l2_ops)\n\
        WITH (options = $$\n\
        [indexing.ivf]\n\
        nlist = 4\n\
        quantization.product.ratio = \"x4\"\n\
        $$);\n\
        EXPLAIN (COSTS OFF) SELECT id FROM items ORDER BY embedding <-> '[3.1,4.1,5.1]' LIMIT 2;\n\
        SELECT id FROM items ORDER BY embedding <-> '[3.1,4.1,5.1]' LIMIT 2;");
    assert!(
        output.contains(&lines(&[
            " Limit",
            "   ->  Index Scan using items_ivf on items",
            "         Order By: (embedding <-> '[3.1,4.1,5.1]'::vector)",
        ])),
        "{output}"
    );
    assert!(
        output.contains(&lines(&[" id ", "----", "  3", "  4", "(2 rows)"])),
        "{output}"
    );
}

#[test]
fn vectors_indexes_answer_after_reopen() {
    let dir = tempfile::tempdir().unwrap();
    {
        let database = Database::open(dir.path()).unwrap();
        let mut session = database.session();
        load(&mut session, 300);
        session
            .execute("CREATE INDEX items_pq ON items USING vectors (h vecf16_cos_ops) WITH (options = $$[indexing.ivf]\nnlist = 4\nquantization.product = { ratio = \"x16\" }$$)")
            .unwrap();
    }
    let database = Database::open(dir.path()).unwrap();
    let mut session = database.session();
    let query = vector(3, 8);
    let sql = format!("SELECT id FROM items ORDER BY h <=> '{query}' LIMIT 1");
    assert!(explain(&mut session, &sql).contains("Index Scan using items_pq on items"));
    session.execute("SET vectors.ivf_nprobe = 4").unwrap();
    assert_eq!(ids(&mut session, &sql), vec![4]);
}

/// An IVF or quantized index made on an empty table searches its rows exactly until it has
/// enough to train on, then builds itself from them and takes later rows as usual.
#[test]
fn indexes_built_on_an_empty_table_take_rows_later() {
    let database = Database::in_memory();
    let mut session = database.session();
    session
        .execute(
            "CREATE TABLE items (id bigserial PRIMARY KEY, category int, v vector(8), h vecf16(8))",
        )
        .unwrap();
    for options in [
        "",
        "[indexing.ivf]\nnlist = 4",
        "[indexing.ivf]\nnlist = 4\nquantization.scalar = {}",
        "[indexing.flat]\nquantization.product = {}",
        "[indexing.flat]",
    ] {
        session
            .execute(&format!(
                "CREATE INDEX idx ON items USING vectors (v vector_l2_ops) WITH (options = $${options}$$)"
            ))
            .unwrap();
        session.execute("SET vectors.ivf_nprobe = 4").unwrap();
        for (batch, floor) in [(0..100, 1.0), (100..400, 0.9)] {
            let values: Vec<String> = batch
                .map(|i| {
                    let v = vector(i, 8);
                    format!("({}, '{v}', '{v}')", i % 10)
                })
                .collect();
            session
                .execute(&format!(
                    "INSERT INTO items (category, v, h) VALUES {}",
                    values.join(", ")
                ))
                .unwrap();
            let recall = recall(&mut session, "v", "<->");
            assert!(recall >= floor, "{options:?}: {recall}");
        }
        session.execute("DROP INDEX idx").unwrap();
        session.execute("TRUNCATE items").unwrap();
    }
}
