//! Parser tests: statements that must parse, their `Display` round trip, and the
//! positions of syntax errors.

use super::parse;

const STATEMENTS: &[&str] = &[
    "CREATE EXTENSION IF NOT EXISTS vector",
    "CREATE TABLE items (id bigserial PRIMARY KEY, embedding vector(3) NOT NULL, label text)",
    "CREATE TABLE t (a int GENERATED ALWAYS AS IDENTITY, b double precision, c bit varying(4), d varchar(20), PRIMARY KEY (a))",
    "DROP TABLE IF EXISTS a, b",
    "TRUNCATE items",
    "CREATE INDEX ON t (val)",
    "INSERT INTO items (embedding) VALUES ('[1,2,3]'), ('[4,5,6]') RETURNING id, embedding",
    "INSERT INTO t SELECT n FROM generate_series(1, 10) n",
    "UPDATE items SET embedding = '[1,1,1]', label = 'x' WHERE id = 1 RETURNING *",
    "DELETE FROM items WHERE id > 2 AND label IS NOT NULL",
    "SELECT * FROM items ORDER BY embedding <-> '[3,1,2]' LIMIT 5",
    "SELECT id, embedding <#> '[1,2,3]' AS d FROM items WHERE NOT (id = 1 OR id = 2) ORDER BY d DESC, id ASC NULLS FIRST LIMIT 2 OFFSET 1",
    "SELECT category, count(*), avg(embedding), sum(x) FROM items GROUP BY category HAVING count(*) > 1",
    "SELECT '[1,2,3]'::vector(3), CAST('{1,2}' AS real[]), ARRAY[1,2,3]::double precision[]::vector",
    "SELECT 1 + 2 * 3 - -4 / 5 % 6, 'it''s' || 'x', B'101' <~> B'111', X'1F'",
    "SELECT (SELECT max(n) FROM generate_series(1, 3) n), \"Quoted Name\", t.col FROM t",
    "SELECT avg(v) FROM unnest(ARRAY['[1,2,3]'::vector, '[3,5,7]']) v",
    "SET hnsw.ef_search = 100",
    "SET LOCAL ivfflat.probes TO 10",
    "SHOW hnsw.ef_search",
    "RESET ALL",
    "CREATE INDEX IF NOT EXISTS items_idx ON items USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)",
    "CREATE INDEX ON t USING ivfflat ((val::bit(3)) bit_hamming_ops) WITH (lists = 1)",
    "CREATE UNLOGGED TABLE u (a int)",
    "COPY items (id, embedding) FROM STDIN WITH (FORMAT csv, HEADER)",
    "COPY items TO '/tmp/items.bin' WITH (FORMAT binary)",
    "COPY t FROM STDIN CSV HEADER",
    "EXPLAIN ANALYZE SELECT * FROM t ORDER BY v <-> '[1,2]' LIMIT 3",
    "SELECT * FROM t CROSS JOIN LATERAL (SELECT * FROM t t2 ORDER BY val <=> t.val LIMIT 1) t2",
    "SELECT * FROM a, b AS c, generate_series(1, 3) g CROSS JOIN (SELECT 1) s",
    "WITH a AS MATERIALIZED (SELECT 1 AS x), b AS NOT MATERIALIZED (SELECT x FROM a), c AS (SELECT 2) SELECT * FROM b",
    "SELECT (WITH a AS (SELECT 1) SELECT * FROM a), * FROM (WITH b AS (SELECT 2) SELECT * FROM b) s",
    "INSERT INTO t (id) WITH s AS (SELECT 9 AS n) SELECT n FROM s",
    "DROP INDEX IF EXISTS a, b",
    "PREPARE knn (halfvec(3), bigint) AS SELECT id FROM items WHERE id <> $2 ORDER BY embedding <=> $1 LIMIT 5",
    "PREPARE ins AS INSERT INTO items (id, embedding) VALUES ($1, $2::vector(3))",
    "EXECUTE knn ('[1,2,3]', 7)",
    "EXECUTE now",
    "DEALLOCATE knn",
    "DEALLOCATE ALL",
    "DISCARD ALL",
    "DROP INDEX CONCURRENTLY a",
    "ALTER TABLE t ADD COLUMN IF NOT EXISTS c vector(3) NOT NULL",
    "ALTER TABLE t ADD c text",
    "BEGIN",
    "START TRANSACTION",
    "COMMIT",
    "ROLLBACK",
    "INSERT INTO t VALUES (1, 2) ON CONFLICT (id) DO NOTHING",
    "INSERT INTO t (id, n) SELECT 1, 2 ON CONFLICT (id) DO UPDATE SET n = t.n + EXCLUDED.n, v = excluded.v RETURNING *",
    "CREATE TABLE items (id bigserial PRIMARY KEY, embedding vector(3), bq bit(3) GENERATED ALWAYS AS (binary_quantize(embedding)::bit(3)) STORED)",
    "CREATE TABLE d (a int DEFAULT 7, b text DEFAULT 'x' NOT NULL)",
    "ALTER TABLE d ADD COLUMN c int GENERATED ALWAYS AS (a * 2) STORED",
    "INSERT INTO d VALUES (DEFAULT, 'y'), (1, DEFAULT)",
    "INSERT INTO d DEFAULT VALUES RETURNING *",
    "UPDATE d SET a = DEFAULT WHERE b = 'x'",
    "SELECT * FROM a JOIN b ON a.id = b.id LEFT JOIN c USING (id) RIGHT OUTER JOIN d ON true FULL JOIN e USING (x, y)",
    "SELECT * FROM a INNER JOIN LATERAL (SELECT 1) s ON true CROSS JOIN b, c LEFT OUTER JOIN (SELECT 2) t ON a.x < t.y",
    "SELECT * FROM a NATURAL JOIN b NATURAL LEFT OUTER JOIN c",
    "SELECT * FROM (a JOIN b ON a.x = b.x) LEFT JOIN (c CROSS JOIN (d JOIN e USING (y))) ON true",
    "REINDEX INDEX items_idx",
    "REINDEX TABLE items",
    "VACUUM",
    "VACUUM ANALYZE items, other",
    "ANALYZE items",
];

