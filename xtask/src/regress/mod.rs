//! `cargo xtask regress`: pgvector's SQL regression files run through `vecsh` and compared
//! statement by statement with pgvector's expected psql output.
//!
//! The command builds `vecsh` (or takes `--vecsh PATH`), runs every `sql/NAME.sql` of the
//! suite directory as pg_regress runs psql ([`run`]), cuts both the expected and the actual
//! output into one block per statement ([`split`]) and compares the blocks ([`compare`]).
//! [`report`] prints `NAME: P/T statements` per file with diffs of the first mismatches,
//! the closing `N passed, M failed` line, and checks the pass-rate floors that CI uses.
//! `xtask/REGRESS.md` documents the command and lists the accepted failures.

pub mod accepted;
pub mod compare;
pub mod report;
pub mod run;
pub mod split;

use anyhow::{bail, Context, Result};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

/// The usage text of `cargo xtask regress`.
pub const USAGE: &str = "\
usage: cargo xtask regress [OPTIONS] [DIR] [NAME...]

Runs DIR/sql/NAME.sql through `vecsh -X -a -q` and compares with DIR/expected/NAME.out,
statement by statement. DIR defaults to the `shared/pgvector-regress` folder beside the
workspace root; NAMEs select files (default: all).

options:
  --vecsh PATH            use this vecsh binary instead of building it
  --verbose, -v           show every mismatch (default: the first 3 per file)
  --min-pass FRACTION     exit 0 when at least this fraction of statements pass
  --min-file-pass FRACTION  with --min-pass: also require it of every file
  --accepted FILE         count the statements listed under \"Accepted failures\" in
                          this Markdown file (xtask/REGRESS.md) as passed for the floors
  --json FILE             write per-file counts as JSON
  --timeout SECONDS       kill vecsh after this long per file (default 60)";

/// The parsed command line.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// The suite directory, holding `sql/` and `expected/`.
    pub dir: PathBuf,
    /// The files to run, by name without extension; empty means all.
    pub names: Vec<String>,
    /// A prebuilt `vecsh`; `None` builds it with cargo.
    pub vecsh: Option<PathBuf>,
    /// Show every mismatch instead of the first few per file.
    pub verbose: bool,
    /// The overall pass fraction that makes the exit status 0; `None` requires all to pass.
    pub min_pass: Option<f64>,
    /// The pass fraction every file must reach when `min_pass` is given.
    pub min_file_pass: Option<f64>,
    /// Where to write the JSON summary.
    pub json: Option<PathBuf>,
    /// The Markdown file listing the accepted failures.
    pub accepted: Option<PathBuf>,
    /// The time one file may take.
    pub timeout: Duration,
}

impl Options {
    /// Parses the arguments after `regress`. A positional argument that is a directory
    /// holding `sql/` is the suite directory; any other is a file name.
    pub fn parse(args: &[String], workspace_root: &Path) -> Result<Options> {
        let mut options = Options {
            dir: default_suite_dir(workspace_root),
            names: Vec::new(),
            vecsh: None,
            verbose: false,
            min_pass: None,
            min_file_pass: None,
            json: None,
            accepted: None,
            timeout: Duration::from_secs(60),
        };
        let mut dir_given = false;
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let mut value = |flag: &str| {
                args.next()
                    .cloned()
                    .with_context(|| format!("{flag} needs a value"))
            };
            match arg.as_str() {
                "--vecsh" => options.vecsh = Some(PathBuf::from(value(arg)?)),
                "--verbose" | "-v" => options.verbose = true,
                "--min-pass" => options.min_pass = Some(parse_fraction(arg, &value(arg)?)?),
                "--min-file-pass" => {
                    options.min_file_pass = Some(parse_fraction(arg, &value(arg)?)?)
                }
                "--json" => options.json = Some(PathBuf::from(value(arg)?)),
                "--accepted" => options.accepted = Some(PathBuf::from(value(arg)?)),
                "--timeout" => {
                    let text = value(arg)?;
                    let seconds: f64 =
                        text.parse()
                            .ok()
                            .filter(|s: &f64| *s > 0.0)
                            .with_context(|| {
                                format!(
                                    "--timeout wants a positive number of seconds, not {text:?}"
                                )
                            })?;
                    options.timeout = Duration::from_secs_f64(seconds);
                }
                flag if flag.starts_with('-') => bail!("unknown option {flag}\n\n{USAGE}"),
                positional if Path::new(positional).join("sql").is_dir() => {
                    if dir_given {
                        bail!("more than one suite directory given");
                    }
                    dir_given = true;
                    options.dir = PathBuf::from(positional);
                }
                positional => options.names.push(file_name_of(positional)),
            }
        }
        if options.min_file_pass.is_some() && options.min_pass.is_none() {
            bail!("--min-file-pass needs --min-pass");
        }
        Ok(options)
    }
}

