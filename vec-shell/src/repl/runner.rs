//! The shell's driver: runs statements and backslash commands, prints results, notices
//! and errors as psql does, and reads scripts line by line (echoing them with `-a`).

use std::io::{BufRead, Write};
use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::Instant;

use super::bytes::{decode_lossless, invalid_sequence, original_bytes, read_line, BOM};
use super::describe;
use super::interrupt::Running;
use super::progress_bar::ProgressBar;
use super::scanner::StatementScanner;
use crate::format::{format_report, format_rows, PrintOptions};
use crate::session::Session;

/// Shell options that are not print options.
#[derive(Clone, Debug, Default)]
pub struct ShellOptions {
    /// `-a`: echo input lines as read.
    pub echo_all: bool,
    /// `-q`: no command tags.
    pub quiet: bool,
    /// `-v ON_ERROR_STOP=1`: stop at the first error.
    pub on_error_stop: bool,
    /// `\timing`: print each statement's time.
    pub timing: bool,
    /// psql's variables (`\set`, `-v NAME=value`), interpolated as `:NAME`.
    pub variables: super::variables::Variables,
}

/// A script file being read: its name as given and the lines read so far.
#[derive(Clone, Debug)]
struct ScriptInput {
    name: String,
    line: u64,
}

/// Whether the shell should go on after a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    /// Keep reading.
    Continue,
    /// `\q` or end of input.
    Quit,
    /// An error with `ON_ERROR_STOP` set.
    Stop,
}

/// The shell: a session, its print options and where output goes.
pub struct Shell<'o> {
    /// The session statements run in.
    pub session: Session,
    /// How results are printed.
    pub print: PrintOptions,
    /// Other options.
    pub options: ShellOptions,
    /// Whether any statement has failed.
    pub had_error: bool,
    /// A `COPY … FROM STDIN` waiting for its data (the lines up to `\.`).
    pub pending_copy: Option<String>,
    /// Whether reading a script failed (psql then exits with status 1).
    pub read_failed: bool,
    /// How many `\i` files are open inside each other.
    include_depth: usize,
    /// The script file being read (`-f`, `\i`) and the lines read from it so far: psql
    /// puts `psql:FILE:LINE: ` before each error and notice then; vecsh writes `vecsh:`.
    input: Option<ScriptInput>,
    /// Whether a script is being read (not a terminal), where psql leaves out the
    /// interactive hint after an invalid command.
    in_script: bool,
    progress: Option<Arc<ProgressBar>>,
    out: &'o mut dyn Write,
    err: &'o mut dyn Write,
}

impl<'o> Shell<'o> {
    /// A shell writing results to `out` and errors to `err`.
    pub fn new(
        session: Session,
        print: PrintOptions,
        options: ShellOptions,
        out: &'o mut dyn Write,
        err: &'o mut dyn Write,
    ) -> Self {
        Shell {
            session,
            print,
            options,
            had_error: false,
            pending_copy: None,
            read_failed: false,
            include_depth: 0,
            input: None,
            in_script: false,
            progress: None,
            out,
            err,
        }
    }

    /// Runs one SQL statement (text as sent, ending with `;` or not) and prints what it
    /// produced.
    pub fn run_sql(&mut self, sql: &str) -> Flow {
        if let Some(error) = invalid_sequence(sql) {
            // PostgreSQL rejects the statement as a whole; the script goes on.
            let started = Instant::now();
            return self.report(sql, Err(error), started);
        }
        let interpolated = self.options.variables.interpolate(sql);
        let sql = interpolated.as_ref();
        if is_copy_from_stdin(sql) {
            self.pending_copy = Some(sql.to_string());
            return Flow::Continue;
        }
        let started = Instant::now();
        let result = self.execute(|session| session.execute(sql));
        self.report(sql, result, started)
    }

    /// Shows `bar` while `CREATE INDEX` and `COPY` run (the bar is erased before each
    /// result is printed).
    pub fn show_progress(&mut self, bar: Arc<ProgressBar>) {
        self.session.set_progress_observer(Some(bar.observer()));
        self.progress = Some(bar);
    }

