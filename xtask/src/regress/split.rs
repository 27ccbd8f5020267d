//! Splitting a regression script, and psql-style output of it, into per-statement blocks.
//!
//! `psql -a` reads its input line by line, echoes each line as soon as it is read (empty lines
//! are skipped unless they fall inside a quote or a block comment), and runs every statement
//! that the line completes before it reads the next one. So the output of a script is a
//! sequence of echoed lines, each run of them followed by the output of the statements it
//! completed. [`split_script`] reproduces psql's lexing closely enough to know where those
//! runs end: a `;` outside quotes, comments and parentheses ends a statement, and a backslash
//! outside them starts a meta-command that takes the rest of the line. [`locate_blocks`]
//! then finds each statement's echo in an output, in order, and cuts the output there.

use std::ops::Range;

/// One unit of a script: the lines psql echoes before it runs one or more statements.
///
/// A unit ends at the end of the first line that completes a statement or meta-command.
/// Leading comment lines belong to the unit they precede. Two statements on one line form
/// one unit, since psql echoes the line once and then prints both outputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The 1-based line number in the script of the first line holding SQL or a
    /// meta-command (after any leading comment lines).
    pub line: usize,
    /// The lines psql echoes for this unit, leading comments included, empty lines left out.
    pub echo: Vec<String>,
    /// The index in `echo` of the first line holding SQL or a meta-command.
    pub sql_start: usize,
}

impl Statement {
    /// The statement's own lines, without the comment lines that precede it.
    pub fn sql_lines(&self) -> &[String] {
        &self.echo[self.sql_start..]
    }
}

/// The lexer state that carries from one line to the next.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Mode {
    Normal,
    /// Inside `'...'`; `backslash_escapes` for `E'...'` strings.
    SingleQuote {
        backslash_escapes: bool,
    },
    /// Inside a `"..."` identifier.
    DoubleQuote,
    /// Inside `$tag$...$tag$`; holds the whole delimiter.
    Dollar(String),
    /// Inside `/* ... */`, which nests in PostgreSQL; holds the depth.
    BlockComment(usize),
}

/// What scanning one line found.
struct LineScan {
    /// The line held SQL text or a meta-command (not only whitespace and comments).
    has_content: bool,
    /// At least one statement or meta-command was completed, so psql runs something now.
    completes: bool,
}

/// psql's query-buffer state while reading a script.
struct Scanner {
    mode: Mode,
    paren_depth: usize,
    /// The query buffer holds SQL that has not been sent yet.
    buffer_has_sql: bool,
}

impl Scanner {
    fn new() -> Self {
        Scanner {
            mode: Mode::Normal,
            paren_depth: 0,
            buffer_has_sql: false,
        }
    }

    /// True when an empty line here would still be echoed (psql's `psql_scan_in_quote`).
    fn in_quote_or_comment(&self) -> bool {
        self.mode != Mode::Normal
    }

    fn scan_line(&mut self, line: &str) -> LineScan {
        let chars: Vec<char> = line.chars().collect();
        let mut scan = LineScan {
            has_content: false,
            completes: false,
        };
        let mut idx = 0;
        while idx < chars.len() {
            let current = chars[idx];
            let next = chars.get(idx + 1).copied();
            match &mut self.mode {
                Mode::SingleQuote { backslash_escapes } => {
                    scan.has_content = true;
                    if current == '\\' && *backslash_escapes {
                        idx += 1;
                    } else if current == '\'' {
                        if next == Some('\'') {
                            idx += 1;
                        } else {
                            self.mode = Mode::Normal;
                        }
                    }
                }
                Mode::DoubleQuote => {
                    scan.has_content = true;
                    if current == '"' {
                        if next == Some('"') {
                            idx += 1;
                        } else {
                            self.mode = Mode::Normal;
                        }
                    }
                }
                Mode::Dollar(delimiter) => {
                    scan.has_content = true;
                    let delimiter_chars: Vec<char> = delimiter.chars().collect();
                    if chars[idx..].starts_with(&delimiter_chars) {
                        idx += delimiter_chars.len() - 1;
                        self.mode = Mode::Normal;
                    }
                }
                Mode::BlockComment(depth) => {
                    if current == '/' && next == Some('*') {
                        *depth += 1;
                        idx += 1;
                    } else if current == '*' && next == Some('/') {
                        *depth -= 1;
                        idx += 1;
                        if *depth == 0 {
                            self.mode = Mode::Normal;
                        }
                    }
                }
                Mode::Normal => {
                    if current == '-' && next == Some('-') {
                        break;
                    }
                    if current == '\\' {
                        // A meta-command takes the rest of the line. With an empty query
                        // buffer it runs on its own; `\g` and friends also send the buffer.
                        let command: String = chars[idx + 1..].iter().collect();
                        scan.has_content = true;
                        if !self.buffer_has_sql || command.starts_with('g') {
                            scan.completes = true;
                            self.buffer_has_sql = false;
                            self.paren_depth = 0;
                        }
                        break;
                    }
                    self.scan_normal_char(&chars, &mut idx, &mut scan);
                }
            }
            idx += 1;
        }
        scan
    }

