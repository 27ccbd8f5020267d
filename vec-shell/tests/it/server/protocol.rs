//! The protocol's messages through the `postgres` crate: simple and extended queries,
//! parameters and results in text and binary, portals with row limits, COPY both ways,
//! errors with their fields (and in the middle of a transaction), NOTICEs,
//! `ParameterStatus`, `SHOW`, `SET application_name`, and cancel.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use postgres::types::Type;
use postgres::{NoTls, SimpleQueryMessage};
use vec_shell::server::ServerOptions;

use super::Running;

fn simple_rows(client: &mut postgres::Client, sql: &str) -> Vec<Vec<Option<String>>> {
    client
        .simple_query(sql)
        .unwrap()
        .into_iter()
        .filter_map(|message| match message {
            SimpleQueryMessage::Row(row) => Some(
                (0..row.len())
                    .map(|i| row.get(i).map(str::to_string))
                    .collect(),
            ),
            _ => None,
        })
        .collect()
}

#[test]
fn simple_query_text_results_and_tags() {
    let server = Running::start(ServerOptions::default());
    let mut client = server.client();
    let messages = client
        .simple_query(
            "CREATE TABLE items (id bigserial PRIMARY KEY, embedding vector(3));
             INSERT INTO items (embedding) VALUES ('[1,2,3]'), ('[4,5,6]');
             SELECT id, embedding, embedding <-> '[3,1,2]' AS d FROM items ORDER BY d LIMIT 5",
        )
        .unwrap();
    let tags: Vec<u64> = messages
        .iter()
        .filter_map(|m| match m {
            SimpleQueryMessage::CommandComplete(n) => Some(*n),
            _ => None,
        })
        .collect();
    assert_eq!(tags, [0, 2, 2]);
    assert_eq!(
        simple_rows(
            &mut client,
            "SELECT id, embedding::text FROM items ORDER BY id"
        ),
        [
            [Some("1".into()), Some("[1,2,3]".into())],
            [Some("2".into()), Some("[4,5,6]".into())]
        ]
    );
    assert_eq!(
        simple_rows(&mut client, "SHOW server_version"),
        [[Some("17.0".to_string())]]
    );
    client
        .batch_execute("SET application_name = 'tests'")
        .unwrap();
    assert_eq!(
        simple_rows(&mut client, "SHOW application_name"),
        [[Some("tests".to_string())]]
    );
    // An empty query answers EmptyQueryResponse: no rows, no error.
    assert!(simple_rows(&mut client, "  ;  ").is_empty());
}

#[test]
fn errors_carry_postgresql_fields_and_abort_the_block() {
    let server = Running::start(ServerOptions::default());
    let mut client = server.client();
    let error = client.simple_query("SELECT '[1,2'::vector").unwrap_err();
    let db = error.as_db_error().unwrap();
    assert_eq!(db.code().code(), "22P02");
    assert_eq!(
        db.message(),
        "invalid input syntax for type vector: \"[1,2\""
    );
    assert_eq!(
        db.position(),
        Some(&postgres::error::ErrorPosition::Original(8))
    );
    let error = client.simple_query("SELECT nope(1)").unwrap_err();
    let db = error.as_db_error().unwrap();
    assert_eq!(db.code().code(), "42883");
    assert!(db.hint().unwrap().starts_with("No function matches"));

    client
        .batch_execute("CREATE TABLE t (id int PRIMARY KEY)")
        .unwrap();
    let mut transaction = client.transaction().unwrap();
    transaction
        .execute("INSERT INTO t VALUES (1)", &[])
        .unwrap();
    let error = transaction
        .execute("INSERT INTO t VALUES (1)", &[])
        .unwrap_err();
    assert_eq!(error.code().unwrap().code(), "23505");
    let error = transaction.execute("SELECT 1", &[]).unwrap_err();
    assert_eq!(error.code().unwrap().code(), "25P02");
    transaction.rollback().unwrap();
    let count: i64 = client
        .query_one("SELECT count(*) FROM t", &[])
        .unwrap()
        .get(0);
    assert_eq!(count, 0);
}