    /// Runs `work` as a statement: Ctrl-C cancels it, and the progress bar is erased when
    /// it ends.
    fn execute<T>(&mut self, work: impl FnOnce(&mut Session) -> T) -> T {
        let _ = self.out.flush();
        if let Some(bar) = &self.progress {
            bar.start();
        }
        let result = {
            let _running = Running::start();
            work(&mut self.session)
        };
        if let Some(bar) = &self.progress {
            bar.finish();
        }
        result
    }

    /// Runs the waiting `COPY … FROM STDIN` with its data.
    pub fn finish_copy(&mut self, data: &[u8]) -> Flow {
        let Some(sql) = self.pending_copy.take() else {
            return Flow::Continue;
        };
        let started = Instant::now();
        let result = self.execute(|session| session.copy_in(&sql, data).map(|r| vec![r]));
        self.report(&sql, result, started)
    }

    /// Prints a statement's outcome. A script stops (exit status 3) after Ctrl-C
    /// cancelled a statement, as psql's main loop does.
    fn report(
        &mut self,
        sql: &str,
        result: crate::error::Result<Vec<crate::exec::StatementResult>>,
        started: Instant,
    ) -> Flow {
        let flow = self.print_outcome(sql, result, started);
        if super::interrupt::script_interrupted() {
            return Flow::Stop;
        }
        flow
    }

    fn print_outcome(
        &mut self,
        sql: &str,
        result: crate::error::Result<Vec<crate::exec::StatementResult>>,
        started: Instant,
    ) -> Flow {
        let elapsed = started.elapsed();
        let _ = self.out.flush();
        match result {
            Ok(results) => {
                for result in results {
                    for notice in &result.notices {
                        let report = format!("{}{}", self.position(), format_report(notice, sql));
                        let _ = self.err.write_all(report.as_bytes());
                    }
                    let _ = self.err.flush();
                    if let Some(rows) = &result.rows {
                        let _ = self
                            .out
                            .write_all(format_rows(rows, &self.print).as_bytes());
                    }
                    if let Some(data) = &result.copy_data {
                        let _ = self.out.write_all(data);
                    }
                    let is_query = result.tag.starts_with("SELECT")
                        || result.tag == "SHOW"
                        || result.tag == "EXPLAIN";
                    if !self.options.quiet && !is_query {
                        let _ = writeln!(self.out, "{}", result.tag);
                    }
                }
                if self.options.timing {
                    let _ = writeln!(self.out, "Time: {:.3} ms", elapsed.as_secs_f64() * 1000.0);
                }
                let _ = self.out.flush();
                Flow::Continue
            }
            Err(error) => {
                self.had_error = true;
                let report = format!("{}{}", self.position(), format_report(&error, sql));
                let _ = self.err.write_all(report.as_bytes());
                let _ = self.err.flush();
                if self.options.on_error_stop {
                    Flow::Stop
                } else {
                    Flow::Continue
                }
            }
        }
    }