    /// Handles one character outside quotes and comments; may move `idx` past a token.
    fn scan_normal_char(&mut self, chars: &[char], idx: &mut usize, scan: &mut LineScan) {
        let current = chars[*idx];
        let next = chars.get(*idx + 1).copied();
        let previous = (*idx > 0).then(|| chars[*idx - 1]);
        if current.is_whitespace() {
            return;
        }
        if current == '/' && next == Some('*') {
            self.mode = Mode::BlockComment(1);
            *idx += 1;
            return;
        }
        scan.has_content = true;
        match current {
            ';' if self.paren_depth == 0 => {
                scan.completes = true;
                self.buffer_has_sql = false;
                return;
            }
            '\'' => {
                // `E'...'` (a lone `E` or `e` just before the quote) allows backslash escapes.
                let escape_prefix = matches!(previous, Some('E' | 'e'))
                    && (*idx < 2 || !is_identifier_char(chars[*idx - 2]));
                self.mode = Mode::SingleQuote {
                    backslash_escapes: escape_prefix,
                };
            }
            '"' => self.mode = Mode::DoubleQuote,
            '$' if !previous.is_some_and(is_identifier_char) => {
                if let Some(delimiter) = dollar_delimiter(&chars[*idx..]) {
                    *idx += delimiter.chars().count() - 1;
                    self.mode = Mode::Dollar(delimiter);
                }
            }
            '(' => self.paren_depth += 1,
            ')' => self.paren_depth = self.paren_depth.saturating_sub(1),
            _ => {}
        }
        self.buffer_has_sql = true;
    }
}

fn is_identifier_char(character: char) -> bool {
    character.is_alphanumeric() || character == '_' || character == '$'
}

/// The `$tag$` delimiter starting at `chars[0]`, if there is one (`$1` is a parameter).
fn dollar_delimiter(chars: &[char]) -> Option<String> {
    let mut end = 1;
    while end < chars.len() && chars[end] != '$' {
        let character = chars[end];
        let allowed = character == '_'
            || character.is_alphabetic()
            || (end > 1 && character.is_ascii_digit());
        if !allowed {
            return None;
        }
        end += 1;
    }
    (end < chars.len()).then(|| chars[..=end].iter().collect())
}

/// Splits a script into the units psql echoes and runs, in order.
///
/// Trailing lines that complete nothing are dropped when they hold only comments (their echo
/// then falls into the last unit's output block); an unterminated statement at the end is
/// kept, since psql runs it at end of input.
pub fn split_script(script: &str) -> Vec<Statement> {
    let mut scanner = Scanner::new();
    let mut statements = Vec::new();
    let mut echo = Vec::new();
    let mut first_sql: Option<(usize, usize)> = None;
    for (line_idx, line) in script.lines().enumerate() {
        if line.is_empty() && !scanner.in_quote_or_comment() {
            continue;
        }
        let scan = scanner.scan_line(line);
        if scan.has_content && first_sql.is_none() {
            first_sql = Some((line_idx + 1, echo.len()));
        }
        echo.push(line.to_string());
        if scan.completes {
            let (line, sql_start) = first_sql.take().unwrap_or((line_idx + 1, 0));
            statements.push(Statement {
                line,
                echo: std::mem::take(&mut echo),
                sql_start,
            });
        }
    }
    if let Some((line, sql_start)) = first_sql {
        statements.push(Statement {
            line,
            echo,
            sql_start,
        });
    }
    statements
}

/// Splits text into lines the way a line diff sees them: on `\n` only, so that a stray `\r`
/// still counts as a difference.
pub fn output_lines(text: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = text.split('\n').collect();
    if lines.last() == Some(&"") {
        lines.pop();
    }
    lines
}

/// Finds each statement's block in `lines`: the range from its echo up to the next found
/// echo (or the end). `None` means the echo was not found, as after a crash.
///
/// Echoes are searched in order from the end of the previous one. An echo found only beyond
/// the next statement's echo counts as missing, so that one lost echo does not make the
/// search skip ahead to a later identical statement (`DROP TABLE t;` recurs often). Lines
/// before the first echo belong to the first statement's block, so stray output there fails
/// it rather than vanishing.
pub fn locate_blocks(lines: &[&str], statements: &[Statement]) -> Vec<Option<Range<usize>>> {
    let mut starts: Vec<Option<usize>> = Vec::with_capacity(statements.len());
    let mut cursor = 0;
    for (statement_idx, statement) in statements.iter().enumerate() {
        let found = find_echo(lines, &statement.echo, cursor);
        let next_found = statements
            .get(statement_idx + 1)
            .and_then(|next| find_echo(lines, &next.echo, cursor));
        match (found, next_found) {
            (Some(start), Some(next_start)) if next_start < start => starts.push(None),
            (Some(start), _) => {
                starts.push(Some(start));
                cursor = start + statement.echo.len();
            }
            (None, _) => starts.push(None),
        }
    }
    let mut blocks = vec![None; statements.len()];
    let mut end = lines.len();
    for (statement_idx, start) in starts.iter().enumerate().rev() {
        if let Some(start) = *start {
            let start = if statement_idx == 0 { 0 } else { start };
            blocks[statement_idx] = Some(start..end);
            end = start;
        }
    }
    blocks
}

/// The first index at or after `from` where `echo` appears as consecutive whole lines.
fn find_echo(lines: &[&str], echo: &[String], from: usize) -> Option<usize> {
    if echo.is_empty() || lines.len() < echo.len() {
        return None;
    }
    (from..=lines.len() - echo.len()).find(|&start| {
        echo.iter()
            .zip(&lines[start..])
            .all(|(wanted, line)| wanted == line)
    })
}

#[cfg(test)]
#[path = "split_tests.rs"]
mod tests;
