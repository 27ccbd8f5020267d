//! psql's `\dt`, `\di`, `\dx`, `\dn`, `\d`, `\d NAME` and `\d+ NAME` over the wire,
//! compared with what they print on PostgreSQL 15 with pgvector 0.8.6 for the same
//! scripts (`tests/psql/NAME.sql`; the expected output, `NAME.out`, was recorded from
//! such a server with psql 15). Skipped, with a message, when psql is not installed.

use std::process::Command;

use vec_shell::server::ServerOptions;

use super::Running;

#[test]
fn describe_commands_print_what_postgresql_prints() {
    run_script("describe");
}

/// `\d items` and `\d+ items` run psql's catalog queries (`OPERATOR(pg_catalog.~)`,
/// `COLLATE`, `pg_attrdef`, `pg_constraint`, `pg_get_indexdef`, the policy,
/// statistics, publication and inheritance catalogs) on a table with every kind of
/// column default and constraint vecsh has.
#[test]
fn describe_table_prints_what_postgresql_prints() {
    run_script("describe_table");
}

/// Runs `tests/psql/NAME.sql` through psql against a fresh server and compares what
/// it prints with `NAME.out`.
fn run_script(name: &str) {
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
        .args(["-f", &format!("{dir}/{name}.sql")])
        .env_remove("PGPASSWORD")
        .env_remove("PGSERVICE")
        .output()
        .unwrap();
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let expected = std::fs::read_to_string(format!("{dir}/{name}.out")).unwrap();
    assert_eq!(printed, expected);
}
