//! `COPY`: reading and writing rows in PostgreSQL's text, CSV and binary formats.
//!
//! Text: one line per row, fields split by the delimiter (tab), `\N` for NULL,
//! backslash escapes. CSV: comma-separated, `"` quoting (a field may span lines), an
//! unquoted empty field is NULL, optional header line. Binary: the `PGCOPY` signature,
//! then per row a 16-bit field count and per field a 32-bit length (−1 for NULL) and the
//! value in the type's send format (pgvector's for the vector types).

mod binary;
mod records;
mod stream;

use binary::{read_binary, send, SIGNATURE};
use records::{convert_batch, CsvReader, RawRecord, BATCH};
use std::borrow::Cow;
pub use stream::{read_rows_from, PIECE};

use crate::error::{EngineError, Result};
use crate::progress::{Command, Monitor, PhaseLabel, PhaseReporter};
use crate::value::cast::{apply_typmod, CoercionContext};
use crate::value::input::input;
use crate::value::{Datum, SqlType, TypeMod};

/// The data format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CopyKind {
    /// Tab-separated text.
    Text,
    /// Comma-separated values.
    Csv,
    /// PostgreSQL's binary format.
    Binary,
}

/// The options of one `COPY`.
#[derive(Clone, Debug)]
pub struct CopyFormat {
    /// The format.
    pub kind: CopyKind,
    /// Whether a header line comes first (CSV).
    pub header: bool,
    /// The field delimiter.
    pub delimiter: char,
    /// The text of NULL.
    pub null: String,
}

fn option_error(message: String) -> EngineError {
    EngineError::new("42601", message)
}

impl CopyFormat {
    /// Reads `WITH (…)` options.
    pub fn from_options(options: &[(String, Option<String>)]) -> Result<CopyFormat> {
        let mut kind = CopyKind::Text;
        let mut header = false;
        let mut delimiter = None;
        let mut null = None;
        for (name, value) in options {
            match (name.as_str(), value.as_deref()) {
                ("format", Some(format)) => {
                    kind = match format.to_ascii_lowercase().as_str() {
                        "text" => CopyKind::Text,
                        "csv" => CopyKind::Csv,
                        "binary" => CopyKind::Binary,
                        other => {
                            return Err(option_error(format!(
                                "COPY format \"{other}\" not recognized"
                            )))
                        }
                    }
                }
                ("header", value) => {
                    header = !matches!(
                        value.map(str::to_ascii_lowercase).as_deref(),
                        Some("false" | "off" | "0")
                    )
                }
                ("delimiter", Some(d)) => {
                    let mut chars = d.chars();
                    match (chars.next(), chars.next()) {
                        (Some(c), None) => delimiter = Some(c),
                        _ => {
                            return Err(option_error(
                                "COPY delimiter must be a single one-byte character".into(),
                            ))
                        }
                    }
                }
                ("null", Some(n)) => null = Some(n.to_string()),
                (other, _) => {
                    return Err(option_error(format!("option \"{other}\" not recognized")))
                }
            }
        }
        Ok(CopyFormat {
            kind,
            header,
            delimiter: delimiter.unwrap_or(if kind == CopyKind::Csv { ',' } else { '\t' }),
            null: null.unwrap_or_else(|| {
                if kind == CopyKind::Csv {
                    String::new()
                } else {
                    "\\N".into()
                }
            }),
        })
    }
}

/// A target column's type and modifier.
pub type ColumnType = (SqlType, TypeMod);

fn convert(text: Option<&str>, column: &ColumnType) -> Result<Datum> {
    match text {
        None => Ok(Datum::Null),
        Some(text) => {
            let value = input(&column.0, text)?;
            apply_typmod(value, &column.0, column.1, CoercionContext::Assignment)
        }
    }
}

/// The columns a `COPY … FROM` fills: the table's name and each column's name and type,
/// for the `CONTEXT:` line of an error.
pub struct CopyTarget<'a> {
    /// The table.
    pub table: &'a str,
    /// The target columns' names.
    pub names: &'a [String],
    /// The target columns' types.
    pub columns: &'a [ColumnType],
}

