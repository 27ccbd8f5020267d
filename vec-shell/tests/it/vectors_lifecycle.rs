//! The life of pgvecto.rs's `USING vectors` indexes through the one vector-index
//! interface: their builds report progress and stop on a cancel request (or Ctrl-C in
//! `vecsh`) like pgvector's, and a closed database reopens them from their snapshots
//! without a rebuild.

use std::sync::{Arc, Mutex};

use vec_shell::catalog::snapshots::IndexSource;
use vec_shell::{Database, Progress, Session};

use crate::common::{first_column_ids as ids, random_vector as vector};

/// `items`: `n` rows of 8-d vectors.
fn load(session: &mut Session, n: u64) {
    session
        .execute("CREATE TABLE items (id bigserial PRIMARY KEY, v vector(8))")
        .unwrap();
    let values: Vec<String> = (0..n).map(|i| format!("('{}')", vector(i, 8))).collect();
    session
        .execute(&format!(
            "INSERT INTO items (v) VALUES {}",
            values.join(", ")
        ))
        .unwrap();
}

/// `CREATE INDEX name ON items USING vectors (v vector_l2_ops)` with these options.
fn create(name: &str, options: &str) -> String {
    format!(
        "CREATE INDEX {name} ON items USING vectors (v vector_l2_ops) WITH (options = $${options}$$)"
    )
}

/// The phases an observer saw, in order, each once.
fn record_phases(session: &mut Session) -> Arc<Mutex<Vec<String>>> {
    let phases = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = phases.clone();
    session.set_progress_observer(Some(Arc::new(move |p: &Progress<'_>| {
        assert_eq!((p.command.name(), p.target), ("CREATE INDEX", "vectors"));
        let mut phases = sink.lock().unwrap();
        if phases.last().map(String::as_str) != Some(p.phase) {
            phases.push(p.phase.to_string());
        }
    })));
    phases
}

const IVF: &str = "[indexing.ivf]\nnlist = 10";
const IVF_SCALAR: &str = "[indexing.ivf]\nnlist = 10\nquantization.scalar = {}";
const FLAT_PRODUCT: &str = "[indexing.flat]\nquantization.product.ratio = \"x4\"";

#[test]
fn vectors_builds_report_progress_and_stop_when_cancelled() {
    let database = Database::in_memory();
    let mut session = database.session();
    load(&mut session, 3000);
    for (options, expected) in [
        (
            IVF,
            &[
                "initializing",
                "performing k-means",
                "assigning tuples",
                "loading tuples",
            ][..],
        ),
        (
            IVF_SCALAR,
            &[
                "initializing",
                "performing k-means",
                "assigning tuples",
                "loading tuples",
                "quantizing tuples",
            ][..],
        ),
        // A flat index is one list: the same phases, with a one-center k-means.
        (
            FLAT_PRODUCT,
            &[
                "initializing",
                "performing k-means",
                "assigning tuples",
                "loading tuples",
                "quantizing tuples",
            ][..],
        ),
    ] {
        // Every phase can be cancelled: the statement fails with 57014 and leaves no index.
        for &phase in expected {
            let cancel = session.cancel_handle();
            session.set_progress_observer(Some(Arc::new(move |p: &Progress<'_>| {
                if p.phase == phase {
                    cancel.cancel();
                }
            })));
            let error = session.execute(&create("items_v", options)).unwrap_err();
            assert_eq!(
                (error.sqlstate, error.message.as_str()),
                ("57014", "canceling statement due to user request"),
                "{options}: {phase}"
            );
            database.with_catalog(|catalog| {
                let items = catalog.table("items").unwrap();
                assert!(items.indexes.len() == 1 && items.vector_indexes.is_empty());
            });
        }
        let phases = record_phases(&mut session);
        session.execute(&create("items_v", options)).unwrap();
        assert_eq!(*phases.lock().unwrap(), expected, "{options}");
        session.set_progress_observer(None);
        session.execute("DROP INDEX items_v").unwrap();
    }
}

