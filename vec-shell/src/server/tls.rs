//! TLS: with `--tls-cert` and `--tls-key`, an `SSLRequest` is answered `S` and the
//! connection continues inside a TLS session (rustls, on the ring provider); without
//! them it is answered `N`, as a PostgreSQL server without `ssl = on` does. A connection's
//! reads and writes go through [`Transport`], plain or TLS alike.

use std::io::{self, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::sync::{Arc, Mutex};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{ServerConfig, ServerConnection, StreamOwned};

/// The reading half of a connection.
pub(super) type Input = BufReader<Box<dyn Read + Send>>;
/// The writing half of a connection.
pub(super) type Output = Box<dyn Write + Send>;

/// Reads the certificate chain and private key (PEM files) into a server configuration.
pub fn load(cert: &Path, key: &Path) -> Result<Arc<ServerConfig>, String> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| {
            format!(
                "could not read certificate file \"{}\": {e}",
                cert.display()
            )
        })?
        .collect::<Result<_, _>>()
        .map_err(|e| {
            format!(
                "could not read certificate file \"{}\": {e}",
                cert.display()
            )
        })?;
    if certs.is_empty() {
        return Err(format!("no certificate in \"{}\"", cert.display()));
    }
    let key = PrivateKeyDer::from_pem_file(key)
        .map_err(|e| format!("could not read private key file \"{}\": {e}", key.display()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| format!("the certificate and key do not make a TLS configuration: {e}"))?;
    Ok(Arc::new(config))
}

/// A connection's socket, plain or inside a TLS session, split into the halves the
/// message loop reads from and writes to (one thread uses both, one after the other).
pub(super) enum Transport {
    /// Plain TCP.
    Plain(TcpStream),
    /// TLS over TCP.
    Tls(Shared),
}

impl Transport {
    /// The reading and writing halves.
    pub(super) fn split(&self) -> io::Result<(Input, Output)> {
        Ok(match self {
            Transport::Plain(stream) => (
                BufReader::new(Box::new(stream.try_clone()?)),
                Box::new(stream.try_clone()?),
            ),
            Transport::Tls(shared) => (
                BufReader::new(Box::new(shared.clone())),
                Box::new(shared.clone()),
            ),
        })
    }

    /// Runs the TLS handshake on `stream` (after the `S` answer).
    pub(super) fn accept(stream: TcpStream, config: &Arc<ServerConfig>) -> io::Result<Transport> {
        let connection = ServerConnection::new(Arc::clone(config))
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        let mut tls = StreamOwned::new(connection, stream);
        while tls.conn.is_handshaking() {
            tls.conn.complete_io(&mut tls.sock)?;
        }
        Ok(Transport::Tls(Shared(Arc::new(Mutex::new(tls)))))
    }
}

/// A TLS stream both halves share.
#[derive(Clone)]
pub(super) struct Shared(Arc<Mutex<StreamOwned<ServerConnection, TcpStream>>>);

impl Shared {
    fn with<T>(
        &self,
        f: impl FnOnce(&mut StreamOwned<ServerConnection, TcpStream>) -> io::Result<T>,
    ) -> io::Result<T> {
        let mut stream = self
            .0
            .lock()
            .map_err(|_| io::Error::other("the TLS stream's lock is poisoned"))?;
        f(&mut stream)
    }
}

impl Read for Shared {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.with(|stream| stream.read(buf))
    }
}

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.with(|stream| stream.write(buf))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.with(|stream| stream.flush())
    }
}
