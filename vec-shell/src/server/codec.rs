//! Reading the frontend's messages off the socket, with every length and count checked
//! against what the message holds: a malformed, truncated or oversized message is an
//! error that closes its connection, never a panic or an allocation the client chose.
//!
//! Backend messages are encoded by the `pgwire` crate. Its frontend decoders are not
//! used: they read fields without checking them against the message's length (a Bind
//! whose parameter lengths run past its end panics in `bytes`), so this module decodes
//! the frontend messages itself.

use std::io::{self, Read};

/// The most a startup-phase packet may hold (PostgreSQL's `MAX_STARTUP_PACKET_LENGTH`).
pub const MAX_STARTUP_PACKET: usize = 10_000;
/// The most any later message may hold (PostgreSQL's `PQ_LARGE_MESSAGE_LIMIT`).
pub const MAX_MESSAGE: usize = (1 << 30) - 1;
/// Before authentication, messages are held to this (`PQ_SMALL_MESSAGE_LIMIT`).
pub const MAX_UNAUTHENTICATED_MESSAGE: usize = 10_000;

/// The startup-phase request codes.
pub const SSL_REQUEST: u32 = 80_877_103;
/// `GSSENCRequest`.
pub const GSSENC_REQUEST: u32 = 80_877_104;
/// `CancelRequest`.
pub const CANCEL_REQUEST: u32 = 80_877_102;

/// Why a message could not be read.
#[derive(Debug)]
pub enum ReadError {
    /// The socket failed or closed.
    Io(io::Error),
    /// The bytes are not a valid message (PostgreSQL's text for it).
    Protocol(String),
}

impl From<io::Error> for ReadError {
    fn from(error: io::Error) -> Self {
        ReadError::Io(error)
    }
}

/// A result of reading.
pub type ReadResult<T> = Result<T, ReadError>;

fn protocol<T>(message: impl Into<String>) -> ReadResult<T> {
    Err(ReadError::Protocol(message.into()))
}

/// A packet of the startup phase.
#[derive(Debug, PartialEq)]
pub enum StartupPacket {
    /// `SSLRequest`.
    Ssl,
    /// `GSSENCRequest`.
    GssEnc,
    /// `CancelRequest`: the backend's process id and secret key.
    Cancel {
        /// The process id of the connection to cancel.
        pid: i32,
        /// Its secret key.
        secret: Vec<u8>,
    },
    /// `StartupMessage`: the protocol version and the parameters.
    Startup {
        /// The major version (3).
        major: u16,
        /// The minor version.
        minor: u16,
        /// The name-value pairs (`user`, `database`, `application_name`, …).
        params: Vec<(String, String)>,
    },
}

/// Reads one packet of the startup phase (no type byte; a length, then a code).
pub fn read_startup(reader: &mut impl Read) -> ReadResult<StartupPacket> {
    let mut length = [0u8; 4];
    reader.read_exact(&mut length)?;
    let length = i32::from_be_bytes(length);
    if !(8..=MAX_STARTUP_PACKET as i32).contains(&length) {
        return protocol("invalid length of startup packet");
    }
    let mut body = vec![0u8; length as usize - 4];
    reader.read_exact(&mut body)?;
    decode_startup(&body)
}

/// Decodes a startup-phase packet's body (after its length).
pub fn decode_startup(body: &[u8]) -> ReadResult<StartupPacket> {
    let mut cursor = Cursor::new(body);
    let code = cursor.u32()?;
    match code {
        SSL_REQUEST => Ok(StartupPacket::Ssl),
        GSSENC_REQUEST => Ok(StartupPacket::GssEnc),
        CANCEL_REQUEST => {
            let pid = cursor.i32()?;
            let secret = cursor.rest().to_vec();
            if secret.is_empty() || secret.len() > 256 {
                return protocol("invalid length of cancel request packet");
            }
            Ok(StartupPacket::Cancel { pid, secret })
        }
        version => {
            let major = (version >> 16) as u16;
            let minor = (version & 0xffff) as u16;
            let mut params = Vec::new();
            if major == 3 {
                loop {
                    let name = cursor.cstring()?;
                    if name.is_empty() {
                        break;
                    }
                    let value = cursor.cstring()?;
                    params.push((name, value));
                }
            }
            Ok(StartupPacket::Startup {
                major,
                minor,
                params,
            })
        }
    }
}

