//! `COPY … FROM STDIN`'s data as it arrives: a reader over the client's `CopyData`
//! messages, so that the session converts the rows a piece at a time while the client
//! still sends, and never holds more of the data than a piece. `CopyDone` ends the data;
//! `CopyFail`, a message that has no place in a copy, or a lost connection fail the read
//! (and with it the statement, before anything of it is written). After the statement,
//! whatever the client still sends of the copy is read and dropped up to its
//! `CopyDone` or `CopyFail`, as PostgreSQL does after an error in the data.

use std::io::{self, Read};

use super::codec::{read_message, Frontend, ReadError, MAX_MESSAGE};
use crate::error::EngineError;

/// Where the copy's messages stand.
enum State {
    /// More data may come.
    Reading,
    /// `CopyDone` came.
    Done,
    /// The client failed the copy (`CopyFail`), or sent a message out of place.
    Failed(EngineError),
    /// The connection failed or sent something that is not a message.
    Lost(ReadError),
}

/// The client's `CopyData` as one stream of bytes.
pub(super) struct CopyIn<'c, R: Read> {
    input: &'c mut R,
    /// The current message's data and how much of it was read.
    data: Vec<u8>,
    at: usize,
    state: State,
}

/// How a copy's messages ended.
pub(super) enum Ending {
    /// With `CopyDone`.
    Done,
    /// With an error to report instead of the statement's outcome.
    Failed(EngineError),
    /// The connection is unusable.
    Lost(ReadError),
}

impl<'c, R: Read> CopyIn<'c, R> {
    /// A reader of the copy's messages from `input`.
    pub(super) fn new(input: &'c mut R) -> Self {
        CopyIn {
            input,
            data: Vec::new(),
            at: 0,
            state: State::Reading,
        }
    }

    /// Reads the next message into the state.
    fn next_message(&mut self) {
        match read_message(self.input, MAX_MESSAGE) {
            Ok(Frontend::CopyData(bytes)) => (self.data, self.at) = (bytes, 0),
            Ok(Frontend::CopyDone) => self.state = State::Done,
            Ok(Frontend::CopyFail(message)) => {
                self.state = State::Failed(EngineError::new(
                    "57014",
                    format!("COPY from stdin failed: {message}"),
                ))
            }
            // Flush and Sync may come from an extended-protocol client; they wait.
            Ok(Frontend::Flush | Frontend::Sync) => {}
            Ok(_) => {
                self.state = State::Failed(EngineError::new(
                    "08P01",
                    "unexpected message type during COPY from stdin",
                ))
            }
            Err(error) => self.state = State::Lost(error),
        }
    }

    /// Reads and drops the rest of the copy, then says how it ended: a failure seen
    /// while the statement read (the cause of its error) is reported; after the
    /// statement, only a lost connection is.
    pub(super) fn finish(mut self) -> Ending {
        let failed_while_read = !matches!(self.state, State::Reading);
        while matches!(self.state, State::Reading) {
            self.next_message();
        }
        match self.state {
            State::Lost(error) => Ending::Lost(error),
            State::Failed(error) if failed_while_read => Ending::Failed(error),
            _ => Ending::Done,
        }
    }
}

impl<R: Read> Read for CopyIn<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.at < self.data.len() {
                let n = buf.len().min(self.data.len() - self.at);
                buf[..n].copy_from_slice(&self.data[self.at..self.at + n]);
                self.at += n;
                return Ok(n);
            }
            match &self.state {
                State::Reading => self.next_message(),
                State::Done => return Ok(0),
                State::Failed(error) => return Err(io::Error::other(error.message.clone())),
                State::Lost(_) => return Err(io::Error::other("the connection was lost")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(kind: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![kind];
        out.extend_from_slice(&(body.len() as i32 + 4).to_be_bytes());
        out.extend_from_slice(body);
        out
    }

    #[test]
    fn data_messages_read_as_one_stream_until_copy_done() {
        let mut wire = message(b'd', b"1,a\n2,");
        wire.extend(message(b'H', b""));
        wire.extend(message(b'd', b"b\n"));
        wire.extend(message(b'c', b""));
        wire.extend(message(b'Q', b"SELECT 1\0"));
        let mut input = wire.as_slice();
        let mut copy = CopyIn::new(&mut input);
        let mut read = String::new();
        copy.read_to_string(&mut read).unwrap();
        assert_eq!(read, "1,a\n2,b\n");
        assert!(matches!(copy.finish(), Ending::Done));
        // The next message is left for the connection.
        assert_eq!(input, message(b'Q', b"SELECT 1\0").as_slice());
    }

    #[test]
    fn copy_fail_fails_the_read_and_is_reported() {
        let mut wire = message(b'd', b"1,a\n");
        wire.extend(message(b'f', b"client gave up\0"));
        let mut input = wire.as_slice();
        let mut copy = CopyIn::new(&mut input);
        let error = copy.read_to_end(&mut Vec::new()).unwrap_err();
        assert_eq!(error.to_string(), "COPY from stdin failed: client gave up");
        match copy.finish() {
            Ending::Failed(error) => assert_eq!(error.sqlstate, "57014"),
            _ => panic!("not failed"),
        }
    }

    #[test]
    fn the_rest_is_dropped_after_the_statement_stops_reading() {
        let mut wire = message(b'd', b"1,a\n");
        wire.extend(message(b'd', b"2,b\n"));
        wire.extend(message(b'f', b"late\0"));
        wire.extend(message(b'S', b""));
        let mut input = wire.as_slice();
        let mut copy = CopyIn::new(&mut input);
        let mut first = [0u8; 2];
        copy.read_exact(&mut first).unwrap();
        // The statement failed on its own error: a later CopyFail does not replace it.
        assert!(matches!(copy.finish(), Ending::Done));
        assert_eq!(input, message(b'S', b"").as_slice());
        // A connection that ends inside a message is lost.
        let truncated = message(b'd', b"1")[..3].to_vec();
        let mut input = truncated.as_slice();
        let copy = CopyIn::new(&mut input);
        assert!(matches!(copy.finish(), Ending::Lost(_)));
    }
}
