//! Cancelling statements through a session's cancel handle (from another thread, or from
//! the progress observer), and the progress reports of `CREATE INDEX` and `COPY`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use vec_shell::{Database, Datum, EngineError, Progress, Session};

/// A session with `items (id int, embedding vector(8))` holding `n` rows.
fn session_with_rows(database: &Database, n: usize) -> Session {
    let mut session = database.session();
    session
        .execute("CREATE TABLE items (id int, embedding vector(8))")
        .unwrap();
    session
        .execute(&format!(
            "INSERT INTO items SELECT i, ARRAY[i % 97, i % 89, i % 83, i % 79, i % 73, \
             i % 71, i % 67, i]::vector FROM generate_series(1, {n}) i"
        ))
        .unwrap();
    session
}

fn count(session: &mut Session, sql: &str) -> i64 {
    let results = session.execute(sql).unwrap();
    match results[0].rows.as_ref().unwrap().rows[0][0] {
        Datum::Int8(n) => n,
        ref other => panic!("not a count: {other:?}"),
    }
}

fn index_names(database: &Database) -> Vec<String> {
    database.with_catalog(|catalog| {
        let table = catalog.table("items").unwrap();
        assert_eq!(table.indexes.len(), table.vector_indexes.len());
        table
            .indexes
            .iter()
            .map(|index| index.name.clone())
            .collect()
    })
}

fn assert_canceled(result: Result<Vec<vec_shell::StatementResult>, EngineError>) {
    let error = result.expect_err("the statement was cancelled");
    assert_eq!(error.sqlstate, "57014");
    assert_eq!(error.message, "canceling statement due to user request");
}

/// Runs `sql` while another thread keeps asking for cancellation, until it returns.
fn run_while_cancelling(
    session: &mut Session,
    sql: &str,
) -> Result<Vec<vec_shell::StatementResult>, EngineError> {
    let cancel = session.cancel_handle();
    let finished = Arc::new(AtomicBool::new(false));
    let done = finished.clone();
    // The request is repeated because one made before the statement starts is dropped.
    let canceller = std::thread::spawn(move || {
        while !done.load(Ordering::Relaxed) {
            cancel.cancel();
            std::thread::sleep(Duration::from_millis(1));
        }
    });
    let result = session.execute(sql);
    finished.store(true, Ordering::Relaxed);
    canceller.join().unwrap();
    result
}

/// An observer that, once the phase `phase` has reported `at_least` units, hands the
/// cancellation to another thread and waits until that thread has made it.
fn cancel_from_thread_at(session: &mut Session, phase: &'static str, at_least: u64) {
    let cancel = session.cancel_handle();
    let (reached, wait_for_phase) = mpsc::channel::<()>();
    let reached = Mutex::new(Some(reached));
    let handle = cancel.clone();
    std::thread::spawn(move || {
        if wait_for_phase.recv().is_ok() {
            handle.cancel();
        }
    });
    session.set_progress_observer(Some(Arc::new(move |p: &Progress<'_>| {
        if p.phase != phase || p.done < at_least {
            return;
        }
        if let Some(reached) = reached.lock().unwrap().take() {
            reached.send(()).unwrap();
            let started = Instant::now();
            while !cancel.is_cancelled() && started.elapsed() < Duration::from_secs(20) {
                std::thread::yield_now();
            }
        }
    })));
}

#[test]
fn cancelled_hnsw_build_leaves_no_index() {
    let database = Database::in_memory();
    let mut session = session_with_rows(&database, 4000);
    cancel_from_thread_at(&mut session, "loading tuples", 1024);
    assert_canceled(
        session.execute("CREATE INDEX items_hnsw ON items USING hnsw (embedding vector_l2_ops)"),
    );
    assert!(index_names(&database).is_empty());

    // The session goes on; the same name is free and a build without a request finishes.
    session.set_progress_observer(None);
    assert_eq!(count(&mut session, "SELECT count(*) FROM items"), 4000);
    session
        .execute("CREATE INDEX items_hnsw ON items USING hnsw (embedding vector_l2_ops)")
        .unwrap();
    assert_eq!(index_names(&database), ["items_hnsw"]);
}

