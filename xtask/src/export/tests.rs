//! Tests of the export formats: a binary `COPY` file read back field by field with a small
//! reader written here from the format's description, and CSV quoting read back with a
//! small CSV reader that follows PostgreSQL's rules.

use vec_types::{Typmod, Vector};

use super::copy::{
    csv_field, write_header, write_row, write_trailer, ExportRow, Format, BINARY_SIGNATURE,
};
use super::{export, read_texts, ExportOptions};
use crate::bench::vecs::write_fvecs;

/// One test row: id, name, summary, embedding.
type TestRow = (i64, Option<&'static str>, Option<&'static str>, Vec<f32>);

fn rows() -> Vec<TestRow> {
    vec![
        (
            0,
            Some("numpy"),
            Some("Fundamental package, \"arrays\""),
            vec![1.0, -2.5, 3.25],
        ),
        (1, Some(""), None, vec![0.0, 1e-7, 1e20]),
        (
            2,
            None,
            Some("line\nbreak and \\. marker"),
            vec![4.0, 5.0, 6.0],
        ),
    ]
}

fn write(format: Format) -> Vec<u8> {
    let mut out = Vec::new();
    write_header(&mut out, format).unwrap();
    for (id, name, summary, embedding) in rows() {
        let row = ExportRow {
            id,
            name,
            summary,
            embedding: &embedding,
        };
        write_row(&mut out, format, &row).unwrap();
    }
    write_trailer(&mut out, format).unwrap();
    out
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take(&mut self, n: usize) -> &[u8] {
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        head
    }
    fn i16(&mut self) -> i16 {
        i16::from_be_bytes(self.take(2).try_into().unwrap())
    }
    fn i32(&mut self) -> i32 {
        i32::from_be_bytes(self.take(4).try_into().unwrap())
    }
    fn field(&mut self) -> Option<Vec<u8>> {
        match self.i32() {
            -1 => None,
            len => Some(self.take(len as usize).to_vec()),
        }
    }
}

#[test]
fn binary_copy_reads_back() {
    let bytes = write(Format::Binary);
    let mut reader = Reader(&bytes);
    assert_eq!(reader.take(11), BINARY_SIGNATURE);
    assert_eq!((reader.i32(), reader.i32()), (0, 0));
    for (id, name, summary, embedding) in rows() {
        assert_eq!(reader.i16(), 4);
        let id_bytes = reader.field().unwrap();
        assert_eq!(i64::from_be_bytes(id_bytes.try_into().unwrap()), id);
        assert_eq!(
            reader
                .field()
                .map(|b| String::from_utf8(b).unwrap())
                .as_deref(),
            name
        );
        assert_eq!(
            reader
                .field()
                .map(|b| String::from_utf8(b).unwrap())
                .as_deref(),
            summary
        );
        let vector = Vector::from_binary(&reader.field().unwrap(), Typmod::NONE).unwrap();
        assert_eq!(vector.as_slice(), &embedding[..]);
    }
    assert_eq!(reader.i16(), -1);
    assert!(reader.0.is_empty());
}

/// Splits CSV text into records of fields, `None` for an unquoted empty field (NULL).
fn parse_csv(text: &str) -> Vec<Vec<Option<String>>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        let mut field = String::new();
        let mut quoted = false;
        if chars.peek() == Some(&'"') {
            quoted = true;
            chars.next();
            loop {
                match chars.next().expect("unterminated quote") {
                    '"' if chars.peek() == Some(&'"') => {
                        chars.next();
                        field.push('"');
                    }
                    '"' => break,
                    c => field.push(c),
                }
            }
        }
        while let Some(&c) = chars.peek() {
            if c == ',' || c == '\n' {
                break;
            }
            assert!(!quoted, "text after a closing quote");
            field.push(c);
            chars.next();
        }
        record.push(if field.is_empty() && !quoted {
            None
        } else {
            Some(field)
        });
        match chars.next() {
            Some(',') => continue,
            Some('\n') => records.push(std::mem::take(&mut record)),
            None => break,
            _ => unreachable!(),
        }
        if chars.peek().is_none() {
            break;
        }
    }
    records
}

#[test]
fn csv_quotes_what_postgresql_needs_quoted() {
    assert_eq!(csv_field("plain text"), "plain text");
    assert_eq!(csv_field("a,b"), "\"a,b\"");
    assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    assert_eq!(csv_field(""), "\"\"");
    assert_eq!(csv_field("\\."), "\"\\.\"");
    let text = String::from_utf8(write(Format::Csv)).unwrap();
    let records = parse_csv(&text);
    assert_eq!(records.len(), 4);
    assert_eq!(
        records[0],
        ["id", "name", "summary", "embedding"].map(|s| Some(s.to_string()))
    );
    for ((id, name, summary, embedding), record) in rows().into_iter().zip(&records[1..]) {
        assert_eq!(record[0], Some(id.to_string()));
        assert_eq!(record[1].as_deref(), name);
        assert_eq!(record[2].as_deref(), summary);
        let vector: Vector = record[3].as_deref().unwrap().parse().unwrap();
        assert_eq!(vector.as_slice(), &embedding[..]);
    }
    assert!(text.contains("\"[1,-2.5,3.25]\""), "{text}");
}

#[test]
fn exports_a_directory_with_texts() {
    let dir = tempfile::tempdir().unwrap();
    write_fvecs(
        &dir.path().join("base.fvecs"),
        2,
        &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
    )
    .unwrap();
    std::fs::write(
        dir.path().join("base.tsv"),
        "id\tname\tmonth\trank\tsummary\n0\ta\t2026-01\t\tfirst, one\n1\tb\t2026-02\t7\tsecond\n2\tc\t\t\tthird\n",
    )
    .unwrap();
    let out = dir.path().join("items.csv");
    let options = ExportOptions {
        source: dir.path().display().to_string(),
        format: Format::Csv,
        out: out.clone(),
        limit: Some(2),
    };
    assert_eq!(export(&options, &dir.path().join("cache")).unwrap(), 2);
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "id,name,summary,embedding\n0,a,\"first, one\",\"[1,2]\"\n1,b,second,\"[3,4]\"\n"
    );
    let binary = ExportOptions {
        format: Format::Binary,
        limit: None,
        ..options
    };
    assert_eq!(export(&binary, &dir.path().join("cache")).unwrap(), 3);
    assert!(std::fs::read(&out).unwrap().starts_with(BINARY_SIGNATURE));
    assert!(
        read_texts("id\tname\n0\tx\n", 1).is_err(),
        "no summary column"
    );
    assert!(
        read_texts("id\tname\tsummary\n5\tx\ty\n", 1).is_err(),
        "wrong id"
    );
    assert!(
        read_texts("id\tname\tsummary\n0\tx\ty\n", 2).is_err(),
        "too few rows"
    );
}
