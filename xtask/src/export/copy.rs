//! Writers of the two `COPY` formats PostgreSQL (and vecsh) load, one row at a time:
//! `id bigint, name text, summary text, embedding vector(D)`.
//!
//! **CSV** (`COPY … WITH (FORMAT csv, HEADER)`): a header line, then one line per row. A
//! missing text is written as nothing (CSV's NULL); a present text is quoted when it holds a
//! comma, a quote, a line break, is empty (so it stays distinct from NULL) or is exactly
//! `\.` (the end-of-data marker), with quotes doubled. The embedding is pgvector's text
//! form `[1,2.5,…]`, written by `vec_types::Vector`'s `Display`, and therefore quoted.
//!
//! **Binary** (`COPY … WITH (FORMAT binary)`), all integers big-endian:
//!
//! | bytes | field |
//! |---|---|
//! | 11 | signature `PGCOPY\n\xff\r\n\0` |
//! | 4 | flags, 0 (no OIDs) |
//! | 4 | header extension length, 0 |
//! | per row: 2 | field count, 4 |
//! | per field: 4 | length in bytes, or -1 for NULL |
//! | per field: length | the value: `int8` as 8 bytes, text as UTF-8, the vector in pgvector's `vector_send` form |
//! | 2 | trailer, -1 |

use anyhow::Result;
use std::io::Write;

use vec_types::Vector;

/// The signature at the start of every binary `COPY` file.
pub const BINARY_SIGNATURE: &[u8; 11] = b"PGCOPY\n\xff\r\n\0";

/// One row to export.
#[derive(Debug, Clone, Copy)]
pub struct ExportRow<'a> {
    /// The row id.
    pub id: i64,
    /// The name, or NULL.
    pub name: Option<&'a str>,
    /// The summary, or NULL.
    pub summary: Option<&'a str>,
    /// The embedding.
    pub embedding: &'a [f32],
}

/// The file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// CSV with a header line.
    Csv,
    /// PostgreSQL's binary `COPY` format.
    Binary,
}

/// Writes the start of the file.
pub fn write_header(out: &mut dyn Write, format: Format) -> Result<()> {
    match format {
        Format::Csv => out.write_all(b"id,name,summary,embedding\n")?,
        Format::Binary => {
            out.write_all(BINARY_SIGNATURE)?;
            out.write_all(&0i32.to_be_bytes())?;
            out.write_all(&0i32.to_be_bytes())?;
        }
    }
    Ok(())
}

/// Writes one row.
pub fn write_row(out: &mut dyn Write, format: Format, row: &ExportRow<'_>) -> Result<()> {
    let vector = Vector::new(row.embedding.to_vec())?;
    match format {
        Format::Csv => {
            let mut line = row.id.to_string();
            for text in [row.name, row.summary] {
                line.push(',');
                if let Some(text) = text {
                    line.push_str(&csv_field(text));
                }
            }
            line.push(',');
            line.push_str(&csv_field(&vector.to_string()));
            line.push('\n');
            out.write_all(line.as_bytes())?;
        }
        Format::Binary => {
            out.write_all(&4i16.to_be_bytes())?;
            out.write_all(&8i32.to_be_bytes())?;
            out.write_all(&row.id.to_be_bytes())?;
            for text in [row.name, row.summary] {
                match text {
                    Some(text) => {
                        out.write_all(&(text.len() as i32).to_be_bytes())?;
                        out.write_all(text.as_bytes())?;
                    }
                    None => out.write_all(&(-1i32).to_be_bytes())?,
                }
            }
            let bytes = vector.to_binary();
            out.write_all(&(bytes.len() as i32).to_be_bytes())?;
            out.write_all(&bytes)?;
        }
    }
    Ok(())
}

/// Writes the end of the file.
pub fn write_trailer(out: &mut dyn Write, format: Format) -> Result<()> {
    if format == Format::Binary {
        out.write_all(&(-1i16).to_be_bytes())?;
    }
    Ok(())
}

/// A non-NULL text as a CSV field, quoted when PostgreSQL's CSV reader needs it to be.
pub fn csv_field(text: &str) -> String {
    let needs_quotes = text.is_empty() || text == "\\." || text.contains([',', '"', '\n', '\r']);
    if needs_quotes {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}