#[test]
fn statements_round_trip_through_display() {
    for sql in STATEMENTS {
        let parsed = parse(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
        let printed: Vec<String> = parsed.iter().map(ToString::to_string).collect();
        let reparsed = parse(&printed.join(";\n")).unwrap_or_else(|e| panic!("{printed:?}: {e}"));
        assert_eq!(parsed, reparsed, "{sql}\n{printed:?}");
    }
}

#[test]
fn maintenance_options_are_accepted() {
    for sql in [
        "REINDEX (VERBOSE) INDEX CONCURRENTLY i",
        "VACUUM FULL VERBOSE ANALYZE t",
        "VACUUM (VERBOSE, ANALYZE) t",
        "ANALYSE VERBOSE t",
    ] {
        parse(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    let shown = |sql: &str| parse(sql).unwrap()[0].to_string();
    assert_eq!(shown("VACUUM (ANALYZE) t"), "VACUUM ANALYZE t");
    assert_eq!(shown("VACUUM (ANALYZE off) t"), "VACUUM t");
    assert!(parse("REINDEX SCHEMA public").is_err());
    assert!(parse("SELECT * FROM a JOIN b USING ()").is_err());
}

#[test]
fn precedence_follows_postgresql() {
    let shown = |sql: &str| parse(sql).unwrap()[0].to_string();
    assert_eq!(shown("SELECT a <-> b + c"), "SELECT (a <-> (b + c))");
    assert_eq!(shown("SELECT a + b * c"), "SELECT (a + (b * c))");
    assert_eq!(
        shown("SELECT a = b AND c OR d"),
        "SELECT (((a = b) AND c) OR d)"
    );
    assert_eq!(shown("SELECT NOT a = b"), "SELECT (NOT (a = b))");
    assert_eq!(shown("SELECT -x::int"), "SELECT (- CAST(x AS integer))");
    assert_eq!(shown("SELECT a || b <-> c"), "SELECT ((a || b) <-> c)");
    assert_eq!(shown("SELECT a IS NULL = b"), "SELECT ((a IS NULL) = b)");
}

#[test]
fn syntax_errors_point_at_the_token() {
    let error = parse("SELECT 1 +;").unwrap_err();
    assert_eq!(error.message, "syntax error at or near \";\"");
    assert_eq!(error.position, Some(10));
    let error = parse("SELECT (1").unwrap_err();
    assert_eq!(error.message, "syntax error at end of input");
    assert_eq!(error.position, Some(9));
    let error = parse("SELEC 1").unwrap_err();
    assert_eq!(error.message, "syntax error at or near \"SELEC\"");
    assert!(parse("SELECT a < b < c").is_err());
}

#[test]
fn nesting_is_capped() {
    let deep = format!("SELECT {}1{}", "(".repeat(10_000), ")".repeat(10_000));
    assert_eq!(parse(&deep).unwrap_err().sqlstate, "54001");
    let deep = format!("SELECT {}1", "- ".repeat(10_000));
    assert_eq!(parse(&deep).unwrap_err().sqlstate, "54001");
}

#[test]
fn transaction_synonyms_parse_to_one_command() {
    use super::ast::{IsolationLevel, Statement, TransactionCommand as C, TransactionModes};
    let plain = TransactionModes::default();
    let serializable = TransactionModes {
        isolation: Some(IsolationLevel::Serializable),
        read_only: None,
    };
    let repeatable_read_only = TransactionModes {
        isolation: Some(IsolationLevel::RepeatableRead),
        read_only: Some(true),
    };
    let cases = [
        ("BEGIN", C::Begin(plain)),
        ("begin work", C::Begin(plain)),
        ("BEGIN TRANSACTION", C::Begin(plain)),
        ("BEGIN ISOLATION LEVEL SERIALIZABLE", C::Begin(serializable)),
        (
            "begin transaction isolation level repeatable read, read only",
            C::Begin(repeatable_read_only),
        ),
        ("START TRANSACTION", C::StartTransaction(plain)),
        ("COMMIT WORK", C::Commit),
        ("END", C::Commit),
        ("end transaction", C::Commit),
        ("ROLLBACK", C::Rollback),
        ("ABORT WORK", C::Rollback),
        ("SAVEPOINT a", C::Savepoint("a".into())),
        ("ROLLBACK TO SAVEPOINT a", C::RollbackTo("a".into())),
        ("rollback work to a", C::RollbackTo("a".into())),
        ("RELEASE SAVEPOINT a", C::Release("a".into())),
        ("release a", C::Release("a".into())),
        (
            "SET TRANSACTION READ ONLY",
            C::SetTransaction(TransactionModes {
                isolation: None,
                read_only: Some(true),
            }),
        ),
    ];
    for (sql, command) in cases {
        assert_eq!(
            parse(sql).unwrap(),
            vec![Statement::Transaction(command)],
            "{sql}"
        );
    }
    assert!(parse("START").is_err());
    assert!(parse("BEGIN ISOLATION LEVEL SOMETIMES").is_err());
}
