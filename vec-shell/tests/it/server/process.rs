//! The `vecsh serve` binary: it starts on a free port, serves, stops cleanly on
//! SIGTERM (the open block rolls back, the database closes with a checkpoint and opens
//! again), asks for a SCRAM-SHA-256 password when given one, and speaks TLS when given
//! a certificate (`tests/fixtures/tls`, a self-signed pair made for the tests).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use vec_shell::server::ServerOptions;
use vec_shell::Database;

use super::Running;

/// Starts the binary on a free port; returns it and the port.
fn spawn(args: &[&str]) -> (Child, u16) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vecsh"))
        .arg("serve")
        .args(["--port", "0"])
        .args(args)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let first = lines.next().unwrap().unwrap();
    // "vecsh: listening on 127.0.0.1:PORT (…)"
    let port = first
        .split("127.0.0.1:")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|port| port.parse().ok())
        .unwrap_or_else(|| panic!("unexpected first line: {first}"));
    std::thread::spawn(move || for _ in lines {});
    (child, port)
}

#[cfg(unix)]
#[test]
fn sigterm_stops_the_server_and_keeps_committed_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let (mut child, port) = spawn(&[path.to_str().unwrap()]);
    let config = format!("host=127.0.0.1 port={port} user=me");
    let mut client = postgres::Client::connect(&config, postgres::NoTls).unwrap();
    client
        .batch_execute("CREATE TABLE kept (id int); INSERT INTO kept VALUES (1); BEGIN; INSERT INTO kept VALUES (2)")
        .unwrap();
    let started = Instant::now();
    // SAFETY: kill(2) on the child this test started.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGTERM) }, 0);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the server did not stop"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success());
    let database = Database::open(&path).unwrap();
    let mut session = database.session();
    let rows = session.execute("SELECT count(*) FROM kept").unwrap();
    assert_eq!(
        rows[0].rows.as_ref().unwrap().rows[0][0],
        vec_shell::Datum::Int8(1)
    );
}

#[test]
fn a_password_means_scram() {
    let server = Running::start(ServerOptions {
        password: Some("s3cret".into()),
        ..ServerOptions::default()
    });
    let good = format!("{} password=s3cret", server.config());
    let mut client = postgres::Client::connect(&good, postgres::NoTls).unwrap();
    let one: i32 = client.query_one("SELECT 1", &[]).unwrap().get(0);
    assert_eq!(one, 1);
    let bad = format!("{} password=guess", server.config());
    let Err(error) = postgres::Client::connect(&bad, postgres::NoTls) else {
        panic!("a wrong password was accepted");
    };
    assert_eq!(error.code().unwrap().code(), "28P01");
}

#[test]
fn the_binary_refuses_a_public_address_without_a_password() {
    let output = Command::new(env!("CARGO_BIN_EXE_vecsh"))
        .args(["serve", "--host", "0.0.0.0", "--port", "0"])
        .env_remove("VECSH_PASSWORD")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("refusing to listen on 0.0.0.0 without a password"),
        "{stderr}"
    );
}

#[test]
fn tls_when_configured_and_n_otherwise() {
    if Command::new("psql").arg("--version").output().is_err() {
        eprintln!("skipped: psql is not installed (apt-get install postgresql-client)");
        return;
    }
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tls");
    let config = vec_shell::server::tls::load(
        std::path::Path::new(&format!("{fixtures}/server.crt")),
        std::path::Path::new(&format!("{fixtures}/server.key")),
    )
    .unwrap();
    let psql = |port: u16, mode: &str| {
        Command::new("psql")
            .arg(format!(
                "host=127.0.0.1 port={port} user=me dbname=vecsh sslmode={mode}"
            ))
            .args(["-X", "-A", "-t", "-c", "SELECT 'over tls'"])
            .output()
            .unwrap()
    };
    let secure = Running::start(ServerOptions {
        tls: Some(config),
        ..ServerOptions::default()
    });
    let output = psql(secure.address.port(), "require");
    assert_eq!(String::from_utf8_lossy(&output.stdout), "over tls\n");
    let plain = Running::start(ServerOptions::default());
    let output = psql(plain.address.port(), "require");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("server does not support SSL"));
    let output = psql(plain.address.port(), "prefer");
    assert_eq!(String::from_utf8_lossy(&output.stdout), "over tls\n");
}