/// A message of the frontend after startup.
#[derive(Debug, PartialEq)]
pub enum Frontend {
    /// `Query`: a simple query's text.
    Query(String),
    /// `Parse`: a statement's name, its text and its parameters' type OIDs.
    Parse {
        /// The statement's name (`""` for the unnamed one).
        name: String,
        /// The text.
        query: String,
        /// The declared parameter type OIDs (0 to infer).
        param_types: Vec<u32>,
    },
    /// `Bind`: a portal from a statement, with parameter values and result formats.
    Bind {
        /// The portal's name.
        portal: String,
        /// The statement's name.
        statement: String,
        /// The parameters' format codes (none: all text; one: for all).
        param_formats: Vec<i16>,
        /// The parameters' values (`None` for NULL).
        params: Vec<Option<Vec<u8>>>,
        /// The result columns' format codes.
        result_formats: Vec<i16>,
    },
    /// `Describe`: `S` for a statement, `P` for a portal, and its name.
    Describe {
        /// `S` or `P`.
        kind: u8,
        /// The name.
        name: String,
    },
    /// `Execute`: a portal and the most rows to return (0 for all).
    Execute {
        /// The portal's name.
        portal: String,
        /// The row limit.
        max_rows: i32,
    },
    /// `Close`: `S` or `P`, and the name.
    Close {
        /// `S` or `P`.
        kind: u8,
        /// The name.
        name: String,
    },
    /// `Sync`.
    Sync,
    /// `Flush`.
    Flush,
    /// `Terminate`.
    Terminate,
    /// `CopyData`.
    CopyData(Vec<u8>),
    /// `CopyDone`.
    CopyDone,
    /// `CopyFail`, with the client's message.
    CopyFail(String),
    /// `PasswordMessage`, `SASLInitialResponse` or `SASLResponse`: the body, read by
    /// the authentication exchange that expects it.
    Password(Vec<u8>),
}

/// Reads one message (a type byte, a length, a body) of at most `limit` bytes.
pub fn read_message(reader: &mut impl Read, limit: usize) -> ReadResult<Frontend> {
    let mut header = [0u8; 5];
    reader.read_exact(&mut header)?;
    let kind = header[0];
    let length = i32::from_be_bytes([header[1], header[2], header[3], header[4]]);
    if length < 4 || length as usize - 4 > limit {
        return protocol(format!("invalid message length {length}"));
    }
    let mut body = Vec::new();
    // Read through `take` so that a short stream ends the read instead of waiting for
    // bytes a lying length promised; the buffer grows only as bytes arrive.
    reader.take(length as u64 - 4).read_to_end(&mut body)?;
    if body.len() != length as usize - 4 {
        return Err(ReadError::Io(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "unexpected EOF within message",
        )));
    }
    decode(kind, &body)
}

/// Decodes a message's body by its type byte.
pub fn decode(kind: u8, body: &[u8]) -> ReadResult<Frontend> {
    let mut cursor = Cursor::new(body);
    let message = match kind {
        b'Q' => Frontend::Query(cursor.cstring()?),
        b'P' => {
            let name = cursor.cstring()?;
            let query = cursor.cstring()?;
            let count = cursor.count(4)?;
            let mut param_types = Vec::with_capacity(count);
            for _ in 0..count {
                param_types.push(cursor.u32()?);
            }
            Frontend::Parse {
                name,
                query,
                param_types,
            }
        }
        b'B' => {
            let portal = cursor.cstring()?;
            let statement = cursor.cstring()?;
            let count = cursor.count(2)?;
            let mut param_formats = Vec::with_capacity(count);
            for _ in 0..count {
                param_formats.push(cursor.i16()?);
            }
            let count = cursor.count(4)?;
            let mut params = Vec::with_capacity(count);
            for _ in 0..count {
                let length = cursor.i32()?;
                if length == -1 {
                    params.push(None);
                } else if length < 0 {
                    return protocol(format!("invalid parameter length {length}"));
                } else {
                    params.push(Some(cursor.take(length as usize)?.to_vec()));
                }
            }
            let count = cursor.count(2)?;
            let mut result_formats = Vec::with_capacity(count);
            for _ in 0..count {
                result_formats.push(cursor.i16()?);
            }
            Frontend::Bind {
                portal,
                statement,
                param_formats,
                params,
                result_formats,
            }
        }
        b'D' | b'C' => {
            let target = cursor.u8()?;
            if target != b'S' && target != b'P' {
                let what = if kind == b'D' { "DESCRIBE" } else { "CLOSE" };
                return protocol(format!("invalid {what} message subtype {target}"));
            }
            let name = cursor.cstring()?;
            match kind {
                b'D' => Frontend::Describe { kind: target, name },
                _ => Frontend::Close { kind: target, name },
            }
        }
        b'E' => Frontend::Execute {
            portal: cursor.cstring()?,
            max_rows: cursor.i32()?,
        },
        b'S' => Frontend::Sync,
        b'H' => Frontend::Flush,
        b'X' => Frontend::Terminate,
        b'd' => return Ok(Frontend::CopyData(body.to_vec())),
        b'c' => Frontend::CopyDone,
        b'f' => Frontend::CopyFail(cursor.cstring()?),
        b'p' => return Ok(Frontend::Password(body.to_vec())),
        other => return protocol(format!("invalid frontend message type {other}")),
    };
    if !cursor.rest().is_empty() {
        return protocol("invalid message format");
    }
    Ok(message)
}

/// A reader over a message's body that fails instead of reading past its end.
pub struct Cursor<'a> {
    bytes: &'a [u8],
}

