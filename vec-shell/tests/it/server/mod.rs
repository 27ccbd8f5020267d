//! `vecsh serve` driven by real PostgreSQL clients: the `postgres` crate over every
//! message of the protocol (`protocol`), malformed input and many clients at once
//! (`robustness`), the binary with SIGTERM and authentication (`process`), psql's
//! `\d` family compared with PostgreSQL's output (`psql`), and the psycopg golden path
//! (`python`).

mod process;
mod protocol;
mod psql;
mod python;
mod robustness;

use std::net::SocketAddr;
use std::thread::JoinHandle;

use vec_shell::server::{Server, ServerOptions, StopHandle};
use vec_shell::Database;

/// A server running in this process on a free port, stopped when dropped.
pub struct Running {
    pub address: SocketAddr,
    stop: StopHandle,
    thread: Option<JoinHandle<()>>,
}

impl Running {
    pub fn start(options: ServerOptions) -> Running {
        Running::on(Database::in_memory(), options)
    }

    pub fn on(database: Database, options: ServerOptions) -> Running {
        let options = ServerOptions { port: 0, ..options };
        let server = Server::bind(database, options).unwrap();
        let address = server.local_addr().unwrap();
        let stop = server.stop_handle();
        let thread = std::thread::spawn(move || server.run(None));
        Running {
            address,
            stop,
            thread: Some(thread),
        }
    }

    pub fn config(&self) -> String {
        format!(
            "host=127.0.0.1 port={} user=tester dbname=vecsh",
            self.address.port()
        )
    }

    pub fn client(&self) -> postgres::Client {
        postgres::Client::connect(&self.config(), postgres::NoTls).unwrap()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop.stop();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