/// PostgreSQL's `limit_printout_length`: a value in a `CONTEXT:` line is cut to 100
/// bytes, with `...` after it.
fn printout(text: &str) -> String {
    crate::error::clipped(text, 100)
}

/// The first bytes of `data` that are not UTF-8, as PostgreSQL's error names them, with
/// the line they are on (`data` starting on line `first_line`).
fn check_encoding<'a>(data: &'a [u8], table: &str, first_line: usize) -> Result<&'a str> {
    std::str::from_utf8(data).map_err(|error| {
        let at = error.valid_up_to();
        let line = first_line + data[..at].iter().filter(|&&b| b == b'\n').count();
        EngineError::invalid_encoding(&data[at..])
            .with_context(format!("COPY {table}, line {line}"))
    })
}

/// The rows a `COPY` read, with where each came from in the data.
#[derive(Debug, Default)]
pub struct CopiedRows {
    /// The rows, in the data's order.
    pub rows: Vec<Vec<Datum>>,
    /// Per row, its line and (text and CSV) the line's text cut as a `CONTEXT:` line
    /// shows it; binary rows count as lines, without text.
    pub lines: Vec<(usize, Option<Box<str>>)>,
}

impl CopiedRows {
    /// The `CONTEXT:` line of an error about row `row` of `table`'s data, as
    /// PostgreSQL's: `COPY t, line 3: "…"`, or without the text when `with_text` is
    /// false (a key violation).
    pub fn context(&self, table: &str, row: usize, with_text: bool) -> String {
        match self.lines.get(row) {
            Some((line, Some(text))) if with_text => {
                format!("COPY {table}, line {line}: \"{text}\"")
            }
            Some((line, _)) => format!("COPY {table}, line {line}"),
            None => format!("COPY {table}"),
        }
    }
}

/// Reads rows of the target's columns from `data` for a `COPY`, polling `monitor`'s
/// cancel request and reporting the `reading rows` phase to it (in bytes). An error
/// names the line (and column) of the data it was met at, in a `CONTEXT:` line as
/// PostgreSQL's.
pub fn read_rows(
    data: &[u8],
    format: &CopyFormat,
    target: &CopyTarget<'_>,
    monitor: Monitor<'_>,
) -> Result<CopiedRows> {
    let table = target.table;
    if format.kind == CopyKind::Binary {
        let rows = read_binary(data, target.columns)
            .map_err(|e| e.with_context(format!("COPY {table}")))?;
        monitor.check()?;
        let lines = (1..=rows.len()).map(|line| (line, None)).collect();
        return Ok(CopiedRows { rows, lines });
    }
    let reading = monitor.phase(reading_label(table), data.len() as u64);
    let mut state = Reading::default();
    let text = check_encoding(data, table, 1)?;
    read_piece(text, format, target, (&monitor, &reading), &mut state)?;
    reading.finish();
    Ok(state.copied)
}

/// The progress phase of reading a `COPY`'s data, counted in bytes.
fn reading_label(table: &str) -> PhaseLabel<'_> {
    PhaseLabel {
        command: Command::Copy,
        target: table,
        phase: "reading rows",
        unit: "bytes",
    }
}

/// Where a reading of text or CSV data stands after the pieces read so far.
#[derive(Default)]
struct Reading {
    /// The rows converted, with their lines.
    copied: CopiedRows,
    /// The lines of the data before the piece being read.
    lines_before: usize,
    /// The bytes of the data before the piece being read.
    bytes_before: u64,
    /// The records read (the first is a CSV header's).
    records: usize,
    /// Whether the end-of-data marker `\.` was met.
    ended: bool,
}

