//! The entry points of the fuzz targets in the repository's `fuzz/` directory (run with
//! `cargo fuzz` on a nightly toolchain) and of the bounded stable driver in this crate's
//! tests (`fuzz_targets`), so that both exercise exactly the same code. Each takes
//! arbitrary bytes and must return without panicking, hanging or aborting, whatever they
//! are; the result of the decoding is dropped.

use crate::exec::copy::{read_rows, CopyFormat, CopyTarget};
use crate::progress::Monitor;
use crate::value::input::input;
use crate::value::SqlType;

/// The SQL parser, on the bytes as UTF-8 (invalid bytes replaced).
pub fn sql_parser(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = crate::sql::parse(&text);
}

/// The columns every `COPY` target gets: one of each type a reader converts.
fn copy_columns() -> (Vec<String>, Vec<(SqlType, i32)>) {
    let names = ["id", "v", "h", "s", "b", "t"].map(String::from).to_vec();
    let types = vec![
        (SqlType::Int8, -1),
        (SqlType::Vector, 3),
        (SqlType::HalfVec, -1),
        (SqlType::SparseVec, -1),
        (SqlType::Bit, -1),
        (SqlType::Text, -1),
    ];
    (names, types)
}

fn copy_reader(data: &[u8], options: &[(&str, &str)]) {
    let options: Vec<(String, Option<String>)> = options
        .iter()
        .map(|(k, v)| (k.to_string(), Some(v.to_string())))
        .collect();
    let Ok(format) = CopyFormat::from_options(&options) else {
        return;
    };
    let (names, columns) = copy_columns();
    let target = CopyTarget {
        table: "t",
        names: &names,
        columns: &columns,
    };
    let _ = read_rows(data, &format, &target, Monitor::none());
}

/// `COPY … FROM` in text format.
pub fn copy_text(data: &[u8]) {
    copy_reader(data, &[]);
}

/// `COPY … FROM` in CSV format with a header.
pub fn copy_csv(data: &[u8]) {
    copy_reader(data, &[("format", "csv"), ("header", "true")]);
}

/// `COPY … FROM` in binary format.
pub fn copy_binary(data: &[u8]) {
    copy_reader(data, &[("format", "binary")]);
}

/// The text input functions of `vector`, `halfvec`, `sparsevec` and `bit`.
pub fn vector_text(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for ty in [
        SqlType::Vector,
        SqlType::HalfVec,
        SqlType::SparseVec,
        SqlType::Bit,
    ] {
        let _ = input(&ty, &text);
    }
}

/// The binary receive functions of `vector`, `halfvec`, `sparsevec` and `bit`.
pub fn vector_binary(data: &[u8]) {
    use vec_types::{BitTypmod, BitVector, HalfVector, SparseVector, Typmod, Vector};
    let _ = Vector::from_binary(data, Typmod::NONE);
    let _ = HalfVector::from_binary(data, Typmod::NONE);
    let _ = SparseVector::from_binary(data, Typmod::NONE);
    let _ = BitVector::from_binary(data, BitTypmod::default());
}

/// A WAL record read at the position its first eight bytes name.
pub fn wal_record(data: &[u8]) {
    let lsn = data
        .get(..8)
        .and_then(|b| b.try_into().ok())
        .map_or(0, u64::from_le_bytes);
    let _ = vec_storage::wal::record::decode(data.get(8..).unwrap_or(&[]), lsn);
}

/// A heap page: its header check, and its rows as a scan reads them (also when the
/// checksum fails, as a damaged page's content must not panic either); then a stored
/// row's decoding.
pub fn page(data: &[u8]) {
    let mut page = vec_storage::page::Page::new_boxed();
    let n = data.len().min(page.bytes.len());
    page.bytes[..n].copy_from_slice(&data[..n]);
    let _ = page.verify(std::path::Path::new("fuzz.heap"), 0);
    for (_, _, row) in vec_storage::heap::page_rows(0, &page, &mut |_| true) {
        if let vec_storage::heap::RowBytes::Inline(bytes) = row {
            let _ = crate::storage::codec::decode_row(&bytes);
        }
    }
    let _ = crate::storage::codec::decode_row(data);
}

/// Every target, by name, as `cargo fuzz` lists them.
pub const TARGETS: &[(&str, fn(&[u8]))] = &[
    ("sql_parser", sql_parser),
    ("copy_text", copy_text),
    ("copy_csv", copy_csv),
    ("copy_binary", copy_binary),
    ("vector_text", vector_text),
    ("vector_binary", vector_binary),
    ("wal_record", wal_record),
    ("page", page),
];
