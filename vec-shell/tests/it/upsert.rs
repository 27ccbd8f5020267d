//! `INSERT … ON CONFLICT (key) DO NOTHING | DO UPDATE`: psql's exact output, errors,
//! and the result surviving a reopen.

use crate::output::{lines, run};
use vec_shell::{Database, Datum};

#[test]
fn on_conflict_skips_or_updates() {
    let output = run("CREATE TABLE t (id int PRIMARY KEY, v vector(2), n int);\n\
        INSERT INTO t VALUES (1, '[1,1]', 0), (2, '[2,2]', 0);\n\
        INSERT INTO t VALUES (1, '[9,9]', 5), (3, '[3,3]', 0), (3, '[4,4]', 0) ON CONFLICT (id) DO NOTHING;\n\
        INSERT INTO t VALUES (2, '[7,7]', 1) ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v, n = t.n + EXCLUDED.n RETURNING id, v, n;\n\
        INSERT INTO t VALUES (4, '[4,4]', 0) ON CONFLICT (id) DO UPDATE SET n = 9;\n\
        SELECT * FROM t ORDER BY id;\n\
        INSERT INTO t VALUES (2, '[1,1]', 1), (2, '[1,1]', 1) ON CONFLICT (id) DO UPDATE SET n = 9;\n\
        INSERT INTO t VALUES (2, '[1,1]', 1) ON CONFLICT (v) DO NOTHING;");
    assert!(
        output.contains(&lines(&[
            " id |   v   | n ",
            "----+-------+---",
            "  2 | [7,7] | 1",
            "(1 row)",
            "",
            "INSERT INTO t VALUES (4, '[4,4]', 0) ON CONFLICT (id) DO UPDATE SET n = 9;",
            "SELECT * FROM t ORDER BY id;",
            " id |   v   | n ",
            "----+-------+---",
            "  1 | [1,1] | 0",
            "  2 | [7,7] | 1",
            "  3 | [3,3] | 0",
            "  4 | [4,4] | 0",
            "(4 rows)",
            "",
        ])),
        "{output}"
    );
    assert!(
        output.contains(&lines(&[
            "ERROR:  ON CONFLICT DO UPDATE command cannot affect row a second time",
            "HINT:  Ensure that no rows proposed for insertion within the same command have duplicate constrained values.",
            "ERROR:  there is no unique or exclusion constraint matching the ON CONFLICT specification",
        ])),
        "{output}"
    );
}

#[test]
fn upserts_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    {
        let database = Database::open(dir.path()).unwrap();
        let mut session = database.session();
        let results = session
            .execute(
                "CREATE TABLE t (id int PRIMARY KEY, n int);\
                 INSERT INTO t VALUES (1, 1), (2, 2);\
                 INSERT INTO t VALUES (2, 20), (3, 30) ON CONFLICT (id) DO UPDATE SET n = EXCLUDED.n",
            )
            .unwrap();
        assert_eq!(results[2].tag, "INSERT 0 2");
    }
    let database = Database::open(dir.path()).unwrap();
    let mut session = database.session();
    let results = session.execute("SELECT id, n FROM t ORDER BY id").unwrap();
    let rows: Vec<Vec<Option<String>>> = results[0]
        .rows
        .as_ref()
        .unwrap()
        .rows
        .iter()
        .map(|row| row.iter().map(Datum::to_text).collect())
        .collect();
    let expected: Vec<Vec<Option<String>>> = [("1", "1"), ("2", "20"), ("3", "30")]
        .iter()
        .map(|(id, n)| vec![Some(id.to_string()), Some(n.to_string())])
        .collect();
    assert_eq!(rows, expected);
}
