//! One connection: the startup phase (an SSL request answered `S` and a TLS handshake
//! when the server has a certificate, `N` otherwise; GSS requests answered `N`; cancel
//! requests; the startup message, authentication, the parameters every client reads),
//! then the message loop until `Terminate`, a protocol error or the server's stop.
//! Dropping the connection's session rolls back an open block.

use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use pgwire::messages::response::TransactionStatus;
use pgwire::messages::startup::{Authentication, BackendKeyData, ParameterStatus, SecretKey};
use pgwire::messages::PgWireBackendMessage;

use super::auth::{AuthError, Scram, MECHANISM};
use super::codec::{
    read_message, read_startup, Frontend, ReadError, StartupPacket, MAX_MESSAGE,
    MAX_UNAUTHENTICATED_MESSAGE,
};
use super::extended::Extended;
use super::tls::{Input, Output, Transport};
use super::wire::Writer;
use super::Shared;
use crate::session::Session;

/// How long a client may take to finish the startup phase.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(10);

/// The parameters reported to the client after authentication, as PostgreSQL reports
/// them (their values are the session's settings).
const REPORTED: &[&str] = &[
    "application_name",
    "client_encoding",
    "DateStyle",
    "integer_datetimes",
    "IntervalStyle",
    "is_superuser",
    "server_encoding",
    "server_version",
    "session_authorization",
    "standard_conforming_strings",
    "TimeZone",
];

/// A connection's reader, writer and session.
pub(super) struct Connection {
    pub(super) reader: Input,
    pub(super) writer: Writer<Output>,
    pub(super) session: Session,
    pub(super) shared: Arc<Shared>,
}

impl Connection {
    /// The transaction status `ReadyForQuery` reports.
    pub(super) fn status(&self) -> TransactionStatus {
        if self.session.in_aborted_block() {
            TransactionStatus::Error
        } else if self.session.in_transaction_block() {
            TransactionStatus::Transaction
        } else {
            TransactionStatus::Idle
        }
    }
}

/// Serves one client until it leaves; logs one line when it connects and one per
/// failure to stderr.
pub(super) fn serve(shared: Arc<Shared>, stream: TcpStream, peer: SocketAddr) {
    let _ = stream.set_nodelay(true);
    match run(&shared, stream, peer) {
        Ok(()) | Err(ReadError::Io(_)) => {}
        Err(ReadError::Protocol(message)) => {
            eprintln!("vecsh: connection from {peer} closed: {message}");
        }
    }
}