#[test]
fn notices_reach_the_client() {
    let server = Running::start(ServerOptions::default());
    let notices = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = notices.clone();
    let mut config: postgres::Config = server.config().parse().unwrap();
    config.notice_callback(move |notice| sink.lock().unwrap().push(notice.message().to_string()));
    let mut client = config.connect(NoTls).unwrap();
    client
        .batch_execute("DROP TABLE IF EXISTS missing")
        .unwrap();
    client.batch_execute("COMMIT").unwrap();
    assert_eq!(
        *notices.lock().unwrap(),
        [
            "table \"missing\" does not exist, skipping",
            "there is no transaction in progress"
        ]
    );
}

#[test]
fn extended_query_parameters_and_binary_results() {
    let server = Running::start(ServerOptions::default());
    let mut client = server.client();
    client
        .batch_execute(
            "CREATE TABLE items (id bigint PRIMARY KEY, label text, score real, embedding vector(3));
             INSERT INTO items VALUES (1, 'a', 0.5, '[1,0,0]'), (2, 'b', 1.5, '[0,1,0]'), (3, NULL, NULL, '[0,0,1]')",
        )
        .unwrap();
    // Types inferred from context: bigint from `id = $1`, vector from `<->` (sent as
    // text, cast by the statement), real from `score > $2`.
    let statement = client
        .prepare("SELECT id, label, score FROM items WHERE id <> $1 AND score > $2 ORDER BY embedding <-> $3::text::vector LIMIT 5")
        .unwrap();
    assert_eq!(statement.params(), [Type::INT8, Type::FLOAT4, Type::TEXT]);
    assert_eq!(statement.columns()[0].type_(), &Type::INT8);
    assert_eq!(statement.columns()[1].type_(), &Type::TEXT);
    let rows = client
        .query(&statement, &[&3i64, &0.1f32, &"[0,1,0]"])
        .unwrap();
    let ids: Vec<i64> = rows.iter().map(|r| r.get(0)).collect();
    assert_eq!(ids, [2, 1]);
    let label: Option<String> = client
        .query_one("SELECT label FROM items WHERE id = $1", &[&3i64])
        .unwrap()
        .get(0);
    assert_eq!(label, None);
    let score: f32 = client
        .query_one("SELECT score FROM items WHERE label = $1", &[&"b"])
        .unwrap()
        .get(0);
    assert_eq!(score, 1.5);
    // Every built-in type in binary.
    let row = client
        .query_one(
            "SELECT true, 7::int, 8::bigint, 1.25::real, 2.5::float8, 'x'::text, 'y'::varchar, ARRAY[1,2,3]",
            &[],
        )
        .unwrap();
    assert!(row.get::<_, bool>(0));
    assert_eq!(row.get::<_, i32>(1), 7);
    assert_eq!(row.get::<_, i64>(2), 8);
    assert_eq!(row.get::<_, f32>(3), 1.25);
    assert_eq!(row.get::<_, f64>(4), 2.5);
    assert_eq!(row.get::<_, String>(5), "x");
    assert_eq!(row.get::<_, String>(6), "y");
    assert_eq!(row.get::<_, Vec<i32>>(7), [1, 2, 3]);
    // DML through the extended protocol, with its tag.
    let inserted = client
        .execute(
            "INSERT INTO items (id, label) VALUES ($1, $2)",
            &[&9i64, &"nine"],
        )
        .unwrap();
    assert_eq!(inserted, 1);
    let error = client.execute("SELECT $1::int", &[&"x"]).unwrap_err();
    assert!(error.to_string().contains("error serializing parameter 0"));
    let error = client
        .query("SELECT * FROM nope WHERE id = $1", &[&1i64])
        .unwrap_err();
    assert_eq!(error.code().unwrap().code(), "42P01");
}

