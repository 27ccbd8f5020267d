//! Splitting `COPY` text and CSV data into records and turning batches of records into
//! rows on every core.
//!
//! A field is borrowed from the data wherever its text is the data's text (no quotes,
//! or one pair around it, no escapes), so reading a record allocates only its list of
//! fields. Records are converted a batch at a time, the batch split between threads
//! (the floats of `vector` literals are most of a load's work); the rows come back in
//! order, and the error reported is the one of the earliest failing record, as a
//! one-by-one reading reports it.

use std::borrow::Cow;

use super::{fields_to_row, CopyTarget};
use crate::error::{EngineError, Result};
use crate::value::Datum;

/// Records converted per batch and thread.
const PER_THREAD: usize = 512;

/// The most threads a batch is split between.
const MAX_THREADS: usize = 8;

/// Records per batch: enough for every thread's share.
pub(super) const BATCH: usize = PER_THREAD * MAX_THREADS;

/// One record's fields (`None` for NULL), the line it starts on (1-based) and its text
/// (without the line break that ends it).
pub(super) struct RawRecord<'a> {
    pub fields: Vec<Option<Cow<'a, str>>>,
    pub line: usize,
    pub text: &'a str,
}

/// A CSV field as read: its text and whether any of it was quoted (a quoted empty
/// string or a quoted NULL marker is a value, not NULL).
#[derive(Debug)]
pub(super) struct CsvField<'a> {
    pub text: Cow<'a, str>,
    pub quoted: bool,
}

/// Reads CSV records one at a time: fields split at the delimiter outside quotes,
/// records at a line break outside quotes, `""` inside quotes a quote, a carriage return
/// outside quotes dropped.
pub(super) struct CsvReader<'a> {
    text: &'a str,
    pos: usize,
    line: usize,
    delimiter: u8,
}

impl<'a> CsvReader<'a> {
    /// A reader of `text` with a one-byte `delimiter`.
    pub fn new(text: &'a str, delimiter: char) -> CsvReader<'a> {
        CsvReader {
            text,
            pos: 0,
            line: 1,
            delimiter: u8::try_from(delimiter).unwrap_or(b','),
        }
    }

    /// Bytes read so far.
    pub fn consumed(&self) -> usize {
        self.pos
    }
}

/// How a field ended.
enum FieldEnd {
    Delimiter,
    Newline,
    Data,
}

impl<'a> Iterator for CsvReader<'a> {
    type Item = Result<(Vec<CsvField<'a>>, usize)>;

    fn next(&mut self) -> Option<Self::Item> {
        let bytes = self.text.as_bytes();
        if self.pos >= bytes.len() {
            return None;
        }
        let line = self.line;
        let mut fields = Vec::new();
        loop {
            let start = self.pos;
            let (mut quotes, mut carriage, mut in_quotes) = (0usize, false, false);
            let end = loop {
                if in_quotes {
                    // Straight to the next quote, counting the line breaks passed.
                    let rest = &bytes[self.pos..];
                    let skip = memchr::memchr(b'"', rest).unwrap_or(rest.len());
                    self.line += memchr::memchr_iter(b'\n', &rest[..skip]).count();
                    self.pos += skip;
                }
                match bytes.get(self.pos) {
                    None if in_quotes => {
                        self.pos = bytes.len();
                        return Some(Err(EngineError::new(
                            "22P04",
                            "unterminated CSV quoted field",
                        )));
                    }
                    None => break FieldEnd::Data,
                    Some(b'"') => {
                        in_quotes = !in_quotes;
                        quotes += 1;
                    }
                    Some(b'\n') => {
                        self.line += 1;
                        break FieldEnd::Newline;
                    }
                    Some(b'\r') if !in_quotes => carriage = true,
                    Some(&b) if b == self.delimiter && !in_quotes => break FieldEnd::Delimiter,
                    Some(_) => {}
                }
                self.pos += 1;
            };
            fields.push(csv_field(&self.text[start..self.pos], quotes, carriage));
            match end {
                FieldEnd::Delimiter => self.pos += 1,
                FieldEnd::Newline => {
                    self.pos += 1;
                    break;
                }
                FieldEnd::Data => break,
            }
        }
        Some(Ok((fields, line)))
    }
}

/// A field's value from its raw text, which held `quotes` quote characters and, when
/// `carriage`, a carriage return outside quotes.
fn csv_field(raw: &str, quotes: usize, carriage: bool) -> CsvField<'_> {
    if !carriage {
        if quotes == 0 {
            return CsvField {
                text: Cow::Borrowed(raw),
                quoted: false,
            };
        }
        if quotes == 2 && raw.len() >= 2 && raw.starts_with('"') && raw.ends_with('"') {
            return CsvField {
                text: Cow::Borrowed(&raw[1..raw.len() - 1]),
                quoted: true,
            };
        }
    }
    let mut text = String::with_capacity(raw.len());
    let mut in_quotes = false;
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if in_quotes && chars.peek() == Some(&'"') => {
                chars.next();
                text.push('"');
            }
            '"' => in_quotes = !in_quotes,
            '\r' if !in_quotes => {}
            c => text.push(c),
        }
    }
    CsvField {
        text: Cow::Owned(text),
        quoted: quotes > 0,
    }
}

