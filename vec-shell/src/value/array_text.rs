//! PostgreSQL's array literal text (`'{1,2,3}'`, `'{"[1,2]",NULL}'`, `'{{1},{2}}'`):
//! reading it into element texts with their dimensions, and printing an array back.

use super::Array;
use crate::error::{EngineError, Result};

/// A parsed array literal: dimensions and element texts (`None` for an unquoted NULL).
pub struct ParsedArray {
    /// The length of each dimension (empty for `{}`).
    pub dims: Vec<usize>,
    /// The element texts, row-major.
    pub elements: Vec<Option<String>>,
}

fn malformed(text: &str, detail: &str) -> EngineError {
    EngineError::new("22P02", format!("malformed array literal: \"{text}\"")).with_detail(detail)
}

/// Reads an array literal.
pub fn parse_array(text: &str) -> Result<ParsedArray> {
    let mut reader = Reader {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        elements: Vec::new(),
        dims: Vec::new(),
    };
    reader.skip_space();
    if reader.peek() != Some(b'{') {
        return Err(malformed(
            text,
            "Array value must start with \"{\" or dimension information.",
        ));
    }
    reader.level(0)?;
    reader.skip_space();
    if reader.pos != reader.bytes.len() {
        return Err(malformed(text, "Junk after closing right brace."));
    }
    if reader.elements.is_empty() {
        reader.dims.clear();
    }
    Ok(ParsedArray {
        dims: reader.dims.into_iter().map(|d| d.unwrap_or(0)).collect(),
        elements: reader.elements,
    })
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    elements: Vec<Option<String>>,
    dims: Vec<Option<usize>>,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.pos += 1;
        }
    }

    /// Reads `{ … }` at nesting `depth`.
    fn level(&mut self, depth: usize) -> Result<()> {
        if depth >= 6 {
            return Err(EngineError::new(
                "54000",
                "number of array dimensions exceeds the maximum allowed (6)",
            ));
        }
        self.pos += 1;
        let mut count = 0usize;
        let mut nested = None;
        loop {
            self.skip_space();
            match self.peek() {
                None => return Err(malformed(self.text, "Unexpected end of input.")),
                Some(b'}') if count == 0 => {
                    self.pos += 1;
                    break;
                }
                Some(b'{') => {
                    if nested == Some(false) {
                        return Err(malformed(self.text, "Unexpected \"{\" character."));
                    }
                    nested = Some(true);
                    self.level(depth + 1)?;
                }
                Some(_) => {
                    if nested == Some(true) {
                        return Err(malformed(
                            self.text,
                            "Multidimensional arrays must have sub-arrays with matching dimensions.",
                        ));
                    }
                    nested = Some(false);
                    let element = self.element()?;
                    self.elements.push(element);
                }
            }
            count += 1;
            self.skip_space();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    break;
                }
                Some(c) => {
                    return Err(malformed(
                        self.text,
                        &format!("Unexpected \"{}\" character.", c as char),
                    ))
                }
                None => return Err(malformed(self.text, "Unexpected end of input.")),
            }
        }
        if self.dims.len() <= depth {
            self.dims.resize(depth + 1, None);
        }
        if self.dims[depth].is_none() {
            self.dims[depth] = Some(count);
        } else if self.dims[depth] != Some(count) && count > 0 {
            return Err(malformed(
                self.text,
                "Multidimensional arrays must have sub-arrays with matching dimensions.",
            ));
        }
        Ok(())
    }

    fn element(&mut self) -> Result<Option<String>> {
        let mut value = Vec::new();
        let mut quoted = false;
        let mut trailing_space = 0;
        while let Some(byte) = self.peek() {
            match byte {
                b'"' => {
                    quoted = true;
                    self.pos += 1;
                    loop {
                        match self.peek() {
                            None => return Err(malformed(self.text, "Unexpected end of input.")),
                            Some(b'"') => {
                                self.pos += 1;
                                break;
                            }
                            Some(b'\\') => {
                                self.pos += 1;
                                if let Some(escaped) = self.peek() {
                                    value.push(escaped);
                                    self.pos += 1;
                                }
                            }
                            Some(other) => {
                                value.push(other);
                                self.pos += 1;
                            }
                        }
                    }
                    trailing_space = 0;
                }
                b'\\' => {
                    self.pos += 1;
                    if let Some(escaped) = self.peek() {
                        value.push(escaped);
                        self.pos += 1;
                    }
                    trailing_space = 0;
                }
                b',' | b'}' => break,
                b'{' => return Err(malformed(self.text, "Unexpected \"{\" character.")),
                other => {
                    if other.is_ascii_whitespace() {
                        trailing_space += 1;
                    } else {
                        trailing_space = 0;
                    }
                    value.push(other);
                    self.pos += 1;
                }
            }
        }
        value.truncate(value.len() - trailing_space);
        let text = String::from_utf8_lossy(&value).into_owned();
        if !quoted && text.eq_ignore_ascii_case("null") {
            return Ok(None);
        }
        Ok(Some(text))
    }
}

/// Prints an array as `array_out` does.
pub fn format_array(array: &Array) -> String {
    if array.dims.is_empty() {
        return "{}".to_string();
    }
    let mut out = String::new();
    let mut index = 0;
    write_level(&mut out, array, 0, &mut index);
    out
}

fn write_level(out: &mut String, array: &Array, depth: usize, index: &mut usize) {
    out.push('{');
    for i in 0..array.dims[depth] {
        if i > 0 {
            out.push(',');
        }
        if depth + 1 < array.dims.len() {
            write_level(out, array, depth + 1, index);
        } else {
            match array.elements.get(*index).and_then(|d| d.to_text()) {
                None => out.push_str("NULL"),
                Some(text) => push_element(out, &text),
            }
            *index += 1;
        }
    }
    out.push('}');
}

fn push_element(out: &mut String, text: &str) {
    let needs_quotes = text.is_empty()
        || text.eq_ignore_ascii_case("null")
        || text
            .chars()
            .any(|c| matches!(c, '{' | '}' | ',' | '"' | '\\') || c.is_ascii_whitespace());
    if !needs_quotes {
        out.push_str(text);
        return;
    }
    out.push('"');
    for c in text.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nested_and_quoted_elements() {
        let parsed = parse_array("{\"[1,2,3]\", \"[4,5,6]\"}").unwrap();
        assert_eq!(parsed.dims, vec![2]);
        assert_eq!(parsed.elements[1].as_deref(), Some("[4,5,6]"));
        let parsed = parse_array("{{1},{2}}").unwrap();
        assert_eq!(parsed.dims, vec![2, 1]);
        let parsed = parse_array("{NULL, 2}").unwrap();
        assert_eq!(parsed.elements, vec![None, Some("2".to_string())]);
        assert!(parse_array("{}").unwrap().dims.is_empty());
        assert!(parse_array("{1").is_err());
        assert!(parse_array("1}").is_err());
    }
}
