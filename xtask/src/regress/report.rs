//! Printing the results of `cargo xtask regress` and checking its pass-rate floors.
//!
//! Each file gets a `NAME: P/T statements` line, a note when `vecsh` crashed or timed out,
//! and a diff per mismatch (the first [`SHOWN_MISMATCHES`], or all with `--verbose`):
//! unchanged lines start with a space, expected lines with `-` and actual lines with `+`,
//! the way `diff -u` marks them. Very long lines (16,000-dimension vectors) are shortened.

use super::compare::{self, Comparison, DiffLine, Mismatch};
use super::run::RunOutput;
use serde_json::json;
use std::io::{self, Write};

/// Mismatches shown per file without `--verbose`.
pub const SHOWN_MISMATCHES: usize = 3;

/// Diff lines shown per mismatch without `--verbose`.
const SHOWN_DIFF_LINES: usize = 40;

/// Characters of one line shown before it is cut.
const SHOWN_LINE_CHARS: usize = 200;

/// One file's outcome.
#[derive(Debug, Clone)]
pub struct FileReport {
    /// The file's name, without extension.
    pub name: String,
    /// The statement-by-statement comparison.
    pub comparison: Comparison,
    /// How many of its mismatches are accepted failures (counted as passed by the floors).
    pub accepted: usize,
    /// What `vecsh` printed and how it ended.
    pub output: RunOutput,
}

/// The statement counts over all files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// Statements that passed.
    pub passed: usize,
    /// Statements that failed.
    pub failed: usize,
    /// Failed statements that are accepted failures.
    pub accepted: usize,
}

impl Summary {
    /// Adds up the files' counts.
    pub fn of(files: &[FileReport]) -> Summary {
        let passed = files.iter().map(|file| file.comparison.passed).sum();
        let total: usize = files.iter().map(|file| file.comparison.total).sum();
        Summary {
            passed,
            failed: total - passed,
            accepted: files.iter().map(|file| file.accepted).sum(),
        }
    }
}

/// Writes one file's line, its run problem if any, and its mismatches.
pub fn print_file(out: &mut impl Write, file: &FileReport, verbose: bool) -> io::Result<()> {
    let comparison = &file.comparison;
    if file.accepted > 0 {
        writeln!(
            out,
            "{}: {}/{} statements ({} failure(s) accepted)",
            file.name, comparison.passed, comparison.total, file.accepted
        )?;
    } else {
        writeln!(
            out,
            "{}: {}/{} statements",
            file.name, comparison.passed, comparison.total
        )?;
    }
    if let Some(problem) = file.output.end.problem() {
        writeln!(out, "  ({problem})")?;
    }
    let shown = if verbose {
        comparison.mismatches.len()
    } else {
        SHOWN_MISMATCHES
    };
    for mismatch in comparison.mismatches.iter().take(shown) {
        for line in render_mismatch(mismatch, verbose) {
            writeln!(out, "{line}")?;
        }
    }
    let hidden = comparison.mismatches.len().saturating_sub(shown);
    if hidden > 0 {
        writeln!(
            out,
            "  ... and {hidden} more mismatches (--verbose shows all)"
        )?;
    }
    if !comparison.mismatches.is_empty() {
        writeln!(
            out,
            "  output kept in {}",
            file.output.output_path.display()
        )?;
    }
    Ok(())
}

