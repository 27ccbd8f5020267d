//! A small TOML reader for pgvecto.rs's `WITH (options = $$ … $$)` strings: tables
//! (`[a.b]`), dotted and quoted keys, integers (decimal with `_`, `0x`, `0o`, `0b`), floats
//! (with `inf` and `nan`), basic, literal and multi-line strings, booleans, arrays, inline
//! tables (`{ a = 1 }`) and comments. Dates and arrays of tables (`[[a]]`) are not option
//! values anywhere in pgvecto.rs, so they are reported as unsupported.
//!
//! Every value and key keeps its byte span, so that errors (syntax here, schema errors in
//! `options`) render as the `toml` crate renders them: a `TOML parse error at line L,
//! column C` header, the line, a caret under the span, and the message.

use std::ops::Range;

/// A parsed value with the span of its text.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    /// The value.
    pub value: Value,
    /// Where it was written (for a table made by a header or dotted key: that key).
    pub span: Range<usize>,
}

/// A TOML value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// An integer.
    Integer(i64),
    /// A float.
    Float(f64),
    /// A string.
    String(String),
    /// A boolean.
    Boolean(bool),
    /// An array.
    Array(Vec<Item>),
    /// A table.
    Table(Table),
}

/// A table: keys in the order written.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    /// The entries: key, the key's span, and the value.
    pub entries: Vec<(String, Range<usize>, Item)>,
    /// Defined by a `[header]` of its own (a second one is a duplicate).
    explicit: bool,
    /// An inline table, closed to later keys.
    inline: bool,
}

impl Table {
    fn get_mut(&mut self, key: &str) -> Option<&mut Item> {
        self.entries
            .iter_mut()
            .find(|(k, _, _)| k == key)
            .map(|(_, _, item)| item)
    }
}

/// A syntax or schema error at a span of the document.
#[derive(Clone, Debug, PartialEq)]
pub struct TomlError {
    /// What is wrong.
    pub message: String,
    /// Where.
    pub span: Range<usize>,
}

impl TomlError {
    /// An error at `span`.
    pub fn new(message: impl Into<String>, span: Range<usize>) -> TomlError {
        TomlError {
            message: message.into(),
            span,
        }
    }

    /// The error as the `toml` crate prints it: position, the line with a caret under the
    /// span, then the message.
    pub fn render(&self, source: &str) -> String {
        let start = self.span.start.min(source.len());
        let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_number = source[..start].matches('\n').count() + 1;
        let column = source[line_start..start].chars().count();
        let content = source[line_start..]
            .split('\n')
            .next()
            .unwrap_or("")
            .trim_end_matches('\r');
        let remaining = content.chars().count().saturating_sub(column);
        let width = source
            .get(start..self.span.end.max(start))
            .map_or(1, |s| s.chars().count())
            .min(remaining)
            .max(1);
        let gutter = " ".repeat(line_number.to_string().len() + 1);
        format!(
            "TOML parse error at line {line_number}, column {}\n{gutter}|\n{line_number} | {content}\n{gutter}|{}{}\n{}",
            column + 1,
            " ".repeat(column + 1),
            "^".repeat(width),
            self.message
        )
    }
}

type Result<T> = std::result::Result<T, TomlError>;

/// Parses a document into its root table.
pub fn parse(source: &str) -> Result<Table> {
    let mut parser = Parser { source, pos: 0 };
    let mut root = Table::default();
    // The path of the current `[table]`, empty for the root.
    let mut current: Vec<String> = Vec::new();
    loop {
        parser.skip_trivia();
        let Some(c) = parser.peek() else {
            return Ok(root);
        };
        if c == '[' {
            let start = parser.pos;
            parser.pos += 1;
            if parser.peek() == Some('[') {
                return Err(TomlError::new(
                    "arrays of tables are not supported in index options",
                    start..start + 2,
                ));
            }
            parser.skip_spaces();
            let keys = parser.key_path()?;
            parser.skip_spaces();
            parser.expect(']', "expected `]` to close the table header")?;
            parser.end_of_line()?;
            define_table(&mut root, &keys, start..parser.pos)?;
            current = keys.into_iter().map(|(k, _)| k).collect();
        } else {
            let keys = parser.key_path()?;
            parser.skip_spaces();
            parser.expect('=', "expected `=` after a key")?;
            parser.skip_spaces();
            let item = parser.value()?;
            parser.end_of_line()?;
            let table = table_at(&mut root, &current)?;
            insert(table, &keys, item)?;
        }
    }
}

