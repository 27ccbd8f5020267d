//! The `vecsh serve` command line: `vecsh serve [DBPATH] [--host H] [--port P]
//! [--max-connections N] [--password-file F] [--allow-server-files DIR]`, and running
//! the server until SIGTERM or SIGINT.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use super::{Server, ServerOptions};
use crate::session::Database;

/// `vecsh serve --help`.
pub const USAGE: &str = "vecsh serve runs a PostgreSQL-protocol server on a vecsh database.

Usage:
  vecsh serve [OPTION]... [DBPATH]

DBPATH is a database directory, created if missing (the server holds its lock); with
no DBPATH the database is held in memory. Any PostgreSQL client connects, e.g.
  psql -h 127.0.0.1 -p 5432 -U me vecsh
  psycopg.connect(\"host=127.0.0.1 port=5432 user=me dbname=vecsh\")

Options:
  --host=ADDRESS             address to listen on (default: 127.0.0.1)
  --port=PORT                port to listen on (default: 5432)
  --max-connections=N        most clients at once (default: 100)
  --shared-buffers=SIZE      buffer pool size for the database's pages (default: 128MB)
  --password-file=FILE       require this password (SCRAM-SHA-256); the environment
                             variable VECSH_PASSWORD does the same
  --allow-server-files=DIR   let COPY ... FROM/TO 'file' use files inside DIR
  --tls-cert=FILE            certificate chain (PEM): SSL requests start TLS
  --tls-key=FILE             its private key (PEM)
  -?, --help                 show this help, then exit

Without a password any user is trusted, which is allowed only on a loopback address.
SIGTERM or SIGINT stops the server: open transactions roll back and a checkpoint is
written.
";

/// What the command line asks for.
#[derive(Debug, Default)]
pub struct ServeArgs {
    /// The database directory, if any.
    pub database: Option<PathBuf>,
    /// The server's options.
    pub options: ServerOptions,
    /// How the database is opened (`--shared-buffers`).
    pub open: crate::OpenOptions,
    /// `--help`.
    pub help: bool,
}

/// Reads `vecsh serve`'s arguments (after `serve`); `password` is the value of
/// `VECSH_PASSWORD`, if set.
pub fn parse(raw: Vec<String>, password: Option<String>) -> Result<ServeArgs, String> {
    let error = |message: String| {
        format!("vecsh serve: {message}\nTry \"vecsh serve --help\" for more information.")
    };
    let mut args = ServeArgs {
        options: ServerOptions {
            password,
            ..ServerOptions::default()
        },
        ..ServeArgs::default()
    };
    let mut iter = raw.into_iter();
    let (mut tls_cert, mut tls_key) = (None, None);
    while let Some(arg) = iter.next() {
        if arg == "-?" || arg == "-h" || arg == "--help" {
            args.help = true;
            continue;
        }
        let Some(long) = arg.strip_prefix("--") else {
            if arg.starts_with('-') {
                return Err(error(format!("invalid option \"{arg}\"")));
            }
            if args.database.is_some() {
                return Err(error(format!("extra command-line argument \"{arg}\"")));
            }
            args.database = Some(PathBuf::from(arg));
            continue;
        };
        let (name, inline) = match long.split_once('=') {
            Some((name, value)) => (name.to_string(), Some(value.to_string())),
            None => (long.to_string(), None),
        };
        let value = inline
            .or_else(|| iter.next())
            .ok_or_else(|| error(format!("option '--{name}' requires an argument")))?;
        match name.as_str() {
            "host" => args.options.host = value,
            "port" => {
                args.options.port = value
                    .parse()
                    .map_err(|_| error(format!("invalid port \"{value}\"")))?
            }
            "max-connections" => {
                args.options.max_connections = value
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| error(format!("invalid connection limit \"{value}\"")))?
            }
            "password-file" => {
                let text = std::fs::read_to_string(&value)
                    .map_err(|e| error(format!("could not read password file \"{value}\": {e}")))?;
                let password = text.lines().next().unwrap_or("").trim().to_string();
                if password.is_empty() {
                    return Err(error(format!("password file \"{value}\" is empty")));
                }
                args.options.password = Some(password);
            }
            "allow-server-files" => {
                let dir = PathBuf::from(&value);
                if !dir.is_dir() {
                    return Err(error(format!("\"{value}\" is not a directory")));
                }
                args.options.allow_server_files = Some(dir);
            }
            "shared-buffers" => {
                args.open.shared_buffers = crate::settings::Settings::memory_bytes(
                    &crate::settings::SHARED_BUFFERS,
                    &value,
                )
                .map_err(|e| error(e.message))?
            }
            "tls-cert" => tls_cert = Some(PathBuf::from(value)),
            "tls-key" => tls_key = Some(PathBuf::from(value)),
            other => return Err(error(format!("unrecognized option '--{other}'"))),
        }
    }
    match (tls_cert, tls_key) {
        (Some(cert), Some(key)) => {
            args.options.tls = Some(super::tls::load(&cert, &key).map_err(error)?)
        }
        (None, None) => {}
        _ => return Err(error("--tls-cert and --tls-key go together".to_string())),
    }
    args.options.database_dir = args.database.clone();
    Ok(args)
}

