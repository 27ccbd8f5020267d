//! The psycopg 3 + pgvector-python golden path (`tests/python/golden_path.py`)
//! against a server in this process; skipped, with a message, when python3, psycopg
//! or pgvector is missing (`.ci/run` installs them).

use std::process::Command;

use vec_shell::server::ServerOptions;

use super::Running;

#[test]
fn psycopg_golden_path() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/golden_path.py");
    let available = Command::new("python3")
        .args(["-c", "import psycopg, pgvector, numpy"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !available {
        eprintln!("skipped: python3 with psycopg, pgvector and numpy is not installed (pip install 'psycopg[binary]' pgvector numpy)");
        return;
    }
    let server = Running::start(ServerOptions::default());
    let output = Command::new("python3")
        .arg(script)
        .env("VECSH_PORT", server.address.port().to_string())
        .env("VECSH_ROWS", "1000")
        .env("VECSH_QUERIES", "20")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("ok: 1000 rows"), "{stdout}");
}
