//! The interactive loop: rustyline with a history file, Tab completion of keywords and
//! table names, psql's `%/%R%x%# ` prompt (`vecsh=>`, which becomes `vecsh->` or shows
//! the open quote while a statement continues, with `*` inside a transaction block and
//! `!` in an aborted one), and Ctrl-C discarding the statement being typed (while a
//! statement runs, Ctrl-C cancels it instead: see `interrupt`).

use rustyline::completion::Completer;
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::DefaultHistory;
use rustyline::validate::Validator;
use rustyline::{Context, Editor, Helper};

use super::runner::{Flow, Shell};
use super::scanner::StatementScanner;
use crate::session::Session;

/// Words offered by Tab completion (besides table names).
const KEYWORDS: &[&str] = &[
    "ANALYZE",
    "AND",
    "AS",
    "ASC",
    "BY",
    "CONFLICT",
    "COPY",
    "COUNT",
    "CREATE",
    "DELETE",
    "DESC",
    "DROP",
    "EXISTS",
    "EXPLAIN",
    "EXTENSION",
    "FORMAT",
    "FROM",
    "GROUP",
    "HAVING",
    "HNSW",
    "IF",
    "INDEX",
    "INSERT",
    "INTO",
    "IS",
    "JOIN",
    "LATERAL",
    "IVFFLAT",
    "LIMIT",
    "NOT",
    "NULL",
    "OFFSET",
    "ON",
    "OR",
    "ORDER",
    "PRIMARY",
    "KEY",
    "RESET",
    "RETURNING",
    "SELECT",
    "SET",
    "SHOW",
    "STDIN",
    "STDOUT",
    "TABLE",
    "TO",
    "TRUNCATE",
    "UPDATE",
    "USING",
    "VALUES",
    "VECTOR",
    "WHERE",
    "WITH",
    "bigserial",
    "bit",
    "halfvec",
    "sparsevec",
    "vector",
    "vector_l2_ops",
    "vector_ip_ops",
    "vector_cosine_ops",
    "vector_l1_ops",
    "halfvec_l2_ops",
    "halfvec_ip_ops",
    "halfvec_cosine_ops",
    "sparsevec_l2_ops",
    "bit_hamming_ops",
    "bit_jaccard_ops",
    "l2_distance",
    "inner_product",
    "cosine_distance",
    "l1_distance",
    "l2_normalize",
    "binary_quantize",
    "subvector",
    "vector_dims",
    "vector_norm",
    "l2_norm",
    "hamming_distance",
    "jaccard_distance",
    "avg",
    "sum",
    "generate_series",
    "unnest",
];

/// Tab completion of keywords and table names.
struct SqlHelper {
    tables: Vec<String>,
}

impl Completer for SqlHelper {
    type Candidate = String;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<String>)> {
        let before = &line[..pos.min(line.len())];
        let start = before
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
            .map_or(0, |i| i + 1);
        let prefix = &before[start..];
        if prefix.is_empty() {
            return Ok((start, Vec::new()));
        }
        let lower = prefix.to_ascii_lowercase();
        let upper = prefix.chars().all(|c| !c.is_ascii_lowercase());
        let mut words: Vec<&str> = Vec::new();
        words.extend(KEYWORDS.iter().copied());
        for name in crate::settings::names() {
            words.push(name);
        }
        words.extend(self.tables.iter().map(String::as_str));
        let mut candidates: Vec<String> = words
            .into_iter()
            .filter(|word| word.to_ascii_lowercase().starts_with(&lower))
            .map(|word| {
                if upper && word.chars().all(|c| !c.is_ascii_lowercase()) {
                    word.to_string()
                } else {
                    word.to_ascii_lowercase()
                }
            })
            .collect();
        candidates.sort();
        candidates.dedup();
        Ok((start, candidates))
    }
}

impl Hinter for SqlHelper {
    type Hint = String;
}

impl Highlighter for SqlHelper {}

impl Validator for SqlHelper {}

impl Helper for SqlHelper {}

/// Where the history is kept: `$VECSH_HISTFILE` (or `$VECSH_HISTORY`), else
/// `~/.vecsh_history`.
fn history_path() -> Option<std::path::PathBuf> {
    for variable in ["VECSH_HISTFILE", "VECSH_HISTORY"] {
        if let Some(path) = std::env::var_os(variable).filter(|p| !p.is_empty()) {
            return Some(path.into());
        }
    }
    std::env::var_os("HOME").map(|home| std::path::Path::new(&home).join(".vecsh_history"))
}