    /// Runs a backslash command (the whole line, starting with `\`).
    pub fn run_meta(&mut self, line: &str) -> Flow {
        let mut words = line.split_whitespace();
        let command = words.next().unwrap_or("");
        let argument = words.next();
        match command {
            "\\q" | "\\quit" => return Flow::Quit,
            "\\copy" => {
                let rest = line.trim_start().trim_start_matches("\\copy");
                return self.run_sql(&format!("COPY{rest}"));
            }
            "\\?" => {
                let _ = self.out.write_all(super::HELP.as_bytes());
            }
            "\\x" => {
                self.print.expanded = match argument {
                    Some("on") => true,
                    Some("off") => false,
                    _ => !self.print.expanded,
                };
                let state = if self.print.expanded { "on" } else { "off" };
                let _ = writeln!(self.out, "Expanded display is {state}.");
            }
            "\\timing" => {
                self.options.timing = match argument {
                    Some("on") => true,
                    Some("off") => false,
                    _ => !self.options.timing,
                };
                let state = if self.options.timing { "on" } else { "off" };
                let _ = writeln!(self.out, "Timing is {state}.");
            }
            "\\set" => {
                let arguments = line.trim_start().trim_start_matches("\\set");
                if arguments.trim().is_empty() {
                    let _ = self
                        .out
                        .write_all(self.options.variables.listing().as_bytes());
                } else if let Err(message) = self.options.variables.set_command(arguments) {
                    self.meta_error(&message);
                    self.had_error = true;
                }
            }
            "\\echo" | "\\qecho" => {
                // psql's: the arguments, variables interpolated and quotes taken off,
                // joined by spaces; `-n` first leaves the newline off.
                let arguments = &line.trim_start()[command.len()..];
                let mut words = self.options.variables.arguments(arguments);
                let newline = words.first().is_none_or(|w| w != "-n");
                if !newline {
                    words.remove(0);
                }
                let _ = write!(self.out, "{}", words.join(" "));
                if newline {
                    let _ = writeln!(self.out);
                }
            }
            "\\unset" => match argument {
                Some(name) => self.options.variables.unset(name),
                None => self.meta_error("\\unset: missing required argument"),
            },
            "\\d" | "\\dt" | "\\d+" | "\\di" | "\\dn" => {
                let text = self.session.with_search_path(|session| {
                    session
                        .database()
                        .with_catalog(|catalog| describe::describe(catalog, command, argument))
                });
                match text {
                    Ok(text) => {
                        let _ = self.out.write_all(text.as_bytes());
                    }
                    Err(message) => self.meta_error(&message),
                }
            }
            "\\i" | "\\include" => {
                let Some(path) = argument else {
                    self.meta_error("\\i: missing required argument");
                    return Flow::Continue;
                };
                return self.include(path);
            }
            other => {
                // The hint is psql's only at a terminal.
                let hint = if self.in_script {
                    ""
                } else {
                    "\nTry \\? for help."
                };
                self.meta_error(&format!("invalid command {other}{hint}"));
                self.had_error = true;
                if self.options.on_error_stop {
                    return Flow::Stop;
                }
            }
        }
        let _ = self.out.flush();
        Flow::Continue
    }

    /// Runs the script in file `path` (`\\i`), as psql's `process_file` does: a file that
    /// cannot be opened or read is an error, and so are files included inside each other
    /// more than [`MAX_INCLUDE_DEPTH`] deep (a file that includes itself).
    fn include(&mut self, path: &str) -> Flow {
        let path = path_from_text(path);
        if self.include_depth >= MAX_INCLUDE_DEPTH {
            self.meta_error(&format!(
                "{}: too many nested \\i files (at most {MAX_INCLUDE_DEPTH})",
                path.display()
            ));
            return self.meta_failed();
        }
        match std::fs::File::open(&path) {
            Ok(file) => {
                self.include_depth += 1;
                let name = path.display().to_string();
                let flow = self.run_file(&name, std::io::BufReader::new(file));
                self.include_depth -= 1;
                if self.read_failed && flow == Flow::Continue && self.options.on_error_stop {
                    return Flow::Stop;
                }
                flow
            }
            Err(error) => {
                self.meta_error(&format!("{}: {}", path.display(), os_message(&error)));
                self.meta_failed()
            }
        }
    }

    /// Where the statement being reported stands, as psql writes it before a message
    /// read from a script file (`vecsh:FILE:LINE: `, without the line before the first
    /// one is read); empty otherwise.
    fn position(&self) -> String {
        match &self.input {
            Some(input) if input.line > 0 => format!("vecsh:{}:{}: ", input.name, input.line),
            Some(input) => format!("vecsh:{}: ", input.name),
            None => String::new(),
        }
    }

    /// Writes a backslash command's error: in a script file after its position and
    /// `error: `, as psql does.
    fn meta_error(&mut self, message: &str) {
        let level = if self.input.is_some() { "error: " } else { "" };
        let _ = writeln!(self.err, "{}{level}{message}", self.position());
    }

    /// Runs the script file `name` (`-f`, `\i`): messages then carry its name and line.
    pub fn run_file(&mut self, name: &str, input: impl BufRead) -> Flow {
        let outer = self.input.replace(ScriptInput {
            name: name.to_string(),
            line: 0,
        });
        let flow = self.run_script(input);
        self.input = outer;
        flow
    }

    fn meta_failed(&mut self) -> Flow {
        self.had_error = true;
        if self.options.on_error_stop {
            Flow::Stop
        } else {
            Flow::Continue
        }
    }