/// The table at a header path (created by `define_table` before).
fn table_at<'t>(root: &'t mut Table, path: &[String]) -> Result<&'t mut Table> {
    let mut table = root;
    for key in path {
        match table.get_mut(key).map(|item| &mut item.value) {
            Some(Value::Table(inner)) => table = inner,
            _ => return Err(TomlError::new("internal error: lost table", 0..0)),
        }
    }
    Ok(table)
}

/// `[a.b.c]`: creates the tables on the way; the last must not be defined twice.
fn define_table(
    root: &mut Table,
    keys: &[(String, Range<usize>)],
    span: Range<usize>,
) -> Result<()> {
    let mut table = root;
    for (index, (key, key_span)) in keys.iter().enumerate() {
        let last = index + 1 == keys.len();
        if table.get_mut(key).is_none() {
            table.entries.push((
                key.clone(),
                key_span.clone(),
                Item {
                    value: Value::Table(Table::default()),
                    span: key_span.clone(),
                },
            ));
        }
        let Some(item) = table.get_mut(key) else {
            return Err(TomlError::new("internal error: lost table", span));
        };
        match &mut item.value {
            Value::Table(inner) if !inner.inline => {
                if last {
                    if inner.explicit {
                        return Err(TomlError::new(
                            format!("invalid table header\nduplicate key `{key}` in document root"),
                            span,
                        ));
                    }
                    inner.explicit = true;
                }
                table = inner;
            }
            _ => {
                return Err(TomlError::new(
                    format!("invalid table header\nduplicate key `{key}` in document root"),
                    span,
                ))
            }
        }
    }
    Ok(())
}

/// `a.b.c = value` in `table`.
fn insert(table: &mut Table, keys: &[(String, Range<usize>)], item: Item) -> Result<()> {
    let Some(((last, last_span), path)) = keys.split_last() else {
        return Err(TomlError::new("expected a key", item.span));
    };
    let mut table = table;
    for (key, key_span) in path {
        if table.get_mut(key).is_none() {
            table.entries.push((
                key.clone(),
                key_span.clone(),
                Item {
                    value: Value::Table(Table::default()),
                    span: key_span.clone(),
                },
            ));
        }
        match table.get_mut(key).map(|item| &mut item.value) {
            Some(Value::Table(inner)) if !inner.inline => table = inner,
            _ => {
                return Err(TomlError::new(
                    format!("duplicate key `{key}`"),
                    key_span.clone(),
                ))
            }
        }
    }
    if table.get_mut(last).is_some() {
        return Err(TomlError::new(
            format!("duplicate key `{last}`"),
            last_span.clone(),
        ));
    }
    table.entries.push((last.clone(), last_span.clone(), item));
    Ok(())
}