/// `sql/NAME.sql`, `NAME.sql` and `NAME` all name the file `NAME`.
fn file_name_of(arg: &str) -> String {
    let base = Path::new(arg)
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or(arg);
    base.strip_suffix(".sql")
        .or_else(|| base.strip_suffix(".out"))
        .unwrap_or(base)
        .to_string()
}

fn parse_fraction(flag: &str, text: &str) -> Result<f64> {
    match text.parse::<f64>() {
        Ok(fraction) if (0.0..=1.0).contains(&fraction) => Ok(fraction),
        _ => bail!("{flag} wants a fraction between 0 and 1, not {text:?}"),
    }
}

/// `shared/pgvector-regress` beside the workspace root, where developers and CI keep it.
pub fn default_suite_dir(workspace_root: &Path) -> PathBuf {
    workspace_root
        .parent()
        .unwrap_or(workspace_root)
        .join("shared")
        .join("pgvector-regress")
}

/// The names of the suite's files: those with both `sql/NAME.sql` and `expected/NAME.out`,
/// sorted.
pub fn suite_names(dir: &Path) -> Result<Vec<String>> {
    let sql_dir = dir.join("sql");
    let entries = std::fs::read_dir(&sql_dir)
        .with_context(|| format!("cannot read {}", sql_dir.display()))?;
    let mut names = Vec::new();
    for entry in entries {
        let path = entry?.path();
        let Some(name) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".sql"))
        else {
            continue;
        };
        if dir.join("expected").join(format!("{name}.out")).is_file() {
            names.push(name.to_string());
        }
    }
    names.sort();
    Ok(names)
}

