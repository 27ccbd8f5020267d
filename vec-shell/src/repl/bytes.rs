//! Script input as bytes. psql reads scripts, `COPY` data and command-line arguments as
//! bytes and sends each statement to the server, which rejects one that is not valid
//! UTF-8 with `invalid byte sequence for encoding "UTF8": 0xff` and goes on with the
//! next. The shell does the same: a line is decoded with each byte that is not part of
//! valid UTF-8 kept as a marker character (U+10FF00 plus the byte, in a private-use
//! plane), so statement splitting works on text while the bad bytes stay known, and
//! [`invalid_sequence`] finds them in a complete statement and names them as
//! PostgreSQL's `report_invalid_encoding` does.

/// The first marker: the byte `b` is kept as `char::from_u32(MARKER_BASE + b)`.
const MARKER_BASE: u32 = 0x10_FF00;

use std::borrow::Cow;

use crate::error::EngineError;

/// The UTF-8 byte-order mark, skipped at the start of a script.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Decodes `raw` as UTF-8, keeping each byte of an invalid sequence as a marker; valid
/// UTF-8 (nearly every line) is borrowed as it is.
pub fn decode_lossless(raw: &[u8]) -> Cow<'_, str> {
    if let Ok(valid) = std::str::from_utf8(raw) {
        return Cow::Borrowed(valid);
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    loop {
        match std::str::from_utf8(rest) {
            Ok(valid) => {
                out.push_str(valid);
                return Cow::Owned(out);
            }
            Err(error) => {
                let (valid, after) = rest.split_at(error.valid_up_to());
                // The prefix is valid by construction; `unwrap_or_default` never applies.
                out.push_str(std::str::from_utf8(valid).unwrap_or_default());
                let bad = error.error_len().unwrap_or(after.len()).max(1);
                for &byte in &after[..bad] {
                    out.push(marker(byte));
                }
                rest = &after[bad..];
            }
        }
    }
}

/// `BufRead::read_until(b'\n', …)` with a vectorized search for the newline: a script's
/// line can be a whole vector literal, tens of kilobytes long.
pub fn read_line(input: &mut impl std::io::BufRead, out: &mut Vec<u8>) -> std::io::Result<usize> {
    let mut read = 0;
    loop {
        let available = match input.fill_buf() {
            Ok(available) => available,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        let (taken, done) = match memchr::memchr(b'\n', available) {
            Some(at) => (at + 1, true),
            None => (available.len(), available.is_empty()),
        };
        out.extend_from_slice(&available[..taken]);
        input.consume(taken);
        read += taken;
        if done {
            return Ok(read);
        }
    }
}

fn marker(byte: u8) -> char {
    char::from_u32(MARKER_BASE + u32::from(byte)).unwrap_or(char::REPLACEMENT_CHARACTER)
}

fn marked_byte(c: char) -> Option<u8> {
    let code = u32::from(c);
    (MARKER_BASE..MARKER_BASE + 256)
        .contains(&code)
        .then(|| (code - MARKER_BASE) as u8)
}

/// The bytes `text` was decoded from by [`decode_lossless`].
pub fn original_bytes(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut buf = [0u8; 4];
    for c in text.chars() {
        match marked_byte(c) {
            Some(byte) => out.push(byte),
            None => out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes()),
        }
    }
    out
}

/// If `text` holds bytes that are not valid UTF-8, PostgreSQL's error for them (see
/// [`EngineError::invalid_encoding`]).
pub fn invalid_sequence(text: &str) -> Option<EngineError> {
    // Marks are not ASCII; most statements are all ASCII, which is checked fast.
    if text.is_ascii() || !text.chars().any(|c| marked_byte(c).is_some()) {
        return None;
    }
    let bytes = original_bytes(text);
    match std::str::from_utf8(&bytes) {
        Ok(_) => None,
        Err(error) => Some(EngineError::invalid_encoding(&bytes[error.valid_up_to()..])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_names_bad_bytes() {
        let raw = b"SELECT 'a\xffb', '\xe2\x82(';";
        let text = decode_lossless(raw);
        assert_eq!(original_bytes(&text), raw);
        let message = |text: &str| invalid_sequence(text).map(|e| e.message);
        assert_eq!(
            message(&text).as_deref(),
            Some("invalid byte sequence for encoding \"UTF8\": 0xff")
        );
        let text = decode_lossless(b"SELECT '\xe2\x82(';");
        assert!(message(&text).unwrap().ends_with(": 0xe2 0x82 0x28"));
        assert_eq!(message("SELECT 'é';"), None);
        assert_eq!(decode_lossless("é".as_bytes()), "é");
    }

    #[test]
    fn lines_are_read_as_read_until_reads_them() {
        let long = format!("SELECT '[{}]';", vec!["0.25"; 5000].join(","));
        let text = format!("a\n\n{long}\r\nlast");
        // A small buffer, so that lines span several fills.
        let mut input = std::io::BufReader::with_capacity(7, text.as_bytes());
        let mut expected = std::io::BufReader::new(text.as_bytes());
        loop {
            let (mut ours, mut theirs) = (Vec::new(), Vec::new());
            let read = read_line(&mut input, &mut ours).unwrap();
            let wanted = std::io::BufRead::read_until(&mut expected, b'\n', &mut theirs).unwrap();
            assert_eq!((read, &ours), (wanted, &theirs));
            if read == 0 {
                break;
            }
        }
    }
}