struct Parser<'s> {
    source: &'s str,
    pos: usize,
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        &self.source[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn error_here(&self, message: impl Into<String>) -> TomlError {
        let end = self.pos + self.peek().map_or(0, char::len_utf8);
        TomlError::new(message, self.pos..end)
    }

    fn expect(&mut self, c: char, message: &str) -> Result<()> {
        if self.peek() == Some(c) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error_here(message))
        }
    }

    fn skip_spaces(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t')) {
            self.pos += 1;
        }
    }

    fn skip_comment(&mut self) {
        if self.peek() == Some('#') {
            let end = self
                .rest()
                .find('\n')
                .map_or(self.source.len(), |i| self.pos + i);
            self.pos = end;
        }
    }

    /// Spaces, comments and newlines.
    fn skip_trivia(&mut self) {
        loop {
            self.skip_spaces();
            self.skip_comment();
            match self.peek() {
                Some('\n') => self.pos += 1,
                Some('\r') if self.rest().starts_with("\r\n") => self.pos += 2,
                _ => return,
            }
        }
    }

    /// After a key-value pair or header: spaces, a comment, then a newline or the end.
    fn end_of_line(&mut self) -> Result<()> {
        self.skip_spaces();
        self.skip_comment();
        match self.peek() {
            None | Some('\n') => Ok(()),
            Some('\r') if self.rest().starts_with("\r\n") => Ok(()),
            Some(_) => Err(self.error_here("expected newline, `#`")),
        }
    }

    /// `a.b."c"`: the keys with their spans.
    fn key_path(&mut self) -> Result<Vec<(String, Range<usize>)>> {
        let mut keys = vec![self.key()?];
        loop {
            let save = self.pos;
            self.skip_spaces();
            if self.peek() == Some('.') {
                self.pos += 1;
                self.skip_spaces();
                keys.push(self.key()?);
            } else {
                self.pos = save;
                return Ok(keys);
            }
        }
    }

    fn key(&mut self) -> Result<(String, Range<usize>)> {
        let start = self.pos;
        let key = match self.peek() {
            Some('"') => {
                if self.rest().starts_with("\"\"\"") {
                    return Err(self.error_here("invalid key: multi-line strings are not keys"));
                }
                self.basic_string()?
            }
            Some('\'') => {
                if self.rest().starts_with("'''") {
                    return Err(self.error_here("invalid key: multi-line strings are not keys"));
                }
                self.literal_string()?
            }
            _ => {
                let length = self
                    .rest()
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
                    .unwrap_or(self.rest().len());
                if length == 0 {
                    return Err(self.error_here("invalid key"));
                }
                self.pos += length;
                self.source[start..self.pos].to_string()
            }
        };
        Ok((key, start..self.pos))
    }

    fn value(&mut self) -> Result<Item> {
        let start = self.pos;
        let value = match self.peek() {
            Some('"') if self.rest().starts_with("\"\"\"") => {
                Value::String(self.multiline_basic()?)
            }
            Some('"') => Value::String(self.basic_string()?),
            Some('\'') if self.rest().starts_with("'''") => {
                Value::String(self.multiline_literal()?)
            }
            Some('\'') => Value::String(self.literal_string()?),
            Some('[') => self.array()?,
            Some('{') => self.inline_table()?,
            Some(_) => self.scalar()?,
            None => return Err(self.error_here("expected a value")),
        };
        Ok(Item {
            value,
            span: start..self.pos,
        })
    }

    /// A bare scalar: boolean, integer or float.
    fn scalar(&mut self) -> Result<Value> {
        let start = self.pos;
        let length = self
            .rest()
            .find(|c: char| {
                !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+' | '.' | ':'))
            })
            .unwrap_or(self.rest().len());
        let text = &self.source[start..start + length];
        let span = start..start + length.max(1);
        self.pos += length;
        let invalid = || {
            TomlError::new(
                "invalid value: expected a string, number, boolean, array or inline table",
                span.clone(),
            )
        };
        match text {
            "true" => return Ok(Value::Boolean(true)),
            "false" => return Ok(Value::Boolean(false)),
            "inf" | "+inf" => return Ok(Value::Float(f64::INFINITY)),
            "-inf" => return Ok(Value::Float(f64::NEG_INFINITY)),
            "nan" | "+nan" | "-nan" => return Ok(Value::Float(f64::NAN)),
            "" => return Err(invalid()),
            _ => {}
        }
        if text.contains(':') || (text.len() >= 10 && text.as_bytes().get(4) == Some(&b'-')) {
            return Err(TomlError::new(
                "dates and times are not supported in index options",
                span,
            ));
        }
        for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] {
            if let Some(digits) = text.strip_prefix(prefix) {
                if !valid_underscores(digits) {
                    return Err(invalid());
                }
                return i64::from_str_radix(&digits.replace('_', ""), radix)
                    .map(Value::Integer)
                    .map_err(|_| invalid());
            }
        }
        let unsigned = text.trim_start_matches(['+', '-']);
        if text.len() - unsigned.len() > 1 || !valid_underscores(unsigned) {
            return Err(invalid());
        }
        let cleaned = text.replace('_', "");
        let digits = cleaned.trim_start_matches(['+', '-']);
        let leading_zero =
            |s: &str| s.len() > 1 && s.starts_with('0') && s.as_bytes()[1].is_ascii_digit();
        if digits.bytes().all(|b| b.is_ascii_digit()) {
            if leading_zero(digits) {
                return Err(invalid());
            }
            return cleaned.parse::<i64>().map(Value::Integer).map_err(|_| {
                TomlError::new(
                    "invalid integer: number too large to fit in target type",
                    span.clone(),
                )
            });
        }
        // A float: digits, then a fraction and/or an exponent.
        let integer_part = digits.split(['.', 'e', 'E']).next().unwrap_or("");
        let well_formed = !integer_part.is_empty()
            && integer_part.bytes().all(|b| b.is_ascii_digit())
            && !leading_zero(integer_part)
            && !digits.contains(".e")
            && !digits.contains(".E")
            && !digits.ends_with('.')
            && digits
                .split_once('.')
                .is_none_or(|(_, fraction)| fraction.starts_with(|c: char| c.is_ascii_digit()));
        match cleaned.parse::<f64>() {
            Ok(value) if well_formed => Ok(Value::Float(value)),
            _ => Err(invalid()),
        }
    }

    fn array(&mut self) -> Result<Value> {
        self.pos += 1;
        let mut items = Vec::new();
        loop {
            self.skip_trivia();
            if self.peek() == Some(']') {
                self.pos += 1;
                return Ok(Value::Array(items));
            }
            items.push(self.value()?);
            self.skip_trivia();
            match self.peek() {
                Some(',') => self.pos += 1,
                Some(']') => {}
                _ => return Err(self.error_here("invalid array\nexpected `]`")),
            }
        }
    }

    fn inline_table(&mut self) -> Result<Value> {
        self.pos += 1;
        let mut table = Table::default();
        self.skip_spaces();
        if self.peek() == Some('}') {
            self.pos += 1;
            table.inline = true;
            return Ok(Value::Table(table));
        }
        loop {
            self.skip_spaces();
            let keys = self.key_path()?;
            self.skip_spaces();
            self.expect('=', "expected `=` after a key")?;
            self.skip_spaces();
            let item = self.value()?;
            insert(&mut table, &keys, item)?;
            self.skip_spaces();
            match self.bump() {
                Some(',') => continue,
                Some('}') => {
                    seal(&mut table);
                    return Ok(Value::Table(table));
                }
                _ => {
                    self.pos -= self.source[..self.pos]
                        .chars()
                        .next_back()
                        .map_or(0, char::len_utf8);
                    return Err(self.error_here("invalid inline table\nexpected `}`"));
                }
            }
        }
    }

    fn basic_string(&mut self) -> Result<String> {
        let start = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            match self.bump() {
                None | Some('\n') => {
                    return Err(TomlError::new("invalid basic string", start..self.pos))
                }
                Some('"') => return Ok(out),
                Some('\\') => out.push(self.escape()?),
                Some(c) => out.push(c),
            }
        }
    }

    fn literal_string(&mut self) -> Result<String> {
        let start = self.pos;
        self.pos += 1;
        let end = self
            .rest()
            .find(['\'', '\n'])
            .filter(|&i| self.rest()[i..].starts_with('\''))
            .ok_or_else(|| TomlError::new("invalid literal string", start..self.source.len()))?;
        let text = self.rest()[..end].to_string();
        self.pos += end + 1;
        Ok(text)
    }

    fn multiline_basic(&mut self) -> Result<String> {
        let start = self.pos;
        self.pos += 3;
        self.skip_first_newline();
        let mut out = String::new();
        loop {
            if self.rest().starts_with("\"\"\"") {
                self.pos += 3;
                // Up to two quotes may close the string's content.
                while self.peek() == Some('"') && out.len() < usize::MAX {
                    out.push('"');
                    self.pos += 1;
                }
                return Ok(out);
            }
            match self.bump() {
                None => {
                    return Err(TomlError::new(
                        "invalid multiline basic string",
                        start..self.pos,
                    ))
                }
                Some('\\') => {
                    // A line-ending backslash trims the newline and leading whitespace.
                    let save = self.pos;
                    self.skip_spaces();
                    if matches!(self.peek(), Some('\n' | '\r')) {
                        while matches!(self.peek(), Some(' ' | '\t' | '\n' | '\r')) {
                            self.pos += 1;
                        }
                    } else {
                        self.pos = save;
                        out.push(self.escape()?);
                    }
                }
                Some(c) => out.push(c),
            }
        }
    }

    fn multiline_literal(&mut self) -> Result<String> {
        let start = self.pos;
        self.pos += 3;
        self.skip_first_newline();
        let end = self.rest().find("'''").ok_or_else(|| {
            TomlError::new("invalid multiline literal string", start..self.source.len())
        })?;
        let mut text = self.rest()[..end].to_string();
        self.pos += end + 3;
        while self.peek() == Some('\'') {
            text.push('\'');
            self.pos += 1;
        }
        Ok(text)
    }

    fn skip_first_newline(&mut self) {
        if self.rest().starts_with("\r\n") {
            self.pos += 2;
        } else if self.rest().starts_with('\n') {
            self.pos += 1;
        }
    }

    /// The character after a backslash.
    fn escape(&mut self) -> Result<char> {
        let start = self.pos - 1;
        let c = self.bump();
        let hex = |parser: &mut Self, digits: usize| -> Result<char> {
            let text = parser.rest().get(..digits).unwrap_or("");
            let value = u32::from_str_radix(text, 16)
                .ok()
                .filter(|_| text.len() == digits);
            parser.pos += text.len();
            value
                .and_then(char::from_u32)
                .ok_or_else(|| TomlError::new("invalid unicode escape", start..parser.pos))
        };
        match c {
            Some('n') => Ok('\n'),
            Some('t') => Ok('\t'),
            Some('r') => Ok('\r'),
            Some('b') => Ok('\u{8}'),
            Some('f') => Ok('\u{c}'),
            Some('"') => Ok('"'),
            Some('\\') => Ok('\\'),
            Some('u') => hex(self, 4),
            Some('U') => hex(self, 8),
            _ => Err(TomlError::new("invalid escape sequence", start..self.pos)),
        }
    }
}

