//! psql's `\dt`, `\di`, `\dx` and `\d` over the wire, compared with what they print on
//! PostgreSQL 15 with pgvector 0.8.6 for the same script (`tests/psql/describe.sql`;
//! the expected output, `describe.out`, was recorded from such a server with psql 15).
//! Skipped, with a message, when psql is not installed.

use std::process::Command;

use vec_shell::server::ServerOptions;

use super::Running;

#[test]
fn describe_commands_print_what_postgresql_prints() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/psql");
    if Command::new("psql").arg("--version").output().is_err() {
        eprintln!("skipped: psql is not installed (apt-get install postgresql-client)");
        return;
    }
    let server = Running::start(ServerOptions::default());
    let output = Command::new("psql")
        .args([
            "-X",
            "-q",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            "vecsh",
        ])
        .args(["-p", &server.address.port().to_string()])
        .args(["-f", &format!("{dir}/describe.sql")])
        .env_remove("PGPASSWORD")
        .env_remove("PGSERVICE")
        .output()
        .unwrap();
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let expected = std::fs::read_to_string(format!("{dir}/describe.out")).unwrap();
    assert_eq!(printed, expected);
}