#[test]
fn portals_return_rows_in_batches() {
    let server = Running::start(ServerOptions::default());
    let mut client = server.client();
    let mut transaction = client.transaction().unwrap();
    let statement = transaction
        .prepare("SELECT n FROM generate_series(1, 10) n")
        .unwrap();
    let portal = transaction.bind(&statement, &[]).unwrap();
    let first = transaction.query_portal(&portal, 4).unwrap();
    assert_eq!(first.len(), 4);
    let rest = transaction.query_portal(&portal, 100).unwrap();
    let values: Vec<i32> = rest.iter().map(|r| r.get(0)).collect();
    assert_eq!(values, [5, 6, 7, 8, 9, 10]);
    transaction.commit().unwrap();
}

#[test]
fn copy_in_and_out_in_text_csv_and_binary() {
    let server = Running::start(ServerOptions::default());
    let mut client = server.client();
    client
        .batch_execute("CREATE TABLE items (id bigint, embedding halfvec(2))")
        .unwrap();
    let mut writer = client.copy_in("COPY items FROM STDIN").unwrap();
    writer.write_all(b"1\t[1,2]\n2\t[3,4]\n").unwrap();
    assert_eq!(writer.finish().unwrap(), 2);
    let mut writer = client
        .copy_in("COPY items FROM STDIN WITH (FORMAT csv)")
        .unwrap();
    writer.write_all(b"3,\"[5,6]\"\n").unwrap();
    assert_eq!(writer.finish().unwrap(), 1);

    let mut text = String::new();
    client
        .copy_out("COPY items TO STDOUT WITH (FORMAT csv)")
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    assert_eq!(text, "1,\"[1,2]\"\n2,\"[3,4]\"\n3,\"[5,6]\"\n");

    let mut binary = Vec::new();
    client
        .copy_out("COPY items TO STDOUT WITH (FORMAT binary)")
        .unwrap()
        .read_to_end(&mut binary)
        .unwrap();
    assert!(binary.starts_with(b"PGCOPY\n\xff\r\n\0"));
    client.batch_execute("TRUNCATE items").unwrap();
    let mut writer = client
        .copy_in("COPY items FROM STDIN WITH (FORMAT binary)")
        .unwrap();
    writer.write_all(&binary).unwrap();
    assert_eq!(writer.finish().unwrap(), 3);
    let count: i64 = client
        .query_one("SELECT count(*) FROM items", &[])
        .unwrap()
        .get(0);
    assert_eq!(count, 3);

    // Bad data fails the COPY, and nothing is loaded.
    let mut writer = client.copy_in("COPY items FROM STDIN").unwrap();
    writer.write_all(b"4\t[1,2,3]\n").unwrap();
    let error = writer.finish().unwrap_err();
    assert_eq!(error.code().unwrap().code(), "22000");
    // The error says where (psql's CONTEXT line), also when it comes many messages in.
    let mut writer = client.copy_in("COPY items FROM STDIN").unwrap();
    for n in 0..3000 {
        writer
            .write_all(format!("{n}\t[1,2]\n").as_bytes())
            .unwrap();
        writer.flush().unwrap();
    }
    writer.write_all(b"9\t[x,2]\n10\t[1,2]\n").unwrap();
    let error = writer.finish().unwrap_err();
    let db = error.as_db_error().unwrap();
    assert_eq!(db.code().code(), "22P02");
    assert_eq!(
        db.where_(),
        Some("COPY items, line 3001, column embedding: \"[x,2]\"")
    );
    let count: i64 = client
        .query_one("SELECT count(*) FROM items", &[])
        .unwrap()
        .get(0);
    assert_eq!(count, 3);
    // Server-side files are refused without --allow-server-files.
    let error = client
        .batch_execute("COPY items TO '/tmp/out.csv'")
        .unwrap_err();
    assert_eq!(error.code().unwrap().code(), "42501");
}

