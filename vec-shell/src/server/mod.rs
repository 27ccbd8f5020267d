//! `vecsh serve`: PostgreSQL's wire protocol (version 3) over the same embedded
//! database the shell opens, so that psql, psycopg, JDBC, pgbench and every other
//! PostgreSQL client work unchanged.
//!
//! One thread serves each connection with its own [`Session`](crate::Session): the
//! engine's statements are synchronous and may block (a writer waits for the write
//! lock; index builds and exact scans use their own threads), so a thread per
//! connection maps a client onto a session directly, with no async runtime between the
//! socket and the engine, and `--max-connections` bounds the threads. `codec` reads the
//! frontend's messages (every length checked), `wire` writes the backend's (encoded by
//! the `pgwire` crate), `connection` runs the startup and authentication phase and the
//! message loop, `simple` the simple-query protocol with `COPY` (`copy_in` streams a
//! client's `CopyData` into the statement), `extended` Parse /
//! Bind / Describe / Execute with portals, `files` the rules of server-side `COPY`,
//! `auth` SCRAM-SHA-256, `tls` TLS sessions, and `cli` the `vecsh serve` command line.

mod auth;
pub mod cli;
pub mod codec;
mod connection;
mod copy_in;
mod extended;
mod files;
mod simple;
pub mod tls;
mod wire;

use std::collections::HashMap;
use std::fmt;
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::cancel::CancelHandle;
use crate::session::Database;

/// How `vecsh serve` listens and whom it lets in.
#[derive(Clone, Debug)]
pub struct ServerOptions {
    /// The address to listen on (default `127.0.0.1`).
    pub host: String,
    /// The port (default 5432; 0 picks a free one).
    pub port: u16,
    /// The most clients connected at once (default 100).
    pub max_connections: usize,
    /// With a password, clients authenticate with SCRAM-SHA-256; without one, any user
    /// is trusted (allowed only on a loopback address).
    pub password: Option<String>,
    /// The directory server-side `COPY … FROM|TO 'file'` may use; `None` refuses them.
    pub allow_server_files: Option<PathBuf>,
    /// The database's directory, which server-side `COPY` may never touch.
    pub database_dir: Option<PathBuf>,
    /// With a TLS configuration (`--tls-cert`, `--tls-key`), an SSL request starts TLS.
    pub tls: Option<Arc<rustls::ServerConfig>>,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            host: "127.0.0.1".to_string(),
            port: 5432,
            max_connections: 100,
            password: None,
            allow_server_files: None,
            database_dir: None,
            tls: None,
        }
    }
}

/// Why the server could not start.
#[derive(Debug)]
pub enum ServeError {
    /// A non-loopback address without a password.
    InsecureAddress(String),
    /// The address could not be resolved or bound.
    Bind(String, std::io::Error),
}

impl fmt::Display for ServeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServeError::InsecureAddress(host) => write!(
                f,
                "refusing to listen on {host} without a password: use --password-file (or VECSH_PASSWORD) or a loopback address"
            ),
            ServeError::Bind(address, error) => {
                write!(f, "could not listen on {address}: {error}")
            }
        }
    }
}

impl std::error::Error for ServeError {}

/// A connection as the server knows it: what a `CancelRequest` must present, and how
/// to stop it.
struct Registered {
    secret: [u8; 4],
    cancel: CancelHandle,
    stream: TcpStream,
}

/// What every connection thread shares.
pub(crate) struct Shared {
    database: Database,
    options: ServerOptions,
    connections: Mutex<HashMap<i32, Registered>>,
    next_pid: AtomicI32,
    stopping: AtomicBool,
}

impl Shared {
    /// Registers a connection; `None` when the server is full.
    fn register(&self, secret: [u8; 4], cancel: CancelHandle, stream: &TcpStream) -> Option<i32> {
        let mut connections = self.connections.lock().ok()?;
        if connections.len() >= self.options.max_connections {
            return None;
        }
        let pid = self.next_pid.fetch_add(1, Ordering::Relaxed);
        let stream = stream.try_clone().ok()?;
        connections.insert(
            pid,
            Registered {
                secret,
                cancel,
                stream,
            },
        );
        Some(pid)
    }

