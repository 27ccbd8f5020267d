//! Running one script through `vecsh` the way pg_regress runs it through psql.
//!
//! pg_regress runs `psql -X -a -q < sql/NAME.sql > results/NAME.out 2>&1` from a directory
//! that has a writable `results/` (pgvector's `copy.sql` writes and reads
//! `results/<type>.bin` there). [`Runner`] does the same: stdin is the script file, stdout
//! and stderr share one open file so that errors land in statement order, and the child's
//! working directory is a fresh directory holding `results/`. Each `vecsh` starts on a fresh
//! in-memory database. A script that runs past the timeout is killed; whatever it printed
//! so far is compared, so the statements it never reached fail instead of hanging the run.

use anyhow::{bail, Context, Result};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// The arguments pg_regress gives psql (no psqlrc, echo all input, quiet).
pub const VECSH_ARGS: &[&str] = &["-X", "-a", "-q"];

/// How often a running child is polled for exit.
const POLL_INTERVAL: Duration = Duration::from_millis(10);

/// Runs scripts through one `vecsh` binary in one working directory.
#[derive(Debug, Clone)]
pub struct Runner {
    /// The `vecsh` binary (an absolute path).
    pub vecsh: PathBuf,
    /// The working directory; `results/` inside it holds the outputs.
    pub work_dir: PathBuf,
    /// The time one script may take before it is killed.
    pub timeout: Duration,
}

/// How a `vecsh` run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunEnd {
    /// It exited by itself.
    Exited(ExitStatus),
    /// It ran past the timeout and was killed.
    TimedOut(Duration),
}

impl RunEnd {
    /// A note for the report when the run did not end normally, else `None`.
    pub fn problem(&self) -> Option<String> {
        match self {
            RunEnd::Exited(status) if status.success() => None,
            RunEnd::Exited(status) => Some(format!("vecsh {status}")),
            RunEnd::TimedOut(limit) => Some(format!(
                "vecsh timed out after {} s and was killed",
                limit.as_secs()
            )),
        }
    }
}

/// What one run printed, and how it ended.
#[derive(Debug, Clone)]
pub struct RunOutput {
    /// stdout and stderr, interleaved as written.
    pub text: String,
    /// How the run ended.
    pub end: RunEnd,
    /// Where the output was written.
    pub output_path: PathBuf,
}

impl Runner {
    /// Empties `work_dir` and creates `work_dir/results/`.
    pub fn prepare_work_dir(&self) -> Result<()> {
        if self.work_dir.exists() {
            std::fs::remove_dir_all(&self.work_dir)
                .with_context(|| format!("cannot empty {}", self.work_dir.display()))?;
        }
        let results = self.work_dir.join("results");
        std::fs::create_dir_all(&results)
            .with_context(|| format!("cannot create {}", results.display()))
    }

    /// Runs `script` (a `.sql` file) and returns its output, also kept in
    /// `results/NAME.out`.
    pub fn run_script(&self, name: &str, script: &Path) -> Result<RunOutput> {
        let output_path = self.work_dir.join("results").join(format!("{name}.out"));
        let output_file = File::create(&output_path)
            .with_context(|| format!("cannot create {}", output_path.display()))?;
        let error_file = output_file
            .try_clone()
            .context("cannot share the output file")?;
        let input =
            File::open(script).with_context(|| format!("cannot open {}", script.display()))?;
        let mut child = Command::new(&self.vecsh)
            .args(VECSH_ARGS)
            .current_dir(&self.work_dir)
            // The environment pg_regress sets for every client.
            .env("PGTZ", "PST8PDT")
            .env("PGDATESTYLE", "Postgres, MDY")
            .env("LC_ALL", "C")
            .stdin(Stdio::from(input))
            .stdout(Stdio::from(output_file))
            .stderr(Stdio::from(error_file))
            .spawn()
            .with_context(|| format!("cannot start {}", self.vecsh.display()))?;
        let started = Instant::now();
        let end = loop {
            if let Some(status) = child.try_wait().context("cannot wait for vecsh")? {
                break RunEnd::Exited(status);
            }
            if started.elapsed() >= self.timeout {
                // The child may exit between the check and the kill; either way it is gone.
                let _ = child.kill();
                child.wait().context("cannot reap the killed vecsh")?;
                break RunEnd::TimedOut(self.timeout);
            }
            std::thread::sleep(POLL_INTERVAL);
        };
        let bytes = std::fs::read(&output_path)
            .with_context(|| format!("cannot read {}", output_path.display()))?;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        Ok(RunOutput {
            text,
            end,
            output_path,
        })
    }
}

