//! The backend's side of the protocol: a buffered writer of `pgwire`'s messages, and
//! the engine's results and errors in their wire form — `RowDescription` with type
//! OIDs, sizes and modifiers, `DataRow` in text or binary, `ErrorResponse` and
//! `NoticeResponse` with the fields psql prints (severity, SQLSTATE, message, detail,
//! hint, and the position as a 1-based character offset).

use std::io::{self, Write};

use bytes::BytesMut;
use pgwire::messages::data::{DataRow, FieldDescription, RowDescription};
use pgwire::messages::response::{
    CommandComplete, ErrorResponse, NoticeResponse, ReadyForQuery, TransactionStatus,
};
use pgwire::messages::PgWireBackendMessage;

use crate::analyze::OutputColumn;
use crate::error::{EngineError, Severity};
use crate::value::oid::wire_typmod;
use crate::value::{binary, Datum, SqlType};

/// Text format code.
pub const TEXT: i16 = 0;
/// Binary format code.
pub const BINARY: i16 = 1;

/// Buffers backend messages and writes them to the socket on `flush`.
pub struct Writer<W: Write> {
    out: W,
    buffer: BytesMut,
    /// Names the connection in the log line each error writes to stderr.
    pub log_as: Option<String>,
}

impl<W: Write> Writer<W> {
    /// A writer over `out`.
    pub fn new(out: W) -> Self {
        Writer {
            out,
            buffer: BytesMut::with_capacity(8192),
            log_as: None,
        }
    }

    /// Queues a message, writing the buffer out when it grows large.
    pub fn send(&mut self, message: PgWireBackendMessage) -> io::Result<()> {
        message
            .encode(&mut self.buffer)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;
        if self.buffer.len() >= 1 << 16 {
            self.flush()?;
        }
        Ok(())
    }

    /// Queues raw bytes (the one-byte answer to `SSLRequest`).
    pub fn raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.buffer.extend_from_slice(bytes);
        Ok(())
    }

    /// Writes everything queued.
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.write_all(&self.buffer)?;
        self.buffer.clear();
        self.out.flush()
    }

    /// `ReadyForQuery` with a transaction status, then a flush.
    pub fn ready(&mut self, status: TransactionStatus) -> io::Result<()> {
        self.send(PgWireBackendMessage::ReadyForQuery(ReadyForQuery::new(
            status,
        )))?;
        self.flush()
    }

    /// `CommandComplete`.
    pub fn complete(&mut self, tag: &str) -> io::Result<()> {
        self.send(PgWireBackendMessage::CommandComplete(CommandComplete::new(
            tag.to_string(),
        )))
    }

    /// An `ErrorResponse` (or a `NoticeResponse`, by the report's severity) for an
    /// engine report on statement text `query`.
    pub fn report(&mut self, report: &EngineError, query: &str) -> io::Result<()> {
        let fields = fields(report, query);
        if let (Severity::Error, Some(name)) = (report.severity, &self.log_as) {
            eprintln!(
                "vecsh: {name}: ERROR:  {} ({})",
                report.message, report.sqlstate
            );
        }
        match report.severity {
            Severity::Error => self.send(PgWireBackendMessage::ErrorResponse(ErrorResponse::new(
                fields,
            ))),
            _ => self.send(PgWireBackendMessage::NoticeResponse(NoticeResponse::new(
                fields,
            ))),
        }
    }

    /// A `FATAL` error, after which the connection closes.
    pub fn fatal(&mut self, sqlstate: &str, message: &str) -> io::Result<()> {
        let fields = vec![
            (b'S', "FATAL".to_string()),
            (b'V', "FATAL".to_string()),
            (b'C', sqlstate.to_string()),
            (b'M', message.to_string()),
        ];
        self.send(PgWireBackendMessage::ErrorResponse(ErrorResponse::new(
            fields,
        )))?;
        self.flush()
    }
}

