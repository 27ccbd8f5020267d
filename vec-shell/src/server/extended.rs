//! The extended-query protocol: Parse prepares a statement in the session (its
//! parameters' types declared or inferred), Bind makes a portal of it with parameter
//! values read in text or binary by their types, Describe reports parameter types and
//! result columns without running anything, Execute runs a portal (returning at most
//! the requested rows, then `PortalSuspended` until the rest are fetched), Close drops a
//! statement or portal, Sync ends the exchange with `ReadyForQuery`. After an error,
//! messages are skipped until Sync, as PostgreSQL does.

use std::collections::{HashMap, VecDeque};

use pgwire::messages::data::{NoData, ParameterDescription};
use pgwire::messages::extendedquery::{
    BindComplete, CloseComplete, ParseComplete, PortalSuspended,
};
use pgwire::messages::response::EmptyQueryResponse;
use pgwire::messages::PgWireBackendMessage;

use super::codec::{Frontend, ReadError};
use super::connection::Connection;
use super::simple::{copy_in, send_result};
use super::wire::{data_row, format_of, row_description, BINARY, TEXT};
use crate::analyze::OutputColumn;
use crate::error::{EngineError, Result};
use crate::sql::ast::Statement;
use crate::storage::Row;
use crate::value::{binary, input::input, Datum, SqlType};

/// A bound portal.
struct Portal {
    /// The prepared statement it runs.
    statement: String,
    /// The parameters' values.
    params: Vec<Datum>,
    /// The result columns' formats.
    formats: Vec<i16>,
    /// The result columns, when it returns rows.
    columns: Option<Vec<OutputColumn>>,
    /// Rows computed and not yet sent; `None` until it first runs.
    pending: Option<VecDeque<Row>>,
    /// The statement's command tag, once it ran.
    tag: String,
}

/// The extended protocol's state of a connection.
#[derive(Default)]
pub(super) struct Extended {
    portals: HashMap<String, Portal>,
    /// The texts of prepared statements (errors point into them).
    texts: HashMap<String, String>,
    /// The parameter type OIDs each statement's Parse declared: a binary `int2` or
    /// `oid` value is read by its own size.
    declared: HashMap<String, Vec<u32>>,
    /// An error happened: skip messages until Sync.
    skipping: bool,
}

impl Extended {
    /// A simple query drops the unnamed portal.
    pub(super) fn clear_unnamed_portal(&mut self) {
        self.portals.remove("");
    }

    /// Answers one extended-protocol message.
    pub(super) fn handle(
        &mut self,
        connection: &mut Connection,
        message: Frontend,
    ) -> Result<(), ReadError> {
        if let Frontend::Sync = message {
            self.skipping = false;
            if !connection.session.in_transaction_block() {
                self.portals.retain(|name, _| !name.is_empty());
            }
            let status = connection.status();
            connection.writer.ready(status)?;
            return Ok(());
        }
        if let Frontend::Flush = message {
            connection.writer.flush()?;
            return Ok(());
        }
        if self.skipping {
            return Ok(());
        }
        let text = match &message {
            Frontend::Parse { query, .. } => query.clone(),
            Frontend::Execute { portal, .. } => self
                .portals
                .get(portal)
                .and_then(|p| self.texts.get(&p.statement))
                .cloned()
                .unwrap_or_default(),
            _ => String::new(),
        };
        match self.answer(connection, message) {
            Ok(()) => Ok(()),
            Err(Failure::Engine(error)) => {
                // Any error aborts an open block, as in PostgreSQL (the session has done so
                // already for the errors of its own statements).
                connection.session.fail_block();
                self.skipping = true;
                connection.writer.report(&error, &text)?;
                Ok(())
            }
            Err(Failure::Read(error)) => Err(error),
        }
    }