/// Builds `vecsh` in release mode with the cargo that runs this command and returns its path.
pub fn build_vecsh(workspace_root: &Path) -> Result<PathBuf> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "--release", "-p", "vec-shell", "--bin", "vecsh"])
        .current_dir(workspace_root)
        .status()
        .context("cannot run cargo to build vecsh")?;
    if !status.success() {
        bail!("building vecsh failed ({status}); pass --vecsh PATH to use a built binary");
    }
    let binary = target_dir(workspace_root)
        .join("release")
        .join(format!("vecsh{}", std::env::consts::EXE_SUFFIX));
    if !binary.is_file() {
        bail!("cargo built vecsh but {} does not exist", binary.display());
    }
    Ok(binary)
}

/// Cargo's target directory: `CARGO_TARGET_DIR` when set, else `target/` in the workspace.
pub fn target_dir(workspace_root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => workspace_root.join(dir),
        None => workspace_root.join("target"),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// A runner whose `vecsh` is a shell script with the given body.
    fn fake_runner(dir: &Path, body: &str, timeout: Duration) -> Runner {
        let vecsh = dir.join("fake-vecsh");
        std::fs::write(&vecsh, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&vecsh, std::fs::Permissions::from_mode(0o755)).unwrap();
        let runner = Runner {
            vecsh,
            work_dir: dir.join("work"),
            timeout,
        };
        runner.prepare_work_dir().unwrap();
        runner
    }

    #[test]
    fn passes_psql_arguments_script_on_stdin_and_merges_stderr() {
        let dir = tempfile::tempdir().unwrap();
        let body = "echo \"args: $*\"; cat; echo 'ERROR:  oops' >&2; echo after";
        let runner = fake_runner(dir.path(), body, Duration::from_secs(30));
        let script = dir.path().join("one.sql");
        std::fs::write(&script, "SELECT 1;\n").unwrap();
        let output = runner.run_script("one", &script).unwrap();
        assert_eq!(
            output.text,
            "args: -X -a -q\nSELECT 1;\nERROR:  oops\nafter\n"
        );
        assert_eq!(output.end.problem(), None);
        assert!(output.output_path.ends_with("results/one.out"));
    }

    #[test]
    fn runs_in_a_directory_with_writable_results() {
        let dir = tempfile::tempdir().unwrap();
        let body = "echo data > results/t.bin && cat results/t.bin";
        let runner = fake_runner(dir.path(), body, Duration::from_secs(30));
        let script = dir.path().join("copy.sql");
        std::fs::write(&script, "").unwrap();
        assert_eq!(runner.run_script("copy", &script).unwrap().text, "data\n");
    }

    #[test]
    fn a_hanging_vecsh_is_killed_and_keeps_its_partial_output() {
        let dir = tempfile::tempdir().unwrap();
        let runner = fake_runner(
            dir.path(),
            "echo started; exec sleep 30",
            Duration::from_millis(300),
        );
        let script = dir.path().join("hang.sql");
        std::fs::write(&script, "SELECT 1;\n").unwrap();
        let started = Instant::now();
        let output = runner.run_script("hang", &script).unwrap();
        assert!(started.elapsed() < Duration::from_secs(10));
        assert_eq!(output.text, "started\n");
        assert!(matches!(output.end, RunEnd::TimedOut(_)));
        assert!(output.end.problem().unwrap().contains("timed out"));
    }

    #[test]
    fn a_crash_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let runner = fake_runner(dir.path(), "echo partial; exit 3", Duration::from_secs(30));
        let script = dir.path().join("crash.sql");
        std::fs::write(&script, "").unwrap();
        let output = runner.run_script("crash", &script).unwrap();
        assert_eq!(output.text, "partial\n");
        assert!(
            output.end.problem().unwrap().contains('3'),
            "{:?}",
            output.end
        );
    }
}