/// The lines shown for one mismatch: a heading naming the statement, then the diff.
pub fn render_mismatch(mismatch: &Mismatch, verbose: bool) -> Vec<String> {
    let statement = &mismatch.statement;
    let first_sql = statement
        .sql_lines()
        .first()
        .map(String::as_str)
        .unwrap_or_default();
    let mut lines = vec![format!(
        "  @@ line {}: {}",
        statement.line,
        shorten(first_sql)
    )];
    let diff: Vec<String> = match (&mismatch.expected, &mismatch.actual) {
        (Some(expected), Some(actual)) => compare::line_diff(expected, actual)
            .into_iter()
            .map(|diff_line| match diff_line {
                DiffLine::Same(line) => format!("   {}", shorten(line)),
                DiffLine::Expected(line) => format!("  -{}", shorten(line)),
                DiffLine::Actual(line) => format!("  +{}", shorten(line)),
            })
            .collect(),
        (Some(expected), None) => {
            lines.push(
                "  (the statement's echo is not in the output: vecsh never reached it)".into(),
            );
            expected
                .iter()
                .map(|line| format!("  -{}", shorten(line)))
                .collect()
        }
        (None, _) => {
            lines.push(
                "  (the statement's echo is not in the expected file: check the suite)".into(),
            );
            Vec::new()
        }
    };
    let limit = if verbose {
        diff.len()
    } else {
        SHOWN_DIFF_LINES
    };
    let hidden = diff.len().saturating_sub(limit);
    lines.extend(diff.into_iter().take(limit));
    if hidden > 0 {
        lines.push(format!("  ... {hidden} more diff lines"));
    }
    lines
}

/// `line` cut to [`SHOWN_LINE_CHARS`] characters, saying how much was left out.
fn shorten(line: &str) -> String {
    let char_count = line.chars().count();
    if char_count <= SHOWN_LINE_CHARS {
        return line.to_string();
    }
    let kept: String = line.chars().take(SHOWN_LINE_CHARS).collect();
    format!(
        "{kept}... [{} more characters]",
        char_count - SHOWN_LINE_CHARS
    )
}

/// The JSON summary: totals, and per file its counts and any run problem.
pub fn json(files: &[FileReport], summary: &Summary) -> serde_json::Value {
    let file_entries: Vec<serde_json::Value> = files
        .iter()
        .map(|file| {
            json!({
                "name": file.name,
                "passed": file.comparison.passed,
                "total": file.comparison.total,
                "accepted": file.accepted,
                "problem": file.output.end.problem(),
            })
        })
        .collect();
    json!({
        "passed": summary.passed,
        "failed": summary.failed,
        "accepted": summary.accepted,
        "files": file_entries,
    })
}

/// Checks the floors: with no `min_pass`, every statement must pass or be accepted; with
/// one, the overall fraction of statements passed or accepted must reach it and every file
/// must reach `min_file_pass` if given. Returns a line per floor missed.
pub fn check_floors(
    files: &[FileReport],
    summary: &Summary,
    min_pass: Option<f64>,
    min_file_pass: Option<f64>,
) -> Vec<String> {
    let Some(min_pass) = min_pass else {
        return match summary.failed - summary.accepted {
            0 => Vec::new(),
            failed => vec![format!(
                "{failed} statements failed (set a floor with --min-pass)"
            )],
        };
    };
    let mut problems = Vec::new();
    let total = summary.passed + summary.failed;
    let passed = summary.passed + summary.accepted;
    if !reaches(passed, total, min_pass) {
        problems.push(format!(
            "overall floor missed: {passed}/{total} statements pass or are accepted ({}), below --min-pass {min_pass}",
            percent(passed, total)
        ));
    }
    if let Some(min_file_pass) = min_file_pass {
        for file in files {
            let Comparison { passed, total, .. } = file.comparison;
            let passed = passed + file.accepted;
            if !reaches(passed, total, min_file_pass) {
                problems.push(format!(
                    "file floor missed: {}: {passed}/{total} statements pass or are accepted ({}), below --min-file-pass {min_file_pass}",
                    file.name,
                    percent(passed, total)
                ));
            }
        }
    }
    problems
}

/// `passed / total >= floor`, with an empty set counting as all passed and a little slack
/// for floors such as 0.9 that binary fractions cannot hold exactly.
fn reaches(passed: usize, total: usize, floor: f64) -> bool {
    total == 0 || passed as f64 >= floor * total as f64 - 1e-9
}

