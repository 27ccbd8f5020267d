//! `vecsh`: a psql-like shell for a vecsh database.
//!
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

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use vec_shell::format::{OutputFormat, PrintOptions};
use vec_shell::repl::progress_bar::ProgressBar;
use vec_shell::repl::{interactive, interrupt, Flow, Shell, ShellOptions};
use vec_shell::Database;

/// Something to run, in command-line order.
enum Action {
    Command(String),
    File(String),
}

/// The parsed command line.
#[derive(Default)]
struct Args {
    actions: Vec<Action>,
    database: Option<String>,
    print: PrintOptions,
    shell: ShellOptions,
    help: bool,
    version: bool,
}

const USAGE: &str = "vecsh is a psql-like shell for vecsh, a pgvector-compatible vector database.

Usage:
  vecsh [OPTION]... [DBPATH]
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

fn parse_args(raw: Vec<String>) -> Result<Args, String> {
    let mut args = Args::default();
    let mut iter = raw.into_iter();
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
                "file" => args.actions.push(Action::File(value("file")?)),
                "set" | "variable" => {
                    let assignment = value(name)?;
                    set_variable(&mut args, &assignment)?;
                }
                "field-separator" => args.print.field_separator = value("field-separator")?,
                "dbname" => args.database = Some(value("dbname")?),
                "no-psqlrc" => {}
                "echo-all" => args.shell.echo_all = true,
                "quiet" => args.shell.quiet = true,
                "no-align" => args.print.format = OutputFormat::Unaligned,
                "csv" => args.print.format = OutputFormat::Csv,
                "tuples-only" => args.print.tuples_only = true,
                "expanded" => args.print.expanded = true,
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
            args.database = Some(arg);
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
                    'f' => args.actions.push(Action::File(value)),
                    'F' => args.print.field_separator = value,
                    'd' => args.database = Some(value),
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

fn main() -> ExitCode {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    if raw.first().map(String::as_str) == Some("serve") {
        return vec_shell::server::cli::main(raw[1..].to_vec());
    }
    let args = match parse_args(raw) {
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
    let database = match &args.database {
        None => Database::in_memory(),
        Some(path) => match Database::open(path) {
            Ok(database) => database,
            Err(error) => {
                eprintln!("vecsh: error: {}", error.message);
                return ExitCode::from(2);
            }
        },
    };
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
                    Some(path) => format!("database {path}"),
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
                    Ok(file) => shell.run_script(std::io::BufReader::new(file)),
                    Err(error) => {
                        eprintln!("vecsh: error: {path}: {error}");
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
