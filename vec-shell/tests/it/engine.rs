//! The library API: typed results, DML, and the fields of engine errors.

use vec_shell::{Database, Datum, SqlType};

#[test]
fn typed_rows_and_command_tags() {
    let database = Database::in_memory();
    let mut session = database.session();
    let results = session
        .execute("CREATE TABLE t (id serial, v halfvec(2)); INSERT INTO t (v) VALUES ('[1,2]'), ('[3,4]') RETURNING id")
        .unwrap();
    assert_eq!(results[0].tag, "CREATE TABLE");
    assert_eq!(results[1].tag, "INSERT 0 2");
    let returned = results[1].rows.as_ref().unwrap();
    assert_eq!(
        returned.rows,
        vec![vec![Datum::Int4(1)], vec![Datum::Int4(2)]]
    );

    let results = session
        .execute("SELECT v, l2_norm(v) FROM t WHERE id = 2")
        .unwrap();
    let rows = results[0].rows.as_ref().unwrap();
    assert_eq!(rows.columns[0].ty, SqlType::HalfVec);
    assert_eq!(rows.columns[1].name, "l2_norm");
    assert_eq!(rows.rows[0][1], Datum::Float8(5.0));
    assert_eq!(results[0].tag, "SELECT 1");
}

#[test]
fn update_delete_and_truncate() {
    let database = Database::in_memory();
    let mut session = database.session();
    session
        .execute("CREATE TABLE t (id int, v vector(2))")
        .unwrap();
    session
        .execute("INSERT INTO t SELECT n, ARRAY[n, n]::vector FROM generate_series(1, 5) n")
        .unwrap();
    let updated = session
        .execute("UPDATE t SET v = v + '[1,1]' WHERE id <= 2")
        .unwrap();
    assert_eq!(updated[0].tag, "UPDATE 2");
    let deleted = session.execute("DELETE FROM t WHERE id > 3").unwrap();
    assert_eq!(deleted[0].tag, "DELETE 2");
    let rows = session.execute("SELECT v FROM t ORDER BY id").unwrap();
    let texts: Vec<String> = rows[0]
        .rows
        .as_ref()
        .unwrap()
        .rows
        .iter()
        .map(|r| r[0].to_text().unwrap())
        .collect();
    assert_eq!(texts, ["[2,2]", "[3,3]", "[3,3]"]);
    session.execute("TRUNCATE t").unwrap();
    let count = session.execute("SELECT count(*) FROM t").unwrap();
    assert_eq!(count[0].rows.as_ref().unwrap().rows[0][0], Datum::Int8(0));
}

#[test]
fn sessions_share_the_database() {
    let database = Database::in_memory();
    let mut first = database.session();
    let mut second = database.session();
    first.execute("CREATE TABLE t (a int)").unwrap();
    first.execute("INSERT INTO t VALUES (7)").unwrap();
    let rows = second.execute("SELECT a FROM t").unwrap();
    assert_eq!(rows[0].rows.as_ref().unwrap().rows[0][0], Datum::Int4(7));
    second.execute("SET hnsw.ef_search = 5").unwrap();
    let shown = first.execute("SHOW hnsw.ef_search").unwrap();
    assert_eq!(
        shown[0].rows.as_ref().unwrap().rows[0][0],
        Datum::Text("40".into())
    );
}

#[test]
fn errors_have_postgresql_fields() {
    let database = Database::in_memory();
    let mut session = database.session();
    let error = session.execute("SELECT * FROM missing").unwrap_err();
    assert_eq!(error.sqlstate, "42P01");
    assert_eq!(error.message, "relation \"missing\" does not exist");
    assert_eq!(error.position, Some(14));
    let error = session.execute("SELECT '[1,2]'::vector(3)").unwrap_err();
    assert_eq!((error.sqlstate, error.position), ("22000", None));
    let error = session
        .execute("SELECT '[1,2]'::vector <-> '[1]'")
        .unwrap_err();
    assert_eq!(error.message, "different vector dimensions 2 and 1");
    let error = session.execute("SELECT 1 FROM t WHERE 1").unwrap_err();
    assert_eq!(error.sqlstate, "42P01");
    session.execute("CREATE TABLE t (a int)").unwrap();
    let error = session.execute("SELECT a FROM t WHERE a").unwrap_err();
    assert_eq!(
        error.message,
        "argument of WHERE must be type boolean, not type integer"
    );
    assert!(Database::open("/proc/no/such/db").is_err());
}

#[test]
fn copy_through_the_api() {
    let database = Database::in_memory();
    let mut session = database.session();
    session
        .execute("CREATE TABLE t (id bigserial, v vector(2), label text)")
        .unwrap();
    let result = session
        .copy_in(
            "COPY t (v, label) FROM STDIN WITH (FORMAT csv)",
            b"\"[1,2]\",a\n\"[3,4]\",\n",
        )
        .unwrap();
    assert_eq!(result.tag, "COPY 2");
    let out = session.execute("COPY t TO STDOUT").unwrap();
    assert_eq!(
        out[0].copy_data.as_deref(),
        Some(&b"1\t[1,2]\ta\n2\t[3,4]\t\\N\n"[..])
    );
    let error = session
        .copy_in("COPY t (v) FROM STDIN", b"[1,2,3]\n")
        .unwrap_err();
    assert_eq!(error.message, "expected 2 dimensions, not 3");
    let error = session.execute("COPY t FROM STDIN").unwrap_err();
    assert_eq!(error.sqlstate, "0A000");
}

#[test]
fn primary_keys_stay_unique_across_statements() {
    let database = Database::in_memory();
    let mut session = database.session();
    session
        .execute("CREATE TABLE t (id int PRIMARY KEY, v vector(1))")
        .unwrap();
    session
        .execute("INSERT INTO t VALUES (1, '[1]'), (2, '[2]')")
        .unwrap();
    assert_eq!(
        session
            .execute("INSERT INTO t VALUES (2, '[3]')")
            .unwrap_err()
            .sqlstate,
        "23505"
    );
    assert_eq!(
        session
            .execute("INSERT INTO t VALUES (3, '[3]'), (3, '[4]')")
            .unwrap_err()
            .sqlstate,
        "23505"
    );
    // Rows may swap keys in one statement; a freed key can be used again.
    session.execute("UPDATE t SET id = 3 - id").unwrap();
    session.execute("DELETE FROM t WHERE id = 1").unwrap();
    session.execute("INSERT INTO t VALUES (1, '[9]')").unwrap();
    assert_eq!(
        session
            .execute("INSERT INTO t VALUES (2, '[3]')")
            .unwrap_err()
            .sqlstate,
        "23505"
    );
    session.execute("TRUNCATE t").unwrap();
    session.execute("INSERT INTO t VALUES (2, '[3]')").unwrap();
}