#[test]
fn cancelled_ivfflat_build_leaves_no_index() {
    let database = Database::in_memory();
    let mut session = session_with_rows(&database, 3000);
    for phase in [
        "initializing",
        "performing k-means",
        "assigning tuples",
        "loading tuples",
    ] {
        let cancel = session.cancel_handle();
        session.set_progress_observer(Some(Arc::new(move |p: &Progress<'_>| {
            if p.phase == phase {
                cancel.cancel();
            }
        })));
        assert_canceled(session.execute(
            "CREATE INDEX ON items USING ivfflat (embedding vector_l2_ops) WITH (lists = 10)",
        ));
        assert!(index_names(&database).is_empty(), "{phase}");
    }
    session.set_progress_observer(None);
    session
        .execute("CREATE INDEX ON items USING ivfflat (embedding vector_l2_ops) WITH (lists = 10)")
        .unwrap();
    assert_eq!(index_names(&database), ["items_embedding_idx"]);
}

#[test]
fn cancelled_build_in_a_durable_database_is_not_recorded() {
    let dir = tempfile::tempdir().unwrap();
    {
        let database = Database::open(dir.path()).unwrap();
        let mut session = session_with_rows(&database, 3000);
        cancel_from_thread_at(&mut session, "loading tuples", 1024);
        assert_canceled(
            session.execute("CREATE INDEX ON items USING hnsw (embedding vector_l2_ops)"),
        );
    }
    let database = Database::open(dir.path()).unwrap();
    assert!(index_names(&database).is_empty());
    assert_eq!(
        count(&mut database.session(), "SELECT count(*) FROM items"),
        3000
    );
}

/// An exact nearest-neighbour scan per row of a series: slow enough to be cancelled.
const SLOW_QUERY: &str = "SELECT g, s.id FROM generate_series(1, 3000) g, \
     LATERAL (SELECT id FROM items ORDER BY embedding <-> ARRAY[g, 1, 2, 3, 4, 5, 6, 7]::vector LIMIT 1) s";

#[test]
fn exact_scans_and_joins_are_cancelled() {
    let database = Database::in_memory();
    let mut session = session_with_rows(&database, 3000);
    assert_canceled(run_while_cancelling(
        &mut session,
        &format!("SELECT count(*) FROM ({SLOW_QUERY}) q"),
    ));
    assert_canceled(run_while_cancelling(
        &mut session,
        "SELECT count(*) FROM generate_series(1, 2000000000)",
    ));
    // INSERT … SELECT adds nothing when its query is cancelled.
    session
        .execute("CREATE TABLE hits (g int, id int)")
        .unwrap();
    assert_canceled(run_while_cancelling(
        &mut session,
        &format!("INSERT INTO hits {SLOW_QUERY}"),
    ));
    assert_eq!(count(&mut session, "SELECT count(*) FROM hits"), 0);
    // A request made between statements does not cancel the next one.
    session.cancel_handle().cancel();
    assert_eq!(count(&mut session, "SELECT count(*) FROM items"), 3000);
}

#[test]
fn endless_recursion_is_cancelled() {
    let database = Database::in_memory();
    let mut session = database.session();
    // Each step produces one row, so only the request ends these.
    assert_canceled(run_while_cancelling(
        &mut session,
        "WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n FROM t) SELECT count(*) FROM t",
    ));
    assert_canceled(run_while_cancelling(
        &mut session,
        "WITH RECURSIVE t(n) AS (SELECT 1::bigint UNION SELECT n + 1 FROM t) \
         SELECT max(n) FROM t",
    ));
    // The session runs the next statement as usual.
    assert_eq!(
        count(
            &mut session,
            "WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 5) \
             SELECT count(*) FROM t"
        ),
        5
    );
}

#[test]
fn iterative_index_scans_are_cancelled() {
    let database = Database::in_memory();
    let mut session = session_with_rows(&database, 2000);
    session
        .execute("CREATE INDEX ON items USING hnsw (embedding vector_l2_ops)")
        .unwrap();
    session
        .execute("SET hnsw.iterative_scan = relaxed_order")
        .unwrap();
    let scan = "SELECT id FROM items WHERE id % 2 = 0 \
                ORDER BY embedding <-> '[1,2,3,4,5,6,7,8]' LIMIT 5";
    let plan = session.execute(&format!("EXPLAIN {scan}")).unwrap();
    let plan = format!("{:?}", plan[0].rows.as_ref().unwrap().rows);
    assert!(plan.contains("Index Scan"), "{plan}");
    let many = format!("SELECT count(*) FROM generate_series(1, 1000000) g, LATERAL ({scan}) s");
    assert_canceled(run_while_cancelling(&mut session, &many));
    assert_eq!(
        session.execute(scan).unwrap()[0]
            .rows
            .as_ref()
            .unwrap()
            .rows
            .len(),
        5
    );
}

