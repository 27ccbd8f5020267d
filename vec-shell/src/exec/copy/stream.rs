//! `COPY … FROM 'file'` read a piece at a time: the file is never held whole in memory,
//! only the piece being converted (whole records, about [`PIECE`] bytes) and the rows
//! converted so far. A piece ends at the last record boundary in the bytes read: for
//! text, the last line break; for CSV, the last line break outside quotes (the CSV
//! reader toggles its quoting at every `"`, so a line break after an even number of
//! quotes since the piece's start ends a record). The rows, their order and every error
//! with its line are those of reading the whole file at once ([`super::read_rows`]).

use std::io::Read;

use super::{check_encoding, read_piece, read_rows, reading_label, CopyFormat, CopyKind};
use super::{CopiedRows, CopyTarget, Reading};
use crate::error::{EngineError, Result};
use crate::progress::Monitor;

/// Bytes read from the file for each piece (more when one record is longer: the bytes
/// held then double, and a record too long for memory fails with `out of memory`).
pub const PIECE: usize = 16 << 20;

/// Reads rows as [`read_rows`] does from `source`, whose length is `length` bytes (for
/// the progress report; 0 when not known), a piece of about `piece` bytes at a time; a
/// failed read is reported by `read_error`. With `to_the_end`, the data after an
/// end-of-data marker `\.` is read too (and dropped), so that every read error is met.
/// Binary data is read whole.
pub fn read_rows_from(
    source: &mut dyn Read,
    (length, to_the_end): (u64, bool),
    piece: usize,
    read_error: &dyn Fn(std::io::Error) -> EngineError,
    (format, target): (&CopyFormat, &CopyTarget<'_>),
    monitor: Monitor<'_>,
) -> Result<CopiedRows> {
    if format.kind == CopyKind::Binary {
        let mut data = Vec::new();
        source.read_to_end(&mut data).map_err(read_error)?;
        return read_rows(&data, format, target, monitor);
    }
    let reading = monitor.phase(reading_label(target.table), length);
    let mut state = Reading::default();
    let mut buffer: Vec<u8> = Vec::new();
    let mut at_end = false;
    while !at_end && !state.ended {
        // A record longer than the bytes held doubles what is read next.
        let want = piece.max(buffer.len()).max(1);
        buffer
            .try_reserve_exact(want)
            .map_err(|_| EngineError::out_of_memory((buffer.len() + want) as u64))?;
        at_end = fill(source, &mut buffer, want).map_err(read_error)?;
        let cut = match at_end {
            true => buffer.len(),
            false => match last_record_end(&buffer, format.kind) {
                Some(cut) => cut,
                // One record longer than the piece: read on.
                None => continue,
            },
        };
        let text = check_encoding(&buffer[..cut], target.table, state.lines_before + 1)?;
        read_piece(text, format, target, (&monitor, &reading), &mut state)?;
        state.lines_before += memchr::memchr_iter(b'\n', &buffer[..cut]).count();
        state.bytes_before += cut as u64;
        buffer.drain(..cut);
    }
    if to_the_end && !at_end {
        std::io::copy(source, &mut std::io::sink()).map_err(read_error)?;
    }
    reading.finish();
    Ok(state.copied)
}

/// Appends up to `want` more bytes of `source` to `buffer`; true at the end of the data.
fn fill(source: &mut dyn Read, buffer: &mut Vec<u8>, want: usize) -> std::io::Result<bool> {
    let start = buffer.len();
    buffer.resize(start + want, 0);
    let mut filled = start;
    let at_end = loop {
        if filled == buffer.len() {
            break false;
        }
        match source.read(&mut buffer[filled..]) {
            Ok(0) => break true,
            Ok(n) => filled += n,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(error) => {
                buffer.truncate(filled);
                return Err(error);
            }
        }
    };
    buffer.truncate(filled);
    Ok(at_end)
}

/// The end of the last whole record in `bytes` (just past its line break), if any.
fn last_record_end(bytes: &[u8], kind: CopyKind) -> Option<usize> {
    match kind {
        CopyKind::Csv => {
            let mut quoted = false;
            let mut end = None;
            for at in memchr::memchr2_iter(b'"', b'\n', bytes) {
                match bytes[at] {
                    b'"' => quoted = !quoted,
                    _ if !quoted => end = Some(at + 1),
                    _ => {}
                }
            }
            end
        }
        _ => memchr::memrchr(b'\n', bytes).map(|at| at + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::SqlType;
    use proptest::prelude::*;

    fn target_columns() -> (Vec<String>, Vec<super::super::ColumnType>) {
        (
            vec!["a".into(), "b".into()],
            vec![(SqlType::Int4, -1), (SqlType::Text, -1)],
        )
    }

    /// The rows (or the error's message and context) of reading `data` whole, and of
    /// reading it `piece` bytes at a time.
    fn both_ways(data: &[u8], options: &[(&str, &str)], piece: usize) -> [String; 2] {
        let options: Vec<(String, Option<String>)> = options
            .iter()
            .map(|(k, v)| (k.to_string(), Some(v.to_string())))
            .collect();
        let format = CopyFormat::from_options(&options).unwrap();
        let (names, columns) = target_columns();
        let target = CopyTarget {
            table: "t",
            names: &names,
            columns: &columns,
        };
        let show = |result: Result<CopiedRows>| match result {
            Ok(copied) => format!("{copied:?}"),
            Err(error) => format!("{} / {:?}", error.message, error.context),
        };
        let whole = show(read_rows(data, &format, &target, Monitor::none()));
        let mut source = data;
        let pieces = show(read_rows_from(
            &mut source,
            (data.len() as u64, true),
            piece,
            &|e| EngineError::internal(e.to_string()),
            (&format, &target),
            Monitor::none(),
        ));
        [whole, pieces]
    }

    #[test]
    fn pieces_end_at_record_boundaries() {
        assert_eq!(last_record_end(b"1,\"a\nb\"\n2,c", CopyKind::Csv), Some(8));
        assert_eq!(last_record_end(b"1,\"a\nb", CopyKind::Csv), None);
        assert_eq!(
            last_record_end(b"1,\"a\"\"\nb\"\n", CopyKind::Csv),
            Some(10)
        );
        assert_eq!(last_record_end(b"1\tx\n2\t", CopyKind::Text), Some(4));
        assert_eq!(last_record_end(b"no break", CopyKind::Text), None);
    }

    #[test]
    fn a_file_read_in_pieces_gives_the_rows_and_errors_of_a_whole_reading() {
        let csv = "a,b\n1,\"x\ny\"\n2,\"q\"\"\"\n3,\n\\.\n4,after the end\n";
        for piece in [1, 2, 3, 5, 8, 64] {
            let [whole, pieces] = both_ways(
                csv.as_bytes(),
                &[("format", "csv"), ("header", "true")],
                piece,
            );
            assert_eq!(whole, pieces, "piece {piece}");
            assert!(
                whole.contains("Int4(3)") && !whole.contains("after"),
                "{whole}"
            );
        }
        let bad = "1,a\n2,b\n\"3\",c\nx,d\n";
        for piece in [1, 4, 7, 100] {
            let [whole, pieces] = both_ways(bad.as_bytes(), &[("format", "csv")], piece);
            assert_eq!(whole, pieces);
            assert!(whole.contains("line 4, column a"), "{whole}");
        }
        let text = "1\tone\n2\t\\N\n3\tth\\tree\n";
        for piece in [1, 6, 1000] {
            let [whole, pieces] = both_ways(text.as_bytes(), &[], piece);
            assert_eq!(whole, pieces);
        }
        let invalid = b"1,a\n2,b\n3,\xff\n";
        let [whole, pieces] = both_ways(invalid, &[("format", "csv")], 3);
        assert_eq!(whole, pieces);
        assert!(whole.contains("line 3"), "{whole}");
        let open = "1,\"a\n2,b\n";
        let [whole, pieces] = both_ways(open.as_bytes(), &[("format", "csv")], 2);
        assert_eq!(whole, pieces);
        assert!(whole.contains("unterminated CSV quoted field"), "{whole}");
    }

    proptest! {
        #[test]
        fn any_data_reads_the_same_in_pieces(
            data in "[1-3a,\t\"\n\\\\.N]{0,60}",
            csv in any::<bool>(),
            piece in 1usize..20,
        ) {
            let options: &[(&str, &str)] = if csv { &[("format", "csv")] } else { &[] };
            let [whole, pieces] = both_ways(data.as_bytes(), options, piece);
            prop_assert_eq!(whole, pieces);
        }
    }
}