/// Runs the command with the arguments after `regress`.
pub fn main(args: &[String], workspace_root: &Path) -> Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    if args.iter().any(|arg| arg == "--help" || arg == "-h") {
        writeln!(out, "{USAGE}")?;
        return Ok(ExitCode::SUCCESS);
    }
    let options = Options::parse(args, workspace_root)?;
    let available = suite_names(&options.dir)?;
    let names = if options.names.is_empty() {
        available
    } else {
        for name in &options.names {
            if !available.contains(name) {
                bail!(
                    "no file {name} in {} (there are: {})",
                    options.dir.display(),
                    available.join(", ")
                );
            }
        }
        options.names.clone()
    };
    let vecsh = match &options.vecsh {
        Some(path) => std::fs::canonicalize(path)
            .with_context(|| format!("no vecsh binary at {}", path.display()))?,
        None => run::build_vecsh(workspace_root)?,
    };
    let runner = run::Runner {
        vecsh,
        work_dir: run::target_dir(workspace_root).join("regress"),
        timeout: options.timeout,
    };
    let accepted = match &options.accepted {
        Some(path) => {
            let accepted = accepted::Accepted::read(path)?;
            writeln!(
                out,
                "{} accepted failures listed in {}",
                accepted.len(),
                path.display()
            )?;
            accepted
        }
        None => accepted::Accepted::default(),
    };
    runner.prepare_work_dir()?;
    let mut files = Vec::new();
    for name in &names {
        let script_path = options.dir.join("sql").join(format!("{name}.sql"));
        let expected_path = options.dir.join("expected").join(format!("{name}.out"));
        let script = read(&script_path)?;
        let expected = read(&expected_path)?;
        let output = runner.run_script(name, &std::fs::canonicalize(&script_path)?)?;
        let comparison = compare::compare(&script, &expected, &output.text);
        let accepted = comparison
            .mismatches
            .iter()
            .filter(|mismatch| accepted.contains(name, mismatch.statement.line))
            .count();
        let file = report::FileReport {
            name: name.clone(),
            comparison,
            accepted,
            output,
        };
        report::print_file(&mut out, &file, options.verbose)?;
        out.flush()?;
        files.push(file);
    }
    let summary = report::Summary::of(&files);
    if summary.accepted > 0 {
        writeln!(
            out,
            "{} passed, {} failed ({} of them accepted, see --accepted)",
            summary.passed, summary.failed, summary.accepted
        )?;
    } else {
        writeln!(out, "{} passed, {} failed", summary.passed, summary.failed)?;
    }
    if let Some(json_path) = &options.json {
        let text = serde_json::to_string_pretty(&report::json(&files, &summary))?;
        std::fs::write(json_path, text + "\n")
            .with_context(|| format!("cannot write {}", json_path.display()))?;
    }
    let floor_problems =
        report::check_floors(&files, &summary, options.min_pass, options.min_file_pass);
    for problem in &floor_problems {
        eprintln!("regress: {problem}");
    }
    Ok(if floor_problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// pgvector's suite directory, or `None` (with a note) when it is not beside the workspace.
    pub(crate) fn suite_dir() -> Option<std::path::PathBuf> {
        let dir = default_suite_dir(&crate::tidy::workspace_root());
        if dir.join("sql").is_dir() {
            Some(dir)
        } else {
            eprintln!(
                "note: {} is absent; skipping the tests on pgvector's files",
                dir.display()
            );
            None
        }
    }

    fn parse(args: &[&str]) -> Result<Options> {
        let args: Vec<String> = args.iter().map(|arg| arg.to_string()).collect();
        Options::parse(&args, Path::new("/nowhere/project"))
    }

    #[test]
    fn defaults_to_the_shared_folder_beside_the_workspace() {
        let options = parse(&[]).unwrap();
        assert_eq!(options.dir, Path::new("/nowhere/shared/pgvector-regress"));
        assert_eq!(options.timeout, Duration::from_secs(60));
        assert!(options.names.is_empty() && options.min_pass.is_none() && !options.verbose);
    }

    #[test]
    fn parses_names_floors_and_flags() {
        let options = parse(&[
            "vector_type",
            "sql/copy.sql",
            "--min-pass",
            "0.9",
            "--min-file-pass",
            "0.5",
            "-v",
            "--json",
            "out.json",
            "--timeout",
            "5",
            "--accepted",
            "xtask/REGRESS.md",
            "--vecsh",
            "bin/vecsh",
        ])
        .unwrap();
        assert_eq!(options.names, ["vector_type", "copy"]);
        assert_eq!(options.min_pass, Some(0.9));
        assert_eq!(options.min_file_pass, Some(0.5));
        assert!(options.verbose);
        assert_eq!(options.json.as_deref(), Some(Path::new("out.json")));
        assert_eq!(options.timeout, Duration::from_secs(5));
        assert_eq!(
            options.accepted.as_deref(),
            Some(Path::new("xtask/REGRESS.md"))
        );
        assert_eq!(options.vecsh.as_deref(), Some(Path::new("bin/vecsh")));
    }

    #[test]
    fn takes_a_directory_with_sql_as_the_suite() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sql")).unwrap();
        let dir_arg = dir.path().to_str().unwrap();
        let options = parse(&[dir_arg, "bit"]).unwrap();
        assert_eq!(options.dir, dir.path());
        assert_eq!(options.names, ["bit"]);
    }

    #[test]
    fn rejects_bad_arguments() {
        assert!(parse(&["--min-pass", "1.5"]).is_err());
        assert!(parse(&["--min-pass"]).is_err());
        assert!(parse(&["--min-file-pass", "0.5"]).is_err());
        assert!(parse(&["--timeout", "-1"]).is_err());
        let error = parse(&["--frobnicate"]).unwrap_err().to_string();
        assert!(error.contains("unknown option --frobnicate"), "{error}");
    }
}