/// Runs `vecsh serve` with its arguments; the exit status is 1 for a bad option, 2 when
/// the database cannot be opened or the address not bound.
pub fn main(raw: Vec<String>) -> ExitCode {
    let password = std::env::var("VECSH_PASSWORD")
        .ok()
        .filter(|p| !p.is_empty());
    let args = match parse(raw, password) {
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
    let database = match &args.database {
        None => Database::in_memory_with_options(&args.open),
        Some(path) => match Database::open_with_options(path, &args.open) {
            Ok(database) => database,
            Err(error) => {
                eprintln!("vecsh serve: error: {}", error.message);
                return ExitCode::from(2);
            }
        },
    };
    let server = match Server::bind(database, args.options) {
        Ok(server) => server,
        Err(error) => {
            eprintln!("vecsh serve: error: {error}");
            return ExitCode::from(2);
        }
    };
    let stop = Arc::new(AtomicBool::new(false));
    #[cfg(unix)]
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        if let Err(error) = signal_hook::flag::register(signal, Arc::clone(&stop)) {
            eprintln!("vecsh serve: could not handle signal {signal}: {error}");
        }
    }
    let location = match &args.database {
        None => "an in-memory database".to_string(),
        Some(path) => format!("database {}", path.display()),
    };
    match server.local_addr() {
        Ok(address) => eprintln!("vecsh: listening on {address} ({location})"),
        Err(error) => eprintln!("vecsh: listening ({location}): {error}"),
    }
    server.run(Some(stop));
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_parse() {
        let args = parse(
            [
                "db",
                "--port",
                "6000",
                "--host=0.0.0.0",
                "--max-connections=5",
                "--shared-buffers=64MB",
            ]
            .map(String::from)
            .to_vec(),
            Some("pw".into()),
        )
        .unwrap();
        assert_eq!(args.database, Some(PathBuf::from("db")));
        assert_eq!(args.options.port, 6000);
        assert_eq!(args.options.host, "0.0.0.0");
        assert_eq!(args.options.max_connections, 5);
        assert_eq!(args.options.password.as_deref(), Some("pw"));
        assert_eq!(args.open.shared_buffers, 64 << 20);
        assert_eq!(
            parse(vec![], None).unwrap().open.shared_buffers,
            crate::OpenOptions::default().shared_buffers
        );
        assert!(parse(vec!["--shared-buffers=lots".into()], None).is_err());
        // A number without a unit counts 8 kB blocks, as PostgreSQL's `shared_buffers`.
        let blocks = parse(vec!["--shared-buffers=16384".into()], None).unwrap();
        assert_eq!(blocks.open.shared_buffers, 128 << 20);
        let error = parse(vec!["--shared-buffers=15".into()], None).unwrap_err();
        assert!(error.contains("(16 .. 1073741823)"), "{error}");
        assert!(parse(vec!["--port".into(), "x".into()], None).is_err());
        assert!(parse(vec!["--bogus=1".into()], None).is_err());
        assert!(parse(vec!["--max-connections=0".into()], None).is_err());
    }

    #[test]
    fn a_public_address_needs_a_password() {
        let options = ServerOptions {
            host: "0.0.0.0".into(),
            port: 0,
            ..ServerOptions::default()
        };
        let error = Server::bind(Database::in_memory(), options).err().unwrap();
        assert!(error
            .to_string()
            .starts_with("refusing to listen on 0.0.0.0 without a password"));
    }
}
