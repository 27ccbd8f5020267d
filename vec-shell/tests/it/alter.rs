//! `ALTER TABLE … ADD COLUMN` and `DROP INDEX`: psql's exact output, and the changes
//! surviving a reopen of a durable database.

use crate::output::{lines, run};
use vec_shell::{Database, Datum};

#[test]
fn add_column_and_drop_index_output() {
    let output = run("CREATE TABLE t (id int, v vector(2));\n\
        INSERT INTO t VALUES (1, '[1,1]'), (2, '[2,2]');\n\
        CREATE INDEX idx ON t USING hnsw (v vector_l2_ops);\n\
        ALTER TABLE t ADD COLUMN label text;\n\
        ALTER TABLE t ADD COLUMN IF NOT EXISTS label text;\n\
        ALTER TABLE t ADD COLUMN n int NOT NULL;\n\
        DROP INDEX idx;\n\
        DROP INDEX IF EXISTS idx;\n\
        DROP INDEX t;\n\
        UPDATE t SET label = 'b' WHERE id = 2;\n\
        SELECT * FROM t ORDER BY id;");
    assert!(
        output.contains(&lines(&[
            "SELECT * FROM t ORDER BY id;",
            " id |   v   | label ",
            "----+-------+-------",
            "  1 | [1,1] | ",
            "  2 | [2,2] | b",
            "(2 rows)",
            "",
        ])),
        "{output}"
    );
    for message in [
        "NOTICE:  column \"label\" of relation \"t\" already exists, skipping\n",
        "ERROR:  column \"n\" of relation \"t\" contains null values\n",
        "NOTICE:  index \"idx\" does not exist, skipping\n",
        "ERROR:  \"t\" is not an index\n",
    ] {
        assert!(output.contains(message), "{message}\n{output}");
    }
}

#[test]
fn add_column_and_drop_index_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    {
        let database = Database::open(dir.path()).unwrap();
        let mut session = database.session();
        session
            .execute(
                "CREATE TABLE t (id int, v vector(2));\
                 INSERT INTO t VALUES (1, '[1,1]');\
                 CREATE INDEX idx ON t USING hnsw (v vector_l2_ops);\
                 CREATE INDEX keep ON t USING ivfflat (v vector_l2_ops) WITH (lists = 1);\
                 ALTER TABLE t ADD COLUMN label text;\
                 INSERT INTO t VALUES (2, '[2,2]', 'b');\
                 DROP INDEX idx",
            )
            .unwrap();
    }
    let database = Database::open(dir.path()).unwrap();
    let indexes = database.with_catalog(|catalog| {
        let table = catalog.table("t").unwrap();
        table
            .indexes
            .iter()
            .map(|i| i.name.clone())
            .collect::<Vec<_>>()
    });
    assert_eq!(indexes, ["keep"]);
    let mut session = database.session();
    let results = session.execute("SELECT * FROM t ORDER BY id").unwrap();
    let rows: Vec<Vec<Option<String>>> = results[0]
        .rows
        .as_ref()
        .unwrap()
        .rows
        .iter()
        .map(|row| row.iter().map(Datum::to_text).collect())
        .collect();
    assert_eq!(
        rows,
        [
            vec![Some("1".into()), Some("[1,1]".into()), None],
            vec![Some("2".into()), Some("[2,2]".into()), Some("b".into())],
        ]
    );
}
