//! SQL scripts with expected output in psql's format: every `tests/sql/NAME.sql` runs
//! through `vecsh -X -a -q` (as pg_regress runs psql, standard error merged into standard
//! output in order) on a fresh in-memory database, and its output must equal
//! `tests/expected/NAME.out` byte for byte. Set `VECSH_SCRIPT_FILTER` to run the scripts
//! whose name contains it.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn script_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests")
}

/// Runs one script and returns what vecsh printed on both streams.
fn run_script(script: &Path) -> String {
    let out_dir = tempfile::tempdir().unwrap();
    let out_path = out_dir.path().join("out");
    let out = File::create(&out_path).unwrap();
    let err = out.try_clone().unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_vecsh"))
        .args(["-X", "-a", "-q"])
        // Relative paths in scripts (COPY … FROM 'file') resolve beside the scripts.
        .current_dir(script_dir().join("sql"))
        .stdin(Stdio::from(File::open(script).unwrap()))
        .stdout(Stdio::from(out))
        .stderr(Stdio::from(err))
        .status()
        .expect("vecsh starts");
    assert!(
        status.success(),
        "{} exited with {status}",
        script.display()
    );
    std::fs::read_to_string(&out_path).unwrap()
}

/// The first line where two texts differ, for a readable failure.
fn first_difference(expected: &str, actual: &str) -> String {
    let mut expected_lines = expected.lines();
    let mut actual_lines = actual.lines();
    let mut line = 1;
    loop {
        match (expected_lines.next(), actual_lines.next()) {
            (Some(e), Some(a)) if e == a => line += 1,
            (None, None) => return "(only line endings differ)".to_string(),
            (e, a) => return format!("line {line}:\n  expected: {e:?}\n  actual:   {a:?}"),
        }
    }
}

#[test]
fn scripts_print_their_expected_output() {
    let filter = std::env::var("VECSH_SCRIPT_FILTER").unwrap_or_default();
    let mut scripts: Vec<PathBuf> = std::fs::read_dir(script_dir().join("sql"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "sql"))
        .filter(|path| path.to_string_lossy().contains(&filter))
        .collect();
    scripts.sort();
    assert!(!scripts.is_empty(), "no scripts under tests/sql");
    let mut failures = Vec::new();
    for script in &scripts {
        let name = script.file_stem().unwrap().to_string_lossy().into_owned();
        let expected_path = script_dir().join("expected").join(format!("{name}.out"));
        let expected = std::fs::read_to_string(&expected_path)
            .unwrap_or_else(|_| panic!("{} has no expected output", script.display()));
        let actual = run_script(script);
        if actual != expected {
            failures.push(format!("{name}: {}", first_difference(&expected, &actual)));
        }
    }
    assert!(
        failures.is_empty(),
        "scripts differ:\n{}",
        failures.join("\n")
    );
}