/// The fields of an error or notice report.
fn fields(report: &EngineError, query: &str) -> Vec<(u8, String)> {
    let severity = report.severity.label().to_string();
    let mut fields = vec![
        (b'S', severity.clone()),
        (b'V', severity),
        (b'C', report.sqlstate.to_string()),
        (b'M', report.message.clone()),
    ];
    if let Some(detail) = &report.detail {
        fields.push((b'D', detail.clone()));
    }
    if let Some(hint) = &report.hint {
        fields.push((b'H', hint.clone()));
    }
    if let Some(position) = report.position {
        // The engine's position is a byte offset; the protocol's counts characters
        // from 1.
        let end = position.min(query.len());
        let chars = query
            .get(..end)
            .map_or(end, |prefix| prefix.chars().count());
        fields.push((b'P', (chars + 1).to_string()));
    }
    if let Some(context) = &report.context {
        // `CONTEXT:` in psql (the line of `COPY` data an error was met on, …).
        fields.push((b'W', context.clone()));
    }
    fields
}

/// A `RowDescription` of result columns in these formats.
pub fn row_description(columns: &[OutputColumn], formats: &[i16]) -> PgWireBackendMessage {
    let fields = columns
        .iter()
        .enumerate()
        .map(|(i, column)| {
            FieldDescription::new(
                column.name.clone(),
                0,
                0,
                column.ty.oid(),
                column.ty.type_size(),
                wire_typmod(&column.ty, column.typmod),
                format_of(formats, i),
            )
        })
        .collect();
    PgWireBackendMessage::RowDescription(RowDescription::new(fields))
}

/// The format of column (or parameter) `i` under a list of format codes: none means
/// text, one applies to all.
pub fn format_of(formats: &[i16], i: usize) -> i16 {
    match formats {
        [] => TEXT,
        [only] => *only,
        many => many.get(i).copied().unwrap_or(TEXT),
    }
}

/// A `DataRow` of values of these columns in these formats.
pub fn data_row(row: &[Datum], columns: &[OutputColumn], formats: &[i16]) -> PgWireBackendMessage {
    let mut data = BytesMut::new();
    for (i, value) in row.iter().enumerate() {
        let regtype = columns.get(i).is_some_and(|c| c.ty == SqlType::RegType);
        let bytes = match (format_of(formats, i), value) {
            // A `regtype` is held as its OID and shown as the type's name.
            (BINARY, Datum::Int8(oid)) if regtype => Some((*oid as u32).to_be_bytes().to_vec()),
            (_, Datum::Int8(oid)) if regtype => Some(
                u32::try_from(*oid)
                    .ok()
                    .and_then(crate::value::oid::type_name)
                    .unwrap_or_else(|| oid.to_string())
                    .into_bytes(),
            ),
            (BINARY, value) => binary::send(value),
            (_, value) => value.to_text().map(String::into_bytes),
        };
        match bytes {
            None => data.extend_from_slice(&(-1i32).to_be_bytes()),
            Some(bytes) => {
                data.extend_from_slice(&(bytes.len() as i32).to_be_bytes());
                data.extend_from_slice(&bytes);
            }
        }
    }
    PgWireBackendMessage::DataRow(DataRow::new(data, row.len() as i16))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_from_one() {
        // `x` is at byte 12 (`é` takes two), the 12th character.
        let error = EngineError::new("42601", "syntax error at or near \"x\"").at(12);
        let fields = fields(&error, "SELECT 'é' x");
        assert!(fields.contains(&(b'P', "12".to_string())));
        assert!(fields.contains(&(b'C', "42601".to_string())));
    }

    #[test]
    fn formats_follow_the_protocol() {
        assert_eq!(format_of(&[], 3), TEXT);
        assert_eq!(format_of(&[BINARY], 3), BINARY);
        assert_eq!(format_of(&[TEXT, BINARY], 1), BINARY);
        assert_eq!(wire_typmod(&crate::value::SqlType::Varchar, 20), 24);
        assert_eq!(wire_typmod(&crate::value::SqlType::Vector, 3), 3);
    }
}
