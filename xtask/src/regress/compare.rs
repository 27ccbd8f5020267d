//! Comparing expected and actual output of one script, statement by statement.
//!
//! Both outputs are cut into blocks with [`split::locate_blocks`]; a statement passes when
//! both blocks were found and are identical line for line (its echo included). Mismatches
//! keep both blocks so that the report can show a line diff ([`line_diff`], a plain
//! longest-common-subsequence diff: the blocks are short).

use super::split::{self, Statement};

/// The result of comparing one script's outputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    /// The number of statements (units) in the script.
    pub total: usize,
    /// The statements whose blocks are identical.
    pub passed: usize,
    /// Every failing statement, in script order.
    pub mismatches: Vec<Mismatch>,
}

/// One failing statement with both of its blocks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// The statement as split from the script.
    pub statement: Statement,
    /// The expected block, or `None` if the expected file lacks the statement's echo.
    pub expected: Option<Vec<String>>,
    /// The actual block, or `None` if the actual output lacks the statement's echo.
    pub actual: Option<Vec<String>>,
}

/// Compares `actual` with `expected` over the statements of `script`.
pub fn compare(script: &str, expected: &str, actual: &str) -> Comparison {
    let statements = split::split_script(script);
    let expected_lines = split::output_lines(expected);
    let actual_lines = split::output_lines(actual);
    let expected_blocks = split::locate_blocks(&expected_lines, &statements);
    let actual_blocks = split::locate_blocks(&actual_lines, &statements);
    let mut passed = 0;
    let mut mismatches = Vec::new();
    let total = statements.len();
    for ((statement, expected_range), actual_range) in statements
        .into_iter()
        .zip(expected_blocks)
        .zip(actual_blocks)
    {
        let expected_block = expected_range.map(|range| &expected_lines[range]);
        let actual_block = actual_range.map(|range| &actual_lines[range]);
        match (expected_block, actual_block) {
            (Some(expected_block), Some(actual_block)) if expected_block == actual_block => {
                passed += 1;
            }
            (expected_block, actual_block) => mismatches.push(Mismatch {
                statement,
                expected: expected_block.map(to_owned_lines),
                actual: actual_block.map(to_owned_lines),
            }),
        }
    }
    Comparison {
        total,
        passed,
        mismatches,
    }
}

fn to_owned_lines(lines: &[&str]) -> Vec<String> {
    lines.iter().map(|line| line.to_string()).collect()
}

/// One line of a diff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiffLine<'a> {
    /// In both.
    Same(&'a str),
    /// Only in the expected block.
    Expected(&'a str),
    /// Only in the actual block.
    Actual(&'a str),
}

/// Blocks larger than this many line pairs are shown as a whole rather than diffed.
const MAX_DIFF_CELLS: usize = 4_000_000;

/// A line diff from `expected` to `actual`: shared lines in order, removed lines before the
/// added lines that replace them.
pub fn line_diff<'a>(expected: &'a [String], actual: &'a [String]) -> Vec<DiffLine<'a>> {
    if expected.len().saturating_mul(actual.len()) > MAX_DIFF_CELLS {
        let removed = expected.iter().map(|line| DiffLine::Expected(line));
        return removed
            .chain(actual.iter().map(|line| DiffLine::Actual(line)))
            .collect();
    }
    // common[i][j] = length of the longest common subsequence of expected[i..], actual[j..].
    let width = actual.len() + 1;
    let mut common = vec![0usize; (expected.len() + 1) * width];
    for expected_idx in (0..expected.len()).rev() {
        for actual_idx in (0..actual.len()).rev() {
            common[expected_idx * width + actual_idx] =
                if expected[expected_idx] == actual[actual_idx] {
                    common[(expected_idx + 1) * width + actual_idx + 1] + 1
                } else {
                    common[(expected_idx + 1) * width + actual_idx]
                        .max(common[expected_idx * width + actual_idx + 1])
                };
        }
    }
    let mut diff = Vec::with_capacity(expected.len() + actual.len());
    let (mut expected_idx, mut actual_idx) = (0, 0);
    while expected_idx < expected.len() && actual_idx < actual.len() {
        if expected[expected_idx] == actual[actual_idx] {
            diff.push(DiffLine::Same(&expected[expected_idx]));
            expected_idx += 1;
            actual_idx += 1;
        } else if common[(expected_idx + 1) * width + actual_idx]
            >= common[expected_idx * width + actual_idx + 1]
        {
            diff.push(DiffLine::Expected(&expected[expected_idx]));
            expected_idx += 1;
        } else {
            diff.push(DiffLine::Actual(&actual[actual_idx]));
            actual_idx += 1;
        }
    }
    diff.extend(
        expected[expected_idx..]
            .iter()
            .map(|line| DiffLine::Expected(line)),
    );
    diff.extend(
        actual[actual_idx..]
            .iter()
            .map(|line| DiffLine::Actual(line)),
    );
    diff
}

#[cfg(test)]
#[path = "compare_tests.rs"]
mod tests;