#[test]
fn vectors_indexes_reopen_from_their_snapshots() {
    let dir = tempfile::tempdir().unwrap();
    let queries: Vec<String> = (0..5)
        .map(|q| {
            format!(
                "SELECT id FROM items ORDER BY v <-> '{}' LIMIT 10",
                vector(90_000 + q, 8)
            )
        })
        .collect();
    let kinds = [
        ("items_hnsw", "[indexing.hnsw]\nm = 12"),
        ("items_ivf", IVF),
        ("items_sq", IVF_SCALAR),
        ("items_flat", FLAT_PRODUCT),
        // Too few rows to train on: the index keeps them aside and searches them exactly.
        ("items_growing", "[indexing.ivf]\nnlist = 5000"),
    ];
    let mut before = Vec::new();
    {
        let database = Database::open(dir.path()).unwrap();
        let mut session = database.session();
        load(&mut session, 2000);
        for (name, options) in kinds {
            session.execute(&create(name, options)).unwrap();
            // One index at a time, so that the query is answered by this one.
            let answers: Vec<Vec<i64>> = queries.iter().map(|q| ids(&mut session, q)).collect();
            before.push(answers);
            session.execute(&format!("DROP INDEX {name}")).unwrap();
        }
        for (name, options) in kinds {
            session.execute(&create(name, options)).unwrap();
        }
    }
    let database = Database::open(dir.path()).unwrap();
    let report = database.recovery_report();
    assert_eq!(report.indexes.len(), kinds.len());
    for recovery in &report.indexes {
        assert_eq!(
            recovery.source,
            IndexSource::Snapshot { replayed_rows: 0 },
            "{}",
            recovery.index
        );
    }
    let mut session = database.session();
    for ((name, _), answers) in kinds.iter().zip(&before) {
        // Each reopened index alone answers as it did before the database closed.
        session.execute("BEGIN").unwrap();
        for (other, _) in kinds.iter().filter(|(other, _)| other != name) {
            session.execute(&format!("DROP INDEX {other}")).unwrap();
        }
        let now: Vec<Vec<i64>> = queries.iter().map(|q| ids(&mut session, q)).collect();
        assert_eq!(&now, answers, "{name}");
        session.execute("ROLLBACK").unwrap();
    }
}

/// Ctrl-C (SIGINT) during a `USING vectors` build in a `vecsh` script cancels it, as for
/// pgvector's indexes: psql's error, exit status 3, and no index afterwards.
#[cfg(unix)]
#[test]
fn sigint_cancels_a_vectors_build_in_vecsh() {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::process::{Command, Stdio};
    use std::time::Duration;

    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("db");
    let setup = "CREATE TABLE items (id bigserial PRIMARY KEY, v vector(16));\n\
         INSERT INTO items (v) SELECT ARRAY[g % 101, g % 103, g % 107, g % 109, g % 113, \
         g % 127, g % 131, g % 137, g % 139, g % 149, g % 151, g % 157, g % 163, g % 167, \
         g % 173, g]::vector FROM generate_series(1, 200000) g;\n";
    let status = Command::new(env!("CARGO_BIN_EXE_vecsh"))
        .args(["-X", "-q", "-c", setup])
        .arg(&database)
        .status()
        .unwrap();
    assert!(status.success());
    let build = "CREATE INDEX items_v ON items USING vectors (v vector_l2_ops) \
         WITH (options = $$[indexing.ivf]\nnlist = 2000\niterations = 500$$);";
    let mut child = Command::new(env!("CARGO_BIN_EXE_vecsh"))
        .args(["-X", "-a"])
        .arg(&database)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{build}\nSELECT 1;\n").as_bytes())
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut echoed = String::new();
    while !echoed.contains("$$);") {
        if stdout.read_line(&mut echoed).unwrap() == 0 {
            break;
        }
    }
    std::thread::sleep(Duration::from_millis(700));
    // SAFETY: signals the child this test started, which has not been reaped.
    assert_eq!(
        unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) },
        0
    );
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    assert!(
        stderr.contains("ERROR:  canceling statement due to user request\n"),
        "{stderr}"
    );
    assert_eq!(status.code(), Some(3));
    let database = Database::open(&database).unwrap();
    database.with_catalog(|catalog| assert_eq!(catalog.table("items").unwrap().indexes.len(), 1));
}
