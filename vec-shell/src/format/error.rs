//! Errors and notices as psql prints them: `ERROR:  message`, then (when the error has a
//! position) `LINE n: …` with the statement line and a caret under the offending
//! character, then `DETAIL:  …`, `HINT:  …` and `CONTEXT:  …`.
//!
//! Long lines are cut as libpq's `reportErrorPosition` cuts them: to 60 columns, keeping
//! at least 10 columns right of the caret, with `...` where text was removed.

use crate::error::EngineError;

const DISPLAY_SIZE: usize = 60;
const MIN_RIGHT_CUT: usize = 10;

/// The full report for an error raised by `statement` (positions are byte offsets into
/// it). The text ends with a newline.
pub fn format_report(error: &EngineError, statement: &str) -> String {
    let mut out = format!("{}:  {}\n", error.severity.label(), error.message);
    if let Some(position) = error.position {
        out.push_str(&position_lines(statement, position));
    }
    if let Some(detail) = &error.detail {
        out.push_str(&format!("DETAIL:  {detail}\n"));
    }
    if let Some(hint) = &error.hint {
        out.push_str(&format!("HINT:  {hint}\n"));
    }
    if let Some(context) = &error.context {
        out.push_str(&format!("CONTEXT:  {context}\n"));
    }
    out
}

/// The `LINE n: …` and caret lines for a byte offset into `statement`.
fn position_lines(statement: &str, position: usize) -> String {
    // Work in characters, with tabs shown as spaces, as libpq does.
    let chars: Vec<char> = statement
        .chars()
        .map(|c| if c == '\t' { ' ' } else { c })
        .collect();
    let mut loc = statement
        .char_indices()
        .take_while(|(i, _)| *i < position)
        .count();
    loc = loc.min(chars.len());
    let mut line_number = 1;
    let mut line_start = 0;
    for (i, c) in chars.iter().enumerate().take(loc) {
        if *c == '\n' {
            line_number += 1;
            line_start = i + 1;
        }
    }
    let mut line_end = chars[line_start..]
        .iter()
        .position(|c| *c == '\n' || *c == '\r')
        .map_or(chars.len(), |p| line_start + p);
    let mut begin = line_start;
    let mut begin_cut = false;
    let mut end_cut = false;
    if line_end - begin > DISPLAY_SIZE {
        if loc - begin + MIN_RIGHT_CUT < DISPLAY_SIZE {
            while line_end - begin > DISPLAY_SIZE {
                line_end -= 1;
                end_cut = true;
            }
        } else {
            while loc + MIN_RIGHT_CUT < line_end {
                line_end -= 1;
                end_cut = true;
            }
            while line_end - begin > DISPLAY_SIZE {
                begin += 1;
                begin_cut = true;
            }
        }
    }
    let prefix = format!("LINE {line_number}: {}", if begin_cut { "..." } else { "" });
    let text: String = chars[begin..line_end].iter().collect();
    let caret_column = prefix.chars().count() + loc.saturating_sub(begin);
    format!(
        "{prefix}{text}{}\n{}^\n",
        if end_cut { "..." } else { "" },
        " ".repeat(caret_column)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caret_under_the_literal() {
        let error = EngineError::new("22P02", "bad").at(7);
        assert_eq!(
            format_report(&error, "SELECT '[1,2'::vector;"),
            "ERROR:  bad\nLINE 1: SELECT '[1,2'::vector;\n               ^\n"
        );
    }

    #[test]
    fn second_line_and_long_lines() {
        let error = EngineError::new("42601", "x").at(12);
        assert_eq!(
            format_report(&error, "SELECT\n  1 +;"),
            "ERROR:  x\nLINE 2:   1 +;\n             ^\n"
        );
        let long = format!("SELECT {} FROM t WHERE zzz;", "a".repeat(100));
        let at = long.find("zzz").unwrap();
        let report = format_report(&EngineError::new("42703", "x").at(at), &long);
        let line = report.lines().nth(1).unwrap();
        assert!(line.starts_with("LINE 1: ..."));
        let caret = report.lines().nth(2).unwrap();
        assert_eq!(line.chars().nth(caret.len() - 1), Some('z'));
    }
}