/// Reads the rows of a `COPY … FROM STDIN` typed at the terminal, up to `\.`.
fn read_copy_data(editor: &mut Editor<SqlHelper, DefaultHistory>, shell: &mut Shell<'_>) {
    println!("Enter data to be copied followed by a newline.");
    println!("End with a backslash and a period on a line by itself, or an EOF signal.");
    let mut data = Vec::new();
    loop {
        match editor.readline(">> ") {
            Ok(line) if line == "\\." => break,
            Ok(line) => {
                data.extend_from_slice(line.as_bytes());
                data.push(b'\n');
            }
            Err(ReadlineError::Interrupted) => {
                shell.pending_copy = None;
                return;
            }
            Err(_) => break,
        }
    }
    shell.finish_copy(&data);
}

/// The prompt for `session`, as psql's default `%/%R%x%# `: the database name, `state`
/// (psql's `%R`: `=` for a new statement, `-` for a continued one, `'` inside a quoted
/// string or comment), the transaction status (`%x`: nothing outside a block, `*` inside
/// one, `!` in an aborted one) and `>` (`%#` of a user who is not a superuser).
pub(crate) fn prompt(state: char, session: &Session) -> String {
    let transaction = if session.in_aborted_block() {
        "!"
    } else if session.in_transaction_block() {
        "*"
    } else {
        ""
    };
    format!("vecsh{state}{transaction}> ")
}

/// Runs the interactive loop until `\q` or end of input.
pub fn run(shell: &mut Shell<'_>) -> Flow {
    let Ok(mut editor) = Editor::<SqlHelper, DefaultHistory>::new() else {
        return shell.run_script(std::io::stdin().lock());
    };
    let history = history_path();
    if let Some(path) = &history {
        let _ = editor.load_history(path);
    }
    let mut scanner = StatementScanner::default();
    let mut flow = Flow::Quit;
    loop {
        let state = if scanner.in_quote() {
            '\''
        } else if scanner.is_pending() {
            '-'
        } else {
            '='
        };
        let prompt = prompt(state, &shell.session);
        let tables = shell
            .session
            .database()
            .with_catalog(|catalog| catalog.tables().map(|t| t.name.clone()).collect());
        editor.set_helper(Some(SqlHelper { tables }));
        match editor.readline(&prompt) {
            Ok(line) => {
                if !line.trim().is_empty() {
                    let _ = editor.add_history_entry(line.as_str());
                }
                if !scanner.is_pending() && line.trim_start().starts_with('\\') {
                    if shell.run_meta(line.trim_start()) == Flow::Quit {
                        break;
                    }
                    continue;
                }
                for statement in scanner.feed_line(&line) {
                    shell.run_sql(&statement);
                    if shell.pending_copy.is_some() {
                        read_copy_data(&mut editor, shell);
                    }
                }
            }
            Err(ReadlineError::Interrupted) => {
                scanner = StatementScanner::default();
            }
            Err(ReadlineError::Eof) => {
                println!("\\q");
                break;
            }
            Err(_) => {
                flow = Flow::Stop;
                break;
            }
        }
    }
    if let Some(path) = &history {
        let _ = editor.save_history(path);
    }
    flow
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete(line: &str) -> (usize, Vec<String>) {
        let helper = SqlHelper {
            tables: vec!["items".to_string(), "item_tags".to_string()],
        };
        let history = DefaultHistory::new();
        helper
            .complete(line, line.len(), &Context::new(&history))
            .unwrap()
    }

    #[test]
    fn completes_keywords_tables_and_functions() {
        assert_eq!(complete("SEL"), (0, vec!["SELECT".to_string()]));
        assert_eq!(complete("sel").1, ["select"]);
        assert_eq!(
            complete("SELECT * FROM ite"),
            (14, vec!["item_tags".to_string(), "items".to_string()])
        );
        assert_eq!(complete("SELECT vector_d").1, ["vector_dims"]);
        assert_eq!(complete("SELECT cosine_").1, ["cosine_distance"]);
        assert_eq!(complete("SET hnsw.ef").1, ["hnsw.ef_search"]);
        assert!(complete("SELECT ").1.is_empty());
    }

    #[test]
    fn prompt_shows_the_statement_and_transaction_state() {
        let mut session = crate::Database::in_memory().session();
        assert_eq!(prompt('=', &session), "vecsh=> ");
        assert_eq!(prompt('-', &session), "vecsh-> ");
        assert_eq!(prompt('\'', &session), "vecsh'> ");
        session.execute("BEGIN").unwrap();
        assert_eq!(prompt('=', &session), "vecsh=*> ");
        assert_eq!(prompt('-', &session), "vecsh-*> ");
        assert!(session.execute("SELECT 1 / 0").is_err());
        assert_eq!(prompt('=', &session), "vecsh=!> ");
        assert_eq!(prompt('-', &session), "vecsh-!> ");
        session.execute("ROLLBACK").unwrap();
        assert_eq!(prompt('=', &session), "vecsh=> ");
        session.execute("BEGIN; SELECT 1; COMMIT").unwrap();
        assert_eq!(prompt('=', &session), "vecsh=> ");
    }
}