fn percent(passed: usize, total: usize) -> String {
    if total == 0 {
        return "100.0%".into();
    }
    format!("{:.1}%", 100.0 * passed as f64 / total as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::regress::run::RunEnd;
    use std::path::PathBuf;
    use std::time::Duration;

    fn file(name: &str, script: &str, expected: &str, actual: &str) -> FileReport {
        FileReport {
            name: name.into(),
            comparison: compare::compare(script, expected, actual),
            accepted: 0,
            output: RunOutput {
                text: actual.into(),
                end: RunEnd::TimedOut(Duration::from_secs(60)),
                output_path: PathBuf::from("results").join(format!("{name}.out")),
            },
        }
    }

    fn sample() -> Vec<FileReport> {
        let script = "SELECT 1;\nSELECT 2;\n";
        let expected = "SELECT 1;\none\nSELECT 2;\ntwo\n";
        vec![
            file("good", script, expected, expected),
            file("bad", script, expected, "SELECT 1;\none\nSELECT 2;\nTWO\n"),
        ]
    }

    #[test]
    fn sums_statements_over_files() {
        assert_eq!(
            Summary::of(&sample()),
            Summary {
                passed: 3,
                failed: 1,
                accepted: 0
            }
        );
    }

    #[test]
    fn accepted_failures_count_as_passed_for_the_floors() {
        let mut files = sample();
        files[1].accepted = 1;
        let summary = Summary::of(&files);
        assert_eq!(summary.accepted, 1);
        assert!(check_floors(&files, &summary, None, None).is_empty());
        assert!(check_floors(&files, &summary, Some(1.0), Some(1.0)).is_empty());
        let mut printed = Vec::new();
        print_file(&mut printed, &files[1], false).unwrap();
        let printed = String::from_utf8(printed).unwrap();
        assert!(
            printed.starts_with("bad: 1/2 statements (1 failure(s) accepted)\n"),
            "{printed}"
        );
    }

    #[test]
    fn floors_pass_and_fail_as_stated() {
        let files = sample();
        let summary = Summary::of(&files);
        assert_eq!(check_floors(&files, &summary, None, None).len(), 1);
        assert!(check_floors(&files, &summary, Some(0.75), None).is_empty());
        let overall = check_floors(&files, &summary, Some(0.8), None);
        assert!(
            overall[0].starts_with("overall floor missed: 3/4"),
            "{overall:?}"
        );
        let per_file = check_floors(&files, &summary, Some(0.5), Some(0.6));
        assert_eq!(per_file.len(), 1);
        assert!(per_file[0].contains("bad: 1/2"), "{per_file:?}");
    }

    #[test]
    fn renders_a_mismatch_as_a_marked_diff() {
        let files = sample();
        let lines = render_mismatch(&files[1].comparison.mismatches[0], false);
        assert_eq!(
            lines,
            ["  @@ line 2: SELECT 2;", "   SELECT 2;", "  -two", "  +TWO"]
        );
    }

    #[test]
    fn prints_the_count_line_the_run_problem_and_the_diff() {
        let mut printed = Vec::new();
        print_file(&mut printed, &sample()[1], false).unwrap();
        let printed = String::from_utf8(printed).unwrap();
        let expected = "bad: 1/2 statements\n  (vecsh timed out after 60 s and was killed)\n";
        assert!(printed.starts_with(expected), "{printed}");
        assert!(printed.contains("\n  -two\n  +TWO\n"), "{printed}");
        assert!(
            printed.ends_with("output kept in results/bad.out\n"),
            "{printed}"
        );
    }

    #[test]
    fn shortens_huge_lines() {
        let shown = shorten(&"9".repeat(1000));
        assert!(shown.ends_with("... [800 more characters]"));
        assert!(shown.len() < 300);
    }

    #[test]
    fn writes_per_file_counts_as_json() {
        let files = sample();
        let value = json(&files, &Summary::of(&files));
        assert_eq!(value["passed"], 3);
        assert_eq!(value["files"][1]["name"], "bad");
        assert_eq!(value["files"][1]["passed"], 1);
        assert_eq!(value["files"][1]["total"], 2);
        assert!(value["files"][0]["problem"]
            .as_str()
            .unwrap()
            .contains("timed out"));
    }
}
