//! `vecsh`: a psql-like shell for a vecsh database.
//!
//! `vecsh check DBPATH` checks a database's files without changing them (see `check`).
//! `vecsh [OPTIONS] [DBPATH]` opens (or creates) the database directory DBPATH; without
//! a path the database lives in memory. Options follow psql: `-c SQL` (repeatable),
//! `-f FILE`, `-a`, `-q`, `-X`, `-A`, `-t`, `-F SEP`, `--csv`, `-x`,
//! `-v ON_ERROR_STOP=1`. Standard input is read as a script when it is not a terminal.
//! Ctrl-C cancels the running statement (the interactive shell goes on with the next
//! input, a script stops there); `CREATE INDEX` and `COPY` draw a progress bar when
//! standard error is a terminal, unless `-q` is given. Exit status: 0, 1 for a bad
//! option, a missing file or a failed `-c`, 2 when the database cannot be opened, 3 at an
//! error with `ON_ERROR_STOP` or when Ctrl-C cancelled a statement of a script.
//! `vecsh serve …` runs the PostgreSQL-protocol server instead (`server::cli`).

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use vec_shell::format::{OutputFormat, PrintOptions};
use vec_shell::repl::bytes::{decode_lossless, original_bytes};
use vec_shell::repl::progress_bar::ProgressBar;
use vec_shell::repl::runner::os_message;
use vec_shell::repl::{interactive, interrupt, Flow, Shell, ShellOptions};
use vec_shell::settings::{self, Settings};
use vec_shell::{Database, OpenOptions};

/// mimalloc rather than the system's allocator: a statement makes many small allocations
/// that live only while it runs, and the short statements of a script or a client ran
/// 4–6% faster with it (`vec-shell/README.md`, "Statement path"). Built without the
/// `mimalloc` feature, the binary keeps the system's.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Something to run, in command-line order.
enum Action {
    Command(String),
    File(PathBuf),
}

/// The parsed command line.
#[derive(Default)]
struct Args {
    actions: Vec<Action>,
    database: Option<PathBuf>,
    print: PrintOptions,
    shell: ShellOptions,
    help: bool,
    version: bool,
    /// `--recover-truncate`: open a database whose log is damaged in its middle by
    /// discarding the log from the damage on.
    recover_truncate: bool,
    /// `--shared-buffers SIZE`: the buffer pool's size.
    shared_buffers: Option<String>,
}

const USAGE: &str = "vecsh is a psql-like shell for vecsh, a pgvector-compatible vector database.

Usage:
  vecsh [OPTION]... [DBPATH]
  vecsh check DBPATH       check every page, index snapshot and the write-ahead log
                           of a database without changing it
  vecsh serve [DBPATH] [--host 127.0.0.1] [--port 5432] [--max-connections 100]
              [--password-file FILE] [--allow-server-files DIR]
              [--tls-cert FILE --tls-key FILE]

DBPATH is a database directory, created if missing. With no DBPATH the database is
held in memory and nothing is saved. \"vecsh serve\" serves the database to any
PostgreSQL client (psql, psycopg, JDBC, pgbench); \"vecsh serve --help\" tells more.

Options:
  -c, --command=COMMAND    run only single command (SQL or internal) and exit
  -f, --file=FILENAME      execute commands from file, then exit
  -v, --set=NAME=VALUE     set variable (ON_ERROR_STOP=1 stops at the first error)
  -X, --no-psqlrc          accepted for psql compatibility
  -a, --echo-all           echo all input from script
  -q, --quiet              run quietly (no command tags)
  -A, --no-align           unaligned table output mode
      --csv                CSV (Comma-Separated Values) table output mode
  -F, --field-separator=STRING
                           field separator for unaligned output (default: \"|\")
  -t, --tuples-only        print rows only
  -x, --expanded           turn on expanded table output
      --recover-truncate   open DBPATH although its write-ahead log is damaged,
                           discarding the transactions logged after the damage
                           (the warning says how many)
      --shared-buffers=SIZE
                           buffer pool size for the database's pages, on disk or
                           in memory (default: 128MB)
  -?, --help               show this help, then exit
  -V, --version            output version information, then exit
";

fn usage_error(message: &str) -> String {
    format!("vecsh: {message}\nTry \"vecsh --help\" for more information.")
}

fn set_variable(args: &mut Args, assignment: &str) -> Result<(), String> {
    let (name, value) = assignment.split_once('=').unwrap_or((assignment, ""));
    if name.is_empty() {
        return Err(usage_error(&format!(
            "invalid variable assignment \"{assignment}\""
        )));
    }
    args.shell.variables.set(name, value);
    if name == "ON_ERROR_STOP" {
        args.shell.on_error_stop = !matches!(
            value.to_ascii_lowercase().as_str(),
            "0" | "off" | "false" | "no"
        );
    }
    Ok(())
}

/// An argument's bytes as text, with bytes that are not UTF-8 kept as markers (see
/// `repl::bytes`), so that a statement holding them fails as PostgreSQL fails it.
fn arg_text(arg: OsString) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        decode_lossless(&arg.into_vec()).into_owned()
    }
    #[cfg(not(unix))]
    {
        arg.to_string_lossy().into_owned()
    }
}

