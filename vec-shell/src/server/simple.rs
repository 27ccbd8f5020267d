//! The simple-query protocol: a `Query` message's statements run one after another,
//! each answered with its rows (`RowDescription`, `DataRow`s in text), its notices and
//! its `CommandComplete`; the first error ends the message. `COPY … FROM STDIN` reads
//! the client's `CopyData` until `CopyDone` (`CopyFail` or a lost client changes
//! nothing), `COPY … TO STDOUT` sends the data as `CopyData`.
//!
//! Several statements in one message run as one implicit transaction, as PostgreSQL's
//! do: an error rolls back the statements before it. A message that holds a
//! transaction-control statement, or a schema statement vecsh runs only outside blocks,
//! runs its statements one by one instead (each committing on its own).

use pgwire::messages::copy::{CopyData, CopyDone, CopyInResponse, CopyOutResponse};
use pgwire::messages::response::EmptyQueryResponse;
use pgwire::messages::PgWireBackendMessage;

use super::codec::ReadError;
use super::connection::Connection;
use super::copy_in::{CopyIn, Ending};
use super::wire::{data_row, row_description, TEXT};
use crate::error::EngineError;
use crate::exec::StatementResult;
use crate::sql::ast::{Copy, Statement, TransactionCommand, TransactionModes};

/// Answers a `Query` message.
pub(super) fn query(connection: &mut Connection, sql: &str) -> Result<(), ReadError> {
    // A repeated query shape runs its kept plan (see `Session::execute_shape`).
    if let Some(outcome) = connection.session.execute_shape(sql) {
        match outcome {
            Ok(result) => send_result(connection, &result, &[], true)?,
            Err(error) => {
                connection.session.fail_block();
                connection.writer.report(&error, sql)?;
            }
        }
        return ready(connection);
    }
    let statements = match crate::sql::parse_with_spans(sql) {
        Ok(statements) => statements,
        Err(error) => {
            // A syntax error aborts an open block, as in PostgreSQL.
            connection.session.fail_block();
            connection.writer.report(&error, sql)?;
            return ready(connection);
        }
    };
    if statements.is_empty() {
        connection
            .writer
            .send(PgWireBackendMessage::EmptyQueryResponse(
                EmptyQueryResponse::new(),
            ))?;
        return ready(connection);
    }
    let implicit = statements.len() > 1
        && !connection.session.in_transaction_block()
        && statements.iter().all(|(s, _)| runs_in_implicit_block(s));
    if implicit {
        control(
            connection,
            TransactionCommand::Begin(TransactionModes::default()),
        );
    }
    for (mut statement, span) in statements {
        let text = sql.get(span).unwrap_or_default();
        let outcome = match super::files::check(&connection.shared.options, &mut statement) {
            Err(error) => Err(error),
            Ok(()) => match &statement {
                Statement::Copy(copy) if copy.from && copy.file.is_none() => {
                    copy_in(connection, &statement, copy)?
                }
                _ => connection.session.execute_statement_text(&statement, text),
            },
        };
        match outcome {
            Ok(result) => send_result(connection, &result, &[], true)?,
            Err(error) => {
                connection.session.fail_block();
                connection.writer.report(&error, sql)?;
                break;
            }
        }
    }
    if implicit {
        // COMMIT of an aborted block rolls it back.
        control(connection, TransactionCommand::Commit);
    }
    ready(connection)
}

/// Whether a statement may run inside the implicit transaction of a multi-statement
/// message: anything but transaction control and the schema statements vecsh refuses
/// inside blocks.
fn runs_in_implicit_block(statement: &Statement) -> bool {
    if let Statement::CreateExtension { name, .. } = statement {
        // `pg_stat_statements` is created and dropped outside blocks only.
        return name != "pg_stat_statements";
    }
    matches!(
        statement,
        Statement::Select(_)
            | Statement::Insert(_)
            | Statement::Update(_)
            | Statement::Delete(_)
            | Statement::Copy(_)
            | Statement::Explain { .. }
            | Statement::ExplainExecute { .. }
            | Statement::Set { .. }
            | Statement::Show { .. }
            | Statement::Reset { .. }
            | Statement::Prepare(_)
            | Statement::Execute { .. }
            | Statement::Deallocate { .. }
            | Statement::CreateExtension { .. }
            | Statement::CreateTable(_)
            | Statement::Schema(_)
            | Statement::DropTable { .. }
            | Statement::AddColumn { .. }
            | Statement::SetStorage { .. }
            | Statement::SetStatistics { .. }
            | Statement::CreateIndex(_)
            | Statement::DropIndex { .. }
            | Statement::Truncate { .. }
    )
}

