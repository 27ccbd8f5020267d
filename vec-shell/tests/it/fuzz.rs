//! Property tests: no input, however malformed, makes the parser or the engine panic,
//! and generated statements survive a `Display` round trip.

use proptest::prelude::*;
use vec_shell::sql::parse;
use vec_shell::Database;

/// Valid statements that mutations start from; also the regression corpus.
const CORPUS: &[&str] = &[
    "CREATE TABLE t (id bigserial PRIMARY KEY, v vector(3), h halfvec(2), s sparsevec(5), b bit(3))",
    "INSERT INTO t (v, h, s, b) VALUES ('[1,2,3]', '[1,2]', '{1:1}/5', B'101') RETURNING *",
    "SELECT id, v <-> '[1,1,1]' AS d FROM t WHERE id > 0 ORDER BY d LIMIT 3",
    "SELECT avg(v), sum(v), count(*) FROM t GROUP BY b HAVING count(*) > 0",
    "SELECT '{1,2,3}'::real[]::vector(3), ARRAY[1,2]::halfvec, '[1,2]'::vector || '[3]'",
    "SELECT subvector('[1,2,3,4,5]'::vector, 2, 3), l2_normalize('[3,4]'::vector)",
    "UPDATE t SET v = '[0,0,0]' WHERE id = 1",
    "DELETE FROM t WHERE v IS NULL",
    "SELECT unnest('{\"[1,2]\"}'::vector[]), (SELECT 1), random() < 2",
    "SET hnsw.ef_search = 10",
    "SELECT hamming_distance(B'101', B'111'), jaccard_distance('1100', '1000')",
    "SELECT vector_avg('{2,2,4,6}'), vector_combine('{1,2}', '{3,4}')",
    "SELECT n, n * 2 FROM generate_series(1, 5) n ORDER BY n DESC OFFSET 1",
    "SELECT 1/0, 2147483647 + 1, -'[1]'::vector, 'abc'::int",
    "CREATE INDEX ON t USING hnsw (v vector_l2_ops) WITH (m = 4, ef_construction = 8)",
    "CREATE INDEX ON t USING ivfflat ((h::halfvec(2)) halfvec_cosine_ops) WITH (lists = 1)",
    "COPY t (v) TO STDOUT WITH (FORMAT csv, HEADER)",
    "SELECT * FROM t ORDER BY v <=> '[1,2,3]' LIMIT 2",
    "CREATE TABLE g (id int DEFAULT 1, v vector(3), bq bit(3) GENERATED ALWAYS AS (binary_quantize(v)::bit(3)) STORED)",
    "INSERT INTO t (v, b) VALUES ('[1,2,3]', DEFAULT), (DEFAULT, B'111') RETURNING id",
    "SELECT * FROM t a JOIN t b ON a.id = b.id LEFT JOIN t c USING (id) FULL JOIN t d ON d.v <-> a.v < 1",
    "SELECT * FROM t LEFT JOIN LATERAL (SELECT v FROM t t2 ORDER BY t2.v <-> t.v LIMIT 1) s ON true",
    "REINDEX TABLE t; VACUUM ANALYZE t; ANALYZE",
];

fn run_everything(sql: &str) {
    let _ = parse(sql);
    let database = Database::in_memory();
    let mut session = database.session();
    let _ = session.execute(CORPUS[0]);
    let _ = session.execute(CORPUS[1]);
    let _ = session.execute(sql);
}