/// Marks an inline table and the tables its dotted keys made as closed.
fn seal(table: &mut Table) {
    table.inline = true;
    for (_, _, item) in &mut table.entries {
        if let Value::Table(inner) = &mut item.value {
            seal(inner);
        }
    }
}

/// `_` only between digits.
fn valid_underscores(text: &str) -> bool {
    !text.starts_with('_') && !text.ends_with('_') && !text.contains("__")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get<'t>(table: &'t Table, path: &[&str]) -> &'t Value {
        let (first, rest) = path.split_first().unwrap();
        let item = &table.entries.iter().find(|(k, _, _)| k == first).unwrap().2;
        match (&item.value, rest.is_empty()) {
            (value, true) => value,
            (Value::Table(inner), false) => get(inner, rest),
            _ => panic!("not a table"),
        }
    }

    #[test]
    fn tables_keys_and_values() {
        let doc = "# options\n[indexing.ivf]\nnlist = 1_000 # lists\nquantization.product.ratio = \"x16\"\n\n[segment]\n'max_growing_segment_size' = 0x10\nx = { a = 1.5e2, b = true, c = [1, 2,] }\ns = '''\nline'''\n";
        let root = parse(doc).unwrap();
        assert_eq!(
            get(&root, &["indexing", "ivf", "nlist"]),
            &Value::Integer(1000)
        );
        assert_eq!(
            get(
                &root,
                &["indexing", "ivf", "quantization", "product", "ratio"]
            ),
            &Value::String("x16".into())
        );
        assert_eq!(
            get(&root, &["segment", "max_growing_segment_size"]),
            &Value::Integer(16)
        );
        assert_eq!(get(&root, &["segment", "x", "a"]), &Value::Float(150.0));
        assert_eq!(get(&root, &["segment", "x", "b"]), &Value::Boolean(true));
        assert_eq!(get(&root, &["segment", "s"]), &Value::String("line".into()));
        let root = parse("[indexing.ivf.quantization.product]").unwrap();
        assert!(matches!(
            get(&root, &["indexing", "ivf", "quantization", "product"]),
            Value::Table(t) if t.entries.is_empty()
        ));
        assert_eq!(
            get(&parse("a = \"\\u00e9\\t\"").unwrap(), &["a"]),
            &Value::String("é\t".into())
        );
    }

    #[test]
    fn errors_point_at_the_text() {
        let doc = "[indexing.hnsw]\nm = 12\nm = 13\n";
        let error = parse(doc).unwrap_err();
        assert_eq!(
            error.render(doc),
            "TOML parse error at line 3, column 1\n  |\n3 | m = 13\n  | ^\nduplicate key `m`"
        );
        for bad in [
            "[indexing",
            "a = ",
            "a = 1 b",
            "a = \"x",
            "a = 01",
            "a = 1__0",
            "= 1",
            "a = 1.",
            "a = {b = 1",
            "[a]\n[a]",
            "a = 1979-05-27",
            "[[a]]",
            "a = 'x\n'",
            "a.b = 1\na.b.c = 2",
            "a = 99999999999999999999",
            "a = \"\\q\"",
            "a = {b = 1}\n[a]",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} parsed");
        }
        let doc = "a = 1 b";
        let error = parse(doc).unwrap_err();
        assert_eq!(
            error.render(doc),
            "TOML parse error at line 1, column 7\n  |\n1 | a = 1 b\n  |       ^\nexpected newline, `#`"
        );
    }
}