#[test]
fn cancel_stops_the_running_statement() {
    let server = Running::start(ServerOptions::default());
    let mut client = server.client();
    let token = client.cancel_token();
    let canceller = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        token.cancel_query(NoTls).unwrap();
    });
    let started = Instant::now();
    let error = client
        .simple_query(
            "SELECT count(*) FROM generate_series(1, 100000) a, generate_series(1, 100000) b",
        )
        .unwrap_err();
    canceller.join().unwrap();
    let db = error.as_db_error().unwrap();
    assert_eq!(db.code().code(), "57014");
    assert_eq!(db.message(), "canceling statement due to user request");
    assert!(started.elapsed() < Duration::from_secs(20));
    // The connection goes on.
    let one: i32 = client.query_one("SELECT 1", &[]).unwrap().get(0);
    assert_eq!(one, 1);
}

#[test]
fn sql_prepare_and_execute_over_the_wire() {
    let server = Running::start(ServerOptions::default());
    let mut client = server.client();
    let rows = simple_rows(
        &mut client,
        "PREPARE q (int) AS SELECT $1 + 1; EXECUTE q (41); DEALLOCATE q",
    );
    assert_eq!(rows, [[Some("42".to_string())]]);
    client.batch_execute("DISCARD ALL").unwrap();
}

#[test]
fn catalog_queries_clients_send() {
    let server = Running::start(ServerOptions::default());
    let mut client = server.client();
    client
        .batch_execute(
            "CREATE EXTENSION vector;
             CREATE TABLE items (id bigint PRIMARY KEY, embedding halfvec(3) NOT NULL, note varchar(20));
             SET hnsw.ef_search = 64",
        )
        .unwrap();
    // psycopg's TypeInfo.fetch, as pgvector-python's register_vector sends it.
    let rows = simple_rows(
        &mut client,
        "SELECT typname AS name, oid, typarray AS array_oid, oid::regtype::text AS regtype, typdelim AS delimiter
         FROM pg_type t WHERE t.oid = 'halfvec'::regtype ORDER BY t.oid",
    );
    assert_eq!(
        rows,
        [[
            Some("halfvec".to_string()),
            Some("16387".to_string()),
            Some("16388".to_string()),
            Some("halfvec".to_string()),
            Some(",".to_string())
        ]]
    );
    let rows = simple_rows(
        &mut client,
        "SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull
         FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
         WHERE c.relname = 'items' ORDER BY a.attnum",
    );
    let shown: Vec<String> = rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|v| v.clone().unwrap_or_default())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    assert_eq!(
        shown,
        [
            "id bigint t",
            "embedding halfvec(3) t",
            "note character varying(20) f"
        ]
    );
    let rows = simple_rows(
        &mut client,
        "SELECT setting, source FROM pg_settings WHERE name = 'hnsw.ef_search';
         SELECT current_setting('hnsw.ef_search'), current_schema(), pg_catalog.version() LIKE 'PostgreSQL 17.0 (vecsh %'",
    );
    assert_eq!(
        rows[0],
        [Some("64".to_string()), Some("session".to_string())]
    );
    assert_eq!(
        rows[1],
        [
            Some("64".to_string()),
            Some("public".to_string()),
            Some("t".to_string())
        ]
    );
    let rows = simple_rows(
        &mut client,
        "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_name = 'items' ORDER BY ordinal_position",
    );
    assert_eq!(rows[1][2].as_deref(), Some("USER-DEFINED"));
    assert_eq!(rows[2][2].as_deref(), Some("character varying"));
}

#[test]
fn a_bad_parameter_aborts_the_block() {
    let server = Running::start(ServerOptions::default());
    let mut client = server.client();
    client
        .batch_execute("CREATE TABLE t (v vector(2))")
        .unwrap();
    let mut transaction = client.transaction().unwrap();
    let statement = transaction
        .prepare_typed("INSERT INTO t VALUES ($1::text::vector)", &[Type::TEXT])
        .unwrap();
    let error = transaction.execute(&statement, &[&"[1,2,3"]).unwrap_err();
    assert_eq!(error.code().unwrap().code(), "22P02");
    let error = transaction.execute("SELECT 1", &[]).unwrap_err();
    assert_eq!(error.code().unwrap().code(), "25P02");
    transaction.rollback().unwrap();
    let error = client
        .batch_execute("BEGIN; COPY t TO '/tmp/refused.csv'")
        .unwrap_err();
    assert_eq!(error.code().unwrap().code(), "42501");
    let error = client.batch_execute("SELECT 1").unwrap_err();
    assert_eq!(error.code().unwrap().code(), "25P02");
    client.batch_execute("ROLLBACK").unwrap();
}