#[test]
fn cancelled_copy_adds_no_rows() {
    let database = Database::in_memory();
    let mut session = database.session();
    session
        .execute("CREATE TABLE items (id int, embedding vector(2))")
        .unwrap();
    let data: String = (0..5000).map(|i| format!("{i}\t[{i},1]\n")).collect();
    let cancel = session.cancel_handle();
    session.set_progress_observer(Some(Arc::new(move |p: &Progress<'_>| {
        if p.command.name() == "COPY" && p.done > 0 {
            cancel.cancel();
        }
    })));
    let error = session
        .copy_in("COPY items FROM STDIN", data.as_bytes())
        .unwrap_err();
    assert_eq!(
        (error.sqlstate, error.message.as_str()),
        ("57014", "canceling statement due to user request")
    );
    assert_eq!(count(&mut session, "SELECT count(*) FROM items"), 0);
    session.set_progress_observer(None);
    let result = session
        .copy_in("COPY items FROM STDIN", data.as_bytes())
        .unwrap();
    assert_eq!(result.tag, "COPY 5000");
}

/// Reports of one statement: `(command, target, phase, done, total)`.
type Reports = Arc<Mutex<Vec<(String, String, String, u64, u64)>>>;

fn record(session: &mut Session) -> Reports {
    let reports: Reports = Arc::default();
    let sink = reports.clone();
    session.set_progress_observer(Some(Arc::new(move |p: &Progress<'_>| {
        sink.lock().unwrap().push((
            p.command.name().to_string(),
            p.target.to_string(),
            p.phase.to_string(),
            p.done,
            p.total,
        ));
    })));
    reports
}

/// The phases in order; within each, `done` never goes down and ends at `total`.
fn phases(reports: &Reports) -> Vec<String> {
    let reports = reports.lock().unwrap();
    let mut phases: Vec<String> = Vec::new();
    for (i, (_, _, phase, done, total)) in reports.iter().enumerate() {
        assert!(done <= total);
        if phases.last() != Some(phase) {
            if let Some(previous) = i.checked_sub(1).map(|j| &reports[j]) {
                assert_eq!(previous.3, previous.4, "phase {} ended early", previous.2);
            }
            phases.push(phase.clone());
        } else {
            assert!(
                *done >= reports[i - 1].3,
                "{phase}: {done} after {}",
                reports[i - 1].3
            );
        }
    }
    let last = reports.last().unwrap();
    assert_eq!(last.3, last.4);
    phases
}

#[test]
fn progress_reports_phases_in_order() {
    let database = Database::in_memory();
    let mut session = session_with_rows(&database, 5000);
    let reports = record(&mut session);
    session
        .execute("CREATE INDEX ON items USING hnsw (embedding vector_l2_ops)")
        .unwrap();
    assert_eq!(
        phases(&reports),
        ["initializing", "loading tuples", "calibrating"]
    );
    assert!(reports
        .lock()
        .unwrap()
        .iter()
        .all(|r| r.0 == "CREATE INDEX" && r.1 == "hnsw"));
    assert!(reports.lock().unwrap().len() > 4);

    let reports = record(&mut session);
    session
        .execute("CREATE INDEX ON items USING ivfflat (embedding vector_l2_ops) WITH (lists = 10)")
        .unwrap();
    assert_eq!(
        phases(&reports),
        [
            "initializing",
            "performing k-means",
            "assigning tuples",
            "loading tuples",
            "calibrating"
        ]
    );

    let reports = record(&mut session);
    let data: String = (0..3000)
        .map(|i| format!("{i},\"[{i},1,2,3,4,5,6,7]\"\n"))
        .collect();
    session
        .copy_in("COPY items FROM STDIN WITH (FORMAT csv)", data.as_bytes())
        .unwrap();
    assert_eq!(phases(&reports), ["reading rows"]);
    assert!(reports
        .lock()
        .unwrap()
        .iter()
        .all(|r| r.0 == "COPY" && r.1 == "items"));

    // Statements without progress report nothing.
    let reports = record(&mut session);
    session.execute("SELECT count(*) FROM items").unwrap();
    assert!(reports.lock().unwrap().is_empty());
}