    /// Reads a script to its end (or `\\q`, or the first error with `ON_ERROR_STOP`). The
    /// script is read as bytes: a leading byte-order mark is skipped, a statement that is
    /// not valid UTF-8 fails with PostgreSQL's error and the script goes on, and `COPY …
    /// FROM STDIN` gets its data lines as they are. A read error (the file is a
    /// directory) is reported as psql does and sets [`Shell::read_failed`].
    pub fn run_script(&mut self, input: impl BufRead) -> Flow {
        let in_script = std::mem::replace(&mut self.in_script, true);
        let flow = self.read_script(input);
        self.in_script = in_script;
        flow
    }

    fn read_script(&mut self, mut input: impl BufRead) -> Flow {
        let mut scanner = StatementScanner::default();
        let mut copy_data = Vec::new();
        let mut raw = Vec::new();
        let mut first_line = true;
        loop {
            raw.clear();
            match read_line(&mut input, &mut raw) {
                Ok(0) => break,
                Ok(_) => {
                    if let Some(input) = &mut self.input {
                        input.line += 1;
                    }
                }
                Err(error) => {
                    let message = format!("could not read from input file: {}", os_message(&error));
                    if self.input.is_some() {
                        self.meta_error(&message);
                    } else {
                        let _ = writeln!(self.err, "vecsh: error: {message}");
                    }
                    self.read_failed = true;
                    self.had_error = true;
                    break;
                }
            }
            let mut line: &[u8] = &raw;
            if first_line {
                line = line.strip_prefix(BOM).unwrap_or(line);
                first_line = false;
            }
            line = line.strip_suffix(b"\n").unwrap_or(line);
            line = line.strip_suffix(b"\r").unwrap_or(line);
            if self.pending_copy.is_some() {
                if line == b"\\." {
                    let flow = self.finish_copy(&std::mem::take(&mut copy_data));
                    if flow != Flow::Continue {
                        return flow;
                    }
                } else {
                    copy_data.extend_from_slice(line);
                    copy_data.push(b'\n');
                }
                continue;
            }
            let line = decode_lossless(line);
            if line.is_empty() && !scanner.in_quote() {
                continue;
            }
            if self.options.echo_all {
                let _ = self.out.write_all(&original_bytes(&line));
                let _ = self.out.write_all(b"\n");
            }
            if !scanner.is_pending() && line.trim_start().starts_with('\\') {
                let flow = self.run_meta(line.trim_start());
                if flow != Flow::Continue {
                    return flow;
                }
                continue;
            }
            let fed = scanner.feed_line_with(&line, |statement| match self.run_sql(statement) {
                Flow::Continue => ControlFlow::Continue(()),
                flow => ControlFlow::Break(flow),
            });
            if let ControlFlow::Break(flow) = fed {
                return flow;
            }
        }
        if self.pending_copy.is_some() {
            return self.finish_copy(&copy_data);
        }
        if let Some(rest) = scanner.finish() {
            return self.run_sql(&rest);
        }
        Flow::Continue
    }
}

/// How deeply `\\i` files may include each other.
pub const MAX_INCLUDE_DEPTH: usize = 64;

/// An I/O error's text as `strerror` gives it (`Is a directory`), without Rust's
/// `(os error 21)`.
pub fn os_message(error: &std::io::Error) -> String {
    let text = error.to_string();
    match text.rfind(" (os error ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

/// A file name typed in a script, with any bytes that were not UTF-8 given back.
fn path_from_text(text: &str) -> std::path::PathBuf {
    let bytes = original_bytes(text);
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        std::path::PathBuf::from(std::ffi::OsString::from_vec(bytes))
    }
    #[cfg(not(unix))]
    {
        std::path::PathBuf::from(String::from_utf8_lossy(&bytes).into_owned())
    }
}

/// Whether `sql` is a `COPY … FROM STDIN`, which needs the lines that follow it.
fn is_copy_from_stdin(sql: &str) -> bool {
    // Only a statement whose first word is COPY (or that starts with a comment) is
    // parsed to tell; the others are not COPY statements at all.
    let start = sql.trim_start();
    let copy = start
        .get(..4)
        .is_some_and(|word| word.eq_ignore_ascii_case("copy"))
        && !start[4..].starts_with(|c: char| c.is_alphanumeric() || c == '_' || c == '$');
    if !copy && !start.starts_with("--") && !start.starts_with("/*") {
        return false;
    }
    matches!(
        crate::sql::parse(sql).as_deref(),
        Ok([crate::sql::ast::Statement::Copy(copy)]) if copy.from && copy.file.is_none()
    )
}