/// A path given as an argument, with its original bytes.
fn arg_path(text: String) -> PathBuf {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        PathBuf::from(OsString::from_vec(original_bytes(&text)))
    }
    #[cfg(not(unix))]
    {
        PathBuf::from(text)
    }
}

fn parse_args(raw: Vec<OsString>) -> Result<Args, String> {
    let mut args = Args::default();
    let mut iter = raw.into_iter().map(arg_text);
    while let Some(arg) = iter.next() {
        if let Some(long) = arg.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            let mut value = |what: &str| -> Result<String, String> {
                inline
                    .clone()
                    .or_else(|| iter.next())
                    .ok_or_else(|| usage_error(&format!("option '--{what}' requires an argument")))
            };
            match name {
                "command" => args.actions.push(Action::Command(value("command")?)),
                "file" => args.actions.push(Action::File(arg_path(value("file")?))),
                "set" | "variable" => {
                    let assignment = value(name)?;
                    set_variable(&mut args, &assignment)?;
                }
                "field-separator" => args.print.field_separator = value("field-separator")?,
                "dbname" => args.database = Some(arg_path(value("dbname")?)),
                "no-psqlrc" => {}
                "echo-all" => args.shell.echo_all = true,
                "quiet" => args.shell.quiet = true,
                "no-align" => args.print.format = OutputFormat::Unaligned,
                "csv" => args.print.format = OutputFormat::Csv,
                "tuples-only" => args.print.tuples_only = true,
                "expanded" => args.print.expanded = true,
                "recover-truncate" => args.recover_truncate = true,
                "shared-buffers" => args.shared_buffers = Some(value("shared-buffers")?),
                "help" => args.help = true,
                "version" => args.version = true,
                _ => return Err(usage_error(&format!("unrecognized option '--{name}'"))),
            }
            continue;
        }
        let Some(flags) = arg.strip_prefix('-').filter(|f| !f.is_empty()) else {
            if args.database.is_some() {
                return Err(usage_error(&format!(
                    "extra command-line argument \"{arg}\" ignored"
                )));
            }
            args.database = Some(arg_path(arg));
            continue;
        };
        let flags: Vec<char> = flags.chars().collect();
        let mut i = 0;
        while i < flags.len() {
            let flag = flags[i];
            if matches!(flag, 'c' | 'f' | 'F' | 'v' | 'd') {
                let rest: String = flags[i + 1..].iter().collect();
                let value = if rest.is_empty() {
                    iter.next().ok_or_else(|| {
                        usage_error(&format!("option requires an argument -- '{flag}'"))
                    })?
                } else {
                    rest
                };
                match flag {
                    'c' => args.actions.push(Action::Command(value)),
                    'f' => args.actions.push(Action::File(arg_path(value))),
                    'F' => args.print.field_separator = value,
                    'd' => args.database = Some(arg_path(value)),
                    _ => set_variable(&mut args, &value)?,
                }
                break;
            }
            match flag {
                'a' => args.shell.echo_all = true,
                'q' => args.shell.quiet = true,
                'X' => {}
                'A' => args.print.format = OutputFormat::Unaligned,
                't' => args.print.tuples_only = true,
                'x' => args.print.expanded = true,
                '?' | 'h' => args.help = true,
                'V' => args.version = true,
                other => return Err(usage_error(&format!("invalid option -- '{other}'"))),
            }
            i += 1;
        }
    }
    Ok(args)
}

/// The stack of the thread the shell and its statements run on.
const STATEMENT_STACK: usize = vec_shell::sql::STATEMENT_STACK;

fn main() -> ExitCode {
    let shell = std::thread::Builder::new()
        .name("vecsh".to_string())
        .stack_size(STATEMENT_STACK)
        .spawn(run);
    match shell.map(|thread| thread.join()) {
        Ok(Ok(code)) => code,
        Ok(Err(_)) => ExitCode::from(101),
        Err(error) => {
            eprintln!("vecsh: error: could not start the shell's thread: {error}");
            ExitCode::from(1)
        }
    }
}

/// `vecsh check DBPATH`: checks every heap page, index snapshot and the log of a
/// database without changing it, prints what it found, and exits with 0 when nothing is
/// damaged, 1 when something is, 2 when the directory cannot be checked.
fn check(path: &std::path::Path) -> ExitCode {
    let report = match vec_storage::check_directory(path) {
        Ok(report) => report,
        Err(error) => {
            eprintln!("vecsh: error: {error}");
            return ExitCode::from(2);
        }
    };
    println!(
        "heap: {} pages in {} files checked",
        report.pages, report.heaps
    );
    println!("index snapshots: {} checked", report.side_files);
    println!(
        "write-ahead log after the checkpoint: {} records, {} commits, {} bytes of torn tail",
        report.wal_records, report.wal_commits, report.torn_tail_bytes
    );
    if report.damage.is_empty() {
        println!("no damage found");
        return ExitCode::SUCCESS;
    }
    for damage in &report.damage {
        println!("damaged: {damage}");
    }
    println!("{} damaged item(s) found", report.damage.len());
    ExitCode::from(1)
}