#[test]
fn corpus_runs_without_panics() {
    for sql in CORPUS {
        run_everything(sql);
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    Delete(usize, usize),
    Insert(usize, String),
    Duplicate(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let token = prop_oneof![
        Just("'".to_string()),
        Just("(".to_string()),
        Just(")".to_string()),
        Just("::".to_string()),
        Just("[".to_string()),
        Just(",".to_string()),
        Just(" NULL ".to_string()),
        Just("<->".to_string()),
        Just("\"".to_string()),
        Just("/*".to_string()),
        Just("$$".to_string()),
        Just("ARRAY[".to_string()),
        Just(" SELECT ".to_string()),
        "[a-z0-9 ]{1,4}",
    ];
    prop_oneof![
        (any::<usize>(), 1usize..8).prop_map(|(at, len)| Mutation::Delete(at, len)),
        (any::<usize>(), token).prop_map(|(at, text)| Mutation::Insert(at, text)),
        (any::<usize>(), 1usize..12).prop_map(|(at, len)| Mutation::Duplicate(at, len)),
    ]
}

fn apply(sql: &str, mutations: &[Mutation]) -> String {
    let mut chars: Vec<char> = sql.chars().collect();
    for m in mutations {
        let len = chars.len().max(1);
        match m {
            Mutation::Delete(at, n) => {
                let start = at % len;
                let end = (start + n).min(chars.len());
                if start < end {
                    chars.drain(start..end);
                }
            }
            Mutation::Insert(at, text) => {
                let at = at % (chars.len() + 1);
                for (i, c) in text.chars().enumerate() {
                    chars.insert(at + i, c);
                }
            }
            Mutation::Duplicate(at, n) => {
                let start = at % len;
                let end = (start + n).min(chars.len());
                if start < end {
                    let copy: Vec<char> = chars[start..end].to_vec();
                    for (i, c) in copy.into_iter().enumerate() {
                        chars.insert(end + i, c);
                    }
                }
            }
        }
    }
    chars.into_iter().collect()
}

/// SQL expressions from a small grammar, for the round-trip property.
fn expression() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        "[a-z][a-z0-9_]{0,5}".prop_filter("not a keyword", |s| !matches!(
            s.as_str(),
            "and"
                | "or"
                | "not"
                | "is"
                | "null"
                | "true"
                | "false"
                | "as"
                | "from"
                | "select"
                | "order"
                | "limit"
                | "array"
                | "cast"
                | "in"
                | "on"
                | "to"
                | "do"
                | "end"
                | "for"
                | "all"
                | "asc"
                | "desc"
                | "case"
                | "else"
                | "then"
                | "when"
                | "with"
                | "union"
                | "where"
                | "group"
                | "having"
                | "offset"
                | "into"
                | "using"
                | "table"
                | "only"
                | "both"
                | "check"
                | "create"
                | "default"
                | "distinct"
                | "except"
                | "fetch"
                | "foreign"
                | "full"
                | "inner"
                | "join"
                | "left"
                | "right"
                | "natural"
                | "primary"
                | "references"
                | "returning"
                | "set"
                | "unique"
                | "values"
                | "window"
                | "lateral"
                | "intersect"
                | "cross"
                | "column"
                | "constraint"
                | "collate"
        )),
        (0u32..100000).prop_map(|n| n.to_string()),
        "'[^']{0,6}'",
        Just("NULL".to_string()),
        Just("TRUE".to_string()),
        Just("'[1,2,3]'::vector(3)".to_string()),
    ];
    leaf.prop_recursive(4, 32, 3, |inner| {
        let op = prop_oneof![
            Just("+"),
            Just("-"),
            Just("*"),
            Just("/"),
            Just("<->"),
            Just("<#>"),
            Just("<=>"),
            Just("||"),
            Just("="),
            Just("<"),
            Just(">="),
            Just("<>"),
            Just("AND"),
            Just("OR"),
        ];
        prop_oneof![
            (inner.clone(), op, inner.clone()).prop_map(|(a, o, b)| format!("({a} {o} {b})")),
            inner.clone().prop_map(|a| format!("NOT {a}")),
            inner.clone().prop_map(|a| format!("- {a}")),
            inner.clone().prop_map(|a| format!("{a} IS NOT NULL")),
            inner
                .clone()
                .prop_map(|a| format!("CAST({a} AS double precision)")),
            prop::collection::vec(inner.clone(), 0..3)
                .prop_map(|args| format!("f({})", args.join(", "))),
            prop::collection::vec(inner, 1..3)
                .prop_map(|items| format!("ARRAY[{}]", items.join(", "))),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn arbitrary_text_never_panics(sql in "\\PC{0,60}") {
        run_everything(&sql);
    }

    #[test]
    fn sql_like_text_never_panics(sql in "[a-zA-Z0-9 ,.;:()'\"\\[\\]{}<>=!+*/%|#~$-]{0,80}") {
        run_everything(&sql);
    }

    #[test]
    fn mutated_statements_never_panic(
        index in 0..CORPUS.len(),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        run_everything(&apply(CORPUS[index], &mutations));
    }

    #[test]
    fn generated_expressions_round_trip(expr in expression()) {
        let sql = format!("SELECT {expr} FROM t WHERE {expr} ORDER BY {expr} DESC");
        let parsed = parse(&sql).map_err(|e| TestCaseError::fail(format!("{sql}: {e}")))?;
        let printed = parsed[0].to_string();
        let reparsed = parse(&printed).map_err(|e| TestCaseError::fail(format!("{printed}: {e}")))?;
        prop_assert_eq!(parsed, reparsed);
    }
}