    fn unregister(&self, pid: i32) {
        if let Ok(mut connections) = self.connections.lock() {
            connections.remove(&pid);
        }
    }

    /// A `CancelRequest`: cancels the statement the connection is running when the key
    /// matches (and silently does nothing otherwise, as PostgreSQL).
    fn cancel(&self, pid: i32, secret: &[u8]) {
        if let Ok(connections) = self.connections.lock() {
            if let Some(connection) = connections.get(&pid) {
                if connection.secret.as_slice() == secret {
                    connection.cancel.cancel();
                }
            }
        }
    }
}

/// A listening server.
pub struct Server {
    listener: TcpListener,
    shared: Arc<Shared>,
}

/// Stops a running server from another thread or a signal handler's flag.
#[derive(Clone)]
pub struct StopHandle {
    shared: Arc<Shared>,
}

impl StopHandle {
    /// Asks the server to stop: it accepts no more connections, cancels running
    /// statements and closes every connection (open blocks roll back).
    pub fn stop(&self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
    }
}

impl Server {
    /// Binds the listening socket. A non-loopback address needs a password.
    pub fn bind(database: Database, options: ServerOptions) -> Result<Server, ServeError> {
        let address = format!("{}:{}", options.host, options.port);
        let loopback = match options.host.parse::<IpAddr>() {
            Ok(ip) => ip.is_loopback(),
            Err(_) => options.host == "localhost",
        };
        if !loopback && options.password.is_none() {
            return Err(ServeError::InsecureAddress(options.host.clone()));
        }
        let listener =
            TcpListener::bind(&address).map_err(|e| ServeError::Bind(address.clone(), e))?;
        listener
            .set_nonblocking(true)
            .map_err(|e| ServeError::Bind(address, e))?;
        Ok(Server {
            listener,
            shared: Arc::new(Shared {
                database,
                options,
                connections: Mutex::new(HashMap::new()),
                next_pid: AtomicI32::new(std::process::id() as i32 % 100_000 * 100 + 1),
                stopping: AtomicBool::new(false),
            }),
        })
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// A handle that stops the server.
    pub fn stop_handle(&self) -> StopHandle {
        StopHandle {
            shared: Arc::clone(&self.shared),
        }
    }

    /// Accepts connections until stopped (by the handle or when `stop_flag` is set, as
    /// a SIGTERM/SIGINT handler sets it), then closes every connection and waits for
    /// their threads, so that open blocks roll back and the database can close with a
    /// checkpoint.
    pub fn run(self, stop_flag: Option<Arc<AtomicBool>>) {
        let mut threads = Vec::new();
        loop {
            let flagged = stop_flag.as_ref().is_some_and(|f| f.load(Ordering::SeqCst));
            if flagged || self.shared.stopping.load(Ordering::SeqCst) {
                break;
            }
            match self.listener.accept() {
                Ok((stream, peer)) => {
                    let shared = Arc::clone(&self.shared);
                    let spawned = std::thread::Builder::new()
                        .name(format!("vecsh-conn-{peer}"))
                        .stack_size(crate::sql::STATEMENT_STACK)
                        .spawn(move || connection::serve(shared, stream, peer));
                    match spawned {
                        Ok(handle) => threads.push(handle),
                        Err(error) => {
                            eprintln!("vecsh: could not start a connection thread: {error}")
                        }
                    }
                    threads.retain(|t| !t.is_finished());
                }
                Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => {
                    std::thread::sleep(Duration::from_millis(20));
                    threads.retain(|t| !t.is_finished());
                }
                Err(error) => {
                    eprintln!("vecsh: accept failed: {error}");
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
        }
        self.shared.stopping.store(true, Ordering::SeqCst);
        if let Ok(connections) = self.shared.connections.lock() {
            for connection in connections.values() {
                connection.cancel.cancel();
                let _ = connection.stream.shutdown(std::net::Shutdown::Both);
            }
        }
        for thread in threads {
            let _ = thread.join();
        }
        eprintln!("vecsh: server stopped");
    }
}