/// Reads the records of `text`, a piece of the data holding only whole records, into
/// `state`'s rows.
fn read_piece(
    text: &str,
    format: &CopyFormat,
    target: &CopyTarget<'_>,
    (monitor, reading): (&Monitor<'_>, &PhaseReporter<'_>),
    state: &mut Reading,
) -> Result<()> {
    let table = target.table;
    let first_line = state.lines_before + 1;
    let mut batch = Vec::new();
    match format.kind {
        CopyKind::Binary => return Err(EngineError::internal("binary COPY data read as text")),
        CopyKind::Text => {
            let mut consumed = 0usize;
            for (line_idx, line) in text.lines().enumerate() {
                consumed += line.len() + 1;
                if line == "\\." {
                    state.ended = true;
                    break;
                }
                let fields = line
                    .split(format.delimiter)
                    .map(|f| (f != format.null).then(|| unescape(f)))
                    .collect();
                batch.push(RawRecord {
                    fields,
                    line: first_line + line_idx,
                    text: line,
                });
                if batch.len() == BATCH {
                    monitor.check()?;
                    push_batch(&mut state.copied, &batch, target)?;
                    batch.clear();
                    reading.report(state.bytes_before + consumed as u64);
                }
            }
        }
        CopyKind::Csv => {
            let mut reader = CsvReader::new(text, format.delimiter);
            loop {
                let start = reader.consumed();
                let Some(record) = reader.next() else { break };
                state.records += 1;
                // PostgreSQL counts a CSV record as one line, line breaks in quotes and
                // all (a CSV header is the first).
                let fields = match record {
                    Ok((fields, _physical_line)) => fields,
                    Err(error) => {
                        // The records before it fail first, as they come first.
                        convert_batch(&batch, target)?;
                        return Err(error.with_context(format!("COPY {table}")));
                    }
                };
                if state.records == 1 && format.header {
                    continue;
                }
                if let [field] = fields.as_slice() {
                    if field.text == "\\." && !field.quoted {
                        state.ended = true;
                        break;
                    }
                }
                let fields = fields
                    .into_iter()
                    .map(|field| (field.quoted || field.text != format.null).then_some(field.text))
                    .collect();
                let raw = &text[start..reader.consumed()];
                batch.push(RawRecord {
                    fields,
                    line: state.records,
                    text: raw
                        .strip_suffix('\n')
                        .map_or(raw, |r| r.strip_suffix('\r').unwrap_or(r)),
                });
                if batch.len() == BATCH {
                    monitor.check()?;
                    push_batch(&mut state.copied, &batch, target)?;
                    batch.clear();
                    reading.report(state.bytes_before + reader.consumed() as u64);
                }
            }
        }
    }
    push_batch(&mut state.copied, &batch, target)?;
    Ok(())
}