    fn answer(&mut self, connection: &mut Connection, message: Frontend) -> Result<(), Failure> {
        match message {
            Frontend::Parse {
                name,
                query,
                param_types,
            } => {
                let mut types = Vec::with_capacity(param_types.len());
                for &oid in &param_types {
                    let ty = match oid {
                        crate::value::oid::OID => Some(SqlType::Int8),
                        other => SqlType::from_oid(other),
                    };
                    types.push(ty.ok_or_else(|| {
                        EngineError::new("42704", format!("type with OID {oid} does not exist"))
                    })?);
                }
                let mut statements = crate::sql::parse(&query).inspect_err(|_| {
                    connection.session.fail_block();
                })?;
                for statement in &mut statements {
                    super::files::check(&connection.shared.options, statement)?;
                }
                connection
                    .session
                    .prepare_parsed_as(&name, statements, &types, &query)?;
                self.declared.insert(name.clone(), param_types);
                self.texts.insert(name, query);
                connection
                    .writer
                    .send(PgWireBackendMessage::ParseComplete(ParseComplete::new()))?;
            }
            Frontend::Bind {
                portal,
                statement,
                param_formats,
                params,
                result_formats,
            } => {
                let description = connection
                    .session
                    .prepared_statement(&statement)?
                    .description();
                if params.len() != description.params.len() {
                    return Err(EngineError::new(
                        "08P01",
                        format!(
                            "bind message supplies {} parameters, but prepared statement \"{statement}\" requires {}",
                            params.len(),
                            description.params.len()
                        ),
                    )
                    .into());
                }
                if param_formats.len() > 1 && param_formats.len() != params.len() {
                    return Err(EngineError::new(
                        "08P01",
                        format!(
                            "bind message has {} parameter formats but {} parameters",
                            param_formats.len(),
                            params.len()
                        ),
                    )
                    .into());
                }
                let declared = self.declared.get(&statement);
                let mut values = Vec::with_capacity(params.len());
                for (i, (value, ty)) in params.iter().zip(&description.params).enumerate() {
                    let oid = declared.and_then(|d| d.get(i)).copied().unwrap_or(0);
                    let format = format_of(&param_formats, i);
                    values.push(read_param(value.as_deref(), ty, oid, format, i)?);
                }
                let column_count = description.columns.as_ref().map_or(0, Vec::len);
                if result_formats.len() > 1 && result_formats.len() != column_count {
                    return Err(EngineError::new(
                        "08P01",
                        format!(
                            "bind message has {} result formats but query has {column_count} columns",
                            result_formats.len()
                        ),
                    )
                    .into());
                }
                if let Some(bad) = result_formats.iter().find(|f| **f != TEXT && **f != BINARY) {
                    return Err(EngineError::new(
                        "22023",
                        format!("unsupported format code: {bad}"),
                    )
                    .into());
                }
                self.portals.insert(
                    portal,
                    Portal {
                        statement,
                        params: values,
                        formats: result_formats,
                        columns: description.columns,
                        pending: None,
                        tag: String::new(),
                    },
                );
                connection
                    .writer
                    .send(PgWireBackendMessage::BindComplete(BindComplete::new()))?;
            }
            Frontend::Describe { kind: b'S', name } => {
                let description = connection.session.prepared_statement(&name)?.description();
                let oids = description.params.iter().map(SqlType::oid).collect();
                connection
                    .writer
                    .send(PgWireBackendMessage::ParameterDescription(
                        ParameterDescription::new(oids),
                    ))?;
                describe_rows(connection, description.columns.as_deref(), &[])?;
            }
            Frontend::Describe { name, .. } => {
                let portal = self.portals.get(&name).ok_or_else(|| no_portal(&name))?;
                let columns = portal.columns.clone();
                let formats = portal.formats.clone();
                describe_rows(connection, columns.as_deref(), &formats)?;
            }
            Frontend::Execute { portal, max_rows } => {
                self.execute(connection, &portal, max_rows)?
            }
            Frontend::Close { kind, name } => {
                if kind == b'S' {
                    connection.session.close_prepared(&name);
                    self.texts.remove(&name);
                    self.declared.remove(&name);
                } else {
                    self.portals.remove(&name);
                }
                connection
                    .writer
                    .send(PgWireBackendMessage::CloseComplete(CloseComplete::new()))?;
            }
            other => {
                return Err(Failure::Read(ReadError::Protocol(format!(
                    "unexpected message {other:?}"
                ))))
            }
        }
        Ok(())
    }

