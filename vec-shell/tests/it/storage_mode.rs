//! `SET STORAGE` beyond the SQL script: `PLAIN` keeps a variable-length column's rows on
//! their pages (a row too long for one fails with PostgreSQL's `row is too big`, through
//! INSERT, UPDATE and COPY alike), another mode lets them go to overflow chains again, and
//! the mode survives reopening the database.

use vec_shell::Database;

use crate::common::last_rows;

/// A vector literal of `dims` ones.
fn ones(dims: usize) -> String {
    format!("[{}]", vec!["1"; dims].join(","))
}

#[test]
fn plain_storage_refuses_rows_longer_than_a_page_and_persists() {
    let dir = tempfile::tempdir().unwrap();
    {
        let database = Database::open(dir.path()).unwrap();
        let mut session = database.session();
        session
            .execute("CREATE TABLE big (id int, e vector(3000)); ALTER TABLE big ALTER COLUMN e SET STORAGE PLAIN")
            .unwrap();
        // 3,000 dimensions (12 kB) do not fit on a page.
        let error = session
            .execute(&format!("INSERT INTO big VALUES (1, '{}')", ones(3000)))
            .unwrap_err();
        assert_eq!(error.sqlstate, "54000");
        assert!(
            error.message.starts_with("row is too big: size "),
            "{}",
            error.message
        );
        assert!(
            error.message.contains(", maximum size "),
            "{}",
            error.message
        );
        session
            .execute("CREATE TABLE small (id int, e vector)")
            .unwrap();
        session
            .execute("ALTER TABLE small ALTER COLUMN e SET STORAGE PLAIN")
            .unwrap();
        session
            .execute(&format!("INSERT INTO small VALUES (1, '{}')", ones(100)))
            .unwrap();
        let error = session
            .execute(&format!("UPDATE small SET e = '{}'", ones(3000)))
            .unwrap_err();
        assert_eq!(error.sqlstate, "54000");
        let files = tempfile::tempdir().unwrap();
        let data = files.path().join("rows.tsv");
        std::fs::write(&data, format!("2\t{}\n", ones(3000))).unwrap();
        let copy = format!("COPY small FROM '{}'", data.display());
        let error = session.execute(&copy).unwrap_err();
        assert_eq!(error.sqlstate, "54000", "{}", error.message);
        assert_eq!(
            last_rows(&mut session, "SELECT count(*) FROM small"),
            vec![vec![Some("1".to_string())]]
        );
    }
    let database = Database::open(dir.path()).unwrap();
    let mut session = database.session();
    let error = session
        .execute(&format!("INSERT INTO big VALUES (2, '{}')", ones(3000)))
        .unwrap_err();
    assert_eq!(error.sqlstate, "54000", "the mode survives reopening");
    session
        .execute("ALTER TABLE big ALTER COLUMN e SET STORAGE EXTERNAL")
        .unwrap();
    session
        .execute(&format!("INSERT INTO big VALUES (2, '{}')", ones(3000)))
        .unwrap();
    assert_eq!(
        last_rows(&mut session, "SELECT id, vector_dims(e) FROM big"),
        vec![vec![Some("2".to_string()), Some("3000".to_string())]]
    );
}