/// Converts `batch` and appends its rows (see [`push_row`]) with their lines.
fn push_batch(
    copied: &mut CopiedRows,
    batch: &[RawRecord<'_>],
    target: &CopyTarget<'_>,
) -> Result<()> {
    for row in convert_batch(batch, target)? {
        push_row(&mut copied.rows, row)?;
    }
    copied.lines.extend(
        batch
            .iter()
            .map(|record| (record.line, Some(printout(record.text).into()))),
    );
    Ok(())
}

/// Appends a row, failing with `out of memory` rather than aborting when the list of
/// rows cannot grow.
fn push_row(rows: &mut Vec<Vec<Datum>>, row: Vec<Datum>) -> Result<()> {
    if rows.len() == rows.capacity() {
        rows.try_reserve(rows.len().max(64)).map_err(|_| {
            EngineError::out_of_memory(
                (rows.len().max(64) * std::mem::size_of::<Vec<Datum>>()) as u64,
            )
        })?;
    }
    rows.push(row);
    Ok(())
}

fn fields_to_row<'t>(
    fields: &[Option<Cow<'_, str>>],
    target: &CopyTarget<'_>,
    line_number: usize,
    line: &dyn Fn() -> &'t str,
) -> Result<Vec<Datum>> {
    let table = target.table;
    let whole_line = || format!("COPY {table}, line {line_number}: \"{}\"", printout(line()));
    if fields.len() > target.columns.len() {
        return Err(
            EngineError::new("22P04", "extra data after last expected column")
                .with_context(whole_line()),
        );
    }
    if fields.len() < target.columns.len() {
        let missing = target.names.get(fields.len()).map_or("", String::as_str);
        return Err(
            EngineError::new("22P04", format!("missing data for column \"{missing}\""))
                .with_context(whole_line()),
        );
    }
    fields
        .iter()
        .zip(target.columns)
        .zip(target.names)
        .map(|((field, column), name)| {
            convert(field.as_deref(), column).map_err(|e| {
                let value = field.as_deref().map_or("".to_string(), printout);
                let context = match field {
                    Some(_) => {
                        format!("COPY {table}, line {line_number}, column {name}: \"{value}\"")
                    }
                    None => format!("COPY {table}, line {line_number}, column {name}: null input"),
                };
                e.with_context(context)
            })
        })
        .collect()
}

fn unescape(field: &str) -> Cow<'_, str> {
    if !field.contains('\\') {
        return Cow::Borrowed(field);
    }
    let mut out = String::with_capacity(field.len());
    let mut chars = field.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('v') => out.push('\u{b}'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    Cow::Owned(out)
}

/// Writes rows in the format.
pub fn write_rows(rows: &[Vec<Datum>], names: &[String], format: &CopyFormat) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    match format.kind {
        CopyKind::Binary => {
            out.extend_from_slice(SIGNATURE);
            out.extend_from_slice(&0u32.to_be_bytes());
            out.extend_from_slice(&0u32.to_be_bytes());
            for row in rows {
                out.extend_from_slice(&(row.len() as i16).to_be_bytes());
                for datum in row {
                    match send(datum)? {
                        None => out.extend_from_slice(&(-1i32).to_be_bytes()),
                        Some(bytes) => {
                            out.extend_from_slice(&(bytes.len() as i32).to_be_bytes());
                            out.extend_from_slice(&bytes);
                        }
                    }
                }
            }
            out.extend_from_slice(&(-1i16).to_be_bytes());
        }
        CopyKind::Text | CopyKind::Csv => {
            let csv = format.kind == CopyKind::Csv;
            let delimiter = format.delimiter.to_string();
            if csv && format.header {
                let header: Vec<String> = names
                    .iter()
                    .map(|n| csv_field(n, format.delimiter))
                    .collect();
                out.extend_from_slice(header.join(&delimiter).as_bytes());
                out.push(b'\n');
            }
            for row in rows {
                let fields: Vec<String> = row
                    .iter()
                    .map(|datum| match datum.to_text() {
                        None => format.null.clone(),
                        Some(text) if csv => csv_field(&text, format.delimiter),
                        Some(text) => escape(&text, format.delimiter),
                    })
                    .collect();
                out.extend_from_slice(fields.join(&delimiter).as_bytes());
                out.push(b'\n');
            }
        }
    }
    Ok(out)
}

fn escape(text: &str, delimiter: char) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' if delimiter == '\t' => out.push_str("\\t"),
            c if c == delimiter => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

fn csv_field(text: &str, delimiter: char) -> String {
    if text.is_empty() || text.contains(delimiter) || text.contains(['"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_round_trip() {
        let columns = vec![
            (SqlType::Int4, -1),
            (SqlType::Vector, 2),
            (SqlType::Text, -1),
        ];
        let rows = vec![
            vec![
                Datum::Int4(1),
                Datum::Vector("[1,2]".parse().unwrap()),
                Datum::Text("a\tb,\"c\"".into()),
            ],
            vec![Datum::Null, Datum::Null, Datum::Text(String::new())],
        ];
        let names = vec!["a".to_string(), "v".to_string(), "t".to_string()];
        for options in [
            vec![],
            vec![
                ("format".to_string(), Some("csv".to_string())),
                ("header".to_string(), None),
            ],
            vec![("format".to_string(), Some("binary".to_string()))],
        ] {
            let format = CopyFormat::from_options(&options).unwrap();
            let bytes = write_rows(&rows, &names, &format).unwrap();
            let target = CopyTarget {
                table: "t",
                names: &names,
                columns: &columns,
            };
            assert_eq!(
                read_rows(&bytes, &format, &target, Monitor::none())
                    .unwrap()
                    .rows,
                rows,
                "{options:?}"
            );
        }
    }
}