fn run() -> ExitCode {
    let mut raw: Vec<OsString> = std::env::args_os().skip(1).collect();
    if raw.first().is_some_and(|a| a == "check") {
        return match raw.as_slice() {
            [_, path] => check(std::path::Path::new(path)),
            _ => {
                eprintln!("{}", usage_error("check needs one DBPATH"));
                ExitCode::from(1)
            }
        };
    }
    if raw.first().is_some_and(|a| a == "serve") {
        let mut words = Vec::with_capacity(raw.len());
        for word in raw.drain(1..) {
            match word.into_string() {
                Ok(word) => words.push(word),
                Err(word) => {
                    let message = format!("invalid argument {:?}: not UTF-8", word);
                    eprintln!("{}", usage_error(&message));
                    return ExitCode::from(1);
                }
            }
        }
        return vec_shell::server::cli::main(words);
    }
    let args = match parse_args(std::mem::take(&mut raw)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(1);
        }
    };
    if args.help {
        print!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    if args.version {
        println!("vecsh {}", env!("CARGO_PKG_VERSION"));
        return ExitCode::SUCCESS;
    }
    interrupt::survive_file_size_limit();
    let mut options = OpenOptions {
        truncate_damaged_wal: args.recover_truncate,
        ..OpenOptions::default()
    };
    if let Some(size) = &args.shared_buffers {
        match Settings::memory_bytes(&settings::SHARED_BUFFERS, size) {
            Ok(bytes) => options.shared_buffers = bytes,
            Err(error) => {
                eprintln!("vecsh: error: {}", error.message);
                return ExitCode::from(1);
            }
        }
    }
    let opened = match &args.database {
        None => Ok(Database::in_memory_with_options(&options)),
        Some(path) => Database::open_with_options(path, &options),
    };
    let database = match opened {
        Ok(database) => database,
        Err(error) => {
            eprintln!("vecsh: error: {}", error.message);
            if let Some(detail) = &error.detail {
                eprintln!("vecsh: detail: {detail}");
            }
            if let Some(hint) = &error.hint {
                eprintln!("vecsh: hint: {hint}");
            }
            return ExitCode::from(2);
        }
    };
    for warning in database.open_warnings() {
        eprint!("{}", vec_shell::format::format_report(&warning, ""));
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    // Standard error is locked per write, not for the whole run: the progress bar draws
    // on it from the threads of an index build while the shell waits for the statement.
    let mut err = std::io::stderr();
    let interactive_input = args.actions.is_empty() && std::io::stdin().is_terminal();
    let session = database.session();
    interrupt::install_sigint_handler(session.cancel_handle(), interactive_input);
    let show_progress = std::io::stderr().is_terminal() && !args.shell.quiet;
    let mut shell = Shell::new(session, args.print, args.shell, &mut out, &mut err);
    if show_progress {
        shell.show_progress(ProgressBar::stderr());
    }

    if args.actions.is_empty() {
        if interactive_input {
            if !shell.options.quiet {
                let location = match &args.database {
                    None => "in-memory database: nothing is saved on exit".to_string(),
                    Some(path) => format!("database {}", path.display()),
                };
                println!(
                    "vecsh {} ({location})\nType \\? for help, \\q to quit.\n",
                    env!("CARGO_PKG_VERSION")
                );
            }
            interactive::run(&mut shell);
            return ExitCode::SUCCESS;
        }
        return exit_code(shell.run_script(std::io::stdin().lock()), false);
    }
    let mut last_failed = false;
    for action in args.actions {
        let flow = match action {
            Action::Command(command) => {
                if shell.options.echo_all {
                    let _ = writeln!(std::io::stdout(), "{command}");
                }
                shell.had_error = false;
                let mut flow = if command.trim_start().starts_with('\\') {
                    shell.run_meta(command.trim())
                } else {
                    shell.run_sql(&command)
                };
                if shell.pending_copy.is_some() {
                    // `COPY … FROM STDIN` reads its rows from standard input.
                    let mut data = Vec::new();
                    let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut data);
                    flow = shell.finish_copy(&data);
                }
                last_failed = shell.had_error;
                flow
            }
            Action::File(path) => {
                last_failed = false;
                match std::fs::File::open(&path) {
                    Ok(file) => {
                        let name = path.display().to_string();
                        let flow = shell.run_file(&name, std::io::BufReader::new(file));
                        if shell.read_failed {
                            // psql's `-f` of a file it cannot read (a directory) fails.
                            return exit_code(flow, true);
                        }
                        flow
                    }
                    Err(error) => {
                        eprintln!("vecsh: error: {}: {}", path.display(), os_message(&error));
                        return ExitCode::from(1);
                    }
                }
            }
        };
        match flow {
            Flow::Continue => {}
            Flow::Quit => break,
            Flow::Stop => return ExitCode::from(3),
        }
    }
    exit_code(Flow::Continue, last_failed)
}

fn exit_code(flow: Flow, failed: bool) -> ExitCode {
    match flow {
        Flow::Stop => ExitCode::from(3),
        _ if failed => ExitCode::from(1),
        _ => ExitCode::SUCCESS,
    }
}