impl<'a> Cursor<'a> {
    /// A cursor at the start of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Cursor { bytes }
    }

    /// The next `n` bytes.
    pub fn take(&mut self, n: usize) -> ReadResult<&'a [u8]> {
        if self.bytes.len() < n {
            return protocol("insufficient data left in message");
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    /// What is left.
    pub fn rest(&self) -> &'a [u8] {
        self.bytes
    }

    fn u8(&mut self) -> ReadResult<u8> {
        Ok(self.take(1)?[0])
    }

    fn i16(&mut self) -> ReadResult<i16> {
        let bytes = self.take(2)?;
        Ok(i16::from_be_bytes([bytes[0], bytes[1]]))
    }

    /// A big-endian `int32`.
    pub fn i32(&mut self) -> ReadResult<i32> {
        let bytes = self.take(4)?;
        Ok(i32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
    }

    fn u32(&mut self) -> ReadResult<u32> {
        Ok(self.i32()? as u32)
    }

    /// A count of items of at least `item_size` bytes each, checked against what is
    /// left so that no allocation exceeds the message.
    fn count(&mut self, item_size: usize) -> ReadResult<usize> {
        let count = self.i16()? as u16 as usize;
        if count.saturating_mul(item_size) > self.bytes.len() {
            return protocol("insufficient data left in message");
        }
        Ok(count)
    }

    /// A NUL-terminated UTF-8 string.
    pub fn cstring(&mut self) -> ReadResult<String> {
        let Some(end) = self.bytes.iter().position(|b| *b == 0) else {
            return protocol("invalid string in message");
        };
        let text = std::str::from_utf8(&self.bytes[..end])
            .map_err(|_| ReadError::Protocol("invalid byte sequence for encoding \"UTF8\"".into()))?
            .to_string();
        self.bytes = &self.bytes[end + 1..];
        Ok(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(kind: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![kind];
        out.extend_from_slice(&((body.len() + 4) as i32).to_be_bytes());
        out.extend_from_slice(body);
        out
    }

    #[test]
    fn messages_decode() {
        let bytes = frame(b'Q', b"SELECT 1\0");
        assert_eq!(
            read_message(&mut bytes.as_slice(), MAX_MESSAGE).unwrap(),
            Frontend::Query("SELECT 1".into())
        );
        let mut bind = b"p\0s\0".to_vec();
        bind.extend_from_slice(&[
            0, 1, 0, 1, 0, 2, 0, 0, 0, 2, b'h', b'i', 0xff, 0xff, 0xff, 0xff, 0, 0,
        ]);
        match decode(b'B', &bind).unwrap() {
            Frontend::Bind {
                params,
                param_formats,
                ..
            } => {
                assert_eq!(param_formats, [1]);
                assert_eq!(params, [Some(b"hi".to_vec()), None]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn malformed_messages_are_errors() {
        // A parameter longer than the message, a count past its end, a missing NUL,
        // a negative or oversized length, an unknown type.
        let mut bind = b"\0\0".to_vec();
        bind.extend_from_slice(&[0, 0, 0, 1, 0, 0, 1, 0]);
        assert!(matches!(decode(b'B', &bind), Err(ReadError::Protocol(_))));
        assert!(matches!(
            decode(b'P', b"\0x\0\xff\xff"),
            Err(ReadError::Protocol(_))
        ));
        assert!(matches!(
            decode(b'Q', b"no nul"),
            Err(ReadError::Protocol(_))
        ));
        let mut negative = vec![b'Q'];
        negative.extend_from_slice(&(-5i32).to_be_bytes());
        assert!(read_message(&mut negative.as_slice(), MAX_MESSAGE).is_err());
        let mut huge = vec![b'Q'];
        huge.extend_from_slice(&i32::MAX.to_be_bytes());
        assert!(matches!(
            read_message(&mut huge.as_slice(), MAX_MESSAGE),
            Err(ReadError::Protocol(_))
        ));
        assert!(matches!(decode(b'z', b""), Err(ReadError::Protocol(_))));
        // A length that promises more than arrives ends in EOF, not a wait.
        let short = frame(b'Q', b"SELECT 1\0");
        assert!(matches!(
            read_message(&mut &short[..7], MAX_MESSAGE),
            Err(ReadError::Io(_))
        ));
    }

    #[test]
    fn startup_packets_decode() {
        let mut body = 196_608u32.to_be_bytes().to_vec();
        body.extend_from_slice(b"user\0me\0database\0db\0\0");
        assert_eq!(
            decode_startup(&body).unwrap(),
            StartupPacket::Startup {
                major: 3,
                minor: 0,
                params: vec![
                    ("user".into(), "me".into()),
                    ("database".into(), "db".into())
                ],
            }
        );
        assert_eq!(
            decode_startup(&SSL_REQUEST.to_be_bytes()).unwrap(),
            StartupPacket::Ssl
        );
        let mut unterminated = 196_608u32.to_be_bytes().to_vec();
        unterminated.extend_from_slice(b"user\0me");
        assert!(decode_startup(&unterminated).is_err());
        let tiny = [0u8, 0, 0, 3];
        assert!(read_startup(&mut tiny.as_slice()).is_err());
    }
}