/// Opens or ends the implicit transaction of a multi-statement message; its command tag
/// is not sent.
fn control(connection: &mut Connection, command: TransactionCommand) {
    // BEGIN outside a block and COMMIT inside one cannot fail but for a lost store,
    // which the next statement reports.
    let _ = connection
        .session
        .execute_statement(&Statement::Transaction(command));
}

fn ready(connection: &mut Connection) -> Result<(), ReadError> {
    let status = connection.status();
    connection.writer.ready(status)?;
    Ok(())
}

/// Sends a statement's notices, rows (with their description when `describe`),
/// `COPY TO STDOUT` data and command tag.
pub(super) fn send_result(
    connection: &mut Connection,
    result: &StatementResult,
    formats: &[i16],
    describe: bool,
) -> Result<(), ReadError> {
    for notice in &result.notices {
        connection.writer.report(notice, "")?;
    }
    if let Some(rows) = &result.rows {
        if describe {
            connection
                .writer
                .send(row_description(&rows.columns, formats))?;
        }
        for row in &rows.rows {
            connection
                .writer
                .send(data_row(row, &rows.columns, formats))?;
        }
    }
    if let Some(data) = &result.copy_data {
        let (format, columns) = copy_shape(connection, result, data);
        connection
            .writer
            .send(PgWireBackendMessage::CopyOutResponse(CopyOutResponse::new(
                format,
                columns,
                vec![i16::from(format); columns as usize],
            )))?;
        for chunk in data.chunks(1 << 16) {
            connection
                .writer
                .send(PgWireBackendMessage::CopyData(CopyData::new(
                    chunk.to_vec().into(),
                )))?;
        }
        connection
            .writer
            .send(PgWireBackendMessage::CopyDone(CopyDone::new()))?;
    }
    connection.writer.complete(&result.tag)?;
    Ok(())
}

/// The overall format and column count of `COPY … TO STDOUT` data: binary when it
/// starts with the binary signature; the count from its first line otherwise.
fn copy_shape(_connection: &Connection, _result: &StatementResult, data: &[u8]) -> (i8, i16) {
    if data.starts_with(b"PGCOPY\n\xff\r\n\0") {
        let columns = data
            .get(19..21)
            .map_or(0, |count| i16::from_be_bytes([count[0], count[1]]).max(0));
        return (1, columns);
    }
    (TEXT as i8, 0)
}

/// Runs `COPY … FROM STDIN`: answers `CopyInResponse`, then loads the client's
/// `CopyData` through the session as it arrives (see [`super::copy_in`]).
pub(super) fn copy_in(
    connection: &mut Connection,
    statement: &Statement,
    copy: &Copy,
) -> Result<Result<StatementResult, EngineError>, ReadError> {
    let binary = copy.options.iter().any(|(name, value)| {
        name == "format"
            && value
                .as_deref()
                .is_some_and(|v| v.eq_ignore_ascii_case("binary"))
    }) || copy.options.iter().any(|(name, _)| name == "binary");
    let columns = if copy.columns.is_empty() {
        connection.session.database().with_catalog(|catalog| {
            catalog
                .table(&copy.table)
                .map_or(0, |table| table.columns.len())
        })
    } else {
        copy.columns.len()
    };
    let format = i8::from(binary);
    connection
        .writer
        .send(PgWireBackendMessage::CopyInResponse(CopyInResponse::new(
            format,
            columns as i16,
            vec![i16::from(format); columns],
        )))?;
    connection.writer.flush()?;
    let mut data = CopyIn::new(&mut connection.reader);
    let result = connection.session.copy_in_reader(statement, &mut data);
    match data.finish() {
        Ending::Done => Ok(result),
        Ending::Failed(error) => {
            connection.session.fail_block();
            Ok(Err(error))
        }
        Ending::Lost(error) => Err(error),
    }
}