/// Converts a batch of records to rows of the target's columns, in order, split between
/// up to [`MAX_THREADS`] threads.
pub(super) fn convert_batch(
    records: &[RawRecord<'_>],
    target: &CopyTarget<'_>,
) -> Result<Vec<Vec<Datum>>> {
    let convert = |records: &[RawRecord<'_>]| -> Result<Vec<Vec<Datum>>> {
        records
            .iter()
            .map(|record| fields_to_row(&record.fields, target, record.line, &|| record.text))
            .collect()
    };
    // Asked once: on Linux the answer reads the cgroup's CPU limit from files.
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    let cores = *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, usize::from));
    let threads = cores
        .min(MAX_THREADS)
        .min(records.len().div_ceil(PER_THREAD))
        .max(1);
    if threads == 1 {
        return convert(records);
    }
    let chunk = records.len().div_ceil(threads);
    let parts: Vec<Result<Vec<Vec<Datum>>>> = std::thread::scope(|scope| {
        let mut chunks = records.chunks(chunk);
        let first = chunks.next().unwrap_or_default();
        let others: Vec<_> = chunks
            .map(|part| scope.spawn(move || convert(part)))
            .collect();
        let mut parts = vec![convert(first)];
        for handle in others {
            parts.push(handle.join().unwrap_or_else(|_| {
                Err(EngineError::internal("a COPY conversion thread panicked"))
            }));
        }
        parts
    });
    let mut rows = Vec::with_capacity(records.len());
    for part in parts {
        rows.extend(part?);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The reference: CSV read a character at a time, as the first reader did.
    fn reference(text: &str) -> std::result::Result<Vec<(Vec<(String, bool)>, usize)>, ()> {
        let (mut records, mut record, mut field) = (Vec::new(), Vec::new(), String::new());
        let (mut quoted, mut in_quotes, mut any) = (false, false, false);
        let (mut line, mut start) = (1, 1);
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            any = true;
            if c == '\n' {
                line += 1;
            }
            if in_quotes {
                match c {
                    '"' if chars.peek() == Some(&'"') => {
                        chars.next();
                        field.push('"');
                    }
                    '"' => in_quotes = false,
                    c => field.push(c),
                }
                continue;
            }
            match c {
                '"' => (in_quotes, quoted) = (true, true),
                '\r' => {}
                '\n' => {
                    record.push((std::mem::take(&mut field), quoted));
                    records.push((std::mem::take(&mut record), start));
                    (start, quoted, any) = (line, false, false);
                }
                ',' => {
                    record.push((std::mem::take(&mut field), quoted));
                    quoted = false;
                }
                c => field.push(c),
            }
        }
        if in_quotes {
            return Err(());
        }
        if any {
            record.push((field, quoted));
            records.push((record, start));
        }
        Ok(records)
    }

    proptest! {
        #[test]
        fn reads_as_the_reference_reads(text in "[a,\"\n\ré]{0,40}") {
            let read: std::result::Result<Vec<_>, _> = CsvReader::new(&text, ',')
                .map(|record| {
                    record.map(|(fields, line)| {
                        let fields: Vec<_> =
                            fields.into_iter().map(|f| (f.text.into_owned(), f.quoted)).collect();
                        (fields, line)
                    })
                })
                .collect();
            prop_assert_eq!(read.map_err(|_| ()), reference(&text));
        }
    }

    fn read(text: &str) -> Vec<(Vec<(String, bool)>, usize)> {
        CsvReader::new(text, ',')
            .map(|record| {
                let (fields, line) = record.unwrap();
                let fields = fields
                    .into_iter()
                    .map(|f| (f.text.into_owned(), f.quoted))
                    .collect();
                (fields, line)
            })
            .collect()
    }

    #[test]
    fn fields_quotes_and_lines() {
        let text = "1,\"[1,2]\",x\r\n2,\"a \"\"q\"\" b\",\n\"multi\nline\",,\"\"\nlast";
        let records = read(text);
        let owned = |s: &str, q| (s.to_string(), q);
        assert_eq!(
            records,
            vec![
                (
                    vec![owned("1", false), owned("[1,2]", true), owned("x", false)],
                    1
                ),
                (
                    vec![
                        owned("2", false),
                        owned("a \"q\" b", true),
                        owned("", false)
                    ],
                    2
                ),
                (
                    vec![
                        owned("multi\nline", true),
                        owned("", false),
                        owned("", true)
                    ],
                    3
                ),
                (vec![owned("last", false)], 5),
            ]
        );
        assert_eq!(read("a\"b,c\"d\n"), vec![(vec![owned("ab,cd", true)], 1)]);
        assert_eq!(read("\n"), vec![(vec![owned("", false)], 1)]);
        let error = CsvReader::new("1,\"open\n", ',')
            .last()
            .unwrap()
            .unwrap_err();
        assert_eq!(error.message, "unterminated CSV quoted field");
    }
}