#[test]
fn a_multi_statement_query_is_one_implicit_transaction() {
    let server = Running::start(ServerOptions::default());
    let mut client = server.client();
    client
        .batch_execute("CREATE TABLE imp (id int PRIMARY KEY); INSERT INTO imp VALUES (1)")
        .unwrap();
    // The second statement fails: the first one's row goes too, as in PostgreSQL.
    let error = client
        .batch_execute(
            "INSERT INTO imp VALUES (2); INSERT INTO imp VALUES (1); INSERT INTO imp VALUES (3)",
        )
        .unwrap_err();
    assert_eq!(error.code().unwrap().code(), "23505");
    let ids: Vec<i32> = client
        .query("SELECT id FROM imp ORDER BY id", &[])
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert_eq!(ids, [1]);
    // Without an error every statement commits; the connection is idle after either.
    client
        .batch_execute("INSERT INTO imp VALUES (2); UPDATE imp SET id = id + 10")
        .unwrap();
    let ids: Vec<i32> = client
        .query("SELECT id FROM imp ORDER BY id", &[])
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert_eq!(ids, [11, 12]);
    // Transaction control in the message: its statements run one by one.
    client
        .batch_execute("INSERT INTO imp VALUES (5); BEGIN; INSERT INTO imp VALUES (6); ROLLBACK")
        .unwrap();
    let count: i64 = client
        .query_one("SELECT count(*) FROM imp", &[])
        .unwrap()
        .get(0);
    assert_eq!(count, 3);
}

#[test]
fn long_lists_and_deep_nesting_over_the_wire() {
    // A connection's statements run on a thread with the shell's known stack: the
    // deepest nesting the parser allows is answered, deeper is PostgreSQL's error, and a
    // 100,000-item list is flat.
    let server = Running::start(ServerOptions::default());
    let mut client = server.client();
    let depth = vec_shell::sql::MAX_NESTING - 10;
    let nested = format!("SELECT {}1{}", "abs(".repeat(depth), ")".repeat(depth));
    assert_eq!(
        simple_rows(&mut client, &nested),
        vec![vec![Some("1".to_string())]]
    );
    let too_deep = format!("SELECT {}1{}", "(".repeat(100_000), ")".repeat(100_000));
    let error = client.simple_query(&too_deep).unwrap_err();
    let error = error.as_db_error().unwrap();
    assert_eq!(error.code().code(), "54001");
    assert_eq!(error.message(), "stack depth limit exceeded");
    let list = vec!["2"; 100_000].join(", ");
    let rows = simple_rows(&mut client, &format!("SELECT 1 IN ({list}, 1)"));
    assert_eq!(rows, vec![vec![Some("t".to_string())]]);
}

#[test]
fn explain_with_bind_parameters() {
    let server = Running::start(ServerOptions::default());
    let mut client = server.client();
    client
        .batch_execute(
            "CREATE TABLE items (id int, c int, embedding vector(3));
             INSERT INTO items SELECT g, g % 100, ARRAY[g, g % 7, g % 13]::vector
             FROM generate_series(1, 500) g;",
        )
        .unwrap();
    // The parameters take their types from the explained query, as in PostgreSQL;
    // ANALYZE runs it with their values.
    let rows = client
        .query(
            "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) \
             SELECT id FROM items WHERE c = $1 ORDER BY embedding <-> $2::text::vector LIMIT 5",
            &[&3i32, &"[1,2,3]"],
        )
        .unwrap();
    let lines: Vec<String> = rows.iter().map(|row| row.get(0)).collect();
    assert_eq!(lines[0], "Limit (actual rows=5 loops=1)", "{lines:?}");
    assert!(
        lines
            .iter()
            .any(|l| l.trim() == "Rows Removed by Filter: 495"),
        "{lines:?}"
    );
}