fn run(shared: &Arc<Shared>, stream: TcpStream, peer: SocketAddr) -> Result<(), ReadError> {
    stream.set_read_timeout(Some(STARTUP_TIMEOUT))?;
    let (mut reader, output) = Transport::Plain(stream.try_clone()?).split()?;
    let mut writer = Writer::new(output);
    let mut secure = false;
    let params = loop {
        match read_startup(&mut reader) {
            Ok(StartupPacket::Ssl) if !secure && shared.options.tls.is_some() => {
                writer.raw(b"S")?;
                writer.flush()?;
                let Some(config) = &shared.options.tls else {
                    return Ok(());
                };
                let (tls_reader, tls_output) =
                    Transport::accept(stream.try_clone()?, config)?.split()?;
                reader = tls_reader;
                writer = Writer::new(tls_output);
                secure = true;
            }
            Ok(StartupPacket::Ssl) | Ok(StartupPacket::GssEnc) => {
                writer.raw(b"N")?;
                writer.flush()?;
            }
            Ok(StartupPacket::Cancel { pid, secret }) => {
                shared.cancel(pid, &secret);
                return Ok(());
            }
            Ok(StartupPacket::Startup {
                major,
                minor,
                params,
            }) => {
                if major != 3 {
                    writer.fatal(
                        "0A000",
                        &format!(
                            "unsupported frontend protocol {major}.{minor}: server supports 3.0 to 3.0"
                        ),
                    )?;
                    return Ok(());
                }
                if minor > 0 || params.iter().any(|(name, _)| name.starts_with("_pq_.")) {
                    negotiate(&mut writer, &params)?;
                }
                break params;
            }
            Err(ReadError::Protocol(message)) => {
                eprintln!("vecsh: connection from {peer} closed: {message}");
                return Ok(());
            }
            Err(error) => return Err(error),
        }
    };
    let param = |name: &str| {
        params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let user = param("user").unwrap_or_default();
    if user.is_empty() {
        writer.fatal(
            "28000",
            "no PostgreSQL user name specified in startup packet",
        )?;
        return Ok(());
    }
    if shared.stopping.load(Ordering::SeqCst) {
        writer.fatal(
            "57P01",
            "terminating connection due to administrator command",
        )?;
        return Ok(());
    }
    if let Some(password) = &shared.options.password {
        if !authenticate(&mut reader, &mut writer, password, &user)? {
            eprintln!("vecsh: password authentication failed for user \"{user}\" from {peer}");
            return Ok(());
        }
    }
    let mut session = shared.database.session();
    let mut secret = [0u8; 4];
    let _ = getrandom::fill(&mut secret);
    let Some(pid) = shared.register(secret, session.cancel_handle(), &stream) else {
        writer.fatal("53300", "sorry, too many clients already")?;
        return Ok(());
    };
    for (name, value) in &params {
        match name.as_str() {
            "user" | "database" | "options" | "replication" => {}
            // Parameters vecsh does not know are accepted and ignored.
            other => {
                let _ = session.set_parameter(other, value);
            }
        }
    }
    let database = param("database").unwrap_or_else(|| user.clone());
    let tls = if secure { " (TLS)" } else { "" };
    eprintln!("vecsh: connection {pid} from {peer}{tls}: user={user} database={database}");
    stream.set_read_timeout(None)?;
    writer.log_as = Some(format!("connection {pid}"));
    writer.send(PgWireBackendMessage::Authentication(Authentication::Ok))?;
    for name in REPORTED {
        let value = match *name {
            "session_authorization" => user.clone(),
            other => session.show_parameter(other).unwrap_or_default(),
        };
        writer.send(PgWireBackendMessage::ParameterStatus(ParameterStatus::new(
            name.to_string(),
            value,
        )))?;
    }
    writer.send(PgWireBackendMessage::BackendKeyData(BackendKeyData::new(
        pid,
        SecretKey::Bytes(secret.to_vec().into()),
    )))?;
    writer.ready(TransactionStatus::Idle)?;
    let mut connection = Connection {
        reader,
        writer,
        session,
        shared: Arc::clone(shared),
    };
    let result = message_loop(&mut connection);
    shared.unregister(pid);
    if let Err(ReadError::Protocol(message)) = &result {
        let _ = connection.writer.fatal("08P01", message);
    }
    eprintln!("vecsh: connection {pid} closed");
    result
}

/// Answers a request for a newer protocol minor version or for protocol options with
/// `NegotiateProtocolVersion`: 3.0, and none of the options.
fn negotiate(writer: &mut Writer<Output>, params: &[(String, String)]) -> Result<(), ReadError> {
    use pgwire::messages::startup::NegotiateProtocolVersion;
    let options: Vec<String> = params
        .iter()
        .filter(|(name, _)| name.starts_with("_pq_."))
        .map(|(name, _)| name.clone())
        .collect();
    writer.send(PgWireBackendMessage::NegotiateProtocolVersion(
        NegotiateProtocolVersion::new(3 << 16, options),
    ))?;
    Ok(())
}

/// Runs SCRAM-SHA-256; `false` when the client failed (it has been told).
fn authenticate(
    reader: &mut Input,
    writer: &mut Writer<Output>,
    password: &str,
    user: &str,
) -> Result<bool, ReadError> {
    let failed = format!("password authentication failed for user \"{user}\"");
    writer.send(PgWireBackendMessage::Authentication(Authentication::SASL(
        vec![MECHANISM.to_string()],
    )))?;
    writer.flush()?;
    let Frontend::Password(initial) = read_message(reader, MAX_UNAUTHENTICATED_MESSAGE)? else {
        writer.fatal("08P01", "expected SASL response")?;
        return Ok(false);
    };
    let mut cursor = super::codec::Cursor::new(&initial);
    let mechanism = cursor.cstring()?;
    let length = cursor.i32()?;
    if mechanism != MECHANISM {
        writer.fatal(
            "08P01",
            "client selected an invalid SASL authentication mechanism",
        )?;
        return Ok(false);
    }
    let first = match usize::try_from(length) {
        Ok(length) => cursor.take(length)?,
        Err(_) => &[],
    };
    let (scram, server_first) = match Scram::start(password, first) {
        Ok(started) => started,
        Err(AuthError::Malformed(message)) => {
            writer.fatal("08P01", message)?;
            return Ok(false);
        }
        Err(AuthError::WrongPassword) => {
            writer.fatal("28P01", &failed)?;
            return Ok(false);
        }
    };
    writer.send(PgWireBackendMessage::Authentication(
        Authentication::SASLContinue(server_first.into_bytes().into()),
    ))?;
    writer.flush()?;
    let Frontend::Password(response) = read_message(reader, MAX_UNAUTHENTICATED_MESSAGE)? else {
        writer.fatal("08P01", "expected SASL response")?;
        return Ok(false);
    };
    match scram.finish(&response) {
        Ok(server_final) => {
            writer.send(PgWireBackendMessage::Authentication(
                Authentication::SASLFinal(server_final.into_bytes().into()),
            ))?;
            Ok(true)
        }
        Err(AuthError::Malformed(message)) => {
            writer.fatal("08P01", message)?;
            Ok(false)
        }
        Err(AuthError::WrongPassword) => {
            writer.fatal("28P01", &failed)?;
            Ok(false)
        }
    }
}

/// Reads and answers messages until the client leaves.
fn message_loop(connection: &mut Connection) -> Result<(), ReadError> {
    let mut extended = Extended::default();
    loop {
        if connection.shared.stopping.load(Ordering::SeqCst) {
            connection.writer.fatal(
                "57P01",
                "terminating connection due to administrator command",
            )?;
            return Ok(());
        }
        let message = read_message(&mut connection.reader, MAX_MESSAGE)?;
        match message {
            Frontend::Terminate => return Ok(()),
            Frontend::Query(sql) => {
                extended.clear_unnamed_portal();
                super::simple::query(connection, &sql)?;
            }
            // COPY messages outside a COPY are ignored, as PostgreSQL does.
            Frontend::CopyData(_) | Frontend::CopyDone | Frontend::CopyFail(_) => {}
            Frontend::Password(_) => {
                return Err(ReadError::Protocol(
                    "unexpected password message".to_string(),
                ))
            }
            other => extended.handle(connection, other)?,
        }
    }
}