    fn execute(
        &mut self,
        connection: &mut Connection,
        name: &str,
        max_rows: i32,
    ) -> Result<(), Failure> {
        let portal = self.portals.get_mut(name).ok_or_else(|| no_portal(name))?;
        if portal.pending.is_none() {
            let statement_name = portal.statement.clone();
            let prepared = connection.session.prepared_statement(&statement_name)?;
            if prepared.is_empty() {
                connection
                    .writer
                    .send(PgWireBackendMessage::EmptyQueryResponse(
                        EmptyQueryResponse::new(),
                    ))?;
                return Ok(());
            }
            if let Some(Statement::Copy(copy)) = prepared.statement() {
                if copy.from && copy.file.is_none() {
                    let statement = Statement::Copy(copy.clone());
                    let copy = copy.clone();
                    let result = copy_in(connection, &statement, &copy)??;
                    send_result(connection, &result, &[], false)?;
                    return Ok(());
                }
            }
            let result = connection
                .session
                .execute_prepared(&statement_name, &portal.params)?;
            portal.tag = result.tag.clone();
            match result.rows {
                Some(rows) => portal.pending = Some(rows.rows.into()),
                None => {
                    send_result(connection, &result, &[], false)?;
                    return Ok(());
                }
            }
            for notice in &result.notices {
                connection.writer.report(notice, "")?;
            }
        }
        let Some(pending) = portal.pending.as_mut() else {
            return Ok(());
        };
        let limit = if max_rows <= 0 {
            usize::MAX
        } else {
            max_rows as usize
        };
        let mut sent = 0;
        while sent < limit {
            let Some(row) = pending.pop_front() else {
                break;
            };
            let columns = portal.columns.as_deref().unwrap_or(&[]);
            connection
                .writer
                .send(data_row(&row, columns, &portal.formats))?;
            sent += 1;
        }
        if pending.is_empty() {
            // A query's tag counts the rows this Execute sent, as PostgreSQL's does.
            let tag = match portal.tag.starts_with("SELECT") {
                true => format!("SELECT {sent}"),
                false => portal.tag.clone(),
            };
            connection.writer.complete(&tag)?;
        } else {
            connection
                .writer
                .send(PgWireBackendMessage::PortalSuspended(PortalSuspended::new()))?;
        }
        Ok(())
    }
}

/// `RowDescription` of the columns, or `NoData`.
fn describe_rows(
    connection: &mut Connection,
    columns: Option<&[OutputColumn]>,
    formats: &[i16],
) -> Result<(), ReadError> {
    match columns {
        Some(columns) => connection.writer.send(row_description(columns, formats))?,
        None => connection
            .writer
            .send(PgWireBackendMessage::NoData(NoData::new()))?,
    }
    Ok(())
}

fn no_portal(name: &str) -> EngineError {
    EngineError::new("34000", format!("portal \"{name}\" does not exist"))
}

/// A parameter's value from its text or binary form, by its type (and, for a binary
/// `int2` or `oid`, by the OID the client declared).
fn read_param(
    value: Option<&[u8]>,
    ty: &SqlType,
    declared: u32,
    format: i16,
    index: usize,
) -> Result<Datum> {
    let Some(bytes) = value else {
        return Ok(Datum::Null);
    };
    if format == BINARY {
        let wrong = || {
            EngineError::new(
                "22P03",
                format!(
                    "incorrect binary data format in bind parameter {}",
                    index + 1
                ),
            )
        };
        match declared {
            crate::value::oid::INT2 => {
                let value: [u8; 2] = bytes.try_into().map_err(|_| wrong())?;
                return Ok(Datum::Int4(i32::from(i16::from_be_bytes(value))));
            }
            crate::value::oid::OID => {
                let value: [u8; 4] = bytes.try_into().map_err(|_| wrong())?;
                return Ok(Datum::Int8(i64::from(u32::from_be_bytes(value))));
            }
            _ => {}
        }
    }
    match format {
        TEXT => {
            let text = std::str::from_utf8(bytes).map_err(|_| {
                EngineError::new("22021", "invalid byte sequence for encoding \"UTF8\"")
            })?;
            input(ty, text)
        }
        BINARY => binary::recv(ty, bytes).map_err(|error| {
            if error.sqlstate == "22P03" {
                EngineError::new(
                    "22P03",
                    format!(
                        "incorrect binary data format in bind parameter {}",
                        index + 1
                    ),
                )
            } else {
                error
            }
        }),
        other => Err(EngineError::new(
            "22023",
            format!("unsupported format code: {other}"),
        )),
    }
}

/// Why a message failed: an engine error (reported, then skip to Sync) or the
/// connection itself.
enum Failure {
    Engine(EngineError),
    Read(ReadError),
}

impl From<EngineError> for Failure {
    fn from(error: EngineError) -> Self {
        Failure::Engine(error)
    }
}

impl From<ReadError> for Failure {
    fn from(error: ReadError) -> Self {
        Failure::Read(error)
    }
}

impl From<std::io::Error> for Failure {
    fn from(error: std::io::Error) -> Self {
        Failure::Read(ReadError::Io(error))
    }
}
