//! `COPY`: reading and writing rows in PostgreSQL's text, CSV and binary formats.
//!
//! Text: one line per row, fields split by the delimiter (tab), `\N` for NULL,
//! backslash escapes. CSV: comma-separated, `"` quoting (a field may span lines), an
//! unquoted empty field is NULL, optional header line. Binary: the `PGCOPY` signature,
//! then per row a 16-bit field count and per field a 32-bit length (−1 for NULL) and the
//! value in the type's send format (pgvector's for the vector types).

mod binary;

use binary::{read_binary, send, SIGNATURE};

use crate::cancel::CHECK_EVERY;
use crate::error::{EngineError, Result};
use crate::progress::{Command, Monitor, PhaseLabel};
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

/// Reads rows of `columns` from `data` for a `COPY` into `table`, polling `monitor`'s
/// cancel request and reporting the `reading rows` phase to it (in bytes for text, in
/// records for CSV).
pub fn read_rows(
    data: &[u8],
    format: &CopyFormat,
    columns: &[ColumnType],
    monitor: Monitor<'_>,
    table: &str,
) -> Result<Vec<Vec<Datum>>> {
    let label = |unit| PhaseLabel {
        command: Command::Copy,
        target: table,
        phase: "reading rows",
        unit,
    };
    match format.kind {
        CopyKind::Binary => {
            let rows = read_binary(data, columns)?;
            monitor.check()?;
            Ok(rows)
        }
        CopyKind::Text => {
            let text = std::str::from_utf8(data).map_err(|_| {
                EngineError::new("22021", "invalid byte sequence for encoding \"UTF8\"")
            })?;
            let reading = monitor.phase(label("bytes"), data.len() as u64);
            let mut consumed = 0usize;
            let mut rows = Vec::new();
            for (line_idx, line) in text.lines().enumerate() {
                if line_idx % CHECK_EVERY == CHECK_EVERY - 1 {
                    monitor.check()?;
                    reading.report(consumed as u64);
                }
                consumed += line.len() + 1;
                if line == "\\." {
                    break;
                }
                let fields: Vec<Option<String>> = line
                    .split(format.delimiter)
                    .map(|f| {
                        if f == format.null {
                            None
                        } else {
                            Some(unescape(f))
                        }
                    })
                    .collect();
                rows.push(fields_to_row(&fields, columns)?);
            }
            reading.finish();
            Ok(rows)
        }
        CopyKind::Csv => {
            let text = std::str::from_utf8(data).map_err(|_| {
                EngineError::new("22021", "invalid byte sequence for encoding \"UTF8\"")
            })?;
            let records = csv_records(text, format.delimiter)?;
            monitor.check()?;
            let reading = monitor.phase(label("tuples"), records.len() as u64);
            let mut rows = Vec::new();
            for (i, record) in records.iter().enumerate() {
                if i % CHECK_EVERY == CHECK_EVERY - 1 {
                    monitor.check()?;
                    reading.report(i as u64);
                }
                if i == 0 && format.header {
                    continue;
                }
                if record.len() == 1 && record[0].as_ref().is_some_and(|(f, q)| f == "\\." && !q) {
                    break;
                }
                let fields: Vec<Option<String>> = record
                    .iter()
                    .map(|field| match field {
                        Some((value, false)) if *value == format.null => None,
                        Some((value, _)) => Some(value.clone()),
                        None => None,
                    })
                    .collect();
                rows.push(fields_to_row(&fields, columns)?);
            }
            reading.finish();
            Ok(rows)
        }
    }
}

fn fields_to_row(fields: &[Option<String>], columns: &[ColumnType]) -> Result<Vec<Datum>> {
    if fields.len() > columns.len() {
        return Err(EngineError::new(
            "22P04",
            "extra data after last expected column",
        ));
    }
    if fields.len() < columns.len() {
        return Err(EngineError::new("22P04", "missing data for column"));
    }
    fields
        .iter()
        .zip(columns)
        .map(|(field, column)| convert(field.as_deref(), column))
        .collect()
}

fn unescape(field: &str) -> String {
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
    out
}

/// CSV records: each field with whether it was quoted (`None` never occurs; kept for
/// symmetry with NULL handling).
fn csv_records(text: &str, delimiter: char) -> Result<Vec<Vec<Option<(String, bool)>>>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut in_quotes = false;
    let mut chars = text.chars().peekable();
    let mut any = false;
    while let Some(c) = chars.next() {
        any = true;
        if in_quotes {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    in_quotes = false;
                }
            } else {
                field.push(c);
            }
            continue;
        }
        match c {
            '"' => {
                in_quotes = true;
                quoted = true;
            }
            '\r' => {}
            '\n' => {
                record.push(Some((std::mem::take(&mut field), quoted)));
                records.push(std::mem::take(&mut record));
                quoted = false;
                any = false;
            }
            c if c == delimiter => {
                record.push(Some((std::mem::take(&mut field), quoted)));
                quoted = false;
            }
            c => field.push(c),
        }
    }
    if in_quotes {
        return Err(EngineError::new("22P04", "unterminated CSV quoted field"));
    }
    if any {
        record.push(Some((field, quoted)));
        records.push(record);
    }
    Ok(records)
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
            assert_eq!(
                read_rows(&bytes, &format, &columns, Monitor::none(), "t").unwrap(),
                rows,
                "{options:?}"
            );
        }
    }
}
